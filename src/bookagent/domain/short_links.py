"""Short links and their clicks, and link tracking at publish time (what reads the database).

- **At publish time** (`track_links`): the post's book links are tracked as
  `domain.link_tracking` decides, from the book's links and title and its agent settings'
  `link_tracking`. A short link is made once per post and destination (`short_codes`: get or
  create), so every retry of a post sends the same text. A post with no link costs nothing
  here: no query is made.
- **A click** (`follow`): `/l/<code>` answers 302 to the link's destination and stores one
  `link_clicks` row, its time and nothing else (no address, no User-Agent, no cookie), unless
  the visitor is a bot (`link_tracking.is_bot`) or the request is a HEAD.
- **Clicks in the figures** (`refresh_counted_clicks`): when a post's figures are read (GET
  `/api/posts/<id>/metrics`, the daily routine's metrics step, the weekly report), the clicks
  counted on its short links are recorded as a reading (source `clicks`, read now) whenever
  their number is above the post's `clicks` figure. So counted clicks and clicks read from a
  platform or imported are never added together (both count clicks on the same links): the
  post's `clicks` is the larger of the count and the figure last read or imported.
- **Old clicks** go with the daily prune (`domain.retention`), which adds their number to their
  link's `pruned_clicks`: the count is the rows left plus that, so it never drops.
"""

from __future__ import annotations

import logging
import re
import secrets
import string
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bookagent.db.models import AutonomousState
from bookagent.db.models import Book
from bookagent.db.models import LinkClick
from bookagent.db.models import Post
from bookagent.db.models import ShortLink
from bookagent.db.session import Database
from bookagent.domain import engagement
from bookagent.domain import link_tracking
from bookagent.domain.link_tracking import LinkTracking
from bookagent.domain.ports import PublishRequest
from bookagent.domain.urls import is_http_url
from bookagent.errors import ConflictError
from bookagent.errors import ProviderUnavailable
from bookagent.platforms.rules import PlatformRules
from bookagent.states import PostStatus

log = logging.getLogger(__name__)

#: A code's characters: letters and digits (URL-safe, and a link's end everywhere: no platform
#: drops a final letter or digit from a link as it may a `-` or `_`).
CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 8
#: What `/l/<code>` accepts before looking anything up (the column holds up to 16 characters).
_CODE = re.compile(r"[A-Za-z0-9]{1,16}")
_NEW_CODE_TRIES = 5
_QUERY_CHUNK = 500


def new_code() -> str:
    """A fresh code: 8 characters from `secrets` over 62 (about 2 × 10^14 codes)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def is_code(value: str) -> bool:
    """Whether `value` has the shape of a code (anything else is not looked up)."""
    return _CODE.fullmatch(value) is not None


def short_codes(session: Session, post_id: str, urls: Sequence[str]) -> dict[str, str]:
    """The code of each destination's short link for the post: the one made before (the oldest,
    should there be two), else a new one."""
    wanted = list(dict.fromkeys(urls))
    codes: dict[str, str] = {}
    rows = session.execute(
        select(ShortLink.url, ShortLink.code)
        .where(ShortLink.post_id == post_id, ShortLink.url.in_(wanted))
        .order_by(ShortLink.created_at, ShortLink.code)
    )
    for url, code in rows:
        codes.setdefault(url, code)
    for url in wanted:
        if url in codes:
            continue
        for _ in range(_NEW_CODE_TRIES):
            code = new_code()
            try:
                with session.begin_nested():
                    session.add(ShortLink(code=code, post_id=post_id, url=url))
                    session.flush()
            except IntegrityError:  # the code is taken: draw another
                continue
            codes[url] = code
            break
        else:  # pragma: no cover - 5 collisions in 2 × 10^14 codes
            raise ConflictError("Could not make a short link: every code drawn was taken.")
    return codes


def track_links(
    db: Database,
    request: PublishRequest,
    *,
    rules_of: Callable[[str], PlatformRules],
    public_url: str | None,
) -> PublishRequest:
    """The request with its book links tracked (see `domain.link_tracking`); the request
    itself when it has no link, or none is tracked.

    A database error becomes ProviderUnavailable: nothing was sent, so the post is tried again
    later, and every text that goes out is tracked alike.
    """
    if not request.links and link_tracking.pin_link(request) is None:
        return request
    rules = rules_of(request.platform)
    try:
        with db.session() as session:
            row = session.execute(
                select(Book.title, Book.links, AutonomousState.settings)
                .outerjoin(AutonomousState, AutonomousState.book_id == Book.id)
                .where(Book.id == request.book_id)
            ).first()
            if row is None:
                return request
            title, links, settings = row
            tracking = _tracking(request.book_id, settings)
            plans = link_tracking.plan_links(
                request,
                book_links=links or {},
                title=title,
                tracking=tracking,
                links_clickable=rules.links_clickable,
            )
            base = (public_url or "").strip()
            if tracking.short_links and not base:
                log.warning(
                    "short links are on for book_id=%s but BOOKAGENT_WEB__PUBLIC_URL is unset: "
                    "post_id=%s goes out with UTM tags only",
                    request.book_id,
                    request.post_id,
                )
            elif tracking.short_links and plans:
                plans = link_tracking.shortened(
                    plans, lambda urls: short_codes(session, request.post_id, urls), base
                )
    except (SQLAlchemyError, ConflictError) as exc:
        raise ProviderUnavailable(
            f"Link tracking could not read the database ({type(exc).__name__}); nothing was sent."
        ) from exc
    return link_tracking.track(request, plans, rules)


def _tracking(book_id: str, settings: Any) -> LinkTracking:
    """The book's stored `link_tracking` settings; the defaults (and a warning) for any that no
    longer validate, so a publish never fails on them."""
    stored = settings.get("link_tracking") if isinstance(settings, dict) else None
    try:
        return LinkTracking.model_validate(stored or {})
    except ValidationError:
        log.warning("book_id=%s: stored link_tracking settings are invalid; defaults used", book_id)
        return LinkTracking()


def follow(session: Session, code: str, *, count: bool, now: datetime) -> str | None:
    """Where a short link leads (None for an unknown code, or a destination that is not an
    http(s) URL); with `count`, one click is stored: its time only."""
    if not is_code(code):
        return None
    url = session.scalar(select(ShortLink.url).where(ShortLink.code == code))
    if url is None or not is_http_url(url):
        return None
    if count:
        session.add(LinkClick(code=code, clicked_at=now))
    return url


def clicks_by_post(session: Session, post_ids: Iterable[str]) -> dict[str, int]:
    """The clicks counted on each post's short links, those the retention prune took out of
    `link_clicks` included (posts without any are left out)."""
    ids = list(dict.fromkeys(post_ids))
    counts: Counter[str] = Counter()
    for start in range(0, len(ids), _QUERY_CHUNK):
        chunk = ids[start : start + _QUERY_CHUNK]
        rows = session.execute(
            select(ShortLink.post_id, func.count(LinkClick.id))
            .join(LinkClick, LinkClick.code == ShortLink.code)
            .where(ShortLink.post_id.in_(chunk))
            .group_by(ShortLink.post_id)
        )
        counts.update({post_id: int(count) for post_id, count in rows})
        pruned = session.execute(
            select(ShortLink.post_id, func.sum(ShortLink.pruned_clicks))
            .where(ShortLink.post_id.in_(chunk), ShortLink.pruned_clicks > 0)
            .group_by(ShortLink.post_id)
        )
        counts.update({post_id: int(count) for post_id, count in pruned})
    return dict(counts)


def short_links_by_post(session: Session, post_ids: Iterable[str]) -> dict[str, int]:
    """How many short links each post has (posts without any are left out)."""
    ids = list(dict.fromkeys(post_ids))
    counts: dict[str, int] = {}
    for start in range(0, len(ids), _QUERY_CHUNK):
        rows = session.execute(
            select(ShortLink.post_id, func.count())
            .where(ShortLink.post_id.in_(ids[start : start + _QUERY_CHUNK]))
            .group_by(ShortLink.post_id)
        )
        counts.update({post_id: int(count) for post_id, count in rows})
    return counts


def refresh_counted_clicks(session: Session, posts: Iterable[Post], now: datetime) -> int:
    """Record a reading (source `clicks`, read `now`) of the clicks counted on each published
    post's short links where they are more than its `clicks` figure; returns how many were
    recorded. A post nobody clicked gets no reading."""
    published = [post for post in posts if post.status == PostStatus.PUBLISHED]
    counted = clicks_by_post(session, (post.id for post in published))
    recorded = 0
    for post in published:
        clicks = counted.get(post.id, 0)
        if clicks <= 0 or clicks <= engagement.latest_figures(post).get("clicks", -1):
            continue
        reading = engagement.Reading(read_at=now, clicks=min(clicks, engagement.MAX_FIGURE))
        engagement.record_reading(session, post, reading, source="clicks")
        recorded += 1
    return recorded


def refresh_book_clicks(session: Session, book_id: str, now: datetime) -> int:
    """`refresh_counted_clicks` for every post of the book that has a counted click."""
    post_ids = session.scalars(
        select(ShortLink.post_id)
        .join(Post, Post.id == ShortLink.post_id)
        .where(
            Post.book_id == book_id,
            Post.status == PostStatus.PUBLISHED,
            or_(
                ShortLink.pruned_clicks > 0,
                exists().where(LinkClick.code == ShortLink.code),
            ),
        )
        .distinct()
    )
    ids = list(post_ids)
    if not ids:
        return 0
    posts: list[Post] = []
    for start in range(0, len(ids), _QUERY_CHUNK):
        posts += session.scalars(select(Post).where(Post.id.in_(ids[start : start + _QUERY_CHUNK])))
    return refresh_counted_clicks(session, posts, now)
