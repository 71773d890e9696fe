"""Retention: deleting finished task rows, old daily runs, old scheduler outages and old clicks.

Each kind of row is deleted in bounded batches, one `DELETE ... WHERE id IN (SELECT id ...
LIMIT n)` per transaction, so no statement holds its locks for long (SQLite's single writer and
PostgreSQL's row locks are released after every batch) and a huge backlog is worked off in steps.
The statements are plain SQL that SQLite and PostgreSQL both run.

A task row batch returns each deleted row's name, status and `rolled_up`, and the rolled-up
ones are taken out of `task_rollups` in the same transaction, so `TaskStore.stats()` stays exact:
a row is in the counts exactly while it exists. On PostgreSQL a roll-up that flags a row while
the DELETE waits for it is seen by the DELETE (it re-reads the row under the lock and returns the
new version), so such a row is subtracted too. A click batch likewise returns each deleted
click's short link, and their numbers are added to `short_links.pruned_clicks` in the same
transaction, so a post's click count (rows left plus pruned) never drops.

What is never deleted, whatever its age:
- a task row that has not finished (`PENDING`, `STARTED`, `PROGRESS`, `RETRY`): the outer
  `WHERE` repeats the condition, so a row that changed state after the batch was chosen is
  left alone (PostgreSQL re-checks it under the row lock);
- a daily run that is still `queued`, and the latest daily run of each book (the agent's status
  shows it, and `next_daily_run` reads its date);
- the publication ledger (`publication_attempts`): it is what keeps publishing exactly-once, it
  grows with posts rather than with time (at most `max_attempts` rows per post), and it goes
  when its post does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Connection
from sqlalchemy import Delete
from sqlalchemy import Executable
from sqlalchemy import Row
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import aliased
from sqlalchemy.sql.dml import ReturningDelete

from bookagent.db.models import DailyRun
from bookagent.db.models import LinkClick
from bookagent.db.models import SchedulerOutage
from bookagent.db.models import ShortLink
from bookagent.db.models import TaskRecord
from bookagent.db.models.tasks import adjust_rollup
from bookagent.db.session import Database
from bookagent.states import FINISHED_TASK_STATES

#: Rows deleted per statement unless the settings say otherwise.
DEFAULT_BATCH_SIZE = 5000
#: Daily runs in these states are over; a `queued` one is left alone.
FINISHED_DAILY_RUN_STATES = ("done", "failed")


@dataclass(frozen=True)
class RetentionPolicy:
    """How many days each kind of row is kept; 0 keeps it forever."""

    task_rows_days: int
    daily_runs_days: int
    scheduler_outages_days: int
    link_clicks_days: int = 0
    batch_size: int = DEFAULT_BATCH_SIZE


@dataclass(frozen=True)
class PruneCounts:
    """How many rows one prune deleted, per kind."""

    task_rows: int = 0
    daily_runs: int = 0
    scheduler_outages: int = 0
    link_clicks: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The counts as a task result."""
        return asdict(self)


@dataclass(frozen=True)
class Batch:
    """One batch's statement and, for one that returns its rows, what the same transaction does
    with them before it commits."""

    statement: Executable
    settle: Callable[[Connection, Sequence[Row[Any]]], None] | None = None


def cutoff(now: datetime, days: int) -> datetime | None:
    """The time before which rows go, or None when `days` is 0 (keep forever)."""
    return now - timedelta(days=days) if days > 0 else None


def _finished_tasks_before(when: datetime) -> ColumnElement[bool]:
    # created_at <= finished_at, so `created_at < when` only narrows the rows (and lets
    # PostgreSQL use ix_tasks_status_created); a finished row without finished_at (none is
    # written so, but an old one might exist) counts from its creation.
    return and_(
        TaskRecord.status.in_(FINISHED_TASK_STATES),
        TaskRecord.created_at < when,
        func.coalesce(TaskRecord.finished_at, TaskRecord.created_at) < when,
    )


def task_rows_batch(when: datetime, batch_size: int) -> Batch:
    """One batch of finished task rows older than `when`; the rolled-up ones are taken out of
    `task_rollups`."""
    chosen = select(TaskRecord.id).where(_finished_tasks_before(when)).limit(batch_size)
    statement: ReturningDelete[str, str, bool] = (
        delete(TaskRecord)
        .where(TaskRecord.id.in_(chosen), _finished_tasks_before(when))
        .returning(TaskRecord.name, TaskRecord.status, TaskRecord.rolled_up)
    )
    return Batch(statement, _unroll_tasks)


def _unroll_tasks(connection: Connection, rows: Sequence[Row[Any]]) -> None:
    rolled_up = Counter((row.name, row.status) for row in rows if row.rolled_up)
    adjust_rollup(connection, {key: -count for key, count in rolled_up.items()})


def link_clicks_batch(when: datetime, batch_size: int) -> Batch:
    """One batch of clicks made before `when`; their number is added to each short link's
    `pruned_clicks`."""
    chosen = select(LinkClick.id).where(LinkClick.clicked_at < when).limit(batch_size)
    statement: ReturningDelete[str] = (
        delete(LinkClick)
        .where(LinkClick.id.in_(chosen), LinkClick.clicked_at < when)
        .returning(LinkClick.code)
    )
    return Batch(statement, _keep_click_counts)


def _keep_click_counts(connection: Connection, rows: Sequence[Row[Any]]) -> None:
    counts = Counter(row.code for row in rows)
    if not counts:
        return
    add = (
        update(ShortLink)
        .where(ShortLink.code == bindparam("pruned_code"))
        .values(pruned_clicks=ShortLink.pruned_clicks + bindparam("pruned_count"))
    )
    # One executemany for the batch's links, not a statement per link.
    connection.execute(
        add, [{"pruned_code": code, "pruned_count": n} for code, n in counts.items()]
    )


def _old_daily_run(run: Any, before: Any) -> ColumnElement[bool]:
    newer = aliased(DailyRun)
    return and_(
        run.status.in_(FINISHED_DAILY_RUN_STATES),
        run.run_date < before,
        exists().where(newer.book_id == run.book_id, newer.run_date > run.run_date),
    )


def daily_runs_batch(when: datetime, batch_size: int) -> Batch:
    """One batch of finished daily runs dated before `when`'s day, never a book's latest."""
    before = when.date()
    candidate = aliased(DailyRun)
    chosen = select(candidate.id).where(_old_daily_run(candidate, before)).limit(batch_size)
    statement: Delete = delete(DailyRun).where(
        DailyRun.id.in_(chosen),
        DailyRun.status.in_(FINISHED_DAILY_RUN_STATES),
        DailyRun.run_date < before,
    )
    return Batch(statement)


def scheduler_outages_batch(when: datetime, batch_size: int) -> Batch:
    """One batch of scheduler outages that ended before `when`."""
    chosen = select(SchedulerOutage.id).where(SchedulerOutage.ended_at < when).limit(batch_size)
    return Batch(
        delete(SchedulerOutage).where(
            SchedulerOutage.id.in_(chosen), SchedulerOutage.ended_at < when
        )
    )


def delete_in_batches(
    db: Database,
    make_batch: Callable[[datetime, int], Batch],
    when: datetime,
    batch_size: int,
    between_batches: Callable[[], None] | None = None,
) -> int:
    """Run one batch after another, each committed on its own, until a batch deletes fewer
    rows than `batch_size`; returns the number deleted. `between_batches` runs after each full
    batch (a task passes its cancellation checkpoint)."""
    batch = make_batch(when, batch_size)
    total = 0
    while True:
        with db.engine.begin() as connection:
            deleted = run_batch(connection, batch)
        total += deleted
        if deleted < batch_size:
            return total
        if between_batches is not None:
            between_batches()


def run_batch(connection: Connection, batch: Batch) -> int:
    """Run one batch in the caller's transaction (with its settling step, if it has one); how
    many rows it deleted."""
    result = connection.execute(batch.statement)
    if batch.settle is None:
        return int(getattr(result, "rowcount", 0) or 0)
    rows = result.all()
    batch.settle(connection, rows)
    return len(rows)


def prune(
    db: Database,
    policy: RetentionPolicy,
    now: datetime,
    between_batches: Callable[[], None] | None = None,
) -> PruneCounts:
    """Delete what `policy` no longer keeps; returns how many rows of each kind went."""
    counts: dict[str, int] = {}
    for kind, days, make_batch in (
        ("task_rows", policy.task_rows_days, task_rows_batch),
        ("daily_runs", policy.daily_runs_days, daily_runs_batch),
        ("scheduler_outages", policy.scheduler_outages_days, scheduler_outages_batch),
        ("link_clicks", policy.link_clicks_days, link_clicks_batch),
    ):
        when = cutoff(now, days)
        counts[kind] = (
            0
            if when is None
            else delete_in_batches(db, make_batch, when, policy.batch_size, between_batches)
        )
    return PruneCounts(**counts)
