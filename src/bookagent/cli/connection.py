"""The connection options (`--url`, `--token`, `--user`, `--book`, `--json`, `--local`) and the
client they choose.

The options work on the `bookagent` group (`bookagent --json posts list`), where `BOOKAGENT_URL`,
`BOOKAGENT_TOKEN` and `BOOKAGENT_USER` supply defaults, and again on every client command
(`bookagent posts list --json`), where a value given overrides the group's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

import click

from bookagent.cli.client import Target

if TYPE_CHECKING:
    from bookagent.cli.http_client import HttpClient

DEFAULT_URL = "http://127.0.0.1:5000"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Connection:
    """The chosen options, and the client built from them on first use."""

    url: str = DEFAULT_URL
    token: str | None = None
    user: str | None = None
    book: str | None = None
    as_json: bool = False
    local: bool = False
    client: HttpClient | None = None

    @property
    def target(self) -> Target:
        """The user and book the command acts for."""
        return Target(user_id=self.user, book_id=self.book)


def connection(ctx: click.Context | None = None) -> Connection:
    """The Connection of this invocation (kept on the root context)."""
    root = (ctx or click.get_current_context()).find_root()
    return root.ensure_object(Connection)


def open_client(ctx: click.Context | None = None) -> HttpClient:
    """The client for this invocation: HTTP to `--url`, or with `--local` the API's own app,
    built in this process on the configured database."""
    ctx = ctx or click.get_current_context()
    conn = connection(ctx)
    if conn.client is None:
        if conn.local:
            from bookagent.cli.local_app import local_client
            from bookagent.settings import load_settings

            conn.client = local_client(load_settings())
        else:
            from bookagent.cli.http_client import HttpClient

            conn.client = HttpClient(conn.url, conn.token)
        ctx.find_root().call_on_close(conn.client.close)
    return conn.client


def _store(field: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is not None and value is not False:
            setattr(connection(ctx), field, value)

    return callback


def _options(*, from_env: bool) -> list[Callable[[F], F]]:
    def env(name: str) -> str | None:
        return name if from_env else None

    return [
        click.option(
            "--url",
            metavar="URL",
            envvar=env("BOOKAGENT_URL"),
            expose_value=False,
            callback=_store("url"),
            help=f"The bookagent server [env BOOKAGENT_URL; default {DEFAULT_URL}].",
        ),
        click.option(
            "--token",
            metavar="TOKEN",
            envvar=env("BOOKAGENT_TOKEN"),
            expose_value=False,
            callback=_store("token"),
            help="API token, sent as a bearer token [env BOOKAGENT_TOKEN].",
        ),
        click.option(
            "--user",
            metavar="USER_ID",
            envvar=env("BOOKAGENT_USER"),
            expose_value=False,
            callback=_store("user"),
            help="The user to act for [env BOOKAGENT_USER].",
        ),
        click.option(
            "--book",
            metavar="BOOK_ID",
            envvar=env("BOOKAGENT_BOOK"),
            expose_value=False,
            callback=_store("book"),
            help="The book (default: the user's only book) [env BOOKAGENT_BOOK].",
        ),
        click.option(
            "--json",
            "as_json",
            is_flag=True,
            expose_value=False,
            callback=_store("as_json"),
            help="Print the raw JSON answer.",
        ),
        click.option(
            "--local",
            is_flag=True,
            expose_value=False,
            callback=_store("local"),
            help="No server: the API runs in this process (DATABASE_URL, BOOKAGENT_DATA_DIR).",
        ),
    ]


def group_options(fn: F) -> F:
    """The connection options on the `bookagent` group, with their environment variables."""
    for option in reversed(_options(from_env=True)):
        fn = option(fn)
    return fn


def client_options(fn: F) -> F:
    """The connection options again on a client command; a value given here wins."""
    for option in reversed(_options(from_env=False)):
        fn = option(fn)
    return fn
