"""`TaskStore.stats()` counts exactly what a GROUP BY of the table counts, on SQLite and on the
real PostgreSQL: through new rows, every transition, roll-ups (also concurrent ones), and
retention pruning; and its duration sample is the latest runs, read from an index.

Two invariants are checked after every step: the stats equal a brute-force GROUP BY of `tasks`,
and `task_rollups` equals a GROUP BY of the rows flagged `rolled_up` (so no row is counted twice
or lost, whichever part counts it).
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update

from bookagent.db.models import TaskRecord
from bookagent.db.models import TaskRollup
from bookagent.db.models.tasks import adjust_rollup
from bookagent.db.session import Database
from bookagent.domain.retention import RetentionPolicy
from bookagent.domain.retention import prune
from bookagent.errors import ConflictError
from bookagent.errors import NotFoundError
from bookagent.queue import records
from bookagent.queue.records import TaskStore
from bookagent.queue.records import percentile
from bookagent.states import FINISHED_TASK_STATES
from bookagent.states import TaskState

NAMES = ("bookagent.generate_posts", "bookagent.publish_due", "bookagent.run_noop")
#: The random workload's steps, the common ones more than once.
ACTIONS = (
    *("create", "create", "many", "claim", "claim", "progress", "succeed", "fail"),
    *("revoke", "request", "requeue", "roll", "prune"),
)
PRUNE_ALL = RetentionPolicy(task_rows_days=1, daily_runs_days=0, scheduler_outages_days=0)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    yield database
    database.dispose()


@pytest.fixture
def store(db: Database) -> TaskStore:
    return TaskStore(db)


# -- the brute force -----------------------------------------------------------------------------


def table_counts(db: Database) -> Counter[tuple[str, str]]:
    """(name, status) -> rows, by a GROUP BY of the whole table."""
    with db.session() as session:
        rows = session.execute(
            select(TaskRecord.name, TaskRecord.status, func.count()).group_by(
                TaskRecord.name, TaskRecord.status
            )
        )
        return Counter({(name, status): count for name, status, count in rows})


def counts_of(stats: dict[str, Any]) -> tuple[dict[str, int], dict[str, tuple[int, int, int]]]:
    """The counting part of `stats()` (durations left out)."""
    return stats["by_status"], {
        name: (entry["count"], entry["succeeded"], entry["failed"])
        for name, entry in stats["by_name"].items()
    }


def expected_counts(
    table: Counter[tuple[str, str]],
) -> tuple[dict[str, int], dict[str, tuple[int, int, int]]]:
    by_status: Counter[str] = Counter()
    by_name: dict[str, tuple[int, int, int]] = {}
    for (name, status), count in table.items():
        by_status[status] += count
        total, succeeded, failed = by_name.get(name, (0, 0, 0))
        by_name[name] = (
            total + count,
            succeeded + (count if status == TaskState.SUCCESS else 0),
            failed + (count if status == TaskState.FAILURE else 0),
        )
    return dict(by_status), by_name


def rollup_counts(db: Database) -> Counter[tuple[str, str]]:
    with db.session() as session:
        return Counter(
            {
                (row.name, row.status): row.row_count
                for row in session.scalars(select(TaskRollup))
                if row.row_count
            }
        )


def rolled_up_rows(db: Database) -> Counter[tuple[str, str]]:
    with db.session() as session:
        rows = session.execute(
            select(TaskRecord.name, TaskRecord.status, func.count())
            .where(TaskRecord.rolled_up)
            .group_by(TaskRecord.name, TaskRecord.status)
        )
        return Counter({(name, status): count for name, status, count in rows})


def assert_exact(store: TaskStore) -> dict[str, Any]:
    """stats() and counts() == the GROUP BY; the rollup == the rolled-up rows; rolled-up rows
    are finished."""
    stats = store.stats()
    table = table_counts(store.db)
    assert counts_of(stats) == expected_counts(table)
    assert store.counts() == dict(table)  # what the metrics scrape reads
    rolled = rolled_up_rows(store.db)
    assert rollup_counts(store.db) == rolled
    assert all(status in FINISHED_TASK_STATES for _, status in rolled)
    return stats


# -- writing rows --------------------------------------------------------------------------------


def create(store: TaskStore, task_id: str, name: str = NAMES[0], idempotent: bool = True) -> str:
    store.create(
        task_id,
        name,
        {},
        user_id="alice",
        backend="thread_pool",
        time_limit_s=60,
        idempotent=idempotent,
    )
    return task_id


def finished_rows(db: Database, count: int, name: str, status: str, *, prefix: str) -> list[str]:
    """`count` finished rows written directly (as a bulk load or an older release would)."""
    now = datetime.now(UTC)
    ids = [f"{prefix}-{i:05d}" for i in range(count)]
    with db.session() as session:
        session.execute(
            insert(TaskRecord),
            [
                {
                    "id": task_id,
                    "name": name,
                    "status": status,
                    "kwargs": {},
                    "backend": "celery",
                    "created_at": now - timedelta(seconds=10),
                    "started_at": now - timedelta(seconds=9),
                    "finished_at": now - timedelta(seconds=8),
                }
                for task_id in ids
            ],
        )
    return ids


def age(db: Database, ids: list[str], days: float) -> None:
    """Move rows' times into the past (not their name, status or flag: the counts stay)."""
    then = datetime.now(UTC) - timedelta(days=days)
    with db.session() as session:
        session.execute(
            update(TaskRecord)
            .where(TaskRecord.id.in_(ids))
            .values(created_at=then, started_at=then, finished_at=then + timedelta(seconds=1))
        )


# -- the counts ----------------------------------------------------------------------------------


def test_every_transition_keeps_the_counts_exact(store: TaskStore) -> None:
    assert store.stats() == {"by_status": {}, "by_name": {}}
    ids = [create(store, f"t{i}", NAMES[i % 3], idempotent=i % 2 == 0) for i in range(12)]
    assert_exact(store)
    for task_id in ids[:9]:
        assert store.claim(task_id, "w1").run
    store.progress(ids[0], 1, 3, "one of three")
    assert store.succeed(ids[0], {"ok": True})
    assert store.fail(ids[1], "Boom", "it broke")
    assert store.mark_revoked(ids[2])
    store.request_revoke(ids[9], terminate=False)  # PENDING: REVOKED at once
    store.request_revoke(ids[3], terminate=True)  # running: flagged, still running
    assert store.requeue(ids[4], "w2", previous_owner="w1")
    assert_exact(store)
    assert store.roll_up() == 4
    assert_exact(store)
    # More transitions after a roll-up, then another one.
    assert store.claim(ids[4], "w2").run  # PENDING again after the requeue
    assert store.succeed(ids[4], None)
    assert store.fail(ids[5], "Boom", "again")
    assert_exact(store)
    assert store.roll_up() == 2
    assert store.roll_up() == 0
    stats = assert_exact(store)
    assert stats["by_status"] == {
        "SUCCESS": 2,
        "FAILURE": 2,
        "REVOKED": 2,
        "STARTED": 4,
        "PENDING": 2,
    }


def test_a_finished_row_never_changes_again(store: TaskStore, db: Database) -> None:
    """What the rollup rests on: once counted, a row's status stays what was counted."""
    done = [create(store, f"done-{i}", idempotent=True) for i in range(3)]
    for task_id in done:
        assert store.claim(task_id, "w1").run
    assert store.succeed(done[0], None)
    assert store.fail(done[1], "Boom", "x")
    assert store.mark_revoked(done[2])
    assert store.roll_up() == 3
    before = table_counts(db)
    for task_id in done:
        assert not store.succeed(task_id, None)
        assert not store.fail(task_id, "Late", "x")
        assert not store.mark_revoked(task_id)
        assert not store.claim(task_id, "w2").run
        assert not store.requeue(task_id, "w2", previous_owner="w1")
        store.progress(task_id, 5, 5, "late")
        store.set_backend(task_id, "celery", None)
        store.touch([task_id])
        with pytest.raises(ConflictError):
            store.request_revoke(task_id, terminate=True)
    assert table_counts(db) == before
    assert_exact(store)


def test_rows_written_without_the_store_are_counted_live_then_rolled_up(
    store: TaskStore, db: Database
) -> None:
    """A bulk load (COPY, plain INSERT) leaves `rolled_up` at its default: counted live."""
    finished_rows(db, 30, NAMES[1], "SUCCESS", prefix="bulk")
    create(store, "active")
    assert rollup_counts(db) == Counter()
    assert_exact(store)
    assert store.roll_up(batch_size=7) == 30  # five batches, the last one short
    assert rollup_counts(db) == Counter({(NAMES[1], "SUCCESS"): 30})
    assert_exact(store)


def test_stats_rolls_up_once_the_backlog_reaches_the_threshold(
    store: TaskStore, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "ROLL_UP_THRESHOLD", 10)
    finished_rows(db, 9, NAMES[0], "SUCCESS", prefix="a")
    assert_exact(store)
    assert rollup_counts(db) == Counter()  # 9 < 10: counted live, nothing written
    finished_rows(db, 1, NAMES[0], "FAILURE", prefix="b")
    assert_exact(store)  # counted from the live rows, then rolled up
    assert rollup_counts(db) == Counter({(NAMES[0], "SUCCESS"): 9, (NAMES[0], "FAILURE"): 1})
    assert_exact(store)


def test_pruning_takes_rolled_up_rows_out_of_the_counts(store: TaskStore, db: Database) -> None:
    rolled_old = finished_rows(db, 12, NAMES[0], "SUCCESS", prefix="rolled-old")
    rolled_old += finished_rows(db, 5, NAMES[1], "REVOKED", prefix="rolled-old-r")
    rolled_new = finished_rows(db, 4, NAMES[0], "SUCCESS", prefix="rolled-new")
    assert store.roll_up() == 21
    live_old = finished_rows(db, 6, NAMES[0], "FAILURE", prefix="live-old")
    finished_rows(db, 3, NAMES[2], "SUCCESS", prefix="live-new")
    active = create(store, "active", NAMES[2])
    age(db, rolled_old + live_old + [active], days=10)
    assert_exact(store)
    deleted = prune(
        db,
        RetentionPolicy(
            task_rows_days=2, daily_runs_days=0, scheduler_outages_days=0, batch_size=4
        ),
        datetime.now(UTC),
    )
    assert deleted.task_rows == len(rolled_old) + len(live_old)
    stats = assert_exact(store)
    assert counts_of(stats)[1] == {NAMES[0]: (4, 4, 0), NAMES[2]: (4, 3, 0)}
    # NAMES[1]'s count went to zero: no name without rows is reported.
    assert rollup_counts(db) == Counter({(NAMES[0], "SUCCESS"): len(rolled_new)})
    # The rest goes too; then new rows count from zero.
    age(db, rolled_new, days=10)
    prune(db, PRUNE_ALL, datetime.now(UTC) + timedelta(days=3))
    assert_exact(store)
    assert store.stats()["by_status"] == {"PENDING": 1}
    finished_rows(db, 2, NAMES[0], "SUCCESS", prefix="again")
    store.roll_up()
    assert counts_of(assert_exact(store))[0] == {"PENDING": 1, "SUCCESS": 2}


def test_a_random_workload_stays_exact(
    store: TaskStore, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Creates, batches, every transition, roll-ups of any size (some by `stats()` itself) and
    prunes, in a random order; checked after every step."""
    monkeypatch.setattr(records, "ROLL_UP_THRESHOLD", 15)
    rng = random.Random(7)
    made = 0
    for step in range(160):
        task_id = f"r{rng.randrange(max(made, 1))}"
        action = rng.choice(ACTIONS)
        if action == "create":
            create(store, f"r{made}", rng.choice(NAMES), idempotent=rng.random() < 0.5)
            made += 1
        elif action == "many":
            rows = [
                {
                    "id": f"r{made + i}",
                    "name": rng.choice(NAMES),
                    "kwargs": {},
                    "user_id": None,
                    "time_limit_s": 60,
                    "idempotent": True,
                }
                for i in range(rng.randint(1, 6))
            ]
            store.create_many(rows, backend="celery")
            made += len(rows)
        elif action == "claim":
            store.claim(task_id, rng.choice(["w1", "w2"]))
        elif action == "progress":
            store.progress(task_id, rng.randint(0, 5), 5, None)
        elif action == "succeed":
            store.succeed(task_id, None)
        elif action == "fail":
            store.fail(task_id, "Boom", "x")
        elif action == "revoke":
            store.mark_revoked(task_id)
        elif action == "request":
            with contextlib.suppress(ConflictError, NotFoundError):  # finished, or missing
                store.request_revoke(task_id, terminate=rng.random() < 0.5)
        elif action == "requeue":
            store.requeue(task_id, "w3", previous_owner=rng.choice(["w1", "w2"]))
        elif action == "roll":
            store.roll_up(batch_size=rng.randint(1, 8))
        elif action == "prune":
            with db.session() as session:
                finished = list(
                    session.scalars(
                        select(TaskRecord.id).where(TaskRecord.status.in_(FINISHED_TASK_STATES))
                    )
                )
            age(db, rng.sample(finished, len(finished) // 2), days=10)
            prune(
                db,
                RetentionPolicy(
                    task_rows_days=2,
                    daily_runs_days=0,
                    scheduler_outages_days=0,
                    batch_size=rng.randint(1, 5),
                ),
                datetime.now(UTC),
            )
        try:
            assert_exact(store)
        except AssertionError as error:
            raise AssertionError(f"inexact after step {step} ({action})") from error


# -- concurrency ---------------------------------------------------------------------------------


def run_threads(*targets: Any) -> None:
    errors: list[BaseException] = []

    def guarded(target: Any) -> None:
        try:
            target()
        except BaseException as error:  # re-raised in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def test_two_threads_rolling_up_at_once_count_each_row_once(store: TaskStore, db: Database) -> None:
    for index, name in enumerate(NAMES):
        finished_rows(db, 400, name, ("SUCCESS", "FAILURE", "REVOKED")[index], prefix=f"c{index}")
    start = threading.Barrier(2)
    rolled: list[int] = []

    def roller() -> None:
        other = TaskStore(Database.from_url(db.engine.url.render_as_string(False)))
        try:
            start.wait()
            rolled.append(other.roll_up(batch_size=37))
        finally:
            other.db.dispose()

    run_threads(roller, roller)
    assert sum(rolled) == 1200
    assert rollup_counts(db) == Counter({key: 400 for key in table_counts(db)})
    assert_exact(store)


def test_roll_ups_and_prunes_racing_a_stream_of_finishing_tasks_stay_exact(
    store: TaskStore, db: Database
) -> None:
    """Two threads roll up in small batches, one prunes, while one more creates and finishes
    tasks; at the end (and whenever a reader looks) the counts are exact."""
    url = db.engine.url.render_as_string(hide_password=False)
    finished_rows(db, 150, NAMES[0], "SUCCESS", prefix="old")
    done = threading.Event()

    def roller() -> None:
        other = TaskStore(Database.from_url(url))
        try:
            while not done.is_set():
                other.roll_up(batch_size=9)
                time.sleep(0.002)  # let the other writers in (SQLite has one at a time)
        finally:
            other.db.dispose()

    def pruner() -> None:
        other = Database.from_url(url)
        policy = RetentionPolicy(
            task_rows_days=1, daily_runs_days=0, scheduler_outages_days=0, batch_size=6
        )
        try:
            while not done.is_set():
                prune(other, policy, datetime.now(UTC) + timedelta(days=1, seconds=-5))
                time.sleep(0.01)
        finally:
            other.dispose()

    def worker() -> None:
        other = TaskStore(Database.from_url(url))
        try:
            for i in range(120):
                task_id = create(other, f"s{i}", NAMES[i % 3])
                if other.claim(task_id, "w").run:
                    if i % 4 == 0:
                        other.fail(task_id, "Boom", "x")
                    else:
                        other.succeed(task_id, None)
                if i % 10 == 0:
                    stats = other.stats()  # a reader mid-race: never more rows than exist
                    assert sum(stats["by_status"].values()) <= 150 + i + 1
        finally:
            done.set()
            other.db.dispose()

    run_threads(roller, roller, pruner, worker)
    assert_exact(store)
    store.roll_up()
    assert_exact(store)


def test_postgresql_a_prune_waiting_on_a_roll_up_subtracts_what_it_flagged(
    postgres_url: str,
) -> None:
    """The DELETE blocks on rows a roll-up has flagged but not committed; once that commits,
    the DELETE deletes (and returns) the flagged version, so it takes them out of the counts."""
    db = Database.from_url(postgres_url)
    store = TaskStore(db)
    try:
        ids = finished_rows(db, 20, NAMES[0], "SUCCESS", prefix="held")
        age(db, ids, days=10)
        with db.engine.connect() as held:
            transaction = held.begin()
            flagged = held.execute(records._roll_up_batch(50)).all()
            adjust_rollup(held, Counter((row.name, row.status) for row in flagged))
            assert len(flagged) == 20
            pruned: list[int] = []
            pruner = threading.Thread(
                target=lambda: pruned.append(prune(db, PRUNE_ALL, datetime.now(UTC)).task_rows)
            )
            pruner.start()
            pruner.join(timeout=1.0)
            assert pruner.is_alive()  # waiting for the roll-up's row locks
            # A second roll-up meanwhile skips the locked rows instead of waiting.
            assert store.roll_up() == 0
            transaction.commit()
        pruner.join(timeout=30)
        assert pruned == [20]
        assert_exact(store)
        assert rollup_counts(db) == Counter()
    finally:
        db.dispose()


# -- durations -----------------------------------------------------------------------------------


def test_durations_come_from_the_latest_runs_exactly(
    store: TaskStore, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "DURATION_SAMPLE", 50)
    base = datetime(2030, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(90):
        # Microsecond-exact durations. 60 runs (every third row is REVOKED, not a run); the 10
        # oldest, all among the first 15 rows, are slow and fall out of the sample of 50.
        duration = timedelta(seconds=(500 if i < 15 else 1) + i / 7, microseconds=i * 13)
        started = base + timedelta(hours=i)
        status = ("SUCCESS", "FAILURE", "REVOKED")[i % 3]
        rows.append(
            {
                "id": f"d{i:03d}",
                "name": NAMES[0],
                "status": status,
                "kwargs": {},
                "backend": "celery",
                "created_at": started,
                "started_at": started,
                "finished_at": started + duration,
            }
        )
    with db.session() as session:
        session.execute(insert(TaskRecord), rows)
    store.roll_up()
    runs = sorted(
        (r for r in rows if r["status"] != "REVOKED"), key=lambda r: r["finished_at"], reverse=True
    )[:50]
    expected = sorted((r["finished_at"] - r["started_at"]).total_seconds() for r in runs)
    assert len(expected) == 50
    with db.autocommit() as session:
        assert TaskStore._recent_durations(session, NAMES[0], 50) == expected
    entry = store.stats()["by_name"][NAMES[0]]
    assert entry["avg_duration_s"] == round(sum(expected) / len(expected), 4)
    assert entry["p95_duration_s"] == round(percentile(expected, 95), 4)
    assert entry["p95_duration_s"] < 500


# -- the plans -----------------------------------------------------------------------------------


def test_the_live_count_and_the_duration_sample_read_their_indexes(
    store: TaskStore, db: Database
) -> None:
    """The queries repeat `ix_tasks_unrolled`'s predicate as each database spells it, and the
    duration sample needs nothing outside ix_tasks_name_finished."""
    finished_rows(db, 50, NAMES[0], "SUCCESS", prefix="p")
    store.roll_up()
    counts_sql = records._COUNTS.compile(db.engine, compile_kwargs={"literal_binds": True})
    sample_sql = (
        select(records._SECONDS if db.dialect == "postgresql" else TaskRecord.finished_at)
        .where(
            TaskRecord.name == NAMES[0],
            TaskRecord.status.in_(("SUCCESS", "FAILURE")),
            TaskRecord.started_at.is_not(None),
            TaskRecord.finished_at.is_not(None),
        )
        .order_by(TaskRecord.finished_at.desc())
        .limit(10)
        .compile(db.engine, compile_kwargs={"literal_binds": True})
    )
    with db.engine.connect() as connection:  # rolled back when it closes
        if db.dialect == "postgresql":
            # A tiny table: take scans of the whole table off the menu, then see which index.
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            connection.execute(text("SET LOCAL enable_bitmapscan = off"))
        explain = "EXPLAIN" if db.dialect == "postgresql" else "EXPLAIN QUERY PLAN"
        counts_plan = " ".join(
            str(r[-1]) for r in connection.execute(text(f"{explain} {counts_sql}"))
        )
        sample_plan = " ".join(
            str(r[-1]) for r in connection.execute(text(f"{explain} {sample_sql}"))
        )
    if db.dialect == "postgresql":
        assert "Index Only Scan using ix_tasks_unrolled" in counts_plan, counts_plan
        assert "Index Only Scan Backward using ix_tasks_name_finished" in sample_plan, sample_plan
    else:
        assert "USING INDEX ix_tasks_unrolled" in counts_plan, counts_plan
        assert "ix_tasks_name_finished" in sample_plan, sample_plan
