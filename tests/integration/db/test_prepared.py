"""PreparedStatement returns what a Core query returns, and fails the way Core fails."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import bindparam
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import SQLAlchemyError

from bookagent.db.models.tasks import TaskRecord
from bookagent.db.session import Database
from bookagent.db.session import make_engine
from bookagent.queue.records import TaskStore
from bookagent.queue.task_view import TASKS
from bookagent.queue.task_view import select_tasks
from bookagent.states import TaskState
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


def test_a_prepared_insert_writes_the_row_a_core_insert_writes(db: Database) -> None:
    # TaskStore.create runs prepared (no SQLAlchemy column defaults): every column must come out
    # as the ORM's own insert, with its Python-side defaults, writes it.
    add_task(db, "prepared")
    with db.session() as session:
        session.add(
            TaskRecord(
                id="orm",
                name="bookagent.run_diagnostics",
                kwargs={"steps": 2, "note": "ünïcode ✨", "nested": {"a": [1, None]}},
                user_id="alice",
                backend="thread_pool",
                time_limit_s=12.5,
                idempotent=True,
            )
        )
    prepared, orm = core_row(db, "prepared"), core_row(db, "orm")
    assert prepared is not None and orm is not None
    names = [c.name for c in BY_ID.selected_columns]
    skip = {"id", "created_at", "heartbeat_at"}  # the ORM leaves heartbeat_at to the claim
    assert {n: v for n, v in zip(names, prepared, strict=True) if n not in skip} == {
        n: v for n, v in zip(names, orm, strict=True) if n not in skip
    }
    with db.connect() as connection:
        rolled = connection.execute(text("SELECT rolled_up FROM tasks WHERE id = 'prepared'"))
        assert rolled.scalar() in (False, 0)
    with pytest.raises(IntegrityError):  # TaskStore.ensure relies on this class
        add_task(db, "prepared")


def test_run_counts_rows_and_values_bound_in_the_statement_are_sent(db: Database) -> None:
    add_task(db, "a")
    rename = (
        update(TASKS)
        .where(TASKS.c.id == bindparam("task_id"), TASKS.c.status == TaskState.PENDING)
        .values(name="renamed")
    )
    statement = db.prepared(rename)
    assert statement.run(task_id="a") == 1
    assert statement.run(task_id="missing") == 0
    row = db.prepared(BY_ID).first(task_id="a")
    assert row is not None and "renamed" in row
    returning = rename.returning(TASKS.c.attempts, TASKS.c.time_limit_s)
    assert db.prepared(returning).first(task_id="a") == (0, 12.5)


def test_an_expanding_in_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="expanding IN"):
        db.prepared(select_tasks().where(TASKS.c.status.in_(["PENDING", "RETRY"])))


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
