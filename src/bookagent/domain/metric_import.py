"""Importing engagement readings from CSV text: all rows or none.

The first line names the columns: `post` (a post's id, the `published_url` it was published at,
or the address of its page on Mastodon, X or Bluesky), the figures (`likes`, `shares`,
`comments`, `clicks`, `impressions`, `followers`; an empty cell is a figure not given) and
`at` (when the figures were read; empty: now), in any order. Every row is checked, and its post
found, before anything is stored: any bad row fails the whole import with one problem per bad
row (its line, field and what is wrong), so a file can be fixed and sent again as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import Select
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import Session

from bookagent.db.models import MetricReading
from bookagent.db.models import Post
from bookagent.domain.engagement import FIGURES
from bookagent.domain.engagement import Reading
from bookagent.domain.engagement import check_reading
from bookagent.domain.engagement import refresh_latest
from bookagent.domain.identity import Caller
from bookagent.errors import FieldError
from bookagent.errors import InvalidInputError
from bookagent.platforms.post_urls import remote_id_from_url
from bookagent.states import PostStatus

#: The columns a file may have; `read_at` is another name for `at`.
COLUMNS = ("post", *FIGURES, "at")
_ALIASES = {"read_at": "at"}
#: The most data rows one import takes (the body limit of the API also applies).
MAX_IMPORT_ROWS = 10_000
#: The longest CSV text one import takes, in characters.
MAX_IMPORT_CHARS = 2_000_000
#: The platforms whose post pages name the post's remote id (see `platforms.post_urls`).
_URL_PLATFORMS = ("mastodon", "twitter", "bluesky")
_BLUESKY_POST = "/app.bsky.feed.post/"
_QUERY_CHUNK = 500


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one line of the file."""

    line: int
    field: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """As API.md's import error lists it."""
        return {"line": self.line, "field": self.field, "message": self.message}


class ImportRowsError(InvalidInputError):
    """Rows of the file are not valid; nothing was imported."""

    code = "invalid_rows"

    def __init__(self, problems: list[RowProblem]) -> None:
        lines = ", ".join(str(p.line) for p in problems[:10]) + (
            ", ..." if len(problems) > 10 else ""
        )
        noun = "row is" if len(problems) == 1 else "rows are"
        super().__init__(
            f"{len(problems)} {noun} not valid (line {lines}); nothing was imported.",
            details=[FieldError(p.field, f"line {p.line}: {p.message}") for p in problems],
            extra={"errors": [p.to_dict() for p in problems]},
        )
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    """What an import stored: how many readings, for how many posts."""

    imported: int
    posts: int


@dataclass(frozen=True)
class _Row:
    line: int
    post_ref: str
    reading: Reading


def import_readings(session: Session, caller: Caller, text: str, *, now: datetime) -> ImportResult:
    """Check every row of `text` and find its post; store them all (source `import`) and update
    the posts' latest figures, or raise ImportRowsError and store nothing."""
    if len(text) > MAX_IMPORT_CHARS:
        raise InvalidInputError.for_field(
            "csv", f"is longer than {MAX_IMPORT_CHARS:,} characters: import it in parts"
        )
    rows, problems = _parse(text.removeprefix("\ufeff"), now)
    found = _find_posts(session, caller, {row.post_ref for row in rows})
    good: list[tuple[_Row, Post]] = []
    for row in rows:
        post = found.get(row.post_ref)
        if isinstance(post, Post):
            good.append((row, post))
        else:
            problems.append(RowProblem(row.line, "post", post or "names no post"))
    if problems:
        raise ImportRowsError(sorted(problems, key=lambda p: p.line))
    if not good:
        raise InvalidInputError.for_field("csv", "has no rows: one line of figures per reading")
    session.execute(
        insert(MetricReading),
        [
            {
                "post_id": post.id,
                "read_at": row.reading.read_at,
                "source": "import",
                # Rows of one post and time keep the file's order: the later line is the latest.
                "created_at": now + timedelta(microseconds=index),
                **row.reading.figures(),
            }
            for index, (row, post) in enumerate(good)
        ],
    )
    posts = {post.id: post for _, post in good}
    refresh_latest(session, posts.values())
    return ImportResult(imported=len(good), posts=len(posts))


def _parse(text: str, now: datetime) -> tuple[list[_Row], list[RowProblem]]:
    """The file's rows, checked, and one problem for each bad one (a bad header: only that)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportRowsError([RowProblem(1, "csv", str(exc))]) from None
    if header is None or not any(cell.strip() for cell in header):
        raise InvalidInputError.for_field(
            "csv", f"is empty: its first line names the columns ({','.join(COLUMNS)})"
        )
    columns = _columns(header)
    rows: list[_Row] = []
    problems: list[RowProblem] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) + len(problems) >= MAX_IMPORT_ROWS:
                raise InvalidInputError.for_field(
                    "csv", f"has more than {MAX_IMPORT_ROWS:,} rows: import it in parts"
                )
            row = _row(reader.line_num, columns, cells, now)
            if isinstance(row, RowProblem):
                problems.append(row)
            else:
                rows.append(row)
    except csv.Error as exc:
        problems.append(RowProblem(reader.line_num, "csv", str(exc)))
    return rows, problems


def _columns(header: list[str]) -> list[str]:
    """The header's column names; ImportRowsError (line 1) for an unknown, repeated or missing
    one. Empty names at the end (a spreadsheet's trailing commas) are dropped."""
    names = [_ALIASES.get(n, n) for n in (cell.strip().lower() for cell in header)]
    while names and not names[-1]:
        names.pop()
    problem = None
    unknown = [name for name in names if name not in COLUMNS]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if unknown:
        problem = RowProblem(1, unknown[0] or "csv", f"is not a column; use {','.join(COLUMNS)}")
    elif repeated:
        problem = RowProblem(1, repeated[0], "is named twice in the header")
    elif "post" not in names:
        problem = RowProblem(1, "post", "the header has no post column (a post id or URL)")
    if problem is not None:
        raise ImportRowsError([problem])
    return names


def _row(line: int, columns: list[str], cells: list[str], now: datetime) -> _Row | RowProblem:
    """One data row, checked: a _Row, or its first problem."""
    if any(cell.strip() for cell in cells[len(columns) :]):
        return RowProblem(line, "csv", f"has {len(cells)} cells; the header names {len(columns)}")
    values = dict(zip(columns, [cell.strip() for cell in cells], strict=False))
    post_ref = values.pop("post", "")
    if not post_ref:
        return RowProblem(line, "post", "is empty: give the post's id or its URL")
    at = values.pop("at", "")
    try:
        reading = check_reading(values, read_at=at, now=now, time_field="at")
    except InvalidInputError as exc:
        first = exc.details[0] if exc.details else FieldError("csv", exc.message)
        return RowProblem(line, first.field, first.message)
    return _Row(line, post_ref, reading)


def _find_posts(session: Session, caller: Caller, refs: set[str]) -> dict[str, Post | str]:
    """Each reference's post (published, and the caller's), or why there is none."""
    found: dict[str, Post | str] = {}
    urls = {ref for ref in refs if ref.lower().startswith(("http://", "https://"))}
    for posts in _chunks(Post.id, refs - urls, caller, session):
        for post in posts:
            found[post.id] = post
    for ref in refs - urls:
        found.setdefault(ref, f"no post with id {ref!r} (give a post's id or its URL)")
    by_url: dict[str, list[Post]] = {}
    for posts in _chunks(Post.published_url, urls, caller, session):
        for post in posts:
            by_url.setdefault(str(post.published_url), []).append(post)
    for url in urls:
        found[url] = _one_post(by_url.get(url) or _posts_at_page(session, caller, url))
    return {ref: _published(post) for ref, post in found.items()}


def _one_post(posts: list[Post]) -> Post | str:
    if not posts:
        return "no published post at that address"
    if len({post.id for post in posts}) > 1:
        return f"names {len(posts)} posts; give the post's id instead"
    return posts[0]


def _published(post: Post | str) -> Post | str:
    if isinstance(post, Post) and post.status != PostStatus.PUBLISHED:
        return f"post {post.id} is {post.status}, not published"
    return post


def _posts_at_page(session: Session, caller: Caller, url: str) -> list[Post]:
    """The caller's posts whose page on their network is at `url` (by the remote id in it)."""
    posts: list[Post] = []
    for platform in _URL_PLATFORMS:
        remote_id = remote_id_from_url(platform, url)
        if remote_id is None:
            continue
        statement = _posts_of(caller).where(Post.platform == platform)
        if platform == "bluesky":
            # The page names the account by handle, the remote id (an AT URI) by DID.
            rkey = remote_id.rsplit(_BLUESKY_POST, 1)[-1]
            statement = statement.where(Post.remote_id.endswith(_BLUESKY_POST + rkey))
        else:
            statement = statement.where(Post.remote_id == remote_id)
        posts += session.scalars(statement.limit(2))
    return posts


def _chunks(
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    values: Iterable[str],
    caller: Caller,
    session: Session,
) -> Iterator[list[Post]]:
    """The caller's posts whose `column` is one of `values`, a chunk of values at a time."""
    ordered = sorted(values)
    for start in range(0, len(ordered), _QUERY_CHUNK):
        chunk = ordered[start : start + _QUERY_CHUNK]
        yield list(session.scalars(_posts_of(caller).where(column.in_(chunk))))


def _posts_of(caller: Caller) -> Select[Post]:
    """Posts the caller may see: all for an admin, else the caller's own."""
    statement = select(Post)
    return statement if caller.is_admin else statement.where(Post.user_id == caller.user_id)
