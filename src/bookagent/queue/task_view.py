"""A task row as read: a plain, immutable snapshot, not tied to any session."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields
from datetime import datetime
from typing import Any
from typing import cast

from sqlalchemy import Column
from sqlalchemy import Select
from sqlalchemy import Table
from sqlalchemy import select

from bookagent.db.models.tasks import TaskRecord


@dataclass(frozen=True, slots=True)
class TaskView:
    """Every column of a task row, in the order `select_tasks()` reads them."""

    id: str
    name: str
    status: str
    kwargs: dict[str, Any]
    user_id: str | None
    backend: str
    worker: str | None
    progress_current: int
    progress_total: int
    progress_message: str | None
    result: dict[str, Any] | None
    error_type: str | None
    error_message: str | None
    revoked: bool
    terminate_requested: bool
    idempotent: bool
    time_limit_s: float
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None


TASKS = cast(Table, TaskRecord.__table__)
_COLUMNS: list[Column[Any]] = [TASKS.c[f.name] for f in fields(TaskView)]


def select_tasks() -> Select[Any]:
    """`SELECT <every TaskView column> FROM tasks`, to refine with `.where()` and friends."""
    return select(*_COLUMNS)


def to_view(row: Any) -> TaskView:
    """A TaskView from a row of `select_tasks()`."""
    return TaskView(*row)
