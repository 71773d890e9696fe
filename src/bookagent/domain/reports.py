"""The weekly report: what went out, what worked and failed, and next week's plan.

`build_report` computes every figure from the database for one book and one local week (Monday
to Monday in the author's timezone); `store_report` keeps it once per book per week (a unique
key; a rebuild replaces the data). Suggestions are derived from the figures, not boilerplate.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bookagent.db.base import utcnow
from bookagent.db.models import Book
from bookagent.db.models import Post
from bookagent.db.models import Report
from bookagent.db.models import SchedulerOutage
from bookagent.db.models import TaskRecord
from bookagent.domain import learning_store
from bookagent.domain import short_links
from bookagent.domain.autonomous import agent_settings
from bookagent.domain.autonomous import book_zone
from bookagent.domain.autonomous import load_state
from bookagent.domain.autonomous import week_start
from bookagent.domain.engagement import latest_figures
from bookagent.domain.generation import budget_status
from bookagent.domain.scheduling import local_day_bounds
from bookagent.domain.scheduling import localize
from bookagent.errors import InvalidInputError
from bookagent.states import PostStatus
from bookagent.states import TaskState

FUNNEL = ("generated", "approved", "rejected", "published", "failed", "unconfirmed")
TOP_POSTS = 3


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(min(rank, len(ordered))) - 1]


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def default_week(book: Book, now: datetime) -> date:
    """The last complete local week (its Monday)."""
    today = now.astimezone(book_zone(book)).date()
    return week_start(today) - timedelta(days=7)


def _in(column: Any, start: datetime, end: datetime) -> Any:
    return column.is_not(None) & (column >= start) & (column < end)


def _platform_table(
    session: Session, book_id: str, start: datetime, end: datetime
) -> dict[str, dict[str, Any]]:
    rows = list(session.scalars(select(Post).where(Post.book_id == book_id)))
    table: dict[str, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(FUNNEL, 0))

    def within(moment: datetime | None) -> bool:
        return moment is not None and start <= moment < end

    for post in rows:
        counts = table[post.platform]
        counts["generated"] += within(post.created_at)
        counts["approved"] += within(post.approved_at)
        counts["rejected"] += post.status == PostStatus.REJECTED and within(post.updated_at)
        counts["published"] += post.status == PostStatus.PUBLISHED and within(post.published_at)
        counts["failed"] += post.status == PostStatus.FAILED and within(post.updated_at)
        counts["unconfirmed"] += post.status == PostStatus.UNCONFIRMED and within(post.updated_at)
    result = {}
    for platform, counts in sorted(table.items()):
        if not any(counts.values()):
            continue
        decided = counts["approved"] + counts["rejected"]
        attempted = counts["published"] + counts["failed"] + counts["unconfirmed"]
        result[platform] = {
            **counts,
            "approval_rate": _ratio(counts["approved"], decided),
            "publish_success_rate": _ratio(counts["published"], attempted),
        }
    return result


def _posts_per_day(
    session: Session, book_id: str, start_day: date, book: Book
) -> dict[str, dict[str, int]]:
    zone = book_zone(book)
    days = [start_day + timedelta(days=i) for i in range(7)]
    result: dict[str, dict[str, int]] = {}
    start, _ = local_day_bounds(days[0], zone)
    _, end = local_day_bounds(days[-1], zone)
    for post in session.scalars(
        select(Post).where(Post.book_id == book_id, _in(Post.published_at, start, end))
    ):
        assert post.published_at is not None
        day = post.published_at.astimezone(zone).date().isoformat()
        result.setdefault(post.platform, {d.isoformat(): 0 for d in days})[day] += 1
    return result


#: Figures that measure how many saw a post or follow its author, not how many engaged with it.
REACH_KEYS = frozenset({"impressions", "followers", "views", "reach"})


def _engagement(session: Session, book_id: str, start: datetime, end: datetime) -> dict[str, Any]:
    posts = [
        p
        for p in session.scalars(
            select(Post).where(Post.book_id == book_id, _in(Post.published_at, start, end))
        )
        if p.metrics
    ]
    if not posts:
        return {"known": False, "total": 0, "by_platform": {}, "top_posts": []}
    by_platform: dict[str, int] = defaultdict(int)
    scored = []
    for post in posts:
        # Interactions only: impressions and followers measure reach, not engagement (a post
        # seen by many and liked by none is not a top post). Older keys (favourites, reposts,
        # replies, quotes) are what the platforms called the same interactions.
        score = sum(
            int(value)
            for key, value in post.metrics.items()
            if key not in REACH_KEYS and isinstance(value, int | float)
        )
        by_platform[post.platform] += score
        scored.append((score, post))
    scored.sort(key=lambda item: (-item[0], item[1].id))
    return {
        "known": True,
        "total": sum(by_platform.values()),
        "by_platform": dict(sorted(by_platform.items())),
        "top_posts": [
            {
                "post_id": p.id,
                "platform": p.platform,
                "post_type": p.post_type,
                "engagement": score,
                "metrics": p.metrics,
                "url": p.published_url,
                "content": p.content,
            }
            for score, p in scored[:TOP_POSTS]
        ],
    }


#: How much of a post's text a table of the report shows.
EXCERPT_CHARS = 120


def _clicks(session: Session, book_id: str, start: datetime, end: datetime) -> dict[str, Any]:
    """Clicks per post published in the week: the post's `clicks` figure (counted on its short
    links, read or imported, whichever is larger as of its latest reading) and the clicks
    counted on its short links, for every post that has either; most clicked first."""
    posts = list(
        session.scalars(
            select(Post).where(
                Post.book_id == book_id,
                Post.status == PostStatus.PUBLISHED,
                _in(Post.published_at, start, end),
            )
        )
    )
    ids = [post.id for post in posts]
    counted = short_links.clicks_by_post(session, ids)
    shortened = short_links.short_links_by_post(session, ids)
    rows: list[dict[str, Any]] = []
    for post in posts:
        figure = latest_figures(post).get("clicks")
        if figure is None and post.id not in shortened:
            continue
        rows.append(
            {
                "post_id": post.id,
                "platform": post.platform,
                "post_type": post.post_type,
                "clicks": figure or 0,
                "counted": counted.get(post.id, 0),
                "short_links": shortened.get(post.id, 0),
                "url": post.published_url,
                "content": post.content[:EXCERPT_CHARS],
            }
        )
    rows.sort(key=lambda row: (-row["clicks"], -row["counted"], row["post_id"]))
    return {
        "known": bool(rows),
        "total": sum(row["clicks"] for row in rows),
        "counted": sum(row["counted"] for row in rows),
        "posts": rows,
    }


def _task_health(session: Session, user_id: str, start: datetime, end: datetime) -> dict[str, Any]:
    rows = session.execute(
        select(
            TaskRecord.name, TaskRecord.status, TaskRecord.started_at, TaskRecord.finished_at
        ).where(
            (TaskRecord.user_id == user_id) | TaskRecord.user_id.is_(None),
            _in(TaskRecord.created_at, start, end),
        )
    )
    by_name: dict[str, dict[str, Any]] = {}
    durations: dict[str, list[float]] = defaultdict(list)
    for name, status, started, finished in rows:
        entry = by_name.setdefault(name, {"count": 0, "failed": 0})
        entry["count"] += 1
        entry["failed"] += status == TaskState.FAILURE
        if started is not None and finished is not None:
            durations[name].append((finished - started).total_seconds())
    for name, entry in by_name.items():
        entry["p50_duration_s"] = percentile(durations[name], 50)
        entry["p95_duration_s"] = percentile(durations[name], 95)
    down = timedelta()
    for outage in session.scalars(
        select(SchedulerOutage).where(
            SchedulerOutage.ended_at > start, SchedulerOutage.started_at < end
        )
    ):
        down += min(outage.ended_at, end) - max(outage.started_at, start)
    return {
        "by_name": dict(sorted(by_name.items())),
        "scheduler_down_s": round(down.total_seconds(), 1),
    }


def _spend(
    session: Session, book_id: str, start: datetime, end: datetime, budget_usd: float | None
) -> dict[str, Any]:
    week = float(
        session.scalar(
            select(func.coalesce(func.sum(Post.cost_usd), 0.0)).where(
                Post.book_id == book_id, _in(Post.created_at, start, end)
            )
        )
        or 0.0
    )
    month = budget_status(session, budget_usd, end - timedelta(microseconds=1))
    return {
        "week_usd": round(week, 6),
        "month_to_date_usd": month["spent_usd"],
        "monthly_budget_usd": budget_usd,
        "budget_remaining_usd": month["remaining_usd"],
    }


def _next_week(session: Session, book: Book, end: datetime) -> dict[str, Any]:
    zone = book_zone(book)
    settings = agent_settings(load_state(session, book.id))
    plan_end = end + timedelta(days=7)
    planned = session.scalars(
        select(Post)
        .where(
            Post.book_id == book.id,
            Post.status == PostStatus.SCHEDULED,
            _in(Post.scheduled_time, end, plan_end),
        )
        .order_by(Post.scheduled_time)
    )
    slots = [
        {
            "platform": p.platform,
            "post_id": p.id,
            "post_type": p.post_type,
            "local_time": p.scheduled_time.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")
            if p.scheduled_time
            else None,
        }
        for p in planned
    ]
    return {
        "scheduled": slots,
        "posts_per_day": settings.posts_per_day,
        "pending_approval": int(
            session.scalar(
                select(func.count())
                .select_from(Post)
                .where(Post.book_id == book.id, Post.status == PostStatus.PENDING_APPROVAL)
            )
            or 0
        ),
    }


def suggestions(report: dict[str, Any]) -> list[str]:
    """Concrete advice from the figures; empty when there is nothing to say."""
    advice = []
    for platform, row in report["platforms"].items():
        decided = row["approved"] + row["rejected"]
        if decided >= 3 and (row["approval_rate"] or 0) < 0.5:
            advice.append(
                f"{platform}: {row['approved']} of {decided} approved, review the "
                "tone and post types you generate for it"
            )
        if row["failed"]:
            advice.append(
                f"{platform}: {row['failed']} failed publish(es); check the "
                "platform's credentials with /api/test-platform/" + platform
            )
        if row["unconfirmed"]:
            advice.append(
                f"{platform}: {row['unconfirmed']} unconfirmed post(s); check the "
                "platform before re-posting them by hand"
            )
    planned = {slot["platform"] for slot in report["next_week"]["scheduled"]}
    for platform, per_day in report["next_week"]["posts_per_day"].items():
        if per_day and platform not in planned:
            advice.append(
                f"{platform}: nothing scheduled next week although {per_day} a day "
                "is planned; approve pending posts or start the agent"
            )
    backlog = report["next_week"]["pending_approval"]
    if backlog >= 5:
        advice.append(f"{backlog} posts wait for approval")
    if report["engagement"]["known"] and report["engagement"]["top_posts"]:
        advice.extend(_best_post_advice(report))
    down_h = report["task_health"]["scheduler_down_s"] / 3600
    if down_h >= 0.1:
        advice.append(f"the scheduler was down for {down_h:.1f} h; check the worker and beat")
    budget = report["ai_spend"]
    if (
        budget["monthly_budget_usd"]
        and (budget["budget_remaining_usd"] or 0) <= 0.1 * budget["monthly_budget_usd"]
    ):
        advice.append("the AI budget is nearly used up for this month")
    return advice


def _best_post_advice(report: dict[str, Any]) -> list[str]:
    """What to do about the week's best post, given who chooses the platform's next post types.

    Where the learning plan chooses them, it already weighs this post with every other reading
    (the report's "what the agent learned" says how): "write more of that type", from one post,
    would contradict a plan that knows better. A pinned mix is the author's to change; with
    learning off, or on a platform the agent does not post to, the author writes the mix.
    """
    best = report["engagement"]["top_posts"][0]
    platform, kind = best["platform"], best["post_type"].replace("_", " ")
    plans = report.get("learning", {}).get("platforms", {})
    mode = plans.get(platform, {}).get("mode")
    if mode == "learned":
        return []
    if mode == "pinned":
        return [
            f"{platform}: the {kind} post did best; the pinned mix decides what is written "
            "next, so add that type to it to write more"
        ]
    if mode == "off":
        return [
            f"{platform}: the {kind} post did best; write more of that type, or turn learning "
            "on and the agent weighs every post's engagement for you"
        ]
    return [f"{platform}: the {kind} post did best; write more of that type"]


def build_report(
    session: Session, book: Book, week: date, *, budget_usd: float | None
) -> dict[str, Any]:
    """Every figure of one local week, plus the plan and suggestions."""
    if week.weekday() != 0:
        raise InvalidInputError.for_field("week_start", "must be a Monday")
    zone = book_zone(book)
    start = localize(week, datetime.min.time(), zone)
    end = localize(week + timedelta(days=7), datetime.min.time(), zone)
    # The clicks counted on the book's short links join its posts' figures first.
    short_links.refresh_book_clicks(session, book.id, utcnow())
    report: dict[str, Any] = {
        "book_id": book.id,
        "title": book.title,
        "period": {
            "week_start": week.isoformat(),
            "week_end": (week + timedelta(days=6)).isoformat(),
            "timezone": book.timezone,
            "start_utc": start.isoformat(),
            "end_utc": end.isoformat(),
        },
        "platforms": _platform_table(session, book.id, start, end),
        "posts_per_day": _posts_per_day(session, book.id, week, book),
        "engagement": _engagement(session, book.id, start, end),
        "clicks": _clicks(session, book.id, start, end),
        "task_health": _task_health(session, book.user_id, start, end),
        "ai_spend": _spend(session, book.id, start, end, budget_usd),
        "next_week": _next_week(session, book, end),
        # What the agent learned by the week's end, and the mix it plans for the next one.
        "learning": learning_store.report_section(
            session, book, agent_settings(load_state(session, book.id)), end
        ),
    }
    totals = dict.fromkeys(FUNNEL, 0)
    for row in report["platforms"].values():
        for key in FUNNEL:
            totals[key] += row[key]
    report["totals"] = totals
    report["empty"] = not any(totals.values())
    report["suggestions"] = suggestions(report)
    return report


def store_report(
    session: Session, book: Book, week: date, data: dict[str, Any], task_id: str | None
) -> Report:
    """Keep one report per book per week; a rebuild replaces the data."""
    query = select(Report).where(Report.book_id == book.id, Report.week_start == week)
    report = session.scalar(query)
    if report is None:
        try:
            with session.begin_nested():
                report = Report(
                    book_id=book.id,
                    user_id=book.user_id,
                    week_start=week,
                    data=data,
                    task_id=task_id,
                )
                session.add(report)
                session.flush()
            return report
        except IntegrityError:  # another worker stored this week first: update theirs
            report = session.scalar(query)
            assert report is not None
    report.data, report.task_id = data, task_id
    session.flush()
    return report
