"""The post pages: generating drafts, the approval queue, and the publishing schedule."""

from __future__ import annotations

from datetime import UTC
from datetime import timedelta
from itertools import groupby
from typing import Any

from flask import request

from bookagent.db.base import utcnow
from bookagent.domain import autonomous as agent
from bookagent.domain import learning_store
from bookagent.domain import posts as ops
from bookagent.domain.assets import find_asset
from bookagent.domain.best_times import BestTimes
from bookagent.domain.categories import POST_TYPES
from bookagent.domain.media import media_of
from bookagent.domain.media import media_violations
from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.web.api.assets import asset_to_dict
from bookagent.web.api.media import media_url
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.dashboard.formatting import parse_time
from bookagent.web.dashboard.formatting import unit_label
from bookagent.web.dashboard.formatting import zone
from bookagent.web.dashboard.page import choose_book
from bookagent.web.dashboard.page import render_page

APPROVALS_PER_PAGE = 20
SCHEDULE_PAST_DAYS = 7
SCHEDULE_FUTURE_DAYS = 28
SCHEDULE_LIMIT = 1000


def generate_page() -> str:
    """The generation form; the page's script submits it and follows the task's progress."""
    svc = services()
    with svc.db.session() as session:
        books, book = choose_book(session, caller())
    return render_page(
        "generate.html",
        title="Generate posts",
        books=books,
        book=book,
        platforms=SUPPORTED_PLATFORMS,
        post_types=POST_TYPES,
        default_writer=svc.settings.writers.default,
        sync_threshold=svc.settings.writers.sync_threshold,
    )


def approvals_page() -> str:
    """The current book's pending posts, oldest first, each with its platform's limit, its
    images and what they break of the platform's media rules; and the book's cover, which
    a post may take."""
    svc, who = services(), caller()
    cursor = request.args.get("cursor") or None
    posts: list[dict[str, Any]] = []
    next_cursor = None
    cover = None
    with svc.db.session() as session:
        books, book = choose_book(session, who)
        if book is not None:
            filters = ops.PostFilter(book_id=book.id, status=ops.PENDING)
            page = ops.list_posts(session, who, filters, limit=APPROVALS_PER_PAGE, cursor=cursor)
            posts = [ops.post_to_dict(p) for p in page.posts]
            next_cursor = page.next_cursor
            found = find_asset(book, "cover")
            cover = asset_to_dict(book.id, found) if found is not None else None
    for post in posts:
        rules = svc.rules(post["platform"])
        post["unit"], post["unit_label"] = rules.unit, unit_label(rules.unit)
        post["limit"] = post["limit"] or rules.max_length
        post["requires_media"] = rules.requires_media
        problems = media_violations(rules, media_of(post["media"]))
        post["media_problems"] = [problem.message for problem in problems]
        post["media"] = [
            {**item, "url": media_url(post["id"], index)}
            for index, item in enumerate(post["media"])
        ]
    return render_page(
        "approvals.html",
        title="Approvals",
        books=books,
        book=book,
        posts=posts,
        cover=cover,
        cursor=cursor,
        next_cursor=next_cursor,
    )


def schedule_page() -> str:
    """Published and upcoming posts of the current book, by day in the book's timezone, and the
    best times to post on each platform (learned or default)."""
    svc, who = services(), caller()
    now = utcnow()
    offset = _int_arg("weeks", 0, -520, 520)
    start = now - timedelta(days=SCHEDULE_PAST_DAYS) + timedelta(weeks=offset)
    end = now + timedelta(days=SCHEDULE_FUTURE_DAYS) + timedelta(weeks=offset)
    rows: list[dict[str, Any]] = []
    best_times: list[BestTimes] = []
    with svc.db.session() as session:
        books, book = choose_book(session, who)
        if book is not None:
            settings = agent.agent_settings(agent.load_state(session, book.id))
            best_times = learning_store.best_times_by_platform(session, book, settings, now)
            rows = ops.schedule_rows(
                session,
                who,
                user_id=None,
                book_id=book.id,
                start=start,
                end=end,
                limit=SCHEDULE_LIMIT,
            )
    timezone = zone(book.timezone if book else None)
    for row in rows:
        moment = parse_time(row["published_at"] or row["scheduled_time"]) or now
        row["when"] = moment
        row["is_upcoming"] = row["published_at"] is None and moment >= now
    days = [
        (day, list(items))
        for day, items in groupby(rows, key=lambda r: r["when"].astimezone(timezone).date())
    ]
    return render_page(
        "schedule.html",
        title="Schedule",
        books=books,
        book=book,
        days=days,
        today=now.astimezone(timezone).date(),
        window_start=start.astimezone(UTC),
        window_end=end.astimezone(UTC),
        weeks=offset,
        timezone_name=str(timezone),
        best_times=best_times,
    )


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        return default
    return max(low, min(high, value))
