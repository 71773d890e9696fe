"""`bookagent metrics import|show`: engagement figures, imported from a CSV file or shown as a
post's history."""

from __future__ import annotations

from pathlib import Path

import click

from bookagent.cli import output
from bookagent.cli.client import JSON
from bookagent.cli.client import ClientError
from bookagent.cli.connection import client_options
from bookagent.cli.connection import connection
from bookagent.cli.connection import open_client

FIGURES = ("likes", "shares", "comments", "clicks", "impressions", "followers")


@click.group()
def metrics() -> None:
    """Engagement figures: import them from a CSV file, or show a post's history."""


@metrics.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@client_options
def import_(file: Path) -> None:
    """Import readings from a CSV file whose first line names its columns:
    post,likes,shares,comments,clicks,impressions,at (post: a post's id or its URL; at: when
    read, default now). Every row is checked first: if any is bad, each bad row is listed and
    nothing is imported."""
    conn = connection()
    body = open_client().import_metrics(_read_text(file))
    if conn.as_json:
        output.emit_json(body)
    if not body.get("success"):
        if not conn.as_json:
            for problem in body.get("errors") or []:
                output.note(_problem_line(file, problem))
        raise ClientError(str(body.get("error") or "the import failed"))
    if not conn.as_json:
        click.echo(
            f"Imported {body['imported']} reading(s) for {body['posts']} post(s) from {file}."
        )


@metrics.command()
@click.argument("post_id")
@client_options
def show(post_id: str) -> None:
    """Show a post's readings, oldest first, and its latest figures."""
    conn = connection()
    body = open_client().post_metrics(post_id)
    if conn.as_json:
        output.emit_json(body)
        return
    readings = body.get("readings") or []
    if not readings:
        click.echo(f"No readings for post {body['post_id']} yet.")
        return
    rows = [
        [output.when(r.get("read_at")), r.get("source"), *(r.get(name) for name in FIGURES)]
        for r in readings
    ]
    latest = body.get("latest") or {}
    rows.append(["latest", None, *(latest.get(name) for name in FIGURES)])
    columns = ("Read at", "Source", *(name.capitalize() for name in FIGURES))
    output.emit(output.grid(columns, rows, title=f"Engagement of post {body['post_id']}"))
    click.echo(f"{body['count']} reading(s).")


def _read_text(file: Path) -> str:
    """The file's text (UTF-8, with or without a byte-order mark)."""
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ClientError(
            f"{file} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV"
        ) from None
    except OSError as exc:
        raise ClientError(f"cannot read {file}: {exc.strerror}") from None


def _problem_line(file: Path, problem: JSON) -> str:
    """`book.csv:3: likes: must be 0 or more`, as compilers point at a line."""
    return f"{file}:{problem.get('line')}: {problem.get('field')}: {problem.get('message')}"
