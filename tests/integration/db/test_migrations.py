"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path

from sqlalchemy import inspect

from bookagent.db import migrate
from bookagent.db.base import Base
from bookagent.db.models import User
from bookagent.db.session import Database


def test_upgrade_head_then_alembic_check_finds_no_drift(database_url: str) -> None:
    migrate.upgrade(database_url)  # a second upgrade is a no-op
    migrate.check(database_url)
    tables = set(inspect(Database.from_url(database_url).engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables


def test_times_come_back_timezone_aware_utc(database_url: str) -> None:
    db = Database.from_url(database_url)
    berlin = timezone(timedelta(hours=1))
    with db.session() as session:
        session.add(User(id="tz", created_at=datetime(2027, 3, 1, 10, 0, tzinfo=berlin)))
    with db.session() as session:
        stored = session.get(User, "tz")
        assert stored is not None
        assert stored.created_at == datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
        assert stored.created_at.utcoffset() == timedelta(0)
    db.dispose()


def test_sqlite_runs_in_wal_mode(sqlite_url: str) -> None:
    db = Database.from_url(sqlite_url)
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    db.dispose()


def test_head_revision_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert script.get_current_head() == migrate.HEAD_REVISION


def test_upgrade_from_an_older_revision_reaches_head(database_url: str) -> None:
    from alembic import command

    command.downgrade(migrate.alembic_config(database_url), "0001")
    assert migrate.current_revision(database_url) == "0001"
    migrate.upgrade(database_url)  # the fast path must not take an older schema for current
    assert migrate.current_revision(database_url) == migrate.HEAD_REVISION
    migrate.check(database_url)


def test_no_schema_has_no_revision(tmp_path: Path) -> None:
    assert migrate.current_revision(f"sqlite:///{tmp_path / 'empty.db'}") is None
