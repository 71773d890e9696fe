"""Generating posts: the `bookagent.generate_posts` task and the same work run inline.

Both paths write the batch on the process's event loop (bounded by a timeout), store each
accepted draft as soon as it is written (so a revoke keeps what was already written), and
report progress post by post.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy import select

from bookagent.db.base import utcnow
from bookagent.db.models import Book
from bookagent.db.models import Post
from bookagent.domain import generation
from bookagent.domain.books import book_to_profile
from bookagent.domain.categories import default_post_types
from bookagent.domain.posts import post_to_dict
from bookagent.domain.posts import recent_texts
from bookagent.domain.validation import book_today
from bookagent.errors import NotFoundError
from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.tasks.post_images import book_cover
from bookagent.tasks.post_images import card_media

if TYPE_CHECKING:
    from bookagent.services import Services
    from bookagent.tasks.context import TaskContext

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


def generate(
    services: Services,
    *,
    book_id: str,
    platforms: Sequence[str],
    count_per_platform: int,
    post_types: Sequence[str] | None = None,
    provider: str | None = None,
    seed: int = 0,
    task_id: str | None = None,
    timeout_s: float,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write, gate and store a batch; the result is `{posts, count, rejected}`.

    `rejected` lists the drafts that failed the gate `MAX_ATTEMPTS` times (or whose writer
    failed), each as `rejection_json` describes it.
    """
    now = utcnow()
    writer = services.writers.get(provider)
    services.refresh_live_limits([p for p in platforms if p == "mastodon"])
    rules = {p: services.rules(p) for p in platforms}
    with services.db.session() as session:
        book_row = session.get(Book, book_id)
        if book_row is None:
            raise NotFoundError(f"No book with id {book_id}.")
        generation.ensure_budget(session, services.settings.writers.monthly_budget_usd, now)
        book = book_to_profile(book_row)
        cover = book_cover(services.media, book_row)
        # Every platform's recent posts: a draft is compared with its own platform's (dedupe)
        # and with the others' (the same text on two platforms needs the author's consent).
        recent = {p: recent_texts(session, book_id, p, now) for p in SUPPORTED_PLATFORMS}
        done_already = generation.stored_indexes(session, task_id) if task_id else set()
    day = book_today(book.timezone)
    # The book's category's own mix (no countdown once no launch is ahead).
    mix = post_types or default_post_types(book, day)
    slots = generation.plan_slots(platforms, count_per_platform, mix, seed)
    todo = [slot for slot in slots if slot.index not in done_already]
    total = len(slots)
    stored: list[dict[str, Any]] = []

    def on_outcome(outcome: generation.Outcome, done: int) -> None:
        if isinstance(outcome, generation.Accepted):
            draft, slot = outcome.draft, outcome.slot
            media, note = card_media(
                services.media,
                book,
                rules[slot.platform],
                draft.post_type,
                draft.content,
                f"{book.id}/{task_id}/{seed}/{slot.index}",
                day,
                cover,
            )
            with services.db.session() as session:
                post = generation.store_post(
                    session,
                    book,
                    outcome,
                    task_id=task_id,
                    seed=seed,
                    media=media,
                    media_note=note,
                )
                if post is not None:
                    stored.append(post_to_dict(post))
        if progress is not None:
            progress(
                len(done_already) + done,
                total,
                f"{len(done_already) + done} of {total} posts written",
            )

    outcomes = services.runner.run(
        generation.write_batch(
            writer,
            book,
            todo,
            rules,
            recent,
            concurrency=services.settings.writers.concurrency,
            on_outcome=on_outcome,
        ),
        timeout_s,
    )
    if done_already:
        stored = _all_posts_of(services, task_id) if task_id else stored
    rejected = [rejection_json(o) for o in outcomes if isinstance(o, generation.Rejected)]
    stored.sort(key=lambda p: (p["created_at"], p["id"]))
    return {"posts": stored, "count": len(stored), "rejected": rejected}


def rejection_json(rejected: generation.Rejected) -> dict[str, Any]:
    """A rejected draft in a task's result: which one, and why, in plain words and by code.

    `reason` (every reason in one sentence) is the original service's key; `violations` lists
    them one by one as `{code, message}`, like the API's other validation answers.
    """
    slot = rejected.slot
    violations = [{"code": v.code, "message": v.message} for v in rejected.violations]
    return {
        "index": slot.index,
        "platform": slot.platform,
        "post_type": slot.post_type,
        "reason": rejected.reason,
        "violations": violations or [{"code": "rejected", "message": rejected.reason}],
    }


def _all_posts_of(services: Services, task_id: str) -> list[dict[str, Any]]:
    with services.db.session() as session:
        rows = session.scalars(
            select(Post).where(Post.task_id == task_id).order_by(Post.task_index)
        )
        return [post_to_dict(p) for p in rows]


def generate_posts(ctx: TaskContext, **params: Any) -> dict[str, Any]:
    """The task: generate a batch with progress post by post; stops early when revoked."""

    def progress(current: int, total: int, message: str) -> None:
        ctx.progress(current, total, message)  # also raises TaskCancelled when revoked

    ctx.progress(0, int(params["count_per_platform"]) * len(params["platforms"]), "writing posts")
    return generate(
        ctx.services,
        task_id=ctx.task_id,
        progress=progress,
        timeout_s=ctx.services.settings.timeouts.generate_task_s,
        **params,
    )
