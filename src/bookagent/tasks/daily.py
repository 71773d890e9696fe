"""The daily routine (`bookagent.run_daily`): evergreen repeats, top up, auto-approve, schedule,
publish, metrics.

Each step is idempotent, so a redelivered or repeated run does no harm, and each step's outcome
is recorded on the day's `daily_runs` row.
"""

from __future__ import annotations

import logging
from datetime import date
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy import select
from sqlalchemy import update

from bookagent.db.base import utcnow
from bookagent.db.models import Book
from bookagent.db.models import DailyRun
from bookagent.db.models import Post
from bookagent.domain import autonomous
from bookagent.domain import evergreen
from bookagent.domain import learning_store
from bookagent.domain import short_links
from bookagent.domain.engagement import platform_reading
from bookagent.domain.engagement import record_reading
from bookagent.domain.media import media_of
from bookagent.domain.media import media_violations
from bookagent.domain.posts import pipeline_counts
from bookagent.errors import BookAgentError
from bookagent.errors import NotFoundError
from bookagent.states import PostStatus
from bookagent.tasks.generation import generate
from bookagent.tasks.publishing import publish_due_posts

if TYPE_CHECKING:
    from bookagent.services import Services
    from bookagent.tasks.context import TaskContext

log = logging.getLogger(__name__)

_WEEK = timedelta(days=7)
STEPS = ("evergreen", "top_up", "auto_approve", "schedule", "publish", "metrics")


def requeue_evergreen(services: Services, book_id: str, run_date: date) -> dict[str, Any]:
    """Queue the day's repeats of the book's evergreen posts (`bookagent.domain.evergreen`):
    before the top-up, so a repeat takes a place the top-up would have written a post for, and
    before auto-approval, which approves a repeat as it does any post."""
    with services.db.session() as session:
        book = session.get(Book, book_id)
        if book is None:
            raise NotFoundError(f"No book with id {book_id}.")
        settings = autonomous.agent_settings(autonomous.load_state(session, book_id))
        return evergreen.requeue(
            session, book, settings, now=utcnow(), run_date=run_date, rules=services.rules
        )


def top_up(services: Services, book_id: str, task_id: str | None) -> dict[str, Any]:
    """Generate posts until each platform's pipeline holds its posts per day, of the post types
    the learning plan chooses (the pinned or default mix when it has nothing to go on)."""
    now = utcnow()
    needs: dict[str, tuple[int, int]] = {}  # platform -> (posts needed, seed)
    plans: dict[str, learning_store.MixPlan] = {}
    with services.db.session() as session:
        state = autonomous.load_state(session, book_id)
        settings = autonomous.agent_settings(state)
        counts = pipeline_counts(session, book_id)
        book = session.get(Book, book_id)
        for platform, per_day in settings.posts_per_day.items():
            need = per_day - int(counts.get(platform, 0))
            if need <= 0:
                continue
            seed = learning_store.plan_seed(book_id, platform, str(now.date()))
            needs[platform] = (need, seed)
            if book is not None:  # a missing book fails in generate, as it always did
                plans[platform] = learning_store.plan_mix(
                    session, book, platform, settings, now=now, n=need, seed=seed
                )
    written: dict[str, int] = {}
    rejected: list[dict[str, Any]] = []
    for platform, (need, seed) in needs.items():
        plan = plans.get(platform)
        result = generate(
            services,
            book_id=book_id,
            platforms=[platform],
            count_per_platform=need,
            post_types=plan.generation_types() if plan else None,
            seed=seed,
            timeout_s=services.settings.timeouts.generate_task_s,
        )
        written[platform] = int(result["count"])
        rejected += result["rejected"]
    mix = {platform: plan.mode for platform, plan in plans.items()}
    return {"written": written, "rejected": rejected, "mix": mix}


def auto_approve(services: Services, book_id: str) -> dict[str, Any]:
    """Approve pending posts when the book does not keep a human in the loop."""
    now = utcnow()
    with services.db.session() as session:
        book = session.get(Book, book_id)
        if book is None:
            raise NotFoundError(f"No book with id {book_id}.")
        settings = autonomous.agent_settings(autonomous.load_state(session, book_id))
        if not settings.approves_automatically(book):
            return {"approved": 0, "skipped": "human_in_loop"}
        pending = session.execute(
            select(Post.id, Post.platform, Post.media).where(
                Post.book_id == book_id, Post.status == PostStatus.PENDING_APPROVAL
            )
        ).all()
        # A post that breaks its platform's media rules (an Instagram post whose card could not
        # be drawn) waits for the author, as the approval route would refuse it.
        ready = [
            post_id
            for post_id, platform, media in pending
            if not media_violations(services.rules(platform), media_of(media))
        ]
        outcome = session.execute(
            update(Post)
            .where(Post.id.in_(ready), Post.status == PostStatus.PENDING_APPROVAL)
            .values(status=PostStatus.APPROVED, approved_at=now, approved_by="autonomous-agent")
        )
        held = len(pending) - len(ready)
        return {"approved": int(getattr(outcome, "rowcount", 0)), "held_for_media": held}


def schedule_approved(services: Services, book_id: str) -> dict[str, Any]:
    """Put approved posts into free slots, oldest first."""
    now = utcnow()
    scheduled = 0
    with services.db.session() as session:
        posts = session.scalars(
            select(Post)
            .where(Post.book_id == book_id, Post.status == PostStatus.APPROVED)
            .order_by(Post.approved_at, Post.id)
        )
        for post in list(posts):
            post.scheduled_time = autonomous.assign_slot(session, post, now)
            post.status = PostStatus.SCHEDULED
            session.flush()
            scheduled += 1
    return {"scheduled": scheduled}


def collect_metrics(services: Services, book_id: str) -> dict[str, Any]:
    """Read the engagement of the week's published posts where the publisher offers it: each
    is stored as a reading (source `platform`) and folded into the post's latest figures. Then
    the clicks counted on the book's short links become readings (source `clicks`) where they
    are above a post's clicks figure (`short_links.refresh_book_clicks`). `updated` counts the
    readings stored, of both kinds."""
    since = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    updated = 0
    with services.db.session() as session:
        posts = list(
            session.scalars(
                select(Post).where(
                    Post.book_id == book_id,
                    Post.status == PostStatus.PUBLISHED,
                    Post.remote_id.is_not(None),
                    Post.published_at >= since - _WEEK,
                )
            )
        )
        for post in posts:
            publisher = services.publishers.for_platform(post.platform)
            if not publisher.capabilities().metrics or post.remote_id is None:
                continue
            try:
                figures = services.runner.run(
                    publisher.metrics(post.remote_id), services.settings.publishers.timeout_s + 5
                )
                reading = None if figures is None else platform_reading(figures, now=utcnow())
            except BookAgentError as exc:
                log.warning("metrics failed post_id=%s: %s", post.id, exc.message)
                continue
            if reading is not None:
                record_reading(session, post, reading, source="platform")
                updated += 1
        updated += short_links.refresh_book_clicks(session, book_id, utcnow())
    return {"updated": updated}


def run_daily_routine(
    services: Services, book_id: str, run_date: date, ctx: TaskContext | None = None
) -> dict[str, Any]:
    """Run every step, recording each outcome; a failed step is recorded and the rest go on."""
    steps: dict[str, Any] = {}
    actions = {
        "evergreen": lambda: requeue_evergreen(services, book_id, run_date),
        "top_up": lambda: top_up(services, book_id, ctx.task_id if ctx else None),
        "auto_approve": lambda: auto_approve(services, book_id),
        "schedule": lambda: schedule_approved(services, book_id),
        "publish": lambda: publish_due_posts(services, book_id=book_id),
        "metrics": lambda: collect_metrics(services, book_id),
    }
    for index, name in enumerate(STEPS, start=1):
        try:
            steps[name] = {"ok": True, **actions[name]()}
        except BookAgentError as exc:
            steps[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc.message}"}
        if ctx is not None:
            ctx.progress(index, len(STEPS), f"{name} done")
    ok = all(step["ok"] for step in steps.values())
    with services.db.session() as session:
        run = session.scalar(
            select(DailyRun).where(DailyRun.book_id == book_id, DailyRun.run_date == run_date)
        )
        if run is None:
            run = DailyRun(book_id=book_id, run_date=run_date)
            session.add(run)
        run.steps, run.status, run.finished_at = steps, "done" if ok else "failed", utcnow()
        if ctx is not None:
            run.task_id = ctx.task_id
    return {"book_id": book_id, "run_date": run_date.isoformat(), "ok": ok, "steps": steps}


def run_daily(ctx: TaskContext, *, book_id: str, run_date: str | None = None) -> dict[str, Any]:
    """The task: the daily routine for one book and local date (today by default)."""
    with ctx.services.db.session() as session:
        book = session.get(Book, book_id)
        if book is None:
            raise NotFoundError(f"No book with id {book_id}.")
        day = (
            date.fromisoformat(run_date)
            if run_date
            else utcnow().astimezone(autonomous.book_zone(book)).date()
        )
    return run_daily_routine(ctx.services, book_id, day, ctx)
