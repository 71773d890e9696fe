"""What the commands print: rich tables for people, JSON with `--json`.

Results go to stdout; progress bars and notes go to stderr, so `--json` output stays parseable.
Every value is wrapped in `Text`, so a post's `[brackets]` or `:emoji:` are shown, not rendered.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

import click
from rich import box
from rich.console import Console
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from bookagent.cli.client import JSON

CONTENT_PREVIEW = 140
# From this many columns on, posts get one column per field.
WIDE = 120


def stdout() -> Console:
    """A console on the current stdout (looked up now, so test runners can capture it)."""
    return Console(highlight=False)


def stderr() -> Console:
    """A console on the current stderr, for progress and notes."""
    return Console(stderr=True, highlight=False)


def emit(renderable: RenderableType) -> None:
    """Print a table or text on stdout."""
    stdout().print(renderable)


def emit_json(data: Any) -> None:
    """Print JSON on stdout."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def note(message: str) -> None:
    """A one-line note on stderr."""
    click.echo(message, err=True)


def text(value: Any) -> Text:
    """A cell: None is '-', lists are joined, everything is literal text."""
    if value is None or value == "":
        return Text("-", style="dim")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, list | tuple):
        return Text(", ".join(str(item) for item in value) or "-")
    if isinstance(value, dict):
        shown = ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, ""))
        return Text(shown or "-")
    return Text(str(value))


def fields_table(rows: Iterable[tuple[str, Any]], title: str | None = None) -> Table:
    """A two-column table of names and values."""
    table = Table(
        title=title, title_justify="left", show_header=False, box=None, padding=(0, 2, 0, 0)
    )
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for name, value in rows:
        table.add_row(name, text(value))
    return table


def grid(columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None) -> Table:
    """A table with a header row; the first column (an id or a name) never wraps."""
    table = Table(title=title, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD)
    for index, name in enumerate(columns):
        table.add_column(name, no_wrap=index == 0, overflow="fold")
    for row in rows:
        table.add_row(*(text(value) for value in row))
    return table


def when(value: str | None) -> str | None:
    """An ISO timestamp shortened for a table: `2026-11-29 10:00 +00:00`."""
    if not value:
        return None
    day, _, rest = value.partition("T")
    clock = rest[:5]
    offset = rest[-6:] if len(rest) > 6 and rest[-6] in "+-" else ""
    return f"{day} {clock} {offset}".strip()


def preview(content: str) -> str:
    """A post's text on one line, cut to a readable length."""
    flat = " ".join(content.split())
    return flat if len(flat) <= CONTENT_PREVIEW else flat[: CONTENT_PREVIEW - 1] + "…"


def posts_table(posts: Sequence[JSON], title: str | None = None) -> Table:
    """Posts: id, platform, type, status, time (when any is scheduled) and text.

    A narrow terminal gets two columns, the id and the post (a line of facts over its text).
    """
    scheduled = any(post.get("scheduled_time") for post in posts)
    if stdout().width < WIDE:
        return _stacked_posts(posts, title)
    table = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD)
    table.add_column("ID", no_wrap=True)
    table.add_column("Platform", no_wrap=True)
    table.add_column("Type", overflow="fold")
    table.add_column("Status", overflow="fold")
    if scheduled:
        table.add_column("Scheduled", overflow="fold")
    table.add_column("Text", ratio=1, overflow="fold")
    for post in posts:
        cells = [post["id"], post["platform"], post["post_type"], post["status"]]
        if scheduled:
            cells.append(when(post.get("scheduled_time")))
        cells.append(preview(post["content"]))
        table.add_row(*(text(cell) for cell in cells))
    return table


def _stacked_posts(posts: Sequence[JSON], title: str | None) -> Table:
    table = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD)
    table.add_column("ID", no_wrap=True)
    table.add_column("Post", ratio=1, overflow="fold")
    for post in posts:
        facts = [post["platform"], post["post_type"], post["status"]]
        if post.get("scheduled_time"):
            facts.append(f"at {when(post['scheduled_time'])}")
        cell = Text(" · ".join(facts), style="bold")
        cell.append("\n" + preview(post["content"]), style="")
        table.add_row(Text(post["id"]), cell)
    return table
