"""The task record: the single source of truth for background work on every queue backend."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import Float
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bookagent.db.base import Base
from bookagent.db.base import utcnow
from bookagent.states import ACTIVE_TASK_STATES
from bookagent.states import FINISHED_TASK_STATES
from bookagent.states import TaskState

TASK_STATUSES = tuple(TaskState)
ACTIVE_STATUSES = ACTIVE_TASK_STATES
FINISHED_STATUSES = FINISHED_TASK_STATES


class TaskRecord(Base):
    """One submitted task: its state, progress, result or error, and where it ran."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_status_created", "status", "created_at"),
        Index("ix_tasks_user_created", "user_id", "created_at"),
        Index("ix_tasks_name_status", "name", "status"),
        Index("ix_tasks_name_finished", "name", "finished_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default=TaskState.PENDING)
    kwargs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    user_id: Mapped[str | None] = mapped_column(String(128))
    backend: Mapped[str] = mapped_column(String(16))
    worker: Mapped[str | None] = mapped_column(String(256))
    progress_current: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    progress_message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column()
    error_type: Mapped[str | None] = mapped_column(String(128))
    error_message: Mapped[str | None] = mapped_column(Text)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    terminate_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    idempotent: Mapped[bool] = mapped_column(Boolean, default=False)
    time_limit_s: Mapped[float] = mapped_column(Float, default=300.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
