"""`bookagent tasks list|show|revoke|stats`: background work on either queue backend."""

from __future__ import annotations

import json
from typing import Any

import click

from bookagent.cli import output
from bookagent.cli.client import JSON
from bookagent.cli.connection import client_options
from bookagent.cli.connection import connection
from bookagent.cli.connection import open_client
from bookagent.cli.progress import follow_task

RESULT_PREVIEW = 300


@click.group()
def tasks() -> None:
    """Background tasks: list, follow, revoke, statistics."""


@tasks.command("list")
@client_options
def list_() -> None:
    """List active tasks (not finished yet)."""
    conn = connection()
    body = open_client().active_tasks(conn.target)
    if conn.as_json:
        output.emit_json(body)
        return
    rows = body["active_tasks"]
    if rows:
        output.emit(
            output.grid(
                ("ID", "Task", "Status", "Progress", "Backend"),
                (
                    (
                        t["task_id"],
                        short_name(t["name"]),
                        t["status"],
                        f"{t['progress']['current']}/{t['progress']['total']}",
                        t["type"],
                    )
                    for t in rows
                ),
            )
        )
    click.echo(f"{len(rows)} active task(s).")


@tasks.command()
@click.argument("task_id")
@click.option("--wait", is_flag=True, help="Follow the task's progress until it finishes.")
@client_options
def show(task_id: str, wait: bool) -> None:
    """Show a task's status, progress and result (or error)."""
    conn = connection()
    client = open_client()
    status = follow_task(client, task_id, "Waiting") if wait else client.task_status(task_id)
    if conn.as_json:
        output.emit_json(status)
        return
    rows: list[tuple[str, Any]] = [
        ("task", status["task_id"]),
        ("name", status["name"]),
        ("status", status["status"]),
        ("progress", progress_text(status["progress"])),
        ("backend", status["backend"]),
        ("user", status.get("user_id")),
        ("attempts", status.get("attempts")),
        ("created", output.when(status.get("created_at"))),
        ("started", output.when(status.get("started_at"))),
        ("finished", output.when(status.get("finished_at"))),
    ]
    if "error" in status:
        error = status["error"] or {}
        rows.append(("error", f"{error.get('type')}: {error.get('message')}"))
    if "result" in status:
        rows.append(("result", result_text(status["result"])))
    output.emit(output.fields_table(rows))


@tasks.command()
@click.argument("task_id")
@click.option("--terminate", is_flag=True, help="Stop it even if it is already running.")
@client_options
def revoke(task_id: str, terminate: bool) -> None:
    """Revoke a task: a pending one never runs; with --terminate a running one stops."""
    conn = connection()
    body = open_client().revoke_task(task_id, terminate=terminate)
    if conn.as_json:
        output.emit_json(body)
        return
    result = body["result"]
    how = "; it is being stopped" if result["terminated"] else ""
    click.echo(f"Revoked task {result['task_id']} (it was {result['previous_status']}){how}.")


@tasks.command()
@client_options
def stats() -> None:
    """Queue statistics: the backend, workers, and counts by status and by task."""
    conn = connection()
    body = open_client().task_stats()
    if conn.as_json:
        output.emit_json(body)
        return
    pool = body.get("thread_pool") or {}
    celery = body.get("celery") or {}
    counts = body.get("tasks") or {}
    summary = [
        ("backend", body.get("backend")),
        ("thread pool", _pool_text(pool) if pool else None),
        ("celery", _celery_text(celery) if celery.get("available") else "not available"),
        ("by status", counts.get("by_status")),
    ]
    output.emit(output.fields_table(summary, title="Task queue"))
    by_name: dict[str, JSON] = counts.get("by_name") or {}
    if by_name:
        output.emit(
            output.grid(
                ("Task", "Count", "Succeeded", "Failed", "Avg s", "p95 s"),
                (
                    (
                        short_name(name),
                        row["count"],
                        row["succeeded"],
                        row["failed"],
                        row["avg_duration_s"],
                        row["p95_duration_s"],
                    )
                    for name, row in sorted(by_name.items())
                ),
            )
        )


def short_name(name: str) -> str:
    """A task name without the `bookagent.` prefix."""
    return name.removeprefix("bookagent.")


def progress_text(progress: JSON) -> str:
    """`3/12 (25.0%) message`."""
    shown = f"{progress.get('current', 0)}/{progress.get('total', 0)} ({progress.get('percent')}%)"
    return f"{shown} {progress['message']}" if progress.get("message") else shown


def result_text(result: Any) -> str:
    """A short account of a task's result (the whole of it with --json)."""
    if isinstance(result, dict) and isinstance(result.get("posts"), list):
        return f"{len(result['posts'])} post(s), {len(result.get('rejected') or [])} rejected"
    if isinstance(result, dict) and "report_id" in result:
        return f"report {result['report_id']} ({result.get('html_url')})"
    raw = json.dumps(result, default=str)
    return raw if len(raw) <= RESULT_PREVIEW else raw[:RESULT_PREVIEW] + "… (see --json)"


def _pool_text(pool: JSON) -> str:
    return (
        f"{pool.get('active_tasks', 0)} running, {pool.get('queued', 0)} queued, "
        f"max {pool.get('max_workers')} workers"
    )


def _celery_text(celery: JSON) -> str:
    workers = celery.get("workers") or []
    return (
        f"{len(workers)} worker(s) ({', '.join(map(str, workers))}), "
        f"queue length {celery.get('queue_length')}, reserved {celery.get('reserved_tasks')}"
    )
