"""The task rows: every state change is a conditional update, so rows never move backwards.

Both backends write through `TaskStore`; the API reads through it. A finished row (SUCCESS,
FAILURE, REVOKED) is never changed again: every update below that can change a status or
`finished_at` excludes the finished states in its WHERE (`_unfinished`, `_SUCCEED`, `_CLAIM`,
`_PROGRESS`, `requeue`; a claim or revoke of a finished row changes nothing), and nothing else
writes task rows (retention only deletes them).

That is what lets `stats()` stop counting the whole table. `roll_up()` adds finished rows to
the per-(name, status) counts in `task_rollups` and flags them `rolled_up`, both in one
transaction; `stats()` reads those counts plus a live count of the rows not rolled up (active
ones and those finished since the last roll-up: the partial index `ix_tasks_unrolled`), in one
statement, so one snapshot: each row is counted exactly once, however many processes roll up or
prune at the same time (see `roll_up` and `bookagent.domain.retention`). The cost depends on
the number of task names and of rows not rolled up, not on the history.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Float
from sqlalchemy import Update
from sqlalchemy import bindparam
from sqlalchemy import cast
from sqlalchemy import extract
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import OperationalError

from bookagent.db.base import utcnow
from bookagent.db.models.tasks import ROLLUPS
from bookagent.db.models.tasks import TaskRecord
from bookagent.db.models.tasks import adjust_rollup
from bookagent.db.session import Database
from bookagent.errors import ConflictError
from bookagent.errors import NotFoundError
from bookagent.queue.task_view import TASKS
from bookagent.queue.task_view import TaskView
from bookagent.queue.task_view import select_tasks
from bookagent.queue.task_view import to_view
from bookagent.states import ACTIVE_TASK_STATES
from bookagent.states import FINISHED_TASK_STATES
from bookagent.states import QUEUED_TASK_STATES
from bookagent.states import RUNNING_TASK_STATES
from bookagent.states import TaskState

log = logging.getLogger(__name__)

RESULT_PREVIEW_LIMIT = 2000
#: Finished rows one roll-up transaction takes (it locks them, and updates each once).
ROLL_UP_BATCH = 5000
#: `stats()` rolls up once this many finished rows are counted live: the live count stays a
#: few hundred index entries, and a roll-up (a write) happens once per that many finished tasks.
ROLL_UP_THRESHOLD = 500
#: The latest finished runs per task name that `stats()` takes its average and p95 duration
#: from (the p95 is the 190th of 200). It bounds the one part of `stats()` that reads rows one by
#: one: 200 per name is read in about the time the rest of `stats()` takes (1,000 per name
#: would double it).
DURATION_SAMPLE = 200


def _status_in(states: tuple[TaskState, ...]) -> ColumnElement[bool]:
    # An OR of equalities, not in_(): a list in in_() is expanded at execution, and these
    # statements are compiled once and run prepared (`Database.prepared`).
    return or_(*(TASKS.c.status == state for state in states))


# The statements of the hot paths (every status read and task step), built once and run
# prepared on the server (`Database.prepared(..., hot=True)`).
_FIND = select_tasks().where(TASKS.c.id == bindparam("task_id"))
_CLAIM = (
    update(TASKS)
    .where(
        TASKS.c.id == bindparam("task_id"),
        _status_in(QUEUED_TASK_STATES),
        TASKS.c.revoked.is_(False),
    )
    .values(
        status=TaskState.STARTED,
        started_at=bindparam("now"),
        heartbeat_at=bindparam("now"),
        worker=bindparam("worker"),
        attempts=TASKS.c.attempts + 1,
    )
    .returning(TASKS.c.attempts, TASKS.c.time_limit_s)
)
#: Every column a new row sets: the statement runs prepared, without SQLAlchemy's defaults.
_CREATE = insert(TASKS).values(
    {
        **{
            name: bindparam(name)
            for name in (
                "id", "name", "status", "kwargs", "user_id", "backend", "worker",
                "time_limit_s", "idempotent", "created_at", "heartbeat_at",
            )
        },
        "progress_current": 0,
        "progress_total": 0,
        "revoked": False,
        "terminate_requested": False,
        "attempts": 0,
        "rolled_up": False,
    }
)  # fmt: skip
_PROGRESS = (
    update(TASKS)
    .where(
        TASKS.c.id == bindparam("task_id"),
        TASKS.c.status.in_(RUNNING_TASK_STATES),
        TASKS.c.progress_current <= bindparam("current"),
    )
    .values(
        status=TaskState.PROGRESS,
        progress_current=bindparam("current"),
        progress_total=bindparam("total"),
        progress_message=bindparam("message"),
        heartbeat_at=bindparam("now"),
    )
)
_SUCCEED = (
    update(TASKS)
    .where(TASKS.c.id == bindparam("task_id"), ~_status_in(FINISHED_TASK_STATES))
    .values(status=TaskState.SUCCESS, finished_at=bindparam("now"), result=bindparam("result"))
)
_IS_REVOKED = select(TASKS.c.revoked, TASKS.c.terminate_requested, TASKS.c.status).where(
    TASKS.c.id == bindparam("task_id")
)
# A finished run's seconds, computed by PostgreSQL (see `_recent_durations`).
_SECONDS = cast(extract("epoch", TASKS.c.finished_at - TASKS.c.started_at), Float(precision=53))
# Not rolled up: renders as `ix_tasks_unrolled`'s predicate, so both databases use that index.
_UNROLLED = ~TASKS.c.rolled_up
# The counts of `stats()`, in one statement (one snapshot): the rolled-up counts, and the rows
# not rolled up counted live. `rolled` tells them apart (the live finished rows are the backlog).
_COUNTS = union_all(
    select(literal(1).label("rolled"), ROLLUPS.c.name, ROLLUPS.c.status, ROLLUPS.c.row_count),
    select(literal(0), TASKS.c.name, TASKS.c.status, func.count())
    .where(_UNROLLED)
    .group_by(TASKS.c.name, TASKS.c.status),
)


@dataclass(frozen=True)
class Claim:
    """The outcome of trying to start a task: run it, or why not."""

    run: bool
    reason: str
    attempts: int = 0
    time_limit_s: float = 0.0


class TaskStore:
    """Reads and writes task rows with conditional updates."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self,
        task_id: str,
        name: str,
        kwargs: Mapping[str, Any],
        *,
        user_id: str | None,
        backend: str,
        time_limit_s: float,
        idempotent: bool,
        worker: str | None = None,
    ) -> None:
        """Insert a PENDING row."""
        now = utcnow()
        self.db.prepared(_CREATE, hot=True).run(
            **{
                "id": task_id,
                "name": name,
                "status": TaskState.PENDING,
                "kwargs": dict(kwargs),
                "user_id": user_id,
                "backend": backend,
                "worker": worker,
                "time_limit_s": time_limit_s,
                "idempotent": idempotent,
                "created_at": now,
                "heartbeat_at": now,
            }
        )

    def ensure(
        self,
        task_id: str,
        name: str,
        kwargs: Mapping[str, Any],
        *,
        backend: str,
        time_limit_s: float,
        idempotent: bool,
    ) -> None:
        """Insert a PENDING row unless one exists (for tasks sent by Celery beat)."""
        if self.find(task_id) is not None:
            return
        # A redelivery may race us to it: then the row exists, which is all we need.
        with contextlib.suppress(IntegrityError):
            self.create(
                task_id,
                name,
                kwargs,
                user_id=None,
                backend=backend,
                time_limit_s=time_limit_s,
                idempotent=idempotent,
            )

    def find(self, task_id: str) -> TaskView | None:
        """The row, or None."""
        row = self.db.prepared(_FIND).first(task_id=task_id)
        return None if row is None else to_view(row)

    def get(self, task_id: str) -> TaskView:
        """The row, or NotFoundError (never Celery's everlasting PENDING)."""
        row = self.find(task_id)
        if row is None:
            raise NotFoundError(f"No task with id {task_id}.")
        return row

    def set_backend(self, task_id: str, backend: str, worker: str | None) -> None:
        """Move a PENDING row to another backend (the broker fell over during submit)."""
        with self.db.connect() as connection:
            connection.execute(
                update(TASKS)
                .where(TASKS.c.id == task_id, TASKS.c.status == TaskState.PENDING)
                .values(backend=backend, worker=worker)
            )

    def claim(self, task_id: str, worker: str) -> Claim:
        """Mark a task STARTED if it may run: not revoked, not finished, not already running
        elsewhere unless it is idempotent (a redelivery after a crash)."""
        now = utcnow()
        # The common case in one atomic statement; the rest (redelivery, revoked) below.
        row = self.db.prepared(_CLAIM, hot=True).first(task_id=task_id, now=now, worker=worker)
        if row is not None:
            attempts, time_limit_s = row
            return Claim(True, "claimed", int(attempts), float(time_limit_s))
        with self.db.session() as session:
            return self._claim_unusual(session, task_id, worker, now)

    def _claim_unusual(self, session: Any, task_id: str, worker: str, now: datetime) -> Claim:
        row = session.get(TaskRecord, task_id)
        if row is None:
            return Claim(False, "missing")
        if row.revoked or row.status == TaskState.REVOKED:
            return Claim(False, "revoked")
        if row.status in FINISHED_TASK_STATES:
            return Claim(False, "finished")
        if not row.idempotent:
            self._finish(
                session,
                task_id,
                TaskState.FAILURE,
                error=(
                    "Interrupted",
                    "The task was interrupted (its worker stopped) and is not safe to repeat.",
                ),
            )
            return Claim(False, "interrupted")
        # A redelivery of an idempotent task whose worker died: run it again.
        result = session.execute(
            update(TaskRecord)
            .where(
                TaskRecord.id == task_id,
                TaskRecord.status == row.status,
                TaskRecord.revoked.is_(False),
            )
            .values(
                status=TaskState.STARTED,
                started_at=now,
                heartbeat_at=now,
                worker=worker,
                attempts=TaskRecord.attempts + 1,
            )
        )
        if rowcount(result) != 1:
            return Claim(False, "raced")
        return Claim(True, "claimed", row.attempts + 1, row.time_limit_s)

    def progress(self, task_id: str, current: int, total: int, message: str | None) -> None:
        """Record progress; it never moves backwards and never touches a finished row."""
        with self.db.connect() as connection:
            connection.execute(
                _PROGRESS,
                {
                    "task_id": task_id,
                    "current": current,
                    "total": max(total, current),
                    "message": message,
                    "now": utcnow(),
                },
            )

    def succeed(self, task_id: str, result: Mapping[str, Any] | None) -> bool:
        """Mark SUCCESS, if the task is still running."""
        succeed = self.db.prepared(_SUCCEED, hot=True)
        return succeed.run(task_id=task_id, now=utcnow(), result=dict(result or {})) == 1

    def fail(
        self, task_id: str, error_type: str, message: str, result: Mapping[str, Any] | None = None
    ) -> bool:
        """Mark FAILURE with the error, if the task is not finished yet."""
        with self.db.connect() as connection:
            return self._finish(
                connection,
                task_id,
                TaskState.FAILURE,
                error=(error_type, message),
                result=dict(result) if result else None,
            )

    def mark_revoked(self, task_id: str, result: Mapping[str, Any] | None = None) -> bool:
        """Mark REVOKED, if the task is not finished yet."""
        with self.db.connect() as connection:
            return self._finish(
                connection, task_id, TaskState.REVOKED, result=dict(result) if result else None
            )

    @staticmethod
    def _finish(
        session: Any,
        task_id: str,
        status: TaskState,
        *,
        result: dict[str, Any] | None = None,
        error: tuple[str, str] | None = None,
    ) -> bool:
        values: dict[str, Any] = {"status": status, "finished_at": utcnow()}
        if result is not None:
            values["result"] = result
        if error is not None:
            values["error_type"], values["error_message"] = error[0], error[1][:4000]
        outcome = session.execute(_unfinished(task_id).values(**values))
        return rowcount(outcome) == 1

    def request_revoke(self, task_id: str, *, terminate: bool) -> tuple[TaskView, str]:
        """Flag a task revoked. A PENDING one becomes REVOKED at once; 409 if it has finished.

        Returns the row (after the change) and its status before.
        """
        with self.db.session() as session:
            row = session.get(TaskRecord, task_id)
            if row is None:
                raise NotFoundError(f"No task with id {task_id}.")
            previous = row.status
            if previous in FINISHED_TASK_STATES:
                raise ConflictError(f"Task {task_id} has already finished ({previous}).")
            values: dict[str, Any] = {"revoked": True, "terminate_requested": terminate}
            if previous in QUEUED_TASK_STATES:
                values.update(status=TaskState.REVOKED, finished_at=utcnow())
            session.execute(_unfinished(task_id).values(**values))
        return self.get(task_id), previous

    def is_revoked(self, task_id: str) -> bool:
        """Whether the row says stop: revoked with terminate, or already finished."""
        row = self.db.prepared(_IS_REVOKED).first(task_id=task_id)
        if row is None:
            return True
        revoked, terminate, status = row
        return bool(revoked and terminate) or status in FINISHED_TASK_STATES

    def touch(self, task_ids: list[str]) -> None:
        """Refresh the heartbeat of rows a live process still owns."""
        if not task_ids:
            return
        with self.db.connect() as connection:
            connection.execute(
                update(TASKS)
                .where(TASKS.c.id.in_(task_ids), TASKS.c.status.in_(ACTIVE_TASK_STATES))
                .values(heartbeat_at=utcnow())
            )

    def active(self, user_id: str | None = None, limit: int = 500) -> list[TaskView]:
        """Rows not finished yet, oldest first; only `user_id`'s when given."""
        query = select_tasks().where(TASKS.c.status.in_(ACTIVE_TASK_STATES))
        if user_id is not None:
            query = query.where(TASKS.c.user_id == user_id)
        return self._views(query.order_by(TASKS.c.created_at).limit(limit))

    def recent_finished(self, user_id: str | None = None, limit: int = 20) -> list[TaskView]:
        """The latest finished rows, newest first; only `user_id`'s when given."""
        query = select_tasks().where(TASKS.c.status.in_(FINISHED_TASK_STATES))
        if user_id is not None:
            query = query.where(TASKS.c.user_id == user_id)
        return self._views(query.order_by(TASKS.c.finished_at.desc(), TASKS.c.id).limit(limit))

    def _views(self, query: Any) -> list[TaskView]:
        with self.db.connect() as connection:
            return [to_view(row) for row in connection.execute(query)]

    def count_active(self, backend: str | None = None, name: str | None = None) -> int:
        """How many rows are not finished yet (of one backend or task name, when given)."""
        query = (
            select(func.count()).select_from(TASKS).where(TASKS.c.status.in_(ACTIVE_TASK_STATES))
        )
        if backend is not None:
            query = query.where(TASKS.c.backend == backend)
        if name is not None:
            query = query.where(TASKS.c.name == name)
        with self.db.connect() as connection:
            return int(connection.scalar(query) or 0)

    def active_kwargs(self, name: str, limit: int = 100) -> list[dict[str, Any]]:
        """The arguments of the unfinished tasks called `name` (at most `limit` of them)."""
        query = (
            select(TASKS.c.kwargs)
            .where(TASKS.c.status.in_(ACTIVE_TASK_STATES), TASKS.c.name == name)
            .limit(limit)
        )
        with self.db.connect() as connection:
            return [dict(kwargs or {}) for kwargs in connection.scalars(query)]

    def overdue(self, backend: str, now: datetime, grace_s: float = 10.0) -> list[TaskView]:
        """A backend's running rows past their time limit (plus grace).

        Only the thread pool's: a Celery row enforces its own limits in the worker, and one
        whose worker died must wait for its redelivery, not be failed here.
        """
        rows = self._views(
            select_tasks().where(
                TASKS.c.status.in_(RUNNING_TASK_STATES), TASKS.c.backend == backend
            )
        )
        return [
            r
            for r in rows
            if r.started_at is not None
            and r.started_at + timedelta(seconds=r.time_limit_s + grace_s) < now
        ]

    def stale(self, backend: str, older_than: datetime) -> list[TaskView]:
        """Active rows of a backend whose owner has not sent a heartbeat since `older_than`."""
        return self._views(
            select_tasks().where(
                TASKS.c.backend == backend,
                TASKS.c.status.in_(ACTIVE_TASK_STATES),
                or_(TASKS.c.heartbeat_at.is_(None), TASKS.c.heartbeat_at < older_than),
            )
        )

    def owned_by(self, backend: str, workers: list[str]) -> list[TaskView]:
        """Active rows of a backend owned by one of `workers`."""
        return self._views(
            select_tasks().where(
                TASKS.c.backend == backend,
                TASKS.c.status.in_(ACTIVE_TASK_STATES),
                TASKS.c.worker.in_(workers),
            )
        )

    def active_owners(self, backend: str) -> list[str]:
        """The distinct owners of a backend's active rows."""
        with self.db.connect() as connection:
            owners = connection.scalars(
                select(TASKS.c.worker)
                .distinct()
                .where(TASKS.c.backend == backend, TASKS.c.status.in_(ACTIVE_TASK_STATES))
            )
            return [owner for owner in owners if owner]

    def requeue(self, task_id: str, worker: str, *, previous_owner: str | None) -> bool:
        """Put an interrupted idempotent row back to PENDING under a new owner.

        Only if it still belongs to `previous_owner`: of several processes recovering the same
        dead owner's rows, exactly one takes each row.
        """
        owner_matches = (
            TASKS.c.worker.is_(None) if previous_owner is None else TASKS.c.worker == previous_owner
        )
        with self.db.connect() as connection:
            outcome = connection.execute(
                update(TASKS)
                .where(
                    TASKS.c.id == task_id,
                    TASKS.c.status.in_(ACTIVE_TASK_STATES),
                    TASKS.c.revoked.is_(False),
                    owner_matches,
                )
                .values(
                    status=TaskState.PENDING,
                    worker=worker,
                    heartbeat_at=utcnow(),
                    progress_message="re-queued after an interruption",
                )
            )
            return rowcount(outcome) == 1

    def roll_up(self, batch_size: int = ROLL_UP_BATCH) -> int:
        """Add the finished rows not rolled up yet to `task_rollups`; how many went in.

        Each batch is one transaction: flag up to `batch_size` finished rows `rolled_up`
        (`UPDATE ... WHERE NOT rolled_up ... RETURNING name, status`) and add what it returned
        to the counts. A row is flagged once only, by whichever transaction flags it: on
        PostgreSQL the batch is chosen `FOR UPDATE SKIP LOCKED` (a concurrent roll-up takes other
        rows instead of waiting for these) and the outer WHERE is re-checked under the row lock,
        on SQLite writers take turns. So concurrent roll-ups never count a row twice, and a
        reader sees a row either live or in the counts (`stats()` reads both in one statement).
        """
        total = 0
        while True:
            with self.db.engine.begin() as connection:
                rows = connection.execute(_roll_up_batch(batch_size)).all()
                adjust_rollup(connection, Counter((row.name, row.status) for row in rows))
            total += len(rows)
            if len(rows) < batch_size:
                return total

    def counts(self) -> dict[tuple[str, str], int]:
        """The rows per (name, status), exact and as cheap as `stats()`'s: the rolled-up counts
        plus the rows not rolled up (what the metrics scrape reads)."""
        found: dict[tuple[str, str], int] = {}
        with self.db.autocommit() as session:
            for _rolled, name, status, count in session.execute(_COUNTS):
                if count:
                    found[name, status] = found.get((name, status), 0) + count
        return found

    def stats(self) -> dict[str, Any]:
        """Counts by status, and per name: count, succeeded, failed, average and p95 duration.

        Exact: the rolled-up counts plus the rows not rolled up, read in one statement. When
        the live part holds `ROLL_UP_THRESHOLD` finished rows or more, they are rolled up after
        the read, so the next call counts fewer rows.
        """
        by_status: dict[str, int] = {}
        by_name: dict[str, dict[str, Any]] = {}
        backlog = 0
        with self.db.autocommit() as session:
            for rolled, name, status, count in session.execute(_COUNTS):
                if not rolled and status in FINISHED_TASK_STATES:
                    backlog += count
                if not count:
                    continue  # a rolled-up count that retention took down to zero
                by_status[status] = by_status.get(status, 0) + count
                entry = by_name.setdefault(
                    name,
                    {
                        "count": 0,
                        "succeeded": 0,
                        "failed": 0,
                        "avg_duration_s": None,
                        "p95_duration_s": None,
                    },
                )
                entry["count"] += count
                if status == TaskState.SUCCESS:
                    entry["succeeded"] += count
                elif status == TaskState.FAILURE:
                    entry["failed"] += count
            for name, entry in by_name.items():
                durations = self._recent_durations(session, name, DURATION_SAMPLE)
                if durations:
                    entry["avg_duration_s"] = round(sum(durations) / len(durations), 4)
                    entry["p95_duration_s"] = round(percentile(durations, 95), 4)
        if backlog >= ROLL_UP_THRESHOLD:
            try:
                self.roll_up()
            except OperationalError as error:  # SQLite busy, say: the next call tries again
                log.warning("task roll-up failed (%s); stats stay exact", error)
        return {"by_status": by_status, "by_name": by_name}

    @staticmethod
    def _recent_durations(session: Any, name: str, sample: int) -> list[float]:
        """The durations of `name`'s latest `sample` finished runs (SUCCESS or FAILURE),
        ascending: read backwards from the newest in ix_tasks_name_finished alone, whatever the
        size of the history. PostgreSQL computes each duration itself (`EXTRACT(EPOCH ...)`,
        exact to the microsecond, as float8: the same double as `timedelta.total_seconds()`),
        which spares the client two timestamps per row; SQLite hands the timestamps over."""
        on_postgresql = session.get_bind().dialect.name == "postgresql"
        columns = (_SECONDS,) if on_postgresql else (TaskRecord.started_at, TaskRecord.finished_at)
        rows = session.execute(
            select(*columns)
            .where(
                TaskRecord.name == name,
                TaskRecord.status.in_((TaskState.SUCCESS, TaskState.FAILURE)),
                TaskRecord.started_at.is_not(None),
                TaskRecord.finished_at.is_not(None),
            )
            .order_by(TaskRecord.finished_at.desc())
            .limit(sample)
        )
        if on_postgresql:
            return sorted(rows.scalars())
        return sorted((finished - started).total_seconds() for started, finished in rows)

    def create_row(
        self, row: Mapping[str, Any], *, backend: str, worker: str | None = None
    ) -> None:
        """Insert a PENDING row made by `bookagent.queue.ports.task_row`."""
        self.create(
            row["id"],
            row["name"],
            row["kwargs"],
            user_id=row["user_id"],
            backend=backend,
            time_limit_s=row["time_limit_s"],
            idempotent=row["idempotent"],
            worker=worker,
        )

    def create_many(
        self,
        rows: list[dict[str, Any]],
        *,
        backend: str,
        worker: str | None = None,
    ) -> None:
        """Insert PENDING rows in one transaction and one statement, rather than a round trip
        and a commit per row: on PostgreSQL one array per column (`INSERT ... SELECT FROM
        unnest(...)`), elsewhere an executemany. All rows go in, or none.

        Each dict holds what `create` takes: `id`, `name`, `kwargs`, `user_id`,
        `time_limit_s` and `idempotent`.
        """
        # Imported here so this batch path stays one block of its own.
        import json

        from sqlalchemy import Text
        from sqlalchemy import cast
        from sqlalchemy import column
        from sqlalchemy import literal
        from sqlalchemy.dialects.postgresql import ARRAY

        if not rows:
            return
        now = utcnow()
        with self.db.engine.begin() as connection:
            if connection.dialect.name != "postgresql":
                connection.execute(
                    _CREATE,
                    [
                        {
                            **{key: row[key] for key in ("id", "name", "user_id")},
                            "status": TaskState.PENDING,
                            "kwargs": dict(row["kwargs"]),
                            "backend": backend,
                            "worker": worker,
                            "time_limit_s": row["time_limit_s"],
                            "idempotent": row["idempotent"],
                            "created_at": now,
                            "heartbeat_at": now,
                        }
                        for row in rows
                    ],
                )
                return
            varying = {
                "id": TASKS.c.id.type,
                "name": TASKS.c.name.type,
                "kwargs": Text(),
                "user_id": TASKS.c.user_id.type,
                "time_limit_s": TASKS.c.time_limit_s.type,
                "idempotent": TASKS.c.idempotent.type,
            }
            arrays = {
                name: [json.dumps(dict(r[name])) if name == "kwargs" else r[name] for r in rows]
                for name in varying
            }
            new = (
                func.unnest(
                    *(bindparam(f"new_{n}", arrays[n], ARRAY(t)) for n, t in varying.items())
                )
                .table_valued(*(column(n, t) for n, t in varying.items()))
                .render_derived(name="new")
            )
            constants = {
                "status": TaskState.PENDING,
                "backend": backend,
                "worker": worker,
                "progress_current": 0,
                "progress_total": 0,
                "revoked": False,
                "terminate_requested": False,
                "attempts": 0,
                "created_at": now,
                "heartbeat_at": now,
            }
            source = select(
                *(new.c[n] for n in varying if n != "kwargs"),
                cast(new.c.kwargs, TASKS.c.kwargs.type),
                *(literal(value, TASKS.c[n].type) for n, value in constants.items()),
            )
            names = [*(n for n in varying if n != "kwargs"), "kwargs", *constants]
            connection.execute(insert(TASKS).from_select(names, source))


def _roll_up_batch(batch_size: int) -> Update:
    """Flag up to `batch_size` finished rows not rolled up yet; returns their name and status."""
    finished_unrolled = (_UNROLLED, TASKS.c.status.in_(FINISHED_TASK_STATES))
    chosen = (
        select(TASKS.c.id)
        .where(*finished_unrolled)
        .limit(batch_size)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has one writer anyway
    )
    return (
        update(TASKS)
        .where(TASKS.c.id.in_(chosen), *finished_unrolled)
        .values(rolled_up=True)
        .returning(TASKS.c.name, TASKS.c.status)
    )


def _unfinished(task_id: str) -> Update:
    """`UPDATE tasks ... WHERE id = task_id AND status is not finished`, to add values to."""
    return update(TASKS).where(TASKS.c.id == task_id, TASKS.c.status.notin_(FINISHED_TASK_STATES))


def rowcount(result: Any) -> int:
    """Rows matched by an UPDATE (typed as a plain Result by SQLAlchemy's session API)."""
    return int(getattr(result, "rowcount", 0))


def percentile(sorted_values: list[float], pct: float) -> float:
    """The nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]
