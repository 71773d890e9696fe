"""A task row as API.md's JSON documents, shared by the HTTP API and the CLI's local mode."""

from __future__ import annotations

from typing import Any

from bookagent.isotime import iso
from bookagent.queue.task_view import TaskView
from bookagent.states import TaskState


def progress_json(row: TaskView) -> dict[str, Any]:
    """Progress as API.md gives it; a successful task reads 100%."""
    total, current = row.progress_total, row.progress_current
    if row.status == TaskState.SUCCESS:
        percent = 100.0
    else:
        percent = round(100.0 * current / total, 1) if total else 0.0
    return {"current": current, "total": total, "percent": percent, "message": row.progress_message}


def task_json(row: TaskView) -> dict[str, Any]:
    """A task's status document (`GET /api/task-status/<id>`)."""
    body: dict[str, Any] = {
        "task_id": row.id,
        "name": row.name,
        "status": row.status,
        "progress": progress_json(row),
        "backend": row.backend,
        "user_id": row.user_id,
        "attempts": row.attempts,
        "revoked": row.revoked,
        "created_at": iso(row.created_at),
        "started_at": iso(row.started_at),
        "finished_at": iso(row.finished_at),
    }
    if row.result is not None:
        body["result"] = row.result
    if row.status == TaskState.FAILURE or row.error_type:
        body["error"] = {"type": row.error_type, "message": row.error_message}
    return body


def active_json(row: TaskView) -> dict[str, Any]:
    """An active task, without its arguments (they could hold secrets)."""
    return {
        "task_id": row.id,
        "name": row.name,
        "type": row.backend,
        "status": row.status,
        "progress": progress_json(row),
        "worker": row.worker,
        "started_at": iso(row.started_at),
        "created_at": iso(row.created_at),
        "user_id": row.user_id,
    }
