"""`submit_many` on the thread pool, and the batch insert of task rows behind both backends.

On SQLite and on the real PostgreSQL: the rows of a batch are the rows `submit` would write,
one statement writes them all, a caller's id is kept, and a bad name writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.db.models import TaskRecord
from bookagent.domain.ports import TaskRequest
from bookagent.errors import InvalidInputError
from bookagent.queue.ports import task_rows
from bookagent.queue.records import TaskStore
from bookagent.queue.thread_queue import ThreadPoolTaskQueue
from tests.conftest import SettingsFactory
from tests.support.polling import wait_until


@pytest.fixture
def services(database_url: str, make_settings: SettingsFactory) -> Iterator[Services]:
    built = build_services(make_settings(db={"url": database_url}))
    yield built
    built.close(grace_s=5)


def inserts_into_tasks(services: Services) -> tuple[list[str], Any]:
    seen: list[str] = []

    def record(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO TASKS"):
            seen.append(statement)

    for engine in (services.db.engine, services.db.direct):
        event.listen(engine, "before_cursor_execute", record)

    def stop() -> None:
        for engine in (services.db.engine, services.db.direct):
            event.remove(engine, "before_cursor_execute", record)

    return seen, stop


def test_thread_pool_runs_a_batch_written_in_one_statement(services: Services) -> None:
    queue = services.require_queue()
    assert isinstance(queue, ThreadPoolTaskQueue)
    requests = [
        TaskRequest("bookagent.run_diagnostics", {"steps": 1, "step_seconds": 0}, user_id="alice"),
        TaskRequest("bookagent.run_noop", {}, task_id="f" * 32),
        *(TaskRequest("bookagent.run_noop", {}) for _ in range(8)),
    ]
    seen, stop = inserts_into_tasks(services)
    try:
        ids = queue.submit_many(requests)
    finally:
        stop()
    assert len(seen) == 1, "the whole batch in one INSERT"
    assert len(ids) == 10 and len(set(ids)) == 10 and ids[1] == "f" * 32
    store = TaskStore(services.db)
    done = wait_until(
        lambda: (
            (rows := [store.get(i) for i in ids])
            and all(row.status == "SUCCESS" for row in rows)
            and rows
        ),
        30,
        what="the batch to finish",
    )
    assert {row.backend for row in done} == {"thread_pool"}
    assert {row.worker for row in done} == {queue.owner}
    assert done[0].user_id == "alice" and done[0].name == "bookagent.run_diagnostics"
    assert done[0].time_limit_s == services.settings.timeouts.default_task_s


def test_a_batch_with_an_unknown_name_writes_nothing(services: Services) -> None:
    queue = services.require_queue()
    with pytest.raises(InvalidInputError):
        queue.submit_many(
            [TaskRequest("bookagent.run_noop", {}), TaskRequest("bookagent.no_such_task", {})]
        )
    with services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(TaskRecord)) == 0
    assert queue.submit_many([]) == []


def test_create_many_writes_the_rows_create_writes(services: Services) -> None:
    store = TaskStore(services.db)
    kwargs = {"book_id": "b" * 32, "run_date": "2027-01-02", "nested": {"a": [1, 2]}}
    store.create(
        "a" * 32,
        "bookagent.run_daily",
        kwargs,
        user_id=None,
        backend="celery",
        time_limit_s=300.0,
        idempotent=True,
    )
    rows = task_rows(
        services,
        [
            TaskRequest("bookagent.run_daily", kwargs, task_id="b" * 32),
            TaskRequest("bookagent.run_diagnostics", {}, user_id="bob", time_limit_s=7.5),
        ],
    )
    store.create_many(rows, backend="celery")
    single, batched = store.get("a" * 32), store.get("b" * 32)
    ignore = {"id", "created_at", "heartbeat_at"}
    assert {k: v for k, v in asdict(batched).items() if k not in ignore} == {
        k: v for k, v in asdict(single).items() if k not in ignore
    }
    other = store.get(rows[1]["id"])
    assert (other.user_id, other.time_limit_s, other.kwargs) == ("bob", 7.5, {})
    assert other.status == "PENDING" and other.worker is None and other.attempts == 0


def test_create_many_is_all_or_nothing(services: Services) -> None:
    store = TaskStore(services.db)
    rows = task_rows(services, [TaskRequest("bookagent.run_noop", {}, task_id="c" * 32)])
    store.create_many(rows, backend="celery")
    again = task_rows(
        services,
        [
            TaskRequest("bookagent.run_noop", {}),
            TaskRequest("bookagent.run_noop", {}, task_id="c" * 32),
        ],
    )
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        store.create_many(again, backend="celery")
    with services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(TaskRecord)) == 1
