"""Pooled connections: the autocommit engine, and the ping of connections that sat idle."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bookagent.db.session import Database
from bookagent.db.session import make_engine
from bookagent.queue.records import TaskStore


def kill_backends(url: str, application_name: str) -> int:
    """Terminate the server processes of every connection tagged `application_name`."""
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchall()
    return len(rows)


def tagged(url: str, name: str) -> str:
    return f"{url}?application_name={name}"


def backend_pid(db: Database) -> int:
    with db.connect() as connection:
        return int(connection.scalar(text("SELECT pg_backend_pid()")) or 0)


def test_an_idle_connection_killed_by_the_server_is_replaced_before_use(postgres_url: str) -> None:
    url = tagged(postgres_url, "ba_idle_ping")
    db = Database(
        make_engine(url, ping_idle_s=0.05), make_engine(url, autocommit=True, ping_idle_s=0.05)
    )
    try:
        first = backend_pid(db)
        assert kill_backends(postgres_url, "ba_idle_ping") >= 1
        time.sleep(0.1)  # idle past ping_idle_s: the next checkout pings, finds it dead, reconnects
        assert backend_pid(db) != first
        with db.session() as session:  # the transactional engine recovers the same way
            assert session.execute(text("SELECT 1")).scalar() == 1
    finally:
        db.dispose()


def test_a_connection_in_steady_use_is_not_pinged(postgres_url: str) -> None:
    """The ping costs a round trip, so a connection used moments ago goes out unchecked: a
    server-side kill in that window fails one statement, after which the pool reconnects."""
    url = tagged(postgres_url, "ba_hot_conn")
    db = Database(make_engine(url), make_engine(url, autocommit=True, ping_idle_s=60))
    try:
        first = backend_pid(db)
        kill_backends(postgres_url, "ba_hot_conn")
        with pytest.raises(DBAPIError) as failed:
            backend_pid(db)
        assert failed.value.connection_invalidated
        assert backend_pid(db) != first
    finally:
        db.dispose()


def test_direct_statements_commit_on_their_own(database_url: str) -> None:
    db = Database.from_url(database_url)
    other = Database.from_url(database_url)
    try:
        TaskStore(db).create(
            "t-own",
            "bookagent.run_noop",
            {},
            user_id=None,
            backend="thread_pool",
            time_limit_s=5,
            idempotent=True,
        )
        seen = TaskStore(other).find("t-own")  # another pool sees it at once: it was committed
        assert seen is not None and seen.status == "PENDING"
        assert TaskStore(db).claim("t-own", "w1").run
        assert TaskStore(other).get("t-own").status == "STARTED"
    finally:
        db.dispose()
        other.dispose()


def test_server_side_prepared_statements_are_off_unless_asked_for(postgres_url: str) -> None:
    for asked, threshold in ((False, None), (True, 5)):
        engine = make_engine(postgres_url, autocommit=True, prepared_statements=asked)
        try:
            connection = engine.raw_connection()
            assert connection.dbapi_connection is not None
            assert connection.dbapi_connection.prepare_threshold == threshold
            connection.close()
        finally:
            engine.dispose()
