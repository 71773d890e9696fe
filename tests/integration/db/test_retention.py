"""Retention: the prune deletes old finished rows only, in batches, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

from bookagent.bootstrap import build_services
from bookagent.db.models import Book
from bookagent.db.models import DailyRun
from bookagent.db.models import LinkClick
from bookagent.db.models import Post
from bookagent.db.models import PublicationAttempt
from bookagent.db.models import SchedulerOutage
from bookagent.db.models import ShortLink
from bookagent.db.models import TaskRecord
from bookagent.db.models import User
from bookagent.db.session import Database
from bookagent.domain.retention import RetentionPolicy
from bookagent.domain.retention import prune
from bookagent.domain.short_links import clicks_by_post
from bookagent.domain.short_links import refresh_book_clicks
from bookagent.states import ACTIVE_TASK_STATES
from bookagent.states import FINISHED_TASK_STATES
from bookagent.tasks.retention import PRUNE_TASK
from bookagent.tasks.retention import prune_due
from bookagent.tasks.scheduling import run_tick
from tests.conftest import SettingsFactory
from tests.support.factories import post_row
from tests.support.polling import wait_until

NOW = datetime(2030, 6, 15, 12, 0, tzinfo=UTC)
POLICY = RetentionPolicy(task_rows_days=30, daily_runs_days=90, scheduler_outages_days=90)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    yield database
    database.dispose()


def days_ago(days: float, now: datetime = NOW) -> datetime:
    return now - timedelta(days=days)


def add_tasks(db: Database, prefix: str, count: int, **values: Any) -> list[str]:
    ids = [f"{prefix}-{i:05d}" for i in range(count)]
    rows = [
        {"id": task_id, "name": "bookagent.tick_scheduler", "kwargs": {}, "backend": "celery"}
        | values
        for task_id in ids
    ]
    with db.session() as session:
        session.execute(insert(TaskRecord), rows)
    return ids


def task_ids(db: Database) -> set[str]:
    with db.session() as session:
        return set(session.scalars(select(TaskRecord.id)))


def seed_tasks(db: Database, old_finished: int = 10) -> dict[str, set[str]]:
    """Old finished rows (to go), and the rows that must stay: active ones of any age, recent
    finished ones, and an old row that finished only recently."""
    gone: set[str] = set()
    kept: set[str] = set()
    for state in FINISHED_TASK_STATES:
        gone |= set(
            add_tasks(
                db,
                f"old-{state}",
                old_finished,
                status=state,
                created_at=days_ago(45),
                finished_at=days_ago(40),
            )
        )
        kept |= set(
            add_tasks(
                db,
                f"recent-{state}",
                3,
                status=state,
                created_at=days_ago(2),
                finished_at=days_ago(1),
            )
        )
        # Created long ago, finished yesterday: the finish time counts.
        kept |= set(
            add_tasks(
                db,
                f"long-{state}",
                2,
                status=state,
                created_at=days_ago(400),
                finished_at=days_ago(1),
            )
        )
    for state in ACTIVE_TASK_STATES:
        kept |= set(
            add_tasks(
                db,
                f"active-{state}",
                4,
                status=state,
                created_at=days_ago(400),
                started_at=days_ago(399) if state != "PENDING" else None,
                heartbeat_at=days_ago(399),
            )
        )
    # A finished row without a finish time counts from its creation.
    gone |= set(add_tasks(db, "nofinish", 2, status="SUCCESS", created_at=days_ago(50)))
    return {"gone": gone, "kept": kept}


def test_prune_deletes_only_old_finished_task_rows(db: Database) -> None:
    seeded = seed_tasks(db)
    counts = prune(db, POLICY, NOW)
    assert task_ids(db) == seeded["kept"]
    assert counts.task_rows == len(seeded["gone"])
    # A second prune finds nothing more.
    assert prune(db, POLICY, NOW).task_rows == 0
    assert task_ids(db) == seeded["kept"]


def test_the_batch_loop_deletes_more_rows_than_one_batch(db: Database) -> None:
    seeded = seed_tasks(db, old_finished=40)  # 3 x 40 + 2 old finished rows
    batches = []
    counts = prune(
        db,
        RetentionPolicy(
            task_rows_days=30, daily_runs_days=0, scheduler_outages_days=0, batch_size=25
        ),
        NOW,
        between_batches=lambda: batches.append(1),
    )
    assert counts.task_rows == 122
    # 25 x 4 full batches, then one of 22: a checkpoint after each full batch.
    assert len(batches) == 4
    assert task_ids(db) == seeded["kept"]


def test_a_default_sized_batch_is_not_the_end(db: Database) -> None:
    """More old rows than the default batch of 5,000: the loop takes a second batch."""
    add_tasks(
        db, "bulk", 5_003, status="SUCCESS", created_at=days_ago(60), finished_at=days_ago(60)
    )
    kept = set(add_tasks(db, "pending", 3, status="PENDING", created_at=days_ago(60)))
    assert prune(db, POLICY, NOW).task_rows == 5_003
    assert task_ids(db) == kept


def test_zero_days_keeps_everything(db: Database) -> None:
    seed_tasks(db)
    before = task_ids(db)
    counts = prune(
        db, RetentionPolicy(task_rows_days=0, daily_runs_days=0, scheduler_outages_days=0), NOW
    )
    assert counts.as_dict() == {
        "task_rows": 0,
        "daily_runs": 0,
        "scheduler_outages": 0,
        "link_clicks": 0,
    }
    assert task_ids(db) == before


def add_book(db: Database, book_id: str) -> None:
    with db.session() as session:
        if session.get(User, "alice") is None:
            session.add(User(id="alice"))
            session.flush()
        session.add(Book(id=book_id, user_id="alice", title="T", author="A", genre="g", blurb="b"))


def published_post(post_id: str, book_id: str) -> Post:
    return post_row(book_id, f"hello from {post_id}", id=post_id, status="published")


def test_prune_deletes_old_finished_daily_runs_but_keeps_each_books_latest(db: Database) -> None:
    add_book(db, "book-a")
    add_book(db, "book-b")
    today = NOW.date()

    def run(book: str, age_days: int, status: str) -> str:
        run_id = f"{book}-{age_days}"
        with db.session() as session:
            session.add(
                DailyRun(
                    id=run_id,
                    book_id=book,
                    run_date=today - timedelta(days=age_days),
                    status=status,
                    created_at=days_ago(age_days),
                )
            )
        return run_id

    gone = {run("book-a", age, "done") for age in range(100, 130)}
    gone.add(run("book-a", 95, "failed"))
    kept = {
        run("book-a", 140, "queued"),  # never finished: kept
        run("book-a", 89, "done"),  # recent
        run("book-a", 0, "queued"),  # today's
        run("book-b", 200, "done"),  # book-b's latest, however old
    }
    counts = prune(
        db,
        RetentionPolicy(
            task_rows_days=30, daily_runs_days=90, scheduler_outages_days=90, batch_size=7
        ),
        NOW,
    )
    with db.session() as session:
        left = set(session.scalars(select(DailyRun.id)))
    assert counts.daily_runs == len(gone)
    assert left == kept


def test_prune_deletes_old_outages_and_never_the_publication_ledger(db: Database) -> None:
    add_book(db, "book-a")
    with db.session() as session:
        session.add_all(
            [
                SchedulerOutage(
                    id=f"old-{i}",
                    scheduler="celery-beat",
                    started_at=days_ago(100 + i, NOW) - timedelta(minutes=5),
                    ended_at=days_ago(100 + i),
                )
                for i in range(12)
            ]
        )
        session.add(
            SchedulerOutage(
                id="recent",
                scheduler="celery-beat",
                started_at=days_ago(3) - timedelta(minutes=5),
                ended_at=days_ago(3),
            )
        )
        session.add(published_post("post-1", "book-a"))
        session.flush()
        session.add(
            PublicationAttempt(
                post_id="post-1",
                platform="mastodon",
                publisher="mastodon",
                idempotency_key="k",
                outcome="published",
                started_at=days_ago(3000),
                finished_at=days_ago(3000),
            )
        )
    counts = prune(
        db,
        RetentionPolicy(
            task_rows_days=1, daily_runs_days=1, scheduler_outages_days=90, batch_size=5
        ),
        NOW,
    )
    with db.session() as session:
        assert set(session.scalars(select(SchedulerOutage.id))) == {"recent"}
        assert session.scalar(select(func.count()).select_from(PublicationAttempt)) == 1
    assert counts.scheduler_outages == 12


def test_prune_deletes_old_clicks_and_keeps_every_posts_click_count(db: Database) -> None:
    add_book(db, "book-a")
    with db.session() as session:
        session.add_all([published_post("post-1", "book-a"), published_post("post-2", "book-a")])
        session.flush()
        session.add_all(
            [
                ShortLink(code="aaaaaaa1", post_id="post-1", url="https://example.com/a"),
                ShortLink(code="aaaaaaa2", post_id="post-1", url="https://example.com/b"),
                ShortLink(code="bbbbbbb1", post_id="post-2", url="https://example.com/c"),
            ]
        )
        session.flush()

        def clicks(code: str, ages: range) -> None:
            session.add_all(LinkClick(code=code, clicked_at=days_ago(age)) for age in ages)

        clicks("aaaaaaa1", range(91, 104))  # 13 old
        clicks("aaaaaaa1", range(0, 5))  # 5 recent
        clicks("aaaaaaa2", range(100, 107))  # 7 old
        clicks("bbbbbbb1", range(200, 209))  # 9 old, and none left after the prune
    with db.session() as session:
        before = clicks_by_post(session, ["post-1", "post-2"])
    assert before == {"post-1": 25, "post-2": 9}

    counts = prune(
        db,
        RetentionPolicy(
            task_rows_days=0,
            daily_runs_days=0,
            scheduler_outages_days=0,
            link_clicks_days=90,
            batch_size=4,
        ),
        NOW,
    )
    assert counts.link_clicks == 13 + 7 + 9
    with db.session() as session:
        left = session.scalars(select(LinkClick.clicked_at)).all()
        pruned = {
            code: count
            for code, count in session.execute(select(ShortLink.code, ShortLink.pruned_clicks))
        }
        assert clicks_by_post(session, ["post-1", "post-2"]) == before
        # A post whose clicks were all pruned still gets its clicks reading.
        assert refresh_book_clicks(session, "book-a", NOW) == 2
    assert len(left) == 5
    assert all(at >= days_ago(90) for at in left)
    assert pruned == {"aaaaaaa1": 13, "aaaaaaa2": 7, "bbbbbbb1": 9}
    # A second prune finds nothing more and adds nothing.
    assert prune(db, RetentionPolicy(0, 0, 0, link_clicks_days=90), NOW).link_clicks == 0
    with db.session() as session:
        assert clicks_by_post(session, ["post-1", "post-2"]) == before


def test_a_prune_is_due_until_one_finishes_within_the_interval(db: Database) -> None:
    day = 86_400.0
    assert prune_due(db, NOW, day)
    add_tasks(db, "prune-old", 1, name=PRUNE_TASK, status="SUCCESS", finished_at=days_ago(2))
    assert prune_due(db, NOW, day)
    # One waiting or running: not due (whatever its age).
    add_tasks(db, "prune-running", 1, name=PRUNE_TASK, status="STARTED")
    assert not prune_due(db, NOW, day)
    with db.session() as session:
        session.execute(
            TaskRecord.__table__.update()
            .where(TaskRecord.id == "prune-running-00000")
            .values(status="SUCCESS", finished_at=days_ago(0.5))
        )
    assert not prune_due(db, NOW, day)
    assert prune_due(db, NOW + timedelta(days=1), day)


def test_the_in_process_scheduler_runs_the_prune_once_a_day(
    make_settings: SettingsFactory, sqlite_url: str
) -> None:
    """Thread-pool backend: the scheduler's first tick queues the prune, which runs and deletes
    the old finished rows; the next tick does not queue another."""
    seed = Database.from_url(sqlite_url)
    now = datetime.now(UTC)
    old = set(
        add_tasks(
            seed,
            "old",
            5,
            status="SUCCESS",
            created_at=days_ago(60, now),
            finished_at=days_ago(60, now),
        )
    )
    active = set(add_tasks(seed, "active", 2, status="RETRY", created_at=days_ago(60, now)))
    seed.dispose()

    services = build_services(
        make_settings(
            queue={"scheduler_interval_s": 3600},
            retention={"task_rows_days": 30, "daily_runs_days": 90, "scheduler_outages_days": 90},
        )
    )
    try:

        def pruned() -> dict[str, Any] | None:
            with services.db.session() as session:
                row = session.scalar(
                    select(TaskRecord).where(
                        TaskRecord.name == PRUNE_TASK, TaskRecord.status == "SUCCESS"
                    )
                )
                return row.result if row is not None else None

        result = wait_until(pruned, 30, what="the prune task")
        assert result is not None
        assert result["deleted"]["task_rows"] == 5
        remaining = task_ids(services.db)
        assert not old & remaining
        assert active <= remaining
        again = run_tick(
            services, services.require_queue(), scheduler="test", backend="thread_pool"
        )
        assert again["prune_task"] is None
    finally:
        services.close(grace_s=5)


def test_on_celery_the_tick_leaves_the_prune_to_beat(services: Any) -> None:
    class RecordingQueue:
        def __init__(self) -> None:
            self.names: list[str] = []

        def submit(self, name: str, kwargs: Any, *, user_id: str | None, **_: Any) -> str:
            self.names.append(name)
            return f"id-{len(self.names)}"

    queue = RecordingQueue()
    outcome = run_tick(services, queue, scheduler="celery-beat", backend="celery")  # type: ignore[arg-type]
    assert outcome["prune_task"] is None
    assert PRUNE_TASK not in queue.names


def test_nothing_is_queued_when_every_row_is_kept(services: Any) -> None:
    """The test settings keep everything (retention 0 days): no prune task ever appears."""
    assert services.settings.retention.keeps_everything
    tick = run_tick(services, services.require_queue(), scheduler="test", backend="thread_pool")
    assert tick["prune_task"] is None
