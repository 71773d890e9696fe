"""`bookagent generate`: write posts for the book, optionally waiting with a progress bar."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from bookagent.cli import output
from bookagent.cli.client import JSON
from bookagent.cli.client import GenerateRequest
from bookagent.cli.connection import client_options
from bookagent.cli.connection import connection
from bookagent.cli.connection import open_client
from bookagent.cli.progress import follow_task
from bookagent.domain.categories import POST_TYPES

if TYPE_CHECKING:
    from bookagent.cli.http_client import HttpClient

DEFAULT_PLATFORMS = ("twitter", "facebook")
WRITERS = ("template", "openai", "anthropic")


@click.command()
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    metavar="NAME",
    help="A platform to write for; repeat for several [default: twitter and facebook].",
)
@click.option(
    "--count",
    type=click.IntRange(1, 50),
    default=1,
    show_default=True,
    help="Posts per platform.",
)
@click.option(
    "--type",
    "post_types",
    multiple=True,
    type=click.Choice(POST_TYPES),
    help="Post types to write (repeatable) [default: the book's category's mix, in turn].",
)
@click.option("--provider", type=click.Choice(WRITERS), help="The writer [default: the server's].")
@click.option(
    "--wait", is_flag=True, help="Queue the work, show its progress, then print the posts."
)
@client_options
def generate(
    platforms: tuple[str, ...],
    count: int,
    post_types: tuple[str, ...],
    provider: str | None,
    wait: bool,
) -> None:
    """Generate posts for review.

    Without --wait, a small batch (up to 5 posts) comes back at once and is printed; a larger
    one is queued and its task id is printed.
    """
    conn = connection()
    client = open_client()
    request = GenerateRequest(
        platforms=platforms or DEFAULT_PLATFORMS,
        count_per_platform=count,
        post_types=post_types or None,
        provider=provider,
        run_async=wait,
    )
    body = client.generate_posts(conn.target, request)
    if "task_id" not in body:
        if conn.as_json:
            output.emit_json(body)
        else:
            show_posts(body["posts"], body.get("rejected") or [])
        return
    task_id = str(body["task_id"])
    if not wait and not runs_here(client, task_id):
        if conn.as_json:
            output.emit_json(body)
        else:
            click.echo(task_id)
            output.note(f"Queued. Follow it with: bookagent tasks show {task_id} --wait")
        return
    status = follow_task(client, task_id, "Generating posts")
    if conn.as_json:
        output.emit_json(status)
    else:
        result = status.get("result") or {}
        show_posts(result.get("posts") or [], result.get("rejected") or [])


def runs_here(client: HttpClient, task_id: str) -> bool:
    """Whether the task runs in this process (local mode, thread pool): then we must wait."""
    if not client.is_local or client.task_status(task_id).get("backend") != "thread_pool":
        return False
    output.note("Local mode: the task runs in this process, so the command waits for it.")
    return True


def show_posts(posts: Sequence[JSON], rejected: Sequence[JSON]) -> None:
    """The new posts as a table, then the count and any rejected drafts."""
    if posts:
        output.emit(output.posts_table(posts, title="New posts (pending approval)"))
    click.echo(f"{len(posts)} post(s) generated, {len(rejected)} rejected.")
    for item in rejected:
        click.echo(f"  rejected {item.get('platform')}: {item.get('reason')}")
