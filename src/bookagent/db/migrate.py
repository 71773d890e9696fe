"""Alembic, driven from code: `bookagent db upgrade` and the tests' `alembic check`.

Alembic (and Mako, which it loads) are imported on first use: a server whose schema is already
at `HEAD_REVISION` checks the one-row version table and starts without them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from bookagent.db.session import secure_sqlite_file

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

#: The newest migration in `migrations/versions` (a test holds it to Alembic's own head).
HEAD_REVISION = "0009"


def alembic_config(database_url: str) -> Config:
    """An Alembic Config for the packaged migrations and the given database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on a '%' in a password.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def current_revision(database_url: str) -> str | None:
    """The revision the database is at, or None (no schema yet, or several heads)."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:
        return None  # no version table yet
    finally:
        engine.dispose()
    return versions[0][0] if len(versions) == 1 else None


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to `revision` (a new SQLite file is created with mode 0600)."""
    secure_sqlite_file(database_url)
    if revision == "head" and current_revision(database_url) == HEAD_REVISION:
        return
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def check(database_url: str) -> None:
    """Raise if the models and the migrations disagree (Alembic's `check`)."""
    from alembic import command

    secure_sqlite_file(database_url)
    command.check(alembic_config(database_url))
