"""The engines and the unit of work: one `Database` per process, one session per operation.

A `Database` has two engines on the same URL. `engine` runs transactions (`session()`): several
statements that commit together. `direct` is in autocommit mode from the driver up: a single
statement (a read, or one conditional UPDATE) is atomic on its own, so it pays no BEGIN, no
COMMIT and no isolation-level switch on every checkout. The task rows are read and written
through it on every status request and task step.

Pooled PostgreSQL connections are checked before use only when they have sat idle for a while
(`ping_idle_s`): a connection in steady use is known to be alive, and one that went stale while
idle (a database restart, a dropped link) is replaced before anyone uses it. This is SQLAlchemy's
pessimistic disconnect handling with the ping skipped for hot connections, where a ping on every
checkout would cost a round trip per statement.

A SQLite database file holds everything the service keeps (API token hashes, books, posts),
so it is private to the service's user: `secure_sqlite_file` creates it with mode 0600 before
anything connects (SQLite would create it 0644 under the usual umask), and tightens an existing
file, or its `-wal`, `-shm` or `-journal` companion, that group or others may read. SQLite creates
those companions with the database file's own permissions, so they follow it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import ClauseElement
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy import exc
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.pool import PoolProxiedConnection

from bookagent.db.prepared import PreparedStatement

log = logging.getLogger(__name__)

#: Pool sizes per engine (the defaults of `db.pool_size` and `db.max_overflow`).
POOL_SIZE = 12
MAX_OVERFLOW = 12
#: A pooled connection idle longer than this is pinged before it is handed out.
PING_IDLE_S = 2.0
_CHECKED_IN_AT = "bookagent_checked_in_at"


#: The permissions of a SQLite database file and its companions: the service's user only.
SQLITE_FILE_MODE = 0o600
_SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another backend, memory, or a `file:` URI."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:") or "uri" in parsed.query:
        return None  # SQLite parses these itself (mode=memory, vfs=...): not a plain path
    return Path(database)


def secure_sqlite_file(url: str) -> None:
    """Create a SQLite URL's file with mode 0600 if missing; take group/other access away if not.

    Call it before the first connection: SQLite itself would create the file 0644 (umask 022).
    A no-op for PostgreSQL. A file we may not chmod (another owner) is left, with a warning.
    """
    path = sqlite_path(url)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # An existing database (or one another process just created) is checked below instead.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, SQLITE_FILE_MODE))
    for candidate in (path, *(path.with_name(path.name + s) for s in _SQLITE_COMPANIONS)):
        try:
            mode = stat.S_IMODE(candidate.stat().st_mode)
            if mode & 0o077:
                os.chmod(candidate, SQLITE_FILE_MODE)
                log.info("database file %s was mode %o; now %o", candidate, mode, SQLITE_FILE_MODE)
        except FileNotFoundError:
            continue
        except PermissionError as error:
            log.warning("cannot make database file %s private: %s", candidate, error)


#: psycopg's threshold when only explicit `prepare=True` statements are prepared (None would
#: turn those off too).
EXPLICIT_ONLY = 2**31 - 1


def make_engine(
    url: str,
    *,
    echo: bool = False,
    busy_timeout_ms: int = 5000,
    autocommit: bool = False,
    ping_idle_s: float = PING_IDLE_S,
    pool_size: int = POOL_SIZE,
    max_overflow: int = MAX_OVERFLOW,
    prepared_statements: bool | None = None,
) -> Engine:
    """An engine for `url`; SQLite gets WAL mode and a busy timeout so threads can share it.

    With `autocommit`, every statement commits on its own (set once per connection). PostgreSQL's
    server-side prepared statements: with `prepared_statements` unset, only the statements run
    with `prepare=True` (`Database.prepared(..., hot=True)`: the publishing ledger's claim and
    outcome, where parsing and planning were a fifth of a publish); True, psycopg prepares every
    statement it has seen 5 times (our other queries are short, so that saves the server little
    while psycopg's bookkeeping costs the GIL-bound client more); False, none, for a
    transaction-mode PgBouncer older than 1.21, which cannot hold them.
    """
    parsed = make_url(url)
    options: dict[str, Any] = {"echo": echo}
    if parsed.database not in (None, "", ":memory:"):
        # Most recently returned connection first: a few stay hot (and unpinged) under light
        # load, and the rest age out instead of each being touched in turn.
        options.update(pool_size=pool_size, max_overflow=max_overflow, pool_use_lifo=True)
    if autocommit:
        options["isolation_level"] = "AUTOCOMMIT"
        # Nothing to roll back on a connection that never opens a transaction: SQLAlchemy's
        # "disabling reset on return for non-transactional connections".
        options["pool_reset_on_return"] = None
    if parsed.get_backend_name() == "sqlite":
        secure_sqlite_file(url)  # creates the folder and a 0600 file before SQLite opens it
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            **options,
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
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        # https://www.psycopg.org/psycopg3/docs/advanced/prepare.html (None: never prepare)
        connect_args = {
            "connect_timeout": 5,
            "prepare_threshold": {True: 5, None: EXPLICIT_ONLY, False: None}[prepared_statements],
        }
    engine = create_engine(url, connect_args=connect_args, **options)
    ping_when_idle(engine, ping_idle_s)
    return engine


def ping_when_idle(engine: Engine, idle_s: float) -> None:
    """Ping a pooled connection at checkout if it sat idle longer than `idle_s` seconds.

    A dead one raises `DisconnectionError`, on which the pool discards it and connects anew.
    """

    def _stamp(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(
        dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        if time.monotonic() - record.info.get(_CHECKED_IN_AT, 0.0) <= idle_s:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            log.info("pooled database connection was dead; reconnecting: %s", error)
            raise exc.DisconnectionError() from error

    event.listen(engine, "connect", _stamp)
    event.listen(engine, "checkin", _stamp)


class Database:
    """Owns the engines and hands out sessions that commit on success and roll back on error."""

    def __init__(self, engine: Engine, direct: Engine | None = None) -> None:
        self.engine = engine
        self.direct = direct or engine.execution_options(isolation_level="AUTOCOMMIT")
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._autocommit = sessionmaker(bind=self.direct, expire_on_commit=False)
        self._prepared: dict[int, tuple[ClauseElement, PreparedStatement]] = {}

    @classmethod
    def from_url(cls, url: str, **options: Any) -> Database:
        """A Database for a URL (see `make_engine` for the options)."""
        return cls(make_engine(url, **options), make_engine(url, autocommit=True, **options))

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

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A Core connection in autocommit mode: each statement commits on its own."""
        with self.direct.connect() as connection:
            yield connection

    def prepared(self, statement: ClauseElement, *, hot: bool = False) -> PreparedStatement:
        """`statement` compiled once for the autocommit engine (for a module-level statement);
        a `hot` one is also prepared on the PostgreSQL server (see `make_engine`)."""
        entry = self._prepared.get(id(statement))
        if entry is None:
            entry = self._prepared.setdefault(
                id(statement), (statement, PreparedStatement(self.direct, statement, prepare=hot))
            )
        return entry[1]

    def ping(self) -> None:
        """Run a trivial query; raises if the database cannot be reached."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close every pooled connection (after fork, or at shutdown)."""
        self.engine.dispose()
        self.direct.dispose()
