"""The autonomous agent's stored state: per-book start/stop, daily runs, scheduler heartbeats."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bookagent.db.base import Base
from bookagent.db.base import new_id
from bookagent.db.base import utcnow


class AutonomousState(Base):
    """Whether the agent runs for a book, since when, and with which settings."""

    __tablename__ = "autonomous_states"

    book_id: Mapped[str] = mapped_column(
        ForeignKey("books.id", ondelete="CASCADE"), primary_key=True
    )
    running: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DailyRun(Base):
    """One daily routine per book per local day; the unique key makes a second tick a no-op."""

    __tablename__ = "daily_runs"
    __table_args__ = (UniqueConstraint("book_id", "run_date"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    book_id: Mapped[str] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"), index=True)
    run_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    task_id: Mapped[str | None] = mapped_column(String(64))
    steps: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class SchedulerHeartbeat(Base):
    """The last tick of a scheduler (Celery beat or the in-process one), for health."""

    __tablename__ = "scheduler_heartbeats"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    backend: Mapped[str] = mapped_column(String(16))
    last_tick_at: Mapped[datetime] = mapped_column(default=utcnow)


class SchedulerOutage(Base):
    """A gap between two scheduler ticks longer than allowed: the scheduler was down."""

    __tablename__ = "scheduler_outages"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    scheduler: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime] = mapped_column(index=True)
