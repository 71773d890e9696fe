"""`bookagent posts list|show|approve|reject|evergreen`: the approval queue, and evergreen
posts."""

from __future__ import annotations

from datetime import datetime

import click

from bookagent.cli import output
from bookagent.cli.client import PostQuery
from bookagent.cli.connection import client_options
from bookagent.cli.connection import connection
from bookagent.cli.connection import open_client
from bookagent.cli.post_preview import preview_panel
from bookagent.states import PostStatus


class IsoDateTime(click.ParamType[datetime]):
    """An ISO-8601 time; without an offset it is read in the book's timezone (by the server)."""

    name = "ISO-TIME"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO-8601 time such as 2026-12-01T09:30+01:00", param)


@click.group()
def posts() -> None:
    """Posts: list them, show one as its platform will, approve or reject pending ones, mark
    published ones evergreen."""


@posts.command("list")
@click.option(
    "--status",
    type=click.Choice([status.value for status in PostStatus]),
    help="Only posts in this state.",
)
@click.option("--platform", metavar="NAME", help="Only posts for this platform.")
@click.option(
    "--limit", type=click.IntRange(1, 200), default=50, show_default=True, help="At most this many."
)
@client_options
def list_(status: str | None, platform: str | None, limit: int) -> None:
    """List posts, oldest first."""
    conn = connection()
    body = open_client().list_posts(
        conn.target, PostQuery(status=status, platform=platform, limit=limit)
    )
    if conn.as_json:
        output.emit_json(body)
        return
    found = body["posts"]
    if found:
        output.emit(output.posts_table(found))
    more = " (more: raise --limit)" if body.get("next_cursor") else ""
    click.echo(f"{len(found)} post(s){more}.")


@posts.command()
@click.argument("post_id")
@client_options
def show(post_id: str) -> None:
    """Show a post as its platform will: the text as displayed and folded, its link card or
    image placeholder, and its length in the platform's unit."""
    conn = connection()
    body = open_client().get_post(post_id)
    if conn.as_json:
        output.emit_json(body)
        return
    post = body["post"]
    facts = [
        ("ID", post["id"]),
        ("Platform", post["platform"]),
        ("Type", post["post_type"]),
        ("Status", post["status"]),
        ("Scheduled", output.when(post.get("scheduled_time"))),
    ]
    if post.get("evergreen"):
        facts.append(("Evergreen", "yes: the agent repeats it after the cool-down"))
    if post.get("evergreen_of"):
        facts.append(("Repeat of", post["evergreen_of"]))
    output.emit(output.fields_table(facts))
    if post.get("preview"):
        output.emit(preview_panel(post["preview"], output.stdout().width))


@posts.command()
@click.argument("post_id")
@click.option(
    "--at",
    "scheduled_time",
    type=IsoDateTime(),
    help="Publish at this time [default: the platform's next free slot].",
)
@client_options
def approve(post_id: str, scheduled_time: datetime | None) -> None:
    """Approve a pending post and schedule it."""
    conn = connection()
    body = open_client().approve_post(conn.target, post_id, scheduled_time)
    if conn.as_json:
        output.emit_json(body)
        return
    post = body["post"]
    click.echo(
        f"Approved post {post['id']} ({post['platform']}); "
        f"scheduled for {output.when(body.get('scheduled_time')) or 'no slot yet'}."
    )


@posts.command()
@click.argument("post_id")
@click.option("--reason", help="Why (kept with the post, and used in the weekly report).")
@client_options
def reject(post_id: str, reason: str | None) -> None:
    """Reject a pending post."""
    conn = connection()
    body = open_client().reject_post(conn.target, post_id, reason)
    if conn.as_json:
        output.emit_json(body)
        return
    post = body["post"]
    click.echo(f"Rejected post {post['id']} ({post['platform']}): {post['rejection_reason']}.")


@posts.command()
@click.argument("post_id")
@click.option("--off", is_flag=True, help="Stop repeating the post.")
@client_options
def evergreen(post_id: str, off: bool) -> None:
    """Mark a published post evergreen: the agent queues it again, for approval, once it has
    rested for the cool-down (`evergreen_cooldown_days`, 30 by default)."""
    conn = connection()
    body = open_client().set_evergreen(post_id, not off)
    if conn.as_json:
        output.emit_json(body)
        return
    post = body["post"]
    if post["evergreen"]:
        click.echo(f"Post {post['id']} ({post['platform']}) is evergreen.")
    else:
        click.echo(f"Post {post['id']} ({post['platform']}) is no longer evergreen.")
