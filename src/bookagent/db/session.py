"""The engine and the unit of work: one `Database` per process, one session per operation."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

log = logging.getLogger(__name__)


def make_engine(url: str, *, echo: bool = False, busy_timeout_ms: int = 5000) -> Engine:
    """An engine for `url`; SQLite gets WAL mode and a busy timeout so threads can share it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        connect_args={"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {},
    )


class Database:
    """Owns the engine and hands out sessions that commit on success and roll back on error."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        # A single statement (a read, or one conditional UPDATE) is atomic on its own: running
        # it in autocommit mode saves the BEGIN and COMMIT round trips.
        self._autocommit = sessionmaker(
            bind=engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
        )

    @classmethod
    def from_url(cls, url: str, **options: Any) -> Database:
        """A Database for a URL (see `make_engine` for the options)."""
        return cls(make_engine(url, **options))

    @property
    def dialect(self) -> str:
        """The backend's name: `sqlite` or `postgresql`."""
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commit when the block ends, roll back if it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def autocommit(self) -> Iterator[Session]:
        """A session in autocommit mode: for reads and single-statement writes only."""
        session = self._autocommit()
        try:
            yield session
            session.flush()  # objects added with session.add() are written (and so committed)
        finally:
            session.close()

    def ping(self) -> None:
        """Run a trivial query; raises if the database cannot be reached."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close every pooled connection (after fork, or at shutdown)."""
        self.engine.dispose()
