"""What the commands and their one client (`bookagent.cli.http_client.HttpClient`) share: the
request values, the JSON bodies of API.md, and the one-line error.

The client calls a running `bookagent serve`, or with `--local` the same Flask app built in this
process (`bookagent.cli.local_app`), so each command is written once and every rule lives in the
API's routes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from bookagent.states import FINISHED_TASK_STATES

# A decoded JSON body of API.md; its keys are documented there, so it stays a plain dict.
JSON = dict[str, Any]

FINISHED_STATUSES = FINISHED_TASK_STATES

#: What to add to an error that a connection option would fix.
HINTS = {
    "user_id: is required": "pass --user or set BOOKAGENT_USER",
    "book_id: is required": "pass --book",
}


class ClientError(click.ClickException):
    """A request failed; the message is the one line shown on stderr (exit status 1)."""

    def __init__(self, message: str) -> None:
        line = " ".join(message.split())
        hints = [hint for problem, hint in HINTS.items() if problem in line]
        super().__init__(f"{line} ({'; '.join(hints)})" if hints else line)


@dataclass(frozen=True)
class Target:
    """Whom and what a command acts for: `--user` and `--book` (None: the server decides)."""

    user_id: str | None = None
    book_id: str | None = None


@dataclass(frozen=True)
class GenerateRequest:
    """A `generate-posts` request."""

    platforms: tuple[str, ...]
    count_per_platform: int
    post_types: tuple[str, ...] | None = None
    provider: str | None = None
    run_async: bool = False


@dataclass(frozen=True)
class PostQuery:
    """Filters for listing posts."""

    status: str | None = None
    platform: str | None = None
    limit: int = 50
