"""`bookagent db upgrade|check`: the schema, through Alembic."""

from __future__ import annotations

import click

from bookagent.db import migrate
from bookagent.settings import load_settings


@click.group()
def db() -> None:
    """Database schema commands."""


@db.command()
def upgrade() -> None:
    """Bring the database schema up to date."""
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url)
    click.echo("Database schema is up to date.")


@db.command()
def check() -> None:
    """Fail if the models and the migrations disagree."""
    migrate.check(load_settings().database_url)
    click.echo("Models and migrations agree.")
