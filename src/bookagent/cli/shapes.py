"""API.md's JSON shapes built from database rows, for local mode.

The web layer builds the same documents for HTTP; the CLI may not import web handlers, so local
mode shapes rows here, key for key, and the commands cannot tell the two clients apart.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

from bookagent.cli.client import JSON
from bookagent.db.models import Book
from bookagent.db.models.tasks import TaskRecord
from bookagent.domain.books import book_to_fields


def iso(value: datetime | None) -> str | None:
    """ISO-8601 UTC with an offset, or None."""
    return value.astimezone(UTC).isoformat() if value is not None else None


def ok(payload: JSON) -> JSON:
    """A success body in API.md's envelope."""
    return {"success": True, **payload, "timestamp": datetime.now(UTC).isoformat()}


def book_json(book: Book) -> JSON:
    """A book: id, owner, profile fields and timestamps."""
    return {
        "id": book.id,
        "user_id": book.user_id,
        **book_to_fields(book),
        "created_at": iso(book.created_at),
        "updated_at": iso(book.updated_at),
    }


def progress_json(row: TaskRecord) -> JSON:
    """A task's progress; a successful task reads 100%."""
    total, current = row.progress_total, row.progress_current
    if row.status == "SUCCESS":
        percent = 100.0
    else:
        percent = round(100.0 * current / total, 1) if total else 0.0
    return {"current": current, "total": total, "percent": percent, "message": row.progress_message}


def task_json(row: TaskRecord) -> JSON:
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
    if row.status == "FAILURE" or row.error_type:
        body["error"] = {"type": row.error_type, "message": row.error_message}
    return body


def active_json(row: TaskRecord) -> JSON:
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
