"""The tick at scale: one batch of claims per tick, each run claimed exactly once (even by
concurrent ticks), each naming its task before the task exists, and a tick that dies between
the claim and the queue loses nothing: the next tick past the lease queues those runs again.

Every test runs on SQLite and on the real PostgreSQL. The queue here is a test double of the
port that records the batch and writes the PENDING rows as a backend would (no task runs);
the real backends' `submit_many` is tested in tests/integration/queue and tests/e2e.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy import update

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.db.base import utcnow
from bookagent.db.models import AutonomousState
from bookagent.db.models import Book
from bookagent.db.models import DailyRun
from bookagent.db.models import Report
from bookagent.db.models import TaskRecord
from bookagent.domain.autonomous import CLAIM_LEASE
from bookagent.domain.autonomous import WEEKDAYS
from bookagent.domain.autonomous import AgentSettings
from bookagent.domain.autonomous import due_daily_runs
from bookagent.domain.identity import ensure_user
from bookagent.domain.ports import TaskRequest
from bookagent.queue.ports import task_rows
from bookagent.queue.records import TaskStore
from bookagent.tasks.scheduling import run_tick
from tests.conftest import SettingsFactory

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney")


class RowsOnlyQueue:
    """The queue port as Celery with no worker consuming: rows are written, nothing runs."""

    backend = "celery"

    def __init__(self, services: Services) -> None:
        self.services = services
        self.batches: list[list[TaskRequest]] = []
        self.lock = threading.Lock()

    def submit(self, name: str, kwargs: Mapping[str, Any], *, user_id: str | None, **_: Any) -> str:
        return self.submit_many([TaskRequest(name, kwargs, user_id=user_id)])[0]

    def submit_many(self, requests: Sequence[TaskRequest]) -> list[str]:
        rows = task_rows(self.services, requests)
        TaskStore(self.services.db).create_many(rows, backend="celery")
        with self.lock:
            self.batches.append(list(requests))
        return [row["id"] for row in rows]

    @property
    def requests(self) -> list[TaskRequest]:
        """The daily routines queued (weekly reports, due on some days, left out)."""
        return [r for batch in self.batches for r in batch if r.name == "bookagent.run_daily"]


class DyingQueue(RowsOnlyQueue):
    """The process dies after the claim committed and before any task row exists."""

    def submit_many(self, requests: Sequence[TaskRequest]) -> list[str]:
        raise SystemExit("killed between the claim and the queue")


@pytest.fixture
def services(database_url: str, make_settings: SettingsFactory) -> Iterator[Services]:
    built = build_services(make_settings(db={"url": database_url}), start_queue=False)
    yield built
    built.close(grace_s=1)


def add_books(
    services: Services,
    count: int,
    *,
    zones: Sequence[str] = ZONES,
    running: bool = True,
    **settings: Any,
) -> list[str]:
    """`count` books with a running agent (run time 00:00: due now), spread over `zones`."""
    stored = AgentSettings(**{"daily_run_time": "00:00", **settings}).model_dump()
    ids = []
    with services.db.session() as session:
        ensure_user(session, "alice")
        for index in range(count):
            book = Book(
                user_id="alice",
                title=f"Book {index}",
                author="A. Writer",
                genre="fiction",
                blurb="A book.",
                timezone=zones[index % len(zones)],
                human_in_loop=False,
            )
            session.add(book)
            session.flush()
            session.add(
                AutonomousState(
                    book_id=book.id, running=running, started_at=utcnow(), settings=stored
                )
            )
            ids.append(book.id)
    return ids


def tick(services: Services, queue: RowsOnlyQueue, name: str = "test") -> dict[str, Any]:
    return run_tick(services, queue, scheduler=name, backend="celery")  # type: ignore[arg-type]


def runs_by_book(services: Services) -> dict[str, list[DailyRun]]:
    with services.db.session() as session:
        out: dict[str, list[DailyRun]] = {}
        for run in session.scalars(select(DailyRun)):
            out.setdefault(run.book_id, []).append(run)
        return out


def age_runs(services: Services, by: timedelta) -> None:
    """Move every run's claim back in time, as if the tick that claimed it were long gone."""
    with services.db.session() as session:
        for run in session.scalars(select(DailyRun)):
            run.created_at -= by


def task_ids(services: Services) -> set[str]:
    """The ids of the daily routines' task rows."""
    with services.db.session() as session:
        return set(
            session.scalars(select(TaskRecord.id).where(TaskRecord.name == "bookagent.run_daily"))
        )


def a_zone_between(low_h: int, high_h: int) -> str:
    """A timezone whose local hour is within [low_h, high_h) right now."""
    now = datetime.now(UTC)
    for name in (
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "America/Los_Angeles",
        "Asia/Tokyo",
        "Asia/Kolkata",
        "Australia/Sydney",
        "Pacific/Auckland",
        "America/Sao_Paulo",
    ):
        if low_h <= now.astimezone(ZoneInfo(name)).hour < high_h:
            return name
    pytest.skip("no listed timezone is in that window right now")


def test_one_tick_claims_every_due_book_in_one_batch(services: Services) -> None:
    due = add_books(services, 25)
    stopped = add_books(services, 2, running=False)
    later_zone = a_zone_between(1, 22)
    later_time = f"{(datetime.now(UTC).astimezone(ZoneInfo(later_zone)).hour + 1):02d}:30"
    later = add_books(services, 2, zones=[later_zone], daily_run_time=later_time)
    queue = RowsOnlyQueue(services)

    first = tick(services, queue)

    assert sorted(r["book_id"] for r in first["daily_runs"]) == sorted(due)
    assert len(queue.batches) == 1, "one batch of task rows and sends for the whole tick"
    assert len(queue.requests) == 25
    runs = runs_by_book(services)
    assert set(runs) == set(due) and not set(runs) & set(stopped + later)
    for request in queue.requests:
        (run,) = runs[request.kwargs["book_id"]]
        # The run named its task before the task existed; the task has exactly that id.
        assert run.task_id == request.task_id
        assert request.kwargs["run_date"] == run.run_date.isoformat()
        local_today = datetime.now(UTC).astimezone(ZoneInfo(book_zone(services, run.book_id)))
        assert run.run_date == local_today.date()
    assert task_ids(services) >= {r.task_id for r in queue.requests if r.task_id}

    second = tick(services, queue, "another-scheduler")
    assert second["daily_runs"] == [] and len(queue.batches) == 1
    assert sum(len(v) for v in runs_by_book(services).values()) == 25


def book_zone(services: Services, book_id: str) -> str:
    with services.db.session() as session:
        book = session.get(Book, book_id)
        assert book is not None
        return book.timezone


def count_statements(services: Services) -> tuple[list[int], Any]:
    counter = [0]

    def count(*_: Any) -> None:
        counter[0] += 1

    for engine in (services.db.engine, services.db.direct):
        event.listen(engine, "before_cursor_execute", count)

    def stop() -> None:
        for engine in (services.db.engine, services.db.direct):
            event.remove(engine, "before_cursor_execute", count)

    return counter, stop


def test_ticks_issue_the_same_statements_for_5_books_as_for_40(
    services: Services, make_settings: SettingsFactory, tmp_path: Any
) -> None:
    """No statement per book: a due tick and an idle one cost a fixed number of statements."""
    queue = RowsOnlyQueue(services)
    counts: dict[int, tuple[int, int]] = {}
    for books in (5, 40):
        with services.db.session() as session:
            session.execute(update(AutonomousState).values(running=False))
        add_books(services, books)
        counter, stop = count_statements(services)
        try:
            tick(services, queue)
            due = counter[0]
            counter[0] = 0
            tick(services, queue)
            counts[books] = (due, counter[0])
        finally:
            stop()
    assert counts[5] == counts[40], counts
    assert counts[40][1] <= 12, counts


def test_a_tick_racing_another_waits_for_it_and_claims_nothing_twice(
    services: Services,
) -> None:
    """Tick A has inserted the runs but not committed; tick B, which saw no runs, tries the same
    insert: it waits on A (PostgreSQL: the unique index; SQLite: the write lock), then skips
    every row A created, so B claims nothing."""
    add_books(services, 6)
    now = utcnow()
    second: dict[str, Any] = {}

    def tick_b() -> None:
        with services.db.session() as session:
            second["runs"] = due_daily_runs(session, now)

    with services.db.session() as session:
        first = due_daily_runs(session, now)
        racer = threading.Thread(target=tick_b)
        racer.start()
        time.sleep(0.5)
        assert racer.is_alive(), "the second tick should be waiting for the first to commit"
    racer.join(timeout=30)
    assert not racer.is_alive()
    assert len(first) == 6
    assert second["runs"] == []
    assert sum(len(v) for v in runs_by_book(services).values()) == 6


def test_concurrent_ticks_claim_each_run_exactly_once(services: Services) -> None:
    books = add_books(services, 40)
    queue = RowsOnlyQueue(services)
    start = threading.Barrier(4)
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def one_tick(index: int) -> None:
        start.wait()
        try:
            results.append(tick(services, queue, f"scheduler-{index}"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one_tick, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    claimed = [run["book_id"] for result in results for run in result["daily_runs"]]
    assert sorted(claimed) == sorted(books), "every book exactly once over all the ticks"
    runs = runs_by_book(services)
    assert all(len(v) == 1 for v in runs.values()) and set(runs) == set(books)
    assert sorted(r.task_id or "" for r in queue.requests) == sorted(
        run.task_id or "" for (run,) in runs.values()
    )


def test_a_tick_that_dies_between_claim_and_queue_loses_nothing(services: Services) -> None:
    books = add_books(services, 6)
    with pytest.raises(SystemExit):
        tick(services, DyingQueue(services))
    claimed = runs_by_book(services)
    assert set(claimed) == set(books)
    assert not task_ids(services), "nothing was queued"

    queue = RowsOnlyQueue(services)
    # Within the lease the dead tick might still be alive and about to queue: leave the runs.
    assert tick(services, queue)["daily_runs"] == []
    assert queue.batches == []

    age_runs(services, CLAIM_LEASE + timedelta(seconds=5))
    again = tick(services, queue)
    assert sorted(r["book_id"] for r in again["daily_runs"]) == sorted(books)
    assert all(r["reclaimed"] for r in again["daily_runs"])
    runs = runs_by_book(services)
    assert all(len(v) == 1 for v in runs.values()), "taken back, never claimed a second time"
    queued = {r.kwargs["book_id"]: r.task_id for r in queue.requests}
    for book_id, (run,) in runs.items():
        assert run.task_id == queued[book_id]
        assert run.task_id != claimed[book_id][0].task_id, "a new task id for the retry"
        assert run.status == "queued"
    assert task_ids(services) == set(queued.values())

    # Their task rows exist now: however old the claim, nobody queues them again.
    age_runs(services, CLAIM_LEASE + timedelta(seconds=5))
    assert tick(services, queue)["daily_runs"] == []
    assert len(queue.batches) == 1


def test_only_runs_whose_task_never_reached_a_worker_are_taken_back(services: Services) -> None:
    refused, started, failed_running, pending, stopped_book = add_books(services, 5)
    queue = RowsOnlyQueue(services)
    tick(services, queue)
    store = TaskStore(services.db)
    tasks = {r.kwargs["book_id"]: r.task_id or "" for r in queue.requests}
    # The broker refused the send: the row failed before it ever started.
    store.fail(tasks[refused], "BrokerUnavailable", "The task could not be queued.")
    # A worker took these: they are running, or failed while running.
    for book_id in (started, failed_running):
        assert store.claim(tasks[book_id], "celery@test/1").run
    store.fail(tasks[failed_running], "TimeLimitExceeded", "Too slow.")
    with services.db.session() as session:
        session.execute(
            update(AutonomousState)
            .where(AutonomousState.book_id == stopped_book)
            .values(running=False)
        )
        # The stopped book's task never started either: but its agent is off.
        session.execute(
            update(TaskRecord).where(TaskRecord.id == tasks[stopped_book]).values(status="FAILURE")
        )
    age_runs(services, CLAIM_LEASE + timedelta(seconds=5))

    again = tick(services, queue)

    assert [r["book_id"] for r in again["daily_runs"]] == [refused]
    (run,) = runs_by_book(services)[refused]
    assert run.task_id not in tasks.values()
    assert store.get(run.task_id or "").status == "PENDING"
    del pending  # still waiting in the queue: left alone


def test_two_ticks_take_back_a_dead_ticks_runs_once(services: Services) -> None:
    books = add_books(services, 12)
    with pytest.raises(SystemExit):
        tick(services, DyingQueue(services))
    age_runs(services, CLAIM_LEASE + timedelta(seconds=5))
    queue = RowsOnlyQueue(services)
    start = threading.Barrier(3)
    results: list[dict[str, Any]] = []

    def one_tick(index: int) -> None:
        start.wait()
        results.append(tick(services, queue, f"scheduler-{index}"))

    threads = [threading.Thread(target=one_tick, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    taken = [run["book_id"] for result in results for run in result["daily_runs"]]
    assert sorted(taken) == sorted(books)
    assert len(queue.requests) == 12
    assert len(task_ids(services)) == 12


def test_weekly_reports_are_claimed_in_one_batch_with_their_task_ids(services: Services) -> None:
    weekday = {zone: datetime.now(UTC).astimezone(ZoneInfo(zone)).weekday() for zone in ZONES}
    books = []
    for zone in ZONES:
        books += add_books(
            services,
            3,
            zones=[zone],
            weekly_report_day=WEEKDAYS[weekday[zone]],
            weekly_report_time="00:00",
        )
    queue = RowsOnlyQueue(services)

    first = tick(services, queue)

    assert sorted(r["book_id"] for r in first["weekly_reports"]) == sorted(books)
    assert len(queue.batches) == 1
    reports = {
        r.kwargs["book_id"]: r
        for batch in queue.batches
        for r in batch
        if r.name == "bookagent.generate_weekly_report"
    }
    with services.db.session() as session:
        for report in session.scalars(select(Report)):
            assert report.data == {"pending": True}
            assert report.task_id == reports[report.book_id].task_id
            assert report.week_start.isoformat() == reports[report.book_id].kwargs["week_start"]
    assert tick(services, queue)["weekly_reports"] == []


def test_a_book_with_broken_settings_does_not_stop_the_others(services: Services) -> None:
    good = add_books(services, 3)
    broken = add_books(services, 1)
    unknown_zone = add_books(services, 1, zones=["Mars/Olympus_Mons"])
    with services.db.session() as session:
        session.execute(
            update(AutonomousState)
            .where(AutonomousState.book_id == broken[0])
            .values(settings={"daily_run_time": "0x:99"})
        )
    first = tick(services, RowsOnlyQueue(services))
    assert sorted(r["book_id"] for r in first["daily_runs"]) == sorted(good)
    assert not set(runs_by_book(services)) & set(broken + unknown_zone)
