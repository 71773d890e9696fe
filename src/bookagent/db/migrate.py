"""Alembic, driven from code: `bookagent db upgrade` and the tests' `alembic check`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from bookagent.db.session import secure_sqlite_file

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic Config for the packaged migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on a '%' in a password.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to `revision` (a new SQLite file is created with mode 0600)."""
    secure_sqlite_file(database_url)
    command.upgrade(alembic_config(database_url), revision)


def check(database_url: str) -> None:
    """Raise if the models and the migrations disagree (Alembic's `check`)."""
    secure_sqlite_file(database_url)
    command.check(alembic_config(database_url))
