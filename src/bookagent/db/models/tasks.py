"""The task record: the single source of truth for background work on every queue backend.

`TaskRollup` holds the counts of finished task rows per (name, status) that `TaskStore.stats()`
no longer has to count one by one: a finished row is never changed again, so once counted it
stays counted until retention deletes it (and takes it out of the count in the same transaction).
A row's `rolled_up` flag says whether it is in those counts; the rows not in them (the active
ones, and the few that finished since the last roll-up) are counted live, through the small
partial index `ix_tasks_unrolled`. See `bookagent.queue.records` for the roll-up and the read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from typing import cast

from sqlalchemy import BigInteger
from sqlalchemy import Boolean
from sqlalchemy import Connection
from sqlalchemy import Float
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import false
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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

#: The predicate of `ix_tasks_unrolled` per database, as `~TaskRecord.rolled_up` renders there:
#: the planners use a partial index only for a query that repeats its predicate.
UNROLLED_ON_POSTGRESQL = "NOT rolled_up"
UNROLLED_ON_SQLITE = "rolled_up = 0"


class TaskRecord(Base):
    """One submitted task: its state, progress, result or error, and where it ran."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_status_created", "status", "created_at"),
        Index("ix_tasks_user_created", "user_id", "created_at"),
        Index("ix_tasks_name_status", "name", "status"),
        # (name, finished_at) first: a name's latest finished rows, newest first (the duration
        # sample of `stats()`, the prune's due check); status and started_at too, so the
        # sample is read from the index alone (no heap page per row at millions of rows).
        Index("ix_tasks_name_finished", "name", "finished_at", "status", "started_at"),
        # The rows `stats()` counts live: active ones and finished ones not rolled up yet.
        Index(
            "ix_tasks_unrolled",
            "name",
            "status",
            postgresql_where=text(UNROLLED_ON_POSTGRESQL),
            sqlite_where=text(UNROLLED_ON_SQLITE),
        ),
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
    #: Counted in `task_rollups` (only ever set on a finished row, by the roll-up). The server
    #: default covers rows written by plain SQL or COPY: they are counted live until rolled up.
    rolled_up: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class TaskRollup(Base):
    """How many finished task rows of one name and status are rolled up (`rolled_up`)."""

    __tablename__ = "task_rollups"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    row_count: Mapped[int] = mapped_column(BigInteger, default=0)


ROLLUPS = cast(Table, TaskRollup.__table__)


def adjust_rollup(connection: Connection, deltas: Mapping[tuple[str, str], int]) -> None:
    """Add each (name, status) delta to its rolled-up count, in the caller's transaction.

    One upsert (`INSERT ... ON CONFLICT DO UPDATE`, on SQLite and PostgreSQL alike), its rows
    in key order: concurrent roll-ups and prunes lock the counts they touch in the same order,
    so they queue behind each other rather than deadlock. Zero deltas are skipped.
    """
    values = [
        {"name": name, "status": status, "row_count": delta}
        for (name, status), delta in sorted(deltas.items())
        if delta
    ]
    if not values:
        return
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(ROLLUPS).values(values)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[ROLLUPS.c.name, ROLLUPS.c.status],
            set_={"row_count": ROLLUPS.c.row_count + statement.excluded.row_count},
        )
    )
