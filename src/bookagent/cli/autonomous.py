"""`bookagent autonomous start|stop|status`: the agent that writes and schedules every day."""

from __future__ import annotations

from typing import Literal

import click
from rich.table import Table

from bookagent.cli import output
from bookagent.cli.client import JSON
from bookagent.cli.connection import client_options
from bookagent.cli.connection import connection
from bookagent.cli.connection import open_client


@click.group()
def autonomous() -> None:
    """The autonomous agent of a book."""


@autonomous.command()
@client_options
def start() -> None:
    """Start the agent (idempotent; it stays on across restarts)."""
    _switch("start")


@autonomous.command()
@client_options
def stop() -> None:
    """Stop the agent (idempotent)."""
    _switch("stop")


@autonomous.command()
@client_options
def status() -> None:
    """Show whether the agent runs, its next runs and the scheduler's heartbeat."""
    conn = connection()
    body = open_client().autonomous_status(conn.target)
    if conn.as_json:
        output.emit_json(body)
    else:
        output.emit(status_table(body["autonomous_status"]))


def _switch(action: Literal["start", "stop"]) -> None:
    conn = connection()
    body = open_client().autonomous(conn.target, action)
    if conn.as_json:
        output.emit_json(body)
        return
    state = body["autonomous_status"]
    if action == "start":
        line = "was already running" if body.get("already_running") else "started"
    else:
        line = "stopped" if body.get("was_running") else "was not running"
    click.echo(f"Agent for book {state['book_id']} {line}.")
    output.emit(status_table(state))


def status_table(state: JSON) -> Table:
    """The agent's state as a name/value table."""
    last = state.get("last_daily_run") or {}
    scheduler = state.get("scheduler") or {}
    settings = state.get("settings") or {}
    return output.fields_table(
        [
            ("book", state.get("book_id")),
            ("running", state.get("running")),
            ("started", output.when(state.get("started_at"))),
            ("next daily run", output.when(state.get("next_daily_run_at"))),
            ("next weekly report", output.when(state.get("next_weekly_report_at"))),
            (
                "last daily run",
                f"{last.get('run_date')} {last.get('status')}" if last else None,
            ),
            ("past-due posts", state.get("past_due_posts")),
            (
                "scheduler",
                f"{scheduler.get('backend') or '-'}: "
                f"{'healthy' if scheduler.get('healthy') else 'not healthy'}"
                f" ({scheduler.get('detail') or 'no detail'})",
            ),
            ("posts per day", settings.get("posts_per_day")),
            ("auto-approve", settings.get("auto_approve")),
        ],
        title="Autonomous agent",
    )
