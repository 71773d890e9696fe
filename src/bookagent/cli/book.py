"""`bookagent book show|set`: the user's book profile."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from bookagent.cli import output
from bookagent.cli.bookfile import load_book_file
from bookagent.cli.client import JSON
from bookagent.cli.client import ClientError
from bookagent.cli.client import Target
from bookagent.cli.connection import client_options
from bookagent.cli.connection import connection
from bookagent.cli.connection import open_client

if TYPE_CHECKING:
    from bookagent.cli.http_client import HttpClient

PROFILE_FIELDS = (
    "id",
    "user_id",
    "title",
    "subtitle",
    "author",
    "genre",
    "launch_date",
    "price",
    "timezone",
    "human_in_loop",
    "key_themes",
    "hashtags",
    "tone",
    "target_audience",
    "links",
    "blurb",
    "content_guidelines",
    "quotes",
    "cover_image_url",
    "updated_at",
)


@click.group()
def book() -> None:
    """The book profile: show it, or create or update it from a file."""


@book.command("show")
@client_options
def show() -> None:
    """Show the user's book (or the one named with --book)."""
    conn = connection()
    client = open_client()
    if conn.book:
        body = client.get_book(conn.book)
        books = [body["book"]]
    else:
        body = client.list_books(conn.target)
        books = body["books"]
        if not books:
            raise ClientError(
                f"{_whose(conn.target)} no book yet: create one with "
                "`bookagent book set --file book.yaml`"
            )
    if conn.as_json:
        output.emit_json(body)
    elif len(books) == 1:
        output.emit(profile_table(books[0]))
    else:
        output.emit(
            output.grid(
                ("ID", "User", "Title", "Author", "Genre"),
                ((b["id"], b["user_id"], b["title"], b["author"], b["genre"]) for b in books),
                title="Books",
            )
        )
        output.note("Several books: show one with --book ID.")


@book.command("set")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A YAML or JSON file with the book's fields (title, author, genre, blurb, ...).",
)
@client_options
def set_(path: Path) -> None:
    """Create the user's book from a file, or replace its profile if it exists."""
    fields = load_book_file(path)
    conn = connection()
    user = conn.user or fields.get("user_id")
    if user:
        fields["user_id"] = user
    client = open_client()
    book_id = conn.book or existing_book_id(client, Target(user_id=user))
    if book_id:
        body, verb = client.replace_book(book_id, fields), "Updated"
    else:
        body, verb = client.create_book(fields), "Created"
    if conn.as_json:
        output.emit_json(body)
        return
    saved = body["book"]
    output.note(f"{verb} book {saved['id']} for {saved['user_id']}: {saved['title']}")
    output.emit(profile_table(saved))


def existing_book_id(client: HttpClient, target: Target) -> str | None:
    """The id of the user's only book; None if there is none; an error if there are several."""
    books = client.list_books(target)["books"]
    if target.user_id:
        books = [b for b in books if b["user_id"] == target.user_id]
    if len(books) > 1:
        raise ClientError(
            f"{_whose(target)} {len(books)} books: choose the one to update with --book ID"
        )
    return str(books[0]["id"]) if books else None


def profile_table(book: JSON) -> Table:
    """A book's profile as a name/value table."""
    rows = [(name, book.get(name)) for name in PROFILE_FIELDS]
    reviews = book.get("reviews") or []
    rows.insert(
        -1, ("reviews", [f"{r['text']} ({r.get('source') or 'no source'})" for r in reviews])
    )
    return output.fields_table(rows, title=book.get("title"))


def _whose(target: Target) -> str:
    return f"User {target.user_id} has" if target.user_id else "You have"
