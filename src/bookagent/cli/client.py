"""The one interface every client command talks to, whether over HTTP or on the database.

`HttpClient` (`bookagent.cli.http_client`) calls a running `bookagent serve`; `LocalClient`
(`bookagent.cli.local_client`) calls the domain and queue functions in this process. Both answer
with the JSON bodies of API.md, so each command is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any
from typing import Literal
from typing import Protocol

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


class Client(Protocol):
    """What the commands need from bookagent; every method returns API.md's JSON body."""

    #: Where the client works, for messages: the server URL, or "local database".
    where: str
    #: True in local mode: a task queued on the thread pool then runs inside this process, so
    #: the command must wait for it before it exits.
    is_local: bool

    def list_books(self, target: Target) -> JSON:
        """`GET /api/books`: the user's books."""
        ...

    def get_book(self, book_id: str) -> JSON:
        """`GET /api/books/<id>`."""
        ...

    def create_book(self, fields: JSON) -> JSON:
        """`POST /api/books`."""
        ...

    def replace_book(self, book_id: str, fields: JSON) -> JSON:
        """`PUT /api/books/<id>`."""
        ...

    def generate_posts(self, target: Target, request: GenerateRequest) -> JSON:
        """`POST /api/generate-posts`: the posts (200), or a queued task (202)."""
        ...

    def task_status(self, task_id: str) -> JSON:
        """`GET /api/task-status/<id>`."""
        ...

    def active_tasks(self, target: Target) -> JSON:
        """`GET /api/tasks/active`."""
        ...

    def revoke_task(self, task_id: str, *, terminate: bool) -> JSON:
        """`POST /api/tasks/revoke/<id>`."""
        ...

    def task_stats(self) -> JSON:
        """`GET /api/tasks/stats`."""
        ...

    def list_posts(self, target: Target, query: PostQuery) -> JSON:
        """`GET /api/posts`."""
        ...

    def approve_post(self, target: Target, post_id: str, scheduled_time: datetime | None) -> JSON:
        """`POST /api/approve-post`."""
        ...

    def reject_post(self, target: Target, post_id: str, reason: str | None) -> JSON:
        """`POST /api/reject-post`."""
        ...

    def autonomous(self, target: Target, action: Literal["start", "stop"]) -> JSON:
        """`POST /api/autonomous/start` or `/stop`."""
        ...

    def autonomous_status(self, target: Target) -> JSON:
        """`GET /api/autonomous/status`."""
        ...

    def queue_weekly_report(self, target: Target, week_start: date | None) -> JSON:
        """`POST /api/reports/weekly`."""
        ...

    def report_location(self, report_id: str) -> str:
        """Where a person can read the report: its URL, or the path of a local HTML file."""
        ...

    def report_for_browser(self, report_id: str) -> str:
        """A URL a browser can open without our token: the page itself, or a saved copy."""
        ...

    def close(self) -> None:
        """Release connections (and, in local mode, stop the task queue)."""
        ...
