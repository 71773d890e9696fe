"""Generation: plan the drafts of a batch, write them concurrently, gate each one, store it.

A batch of N drafts runs under a bounded semaphore, so with a slow LLM it takes about as long as
the slowest few calls, not the sum. Each draft passes `check_draft` (length in the platform's
unit on the final text, hashtags, grounding, dedupe against its platform's recent posts and, as
a generated post is never a cross-post, against the other platforms'); a failing draft is
rewritten with the reasons as feedback, and after `MAX_ATTEMPTS` it is dropped with the reason
recorded. Posts of a task are keyed by `(task_id, index)`, so a redelivered task never stores one
twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from bookagent.db.models import Post
from bookagent.domain.categories import SHARED_TYPES
from bookagent.domain.content_warnings import WARNING_KEY
from bookagent.domain.content_warnings import book_warning
from bookagent.domain.content_warnings import counted_with_warning
from bookagent.domain.content_warnings import metadata_with_warning
from bookagent.domain.languages import LANGUAGE_KEY
from bookagent.domain.media import MediaItem
from bookagent.domain.ports import Angle
from bookagent.domain.ports import ContentWriter
from bookagent.domain.ports import Draft
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.posts import content_hash
from bookagent.domain.profile import BookProfile
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import check_draft
from bookagent.domain.violation import ValidationReport
from bookagent.domain.violation import Violation
from bookagent.errors import BudgetExceededError
from bookagent.errors import ProviderError
from bookagent.platforms import PlatformRules
from bookagent.platforms.content_warning import rules_with_warning
from bookagent.states import PostStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
#: The post types every book may be written: shared by all categories (see
#: `bookagent.domain.categories`, where each category's own types and default mix live).
DEFAULT_POST_TYPES: tuple[str, ...] = SHARED_TYPES


@dataclass(frozen=True)
class Slot:
    """One draft to write: its index in the batch, platform, post type and seed, and which of
    the batch's posts of its type it is (None if it is the only one)."""

    index: int
    platform: str
    post_type: str
    seed: int
    angle: Angle | None = None


@dataclass(frozen=True)
class Accepted:
    """A draft that passed the gate."""

    slot: Slot
    draft: Draft
    report: ValidationReport
    attempts: int


@dataclass(frozen=True)
class Rejected:
    """A slot whose drafts all failed; `reason` is what the last one failed on, in one sentence.

    `violations` are the same reasons one by one, each with its code.
    """

    slot: Slot
    reason: str
    violations: tuple[Violation, ...] = ()


Outcome = Accepted | Rejected


def plan_slots(
    platforms: Sequence[str], count_per_platform: int, post_types: Sequence[str] | None, seed: int
) -> list[Slot]:
    """The batch's drafts, interleaved by platform, cycling through the post types; each of a
    type the batch writes more than once has its `Angle`."""
    types = tuple(post_types) if post_types else DEFAULT_POST_TYPES  # the caller's mix, or these
    slots: list[Slot] = []
    for round_ in range(count_per_platform):
        for offset, platform in enumerate(platforms):
            index = len(slots)
            post_type = types[(seed + round_ + offset) % len(types)]
            slots.append(Slot(index, platform, post_type, seed * 1000 + index))
    counts = Counter(slot.post_type for slot in slots)
    seen: Counter[str] = Counter()
    for i, slot in enumerate(slots):
        count = counts[slot.post_type]
        if count > 1:
            slots[i] = replace(slot, angle=Angle(seen[slot.post_type], count, seed))
            seen[slot.post_type] += 1
    return slots


@dataclass
class BatchState:
    """Accepted texts per platform, shared by the batch's coroutines (one event loop thread)."""

    recent: dict[str, list[str]]
    done: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    def avoid(self, platform: str) -> tuple[str, ...]:
        """The texts `platform`'s drafts must not repeat: its own accepted so far, oldest first."""
        return tuple(self.recent.get(platform, ()))

    def elsewhere(self, platform: str) -> tuple[str, ...]:
        """The texts of every platform but `platform`, for the cross-platform dedupe."""
        return tuple(
            text for name, texts in self.recent.items() if name != platform for text in texts
        )


async def write_one(
    writer: ContentWriter,
    book: BookProfile,
    rules: PlatformRules,
    slot: Slot,
    state: BatchState,
    grounding: Grounding,
) -> Outcome:
    """Write, gate and (if needed) rewrite one draft.

    A post that carries a content warning (Mastodon, the book's rule) is written and checked
    with the room the warning leaves; its report counts the warning, as the platform does.
    """
    warning = book_warning(book.rules, rules.name)
    text_rules = rules_with_warning(rules, warning)
    feedback: tuple[str, ...] = ()
    reason = "no draft was written"
    for attempt in range(MAX_ATTEMPTS):
        constraints = WriteConstraints.for_platform(
            text_rules,
            slot.post_type,
            seed=slot.seed,
            angle=slot.angle,
            attempt=attempt,
            feedback=feedback,
            avoid=state.avoid(rules.name),
            elsewhere=state.elsewhere(rules.name),
        )
        draft = await writer.write(book, constraints)
        # Checked after the await, against everything accepted so far (no other coroutine runs
        # between this check and the append below), so two drafts of one batch cannot collide,
        # on one platform or across two (a generated post is never cross-posted).
        report = check_draft(
            book,
            text_rules,
            draft.content,
            recent=state.avoid(rules.name),
            elsewhere=state.elsewhere(rules.name),
            grounding=grounding,
        )
        report = counted_with_warning(report, rules, warning)
        if report.ok:
            state.recent.setdefault(rules.name, []).append(draft.content)
            return Accepted(slot, draft, report, attempt + 1)
        feedback = tuple(v.message for v in report.violations)
        reason = "; ".join(feedback)
    return Rejected(slot, reason, report.violations)


async def write_batch(
    writer: ContentWriter,
    book: BookProfile,
    slots: Sequence[Slot],
    rules: Mapping[str, PlatformRules],
    recent: Mapping[str, Sequence[str]],
    *,
    concurrency: int,
    on_outcome: Callable[[Outcome, int], None],
) -> list[Outcome]:
    """Write every slot concurrently (at most `concurrency` at once); report each as it ends.

    `on_outcome(outcome, done)` runs on the event loop thread after each slot; it stores the post
    and reports progress, and may raise to stop the batch (a revoke), which cancels the rest.
    """
    # `recent` comes newest first; keep it oldest first so accepted drafts append at the end and
    # "the last 20" are the newest.
    state = BatchState(recent={k: list(reversed(v)) for k, v in recent.items()})
    grounding = Grounding.from_book(book)
    semaphore = asyncio.Semaphore(concurrency)

    async def run(slot: Slot) -> Outcome:
        async with semaphore:
            try:
                outcome: Outcome = await write_one(
                    writer, book, rules[slot.platform], slot, state, grounding
                )
            except ProviderError as exc:
                reason = f"{type(exc).__name__}: {exc.message}"
                outcome = Rejected(slot, reason, (Violation(exc.code, exc.message),))
        state.done += 1
        state.outcomes.append(outcome)
        on_outcome(outcome, state.done)
        return outcome

    tasks = [asyncio.ensure_future(run(slot)) for slot in slots]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    return sorted(state.outcomes, key=lambda o: o.slot.index)


def store_post(
    session: Session,
    book: BookProfile,
    accepted: Accepted,
    *,
    task_id: str | None,
    seed: int,
    media: Sequence[MediaItem] = (),
    media_note: str | None = None,
) -> Post | None:
    """Insert the accepted draft as a pending post with its images; None if this task stored it
    already. `media_note` says why a post its plan gave an image has none."""
    slot, draft, report = accepted.slot, accepted.draft, accepted.report
    if task_id is not None:
        existing = session.scalar(
            select(Post).where(Post.task_id == task_id, Post.task_index == slot.index)
        )
        if existing is not None:
            return None
    post = Post(
        book_id=book.id,
        user_id=book.user_id,
        platform=draft.platform,
        post_type=draft.post_type,
        content=draft.content,
        content_hash=content_hash(draft.content),
        hashtags=list(draft.hashtags),
        links=list(draft.links),
        status=PostStatus.PENDING_APPROVAL,
        measured_length=report.measured_length,
        limit=report.limit,
        provider=draft.provider,
        model=draft.model,
        prompt_hash=draft.prompt_hash,
        cost_usd=draft.cost_usd,
        task_id=task_id,
        task_index=slot.index if task_id is not None else None,
        generation_metadata={
            "writer": draft.provider,
            "model": draft.model,
            "prompt_hash": draft.prompt_hash,
            "input_tokens": draft.input_tokens,
            "output_tokens": draft.output_tokens,
            "cost_usd": draft.cost_usd,
            "attempts": accepted.attempts,
            "seed": seed,
            "requested_post_type": slot.post_type,
            "validation": report.to_dict(),
            **{k: v for k, v in draft.metadata.items() if k not in ("validation", WARNING_KEY)},
            **metadata_with_warning({}, book_warning(book.rules, draft.platform)),
            **({"media_note": media_note} if media_note else {}),
            LANGUAGE_KEY: book.language,
        },
        media=[item.to_json() for item in media],
    )
    session.add(post)
    session.flush()
    return post


def stored_indexes(session: Session, task_id: str) -> set[int]:
    """The slot indexes a task has stored already (a redelivered task skips them)."""
    rows = session.scalars(select(Post.task_index).where(Post.task_id == task_id))
    return {int(i) for i in rows if i is not None}


def month_start(now: datetime) -> datetime:
    """The first instant of `now`'s month, UTC."""
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def budget_status(session: Session, budget_usd: float | None, now: datetime) -> dict[str, Any]:
    """This month's AI spend against the budget (None means unlimited)."""
    spent = float(
        session.scalar(
            select(func.coalesce(func.sum(Post.cost_usd), 0.0)).where(
                Post.created_at >= month_start(now)
            )
        )
        or 0.0
    )
    return {
        "monthly_budget_usd": budget_usd,
        "spent_usd": round(spent, 6),
        "remaining_usd": None if budget_usd is None else round(max(budget_usd - spent, 0), 6),
        "exhausted": budget_usd is not None and spent >= budget_usd,
        "period_start": month_start(now).isoformat(),
    }


def ensure_budget(session: Session, budget_usd: float | None, now: datetime) -> None:
    """Raise BudgetExceededError (429) with `budget_status` when this month's budget is spent."""
    if budget_usd is None:
        return  # no budget: nothing to add up
    status = budget_status(session, budget_usd, now)
    if status["exhausted"]:
        raise BudgetExceededError(
            f"The AI budget of {budget_usd:.2f} USD for this month is used up "
            f"({status['spent_usd']:.2f} USD spent).",
            extra={"budget_status": status},
        )
