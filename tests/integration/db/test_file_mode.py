"""The SQLite database file and its WAL companions are private to the service's user (0600)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bookagent.db import migrate
from bookagent.db.session import Database
from bookagent.db.session import secure_sqlite_file
from bookagent.db.session import sqlite_path

PRIVATE = 0o600


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """Umask 022, under which SQLite alone creates its files 0644."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_engine_creates_the_file_and_its_wal_files_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "bookagent.db"
    database = Database.from_url(f"sqlite:///{path}")
    try:
        with database.connect() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
            files = {p.name: mode_of(p) for p in path.parent.iterdir()}
    finally:
        database.dispose()
    assert set(files) == {"bookagent.db", "bookagent.db-wal", "bookagent.db-shm"}
    assert files == dict.fromkeys(files, PRIVATE)


def test_migrations_create_the_file_private(tmp_path: Path) -> None:
    path = tmp_path / "bookagent.db"
    migrate.upgrade(f"sqlite:///{path}")
    assert mode_of(path) == PRIVATE


def test_an_existing_open_file_and_its_companions_are_tightened(tmp_path: Path) -> None:
    path = tmp_path / "bookagent.db"
    migrate.upgrade(f"sqlite:///{path}")
    for name, mode in [("bookagent.db", 0o664), ("bookagent.db-wal", 0o644), ("x.db", 0o644)]:
        (tmp_path / name).touch()
        os.chmod(tmp_path / name, mode)
    os.chmod(path, 0o400)  # already private (read-only): left as it is

    secure_sqlite_file(f"sqlite:///{path}")
    assert mode_of(path) == 0o400
    os.chmod(path, 0o664)
    secure_sqlite_file(f"sqlite:///{path}")

    assert mode_of(path) == PRIVATE
    assert mode_of(tmp_path / "bookagent.db-wal") == PRIVATE
    assert mode_of(tmp_path / "x.db") == 0o644  # not ours
    assert not (tmp_path / "bookagent.db-journal").exists()  # nothing created but the db


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///file:shared?mode=memory&cache=shared&uri=true",
        "postgresql+psycopg://u:p@localhost/db",
    ],
)
def test_urls_without_a_plain_file_are_left_alone(url: str, tmp_path: Path) -> None:
    assert sqlite_path(url) is None
    before = sorted(tmp_path.iterdir())
    secure_sqlite_file(url)
    assert sorted(tmp_path.iterdir()) == before
