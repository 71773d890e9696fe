"""PreparedSelect returns what a Core query returns, and fails the way Core fails."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import bindparam
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import SQLAlchemyError

from bookagent.db.session import Database
from bookagent.db.session import make_engine
from bookagent.queue.records import TaskStore
from bookagent.queue.task_view import TASKS
from bookagent.queue.task_view import select_tasks
from tests.integration.db.test_connections import backend_pid
from tests.integration.db.test_connections import kill_backends
from tests.integration.db.test_connections import tagged

BY_ID = select_tasks().where(TASKS.c.id == bindparam("task_id"))


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    yield database
    database.dispose()


def add_task(db: Database, task_id: str) -> None:
    store = TaskStore(db)
    store.create(
        task_id,
        "bookagent.run_diagnostics",
        {"steps": 2, "note": "ünïcode ✨", "nested": {"a": [1, None]}},
        user_id="alice",
        backend="thread_pool",
        time_limit_s=12.5,
        idempotent=True,
    )


def core_row(db: Database, task_id: str) -> tuple[object, ...] | None:
    with db.connect() as connection:
        row = connection.execute(BY_ID, {"task_id": task_id}).first()
    return None if row is None else tuple(row)


def test_rows_match_core_in_every_state(db: Database) -> None:
    store = TaskStore(db)
    add_task(db, "pending")
    add_task(db, "done")
    assert store.claim("done", "w1").run
    store.progress("done", 1, 2, None)
    store.succeed("done", {"steps": 2, "when": "now"})
    add_task(db, "failed")
    store.claim("failed", "w1")
    store.fail("failed", "ValueError", "went wrong")

    prepared = db.prepared(BY_ID)
    for task_id in ("pending", "done", "failed"):
        row = prepared.first(task_id=task_id)
        assert row == core_row(db, task_id)
    done = prepared.first(task_id="done")
    assert done is not None
    created = done[[c.name for c in BY_ID.selected_columns].index("created_at")]
    assert isinstance(created, datetime) and created.tzinfo is not None
    assert created.utcoffset() == UTC.utcoffset(None)
    assert prepared.first(task_id="no-such-task") is None
    assert db.prepared(BY_ID) is prepared  # compiled once per Database


def test_driver_errors_come_out_as_sqlalchemy_errors(db: Database) -> None:
    missing = select_tasks().where(TASKS.c.id == bindparam("task_id"))
    prepared = db.prepared(missing)
    with db.connect() as connection:
        connection.execute(text("ALTER TABLE tasks RENAME TO tasks_away"))
    try:
        with pytest.raises(SQLAlchemyError):
            prepared.first(task_id="x")
    finally:
        with db.connect() as connection:
            connection.execute(text("ALTER TABLE tasks_away RENAME TO tasks"))
    assert prepared.first(task_id="x") is None  # the pool still works afterwards


def test_a_connection_killed_under_it_is_invalidated_then_replaced(postgres_url: str) -> None:
    url = tagged(postgres_url, "ba_prepared")
    db = Database(make_engine(url), make_engine(url, autocommit=True, ping_idle_s=60))
    try:
        add_task(db, "t")
        prepared = db.prepared(BY_ID)
        assert prepared.first(task_id="t") is not None
        first = backend_pid(db)
        kill_backends(postgres_url, "ba_prepared")
        with pytest.raises(DBAPIError) as failed:
            prepared.first(task_id="t")
        assert failed.value.connection_invalidated
        assert prepared.first(task_id="t") is not None
        assert backend_pid(db) != first
    finally:
        db.dispose()
