"""Engagement: readings of a post's figures, and the post's latest figures.

Every reading (read from the post's platform, imported, or counted) is kept as a `MetricReading`
row, and the post's latest figures (`Post.metrics`, `metrics_updated_at`) are folded from them:
each figure is that of the most recent reading that gave it, so readings may arrive in any
order (an imported history, say) and a reading without a figure keeps the one known before.
The figures have stable names (`FIGURES`); each platform's own names are mapped to them by
`platform_figures`, and so are the names `Post.metrics` held before readings were kept.

A reading's source is `platform` (read from the post's network), `import` (the API or a CSV
file) or `clicks`: the clicks counted on bookagent's own short links, recorded by
`domain.short_links.refresh_counted_clicks` when the post's figures are read and the count is
above its `clicks` figure, so a count never lowers a larger figure read or imported, and the
two are never added up.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bookagent.db.models import MetricReading
from bookagent.db.models import Post
from bookagent.errors import ConflictError
from bookagent.errors import InvalidInputError
from bookagent.isotime import iso
from bookagent.states import PostStatus

Figure = Literal["likes", "shares", "comments", "clicks", "impressions", "followers"]
#: The figures a reading may give, in the order tables show them.
FIGURES: tuple[Figure, ...] = ("likes", "shares", "comments", "clicks", "impressions", "followers")
Source = Literal["platform", "import", "clicks"]
SOURCES: tuple[Source, ...] = ("platform", "import", "clicks")
#: The largest figure a reading may hold (the columns are 32-bit integers).
MAX_FIGURE = 2**31 - 1
#: How far in the future a reading's time may be: the reader's clock may run a little ahead.
CLOCK_SKEW = timedelta(minutes=5)
#: A platform's names for its figures (as its publisher's `metrics` gives them, or as its API
#: names them) → the stable names. Several names of one figure add up (Bluesky's replies and
#: quotes are its comments); a name not listed here (X's bookmarks) is not kept.
PLATFORM_NAMES: dict[str, Figure] = {
    # Mastodon: favourites, reblogs, replies (MastodonPublisher says likes, reposts, replies).
    "favourites": "likes",
    "reblogs": "shares",
    # Bluesky: likes, reposts, replies and quotes; X: likes, retweets (reposts), replies, quotes
    # and impressions.
    "likes": "likes",
    "reposts": "shares",
    "retweets": "shares",
    "replies": "comments",
    "quotes": "comments",
    "impressions": "impressions",
    # The stable names themselves.
    "shares": "shares",
    "comments": "comments",
    "clicks": "clicks",
    "followers": "followers",
}
_QUERY_CHUNK = 500


@dataclass(frozen=True)
class Reading:
    """A checked reading: when it was read, and the figures it gives (None: not given)."""

    read_at: datetime
    likes: int | None = None
    shares: int | None = None
    comments: int | None = None
    clicks: int | None = None
    impressions: int | None = None
    followers: int | None = None

    def figures(self) -> dict[str, int]:
        """The figures given, by stable name."""
        values = {name: getattr(self, name) for name in FIGURES}
        return {name: value for name, value in values.items() if value is not None}


def figure_value(field: str, value: object) -> int | None:
    """A figure as an int (None when empty); InvalidInputError naming `field` otherwise.

    An int, or a text of digits (a CSV cell); not a bool, a fraction or a negative number.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        text = value.strip()
        digits = text.removeprefix("-")
        if digits.isascii() and digits.isdigit():
            if text.startswith("-"):
                raise InvalidInputError.for_field(field, "must be 0 or more")
            # Measured as text first: int() refuses a text of more than 4,300 digits.
            value = int(text) if len(text) <= len(str(MAX_FIGURE)) else MAX_FIGURE + 1
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError.for_field(field, "must be a whole number (0 or more)")
    if value < 0:
        raise InvalidInputError.for_field(field, "must be 0 or more")
    if value > MAX_FIGURE:
        raise InvalidInputError.for_field(field, f"must be at most {MAX_FIGURE:,}")
    return value


def reading_time(field: str, value: object, *, now: datetime) -> datetime:
    """When a reading was made: `now` when not given, else an ISO-8601 time (UTC without an
    offset) or date (its midnight, UTC) not later than `now` and a small clock skew."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return now
    when: datetime | None = None
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, date):
        when = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            when = None
    if when is None:
        raise InvalidInputError.for_field(
            field, "must be an ISO-8601 time such as 2026-12-01T09:30:00+00:00 (or a date)"
        )
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    if when > now + CLOCK_SKEW:
        raise InvalidInputError.for_field(field, f"is in the future ({iso(when)})")
    return when


def check_reading(
    figures: Mapping[str, object],
    *,
    read_at: object = None,
    now: datetime,
    time_field: str = "read_at",
) -> Reading:
    """A Reading from raw figures by stable name and a time; InvalidInputError naming the first
    field that is wrong, or `figures` when none is given."""
    unknown = sorted(set(figures) - set(FIGURES))
    if unknown:
        raise InvalidInputError.for_field(
            unknown[0], f"is not a figure; give any of {', '.join(FIGURES)}"
        )
    values = {name: figure_value(name, figures.get(name)) for name in FIGURES}
    if all(value is None for value in values.values()):
        raise InvalidInputError.for_field("figures", f"give at least one of {', '.join(FIGURES)}")
    return Reading(read_at=reading_time(time_field, read_at, now=now), **values)


def platform_figures(raw: Mapping[str, object]) -> dict[str, int]:
    """A platform's figures under the stable names; names not known, and values that are not
    counts, are left out."""
    figures: dict[str, int] = {}
    for name, value in raw.items():
        figure = PLATFORM_NAMES.get(name)
        if figure is None or isinstance(value, bool) or not isinstance(value, int) or value < 0:
            continue
        figures[figure] = figures.get(figure, 0) + value
    return figures


def platform_reading(raw: Mapping[str, object], *, now: datetime) -> Reading | None:
    """A reading made `now` of a platform's figures (`Publisher.metrics`), or None when it gives
    none that is kept; InvalidInputError for a figure out of range."""
    figures = platform_figures(raw)
    return check_reading(figures, now=now) if figures else None


def stable_metrics(metrics: Mapping[str, Any]) -> dict[str, Any]:
    """`Post.metrics` with the names it held before readings were kept (`reposts`, `replies`,
    `quotes`) under the stable ones; a stable name already there wins, other keys stay."""
    kept = {k: v for k, v in metrics.items() if k in FIGURES or k not in PLATFORM_NAMES}
    renamed = platform_figures({k: v for k, v in metrics.items() if k not in kept})
    return {**renamed, **kept}


def latest_figures(post: Post) -> dict[str, int]:
    """The post's latest figures by stable name, in `FIGURES` order."""
    metrics = stable_metrics(post.metrics or {})
    return {name: metrics[name] for name in FIGURES if isinstance(metrics.get(name), int)}


def require_published(post: Post) -> None:
    """ConflictError unless the post is published: only a post that went out has engagement."""
    if post.status != PostStatus.PUBLISHED:
        raise ConflictError(
            f"Post {post.id} is {post.status}, not published: engagement is recorded for "
            "published posts only."
        )


def record_reading(
    session: Session, post: Post, reading: Reading, *, source: Source
) -> MetricReading:
    """Store a reading of a published post and fold it into the post's latest figures."""
    require_published(post)
    if source not in SOURCES:
        raise InvalidInputError.for_field("source", f"must be one of {', '.join(SOURCES)}")
    row = MetricReading(
        post_id=post.id, read_at=reading.read_at, source=source, **reading.figures()
    )
    session.add(row)
    session.flush()
    refresh_latest(session, [post])
    return row


def refresh_latest(session: Session, posts: Iterable[Post]) -> None:
    """Fold each post's readings, oldest first, into its latest figures and their time."""
    by_id = {post.id: post for post in posts}
    ids = list(by_id)
    for start in range(0, len(ids), _QUERY_CHUNK):
        chunk = ids[start : start + _QUERY_CHUNK]
        folded: dict[str, dict[str, Any]] = {
            post_id: stable_metrics(by_id[post_id].metrics or {}) for post_id in chunk
        }
        newest: dict[str, datetime] = {}
        rows = session.execute(
            select(MetricReading.post_id, MetricReading.read_at, *_figure_columns())
            .where(MetricReading.post_id.in_(chunk))
            .order_by(MetricReading.read_at, MetricReading.created_at, MetricReading.id)
        )
        for post_id, read_at, *values in rows:
            for name, value in zip(FIGURES, values, strict=True):
                if value is not None:
                    folded[post_id][name] = value
            newest[post_id] = read_at
        for post_id in chunk:
            post = by_id[post_id]
            post.metrics = folded[post_id]
            if post_id in newest:
                current = post.metrics_updated_at
                post.metrics_updated_at = (
                    max(current, newest[post_id]) if current else newest[post_id]
                )


def history(session: Session, post_id: str) -> list[MetricReading]:
    """The post's readings, oldest first."""
    return list(
        session.scalars(
            select(MetricReading)
            .where(MetricReading.post_id == post_id)
            .order_by(MetricReading.read_at, MetricReading.created_at, MetricReading.id)
        )
    )


def reading_to_dict(row: MetricReading) -> dict[str, Any]:
    """A reading as API.md shows it: a figure not given is null."""
    return {
        "id": row.id,
        "post_id": row.post_id,
        "read_at": iso(row.read_at),
        "source": row.source,
        **{name: getattr(row, name) for name in FIGURES},
        "created_at": iso(row.created_at),
    }


def _figure_columns() -> list[Any]:
    return [getattr(MetricReading, name) for name in FIGURES]
