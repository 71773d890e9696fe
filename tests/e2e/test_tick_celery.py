"""The tick's batch on Celery: a real `bookagent worker` on the real Redis and PostgreSQL.

`submit_many` writes the rows in one statement and pipelines the messages, yet every task is
its own message: the worker runs each once. A tick queues one routine per due book, and the
worker runs them all. With the broker gone, the batch falls back to the thread pool (ids kept)
or is refused before any row is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy import select

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.db.base import utcnow
from bookagent.db.models import AutonomousState
from bookagent.db.models import Book
from bookagent.db.models import DailyRun
from bookagent.db.models import Post
from bookagent.db.models import TaskRecord
from bookagent.domain.autonomous import AgentSettings
from bookagent.domain.identity import ensure_user
from bookagent.domain.ports import TaskRequest
from bookagent.errors import ServiceUnavailableError
from bookagent.queue.celery_queue import CeleryTaskQueue
from bookagent.queue.records import TaskStore
from bookagent.tasks.scheduling import run_tick
from tests.conftest import BOOK
from tests.conftest import SettingsFactory
from tests.support.celery_worker import CeleryWorker
from tests.support.celery_worker import fast_timeouts
from tests.support.celery_worker import running_worker
from tests.support.polling import wait_until
from tests.support.redis_server import PrivateRedis
from tests.support.services import require_redis

pytestmark = pytest.mark.celery


@pytest.fixture(scope="module")
def celery_worker(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CeleryWorker]:
    yield from running_worker(pg_url, tmp_path_factory.mktemp("worker"), concurrency=2)


@pytest.fixture
def services(
    postgres_url: str, celery_worker: CeleryWorker, make_settings: SettingsFactory
) -> Iterator[Services]:
    fast = fast_timeouts()
    built = build_services(
        make_settings(
            db={"url": postgres_url},
            queue={"backend": "celery", "broker_url": require_redis(), **fast["queue"]},
            timeouts=fast["timeouts"],
        )
    )
    yield built
    built.close(grace_s=1)


def finished(services: Services, ids: list[str], timeout_s: float = 60) -> list[Any]:
    store = TaskStore(services.db)
    return wait_until(
        lambda: (
            (rows := [store.get(i) for i in ids])
            and all(r.status in ("SUCCESS", "FAILURE", "REVOKED") for r in rows)
            and rows
        ),
        timeout_s,
        what=f"{len(ids)} tasks to finish",
    )


def test_a_batch_is_one_message_per_task_and_each_runs_once(services: Services) -> None:
    queue = services.require_queue()
    assert isinstance(queue, CeleryTaskQueue)
    requests = [TaskRequest("bookagent.run_noop", {}) for _ in range(30)]
    requests[3] = TaskRequest("bookagent.run_noop", {}, task_id="e" * 32)
    ids = queue.submit_many(requests)
    assert ids[3] == "e" * 32 and len(set(ids)) == 30
    rows = finished(services, ids)
    assert {r.status for r in rows} == {"SUCCESS"}
    assert {r.backend for r in rows} == {"celery"}
    assert all(r.attempts == 1 for r in rows), "each message delivered and run once"
    assert all(r.worker and r.worker.startswith("test") for r in rows)


def add_running_books(services: Services, count: int) -> list[str]:
    settings = AgentSettings(
        posts_per_day={"twitter": 1, "bluesky": 1}, daily_run_time="00:00", auto_approve=True
    ).model_dump()
    ids = []
    fields = {k: v for k, v in BOOK.items() if k not in ("user_id", "launch_date")}
    with services.db.session() as session:
        ensure_user(session, "alice")
        for index in range(count):
            book = Book(user_id="alice", **{**fields, "title": f"{BOOK['title']} {index}"})
            session.add(book)
            session.flush()
            session.add(
                AutonomousState(
                    book_id=book.id, running=True, started_at=utcnow(), settings=settings
                )
            )
            ids.append(book.id)
    return ids


def test_a_tick_queues_one_routine_per_book_and_the_worker_runs_them(services: Services) -> None:
    books = add_running_books(services, 8)
    outcome = run_tick(services, services.require_queue(), scheduler="test", backend="celery")
    queued = {run["book_id"]: run["task_id"] for run in outcome["daily_runs"]}
    assert set(queued) == set(books) and len(set(queued.values())) == 8
    rows = finished(services, list(queued.values()), timeout_s=90)
    assert {r.status for r in rows} == {"SUCCESS"}, [r.error_message for r in rows]
    assert {r.name for r in rows} == {"bookagent.run_daily"}
    assert sorted(r.kwargs["book_id"] for r in rows) == sorted(books), "one task per book"
    with services.db.session() as session:
        runs = list(session.scalars(select(DailyRun)))
        assert sorted(run.book_id for run in runs) == sorted(books)
        assert all(run.status == "done" and run.task_id == queued[run.book_id] for run in runs)
        written = session.scalar(select(func.count()).select_from(Post))
        assert written == 16, "each routine topped up its book: two platforms, one post each"
    again = run_tick(services, services.require_queue(), scheduler="test-2", backend="celery")
    assert again["daily_runs"] == []


@pytest.mark.parametrize("mode", ["fallback", "error"])
def test_a_batch_with_the_broker_down_falls_back_or_writes_nothing(
    make_settings: SettingsFactory, private_redis: PrivateRedis, mode: str
) -> None:
    services = build_services(
        make_settings(
            queue={"backend": "celery", "broker_url": private_redis.url, "on_broker_down": mode}
        )
    )
    try:
        queue = services.require_queue()
        assert isinstance(queue, CeleryTaskQueue)
        private_redis.stop()
        queue.monitor.check_now()
        assert not queue.monitor.snapshot().broker_ok
        requests = [TaskRequest("bookagent.run_noop", {}, task_id=f"{i:032x}") for i in range(5)]
        if mode == "error":
            with pytest.raises(ServiceUnavailableError):
                queue.submit_many(requests)
            with services.db.session() as session:
                assert session.scalar(select(func.count()).select_from(TaskRecord)) == 0
            return
        ids = queue.submit_many(requests)
        assert ids == [f"{i:032x}" for i in range(5)], "the caller's ids are kept"
        rows = finished(services, ids, timeout_s=30)
        assert {r.status for r in rows} == {"SUCCESS"}
        assert {r.backend for r in rows} == {"thread_pool"}
    finally:
        services.close(grace_s=1)
