"""`bookagent tokens create|list|revoke`: API tokens, shown once and stored as hashes."""

from __future__ import annotations

import click

from bookagent.bootstrap import build_database
from bookagent.db import migrate
from bookagent.domain import identity
from bookagent.settings import load_settings


@click.group()
def tokens() -> None:
    """Manage API tokens."""


@tokens.command("create")
@click.option("--user", "user_id", help="The user the token acts for.")
@click.option("--admin", is_flag=True, help="An admin token reaches every user's data.")
@click.option("--name", help="A label to recognise the token by.")
def create(user_id: str | None, admin: bool, name: str | None) -> None:
    """Create a token and print it (it is shown only this once)."""
    if not user_id and not admin:
        raise click.UsageError("Give --user NAME, or --admin.")
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url)
    database = build_database(settings)
    with database.session() as session:
        row, secret = identity.create_token(session, user_id=user_id, is_admin=admin, name=name)
        token_id = row.id
    database.dispose()
    click.echo(secret)
    click.echo(
        f"token id {token_id} ({'admin' if admin else 'user ' + str(user_id)}); "
        "store it now: it cannot be shown again.",
        err=True,
    )


@tokens.command("list")
def list_() -> None:
    """List tokens (never their secrets)."""
    database = build_database(load_settings())
    with database.session() as session:
        for row in identity.list_tokens(session):
            state = "revoked" if row.revoked_at else "active"
            who = "admin" if row.is_admin else f"user={row.user_id}"
            click.echo(
                f"{row.id}  {who}  {state}  created={row.created_at.isoformat()}"
                f"  name={row.name or '-'}"
            )
    database.dispose()


@tokens.command()
@click.argument("token_id")
def revoke(token_id: str) -> None:
    """Revoke a token by its id."""
    database = build_database(load_settings())
    with database.session() as session:
        identity.revoke_token(session, token_id)
    database.dispose()
    click.echo(f"Token {token_id} revoked.")
