"""Publishing due posts through the ledger: `bookagent.publish_due` and the stale sweep.

`publish_one` claims a post, records the attempt, calls the publisher on the event loop (with a
timeout) and records the outcome. What an error means is decided by the pure
`domain.publish_policy.decide` (nothing went out → retry later with backoff; refused → failed;
rate limited → wait; unknown → retry only where the platform honours our idempotency key or a
lookup shows the post absent, otherwise `unconfirmed`); this module carries the decision out.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from bookagent.db.base import utcnow
from bookagent.domain import publishing as ledger
from bookagent.domain.media import publish_media
from bookagent.domain.ports import Publisher
from bookagent.domain.ports import PublishResult
from bookagent.domain.publish_policy import Action
from bookagent.domain.publish_policy import Lookup
from bookagent.domain.publish_policy import decide
from bookagent.domain.short_links import track_links
from bookagent.errors import BookAgentError
from bookagent.states import AttemptOutcome
from bookagent.states import PostStatus
from bookagent.tasks.reconcile import reconcile_in_doubt

if TYPE_CHECKING:
    from bookagent.services import Services
    from bookagent.tasks.context import TaskContext

log = logging.getLogger(__name__)


def publish_one(services: Services, post_id: str, now: datetime | None = None) -> str:
    """Publish one due post; returns the outcome (`published`, `retry`, `failed`,
    `unconfirmed`, `rate_limited`, `waiting` or `skipped`).

    Two statements on the way, on PostgreSQL once a post of the platform went out from this
    process (see `domain.publishing`): the claim with its `started` attempt row, committed before
    the request goes out, and the outcome with the attempt's end, committed together.
    """
    now = now or utcnow()
    claimed = _claim(services, post_id, now)
    if isinstance(claimed, str):
        return claimed
    request = claimed.request
    publisher = services.publishers.for_platform(request.platform)
    started = time.monotonic()
    timeout_s = services.settings.publishers.timeout_s * 2 + 5
    try:
        if claimed.media:  # the images' bytes, read now rather than held with the claim
            request = replace(request, media=publish_media(services.media, claimed.media))
        # The book's links with their UTM tags or short links (no query for a post without a
        # link); the post's stored text, hash and key stay those it was approved with.
        request = track_links(
            services.db,
            request,
            rules_of=services.rules,
            public_url=services.settings.web.public_url,
        )
        result = services.runner.run(publisher.publish(request, claimed.key), timeout_s)
    except BookAgentError as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return _after_error(services, publisher, claimed, exc, elapsed)
    elapsed = int((time.monotonic() - started) * 1000)
    ledger.record_published(services.db, post_id, claimed.attempt_id, result, elapsed, utcnow())
    if claimed.attempts > 1:  # a repeat: say so if the last attempt's answer was lost
        ledger.note_repeat_after_lost_answer(services.db, post_id, claimed.attempt_id)
    log.info(
        "published post_id=%s platform=%s remote_id=%s", post_id, request.platform, result.remote_id
    )
    return "published"


def _claim(services: Services, post_id: str, now: datetime) -> ledger.Claim | str:
    """Claim the post (its `started` attempt committed with it), or say why not: `skipped` (gone,
    not scheduled or not due, or another worker has it) or `waiting` (its account is rate
    limited)."""
    db, registry = services.db, services.publishers
    claimed = ledger.claim_routed(db, post_id, registry.routes(), now)
    if claimed is not None:
        return claimed
    due = ledger.peek(db, post_id)  # a platform not routed yet, or a post we may not claim
    if due is None or due.status != PostStatus.SCHEDULED:
        return "skipped"
    publisher = registry.for_platform(due.platform)
    claimed = ledger.claim_attempt(db, due, publisher.account, publisher.name, now)
    if claimed is not None:
        return claimed
    with db.autocommit() as session:
        blocked = ledger.blocked_until(session, publisher.account, now)
    return "waiting" if blocked is not None else "skipped"


def _after_error(
    services: Services,
    publisher: Publisher,
    claimed: ledger.Claim,
    exc: BookAgentError,
    elapsed_ms: int,
) -> str:
    """Decide what the error means (`publish_policy.decide`), then record it in the ledger."""
    settings = services.settings.publishers
    capabilities = publisher.capabilities()
    attempts_left = settings.max_attempts - claimed.attempts
    decision = decide(exc, capabilities, attempts_left)
    found: PublishResult | None = None
    if decision.action is Action.LOOK_UP:
        lookup, found = _look_up(services, publisher, claimed)
        decision = decide(exc, capabilities, attempts_left, lookup)
    now = utcnow()
    end = ledger.AttemptEnd(
        decision.attempt_outcome,
        decision.status_code,
        elapsed_ms,
        error=f"{type(exc).__name__}: {exc.message}",
    )
    post_id, attempt_id = claimed.post_id, claimed.attempt_id
    with services.db.session() as session:
        match decision.action:
            case Action.PUBLISHED if found is not None:
                note = f"The answer was lost ({type(exc).__name__}); a lookup found the post."
                ledger.mark_published(
                    session, post_id, attempt_id, found, elapsed_ms, now, confirmed=note
                )
            case Action.RATE_LIMITED:
                until = now + timedelta(seconds=decision.wait_s or 0)
                ledger.mark_rate_limited(
                    session, post_id, attempt_id, publisher.account, until, end, now
                )
            case Action.FAILED:
                ledger.mark_failed(session, post_id, attempt_id, end, now)
            case Action.RETRY:
                backoff = ledger.retry_delay(claimed.attempts, settings.retry_backoff_s)
                ledger.mark_retry(session, post_id, attempt_id, end, now + backoff, now)
            case _:
                ledger.mark_unconfirmed(session, post_id, attempt_id, end, now)
                if decision.attempt_outcome == AttemptOutcome.UNKNOWN:
                    log.warning("publish outcome unknown post_id=%s: left unconfirmed", post_id)
                return str(Action.UNCONFIRMED)
    return str(decision.action)


def _look_up(
    services: Services, publisher: Publisher, claimed: ledger.Claim
) -> tuple[Lookup, PublishResult | None]:
    """Ask the platform whether the post went out."""
    try:
        found = services.runner.run(
            publisher.find_published(claimed.request, claimed.key),
            services.settings.publishers.timeout_s + 5,
        )
    except BookAgentError:
        return Lookup.FAILED, None
    return (Lookup.FOUND, found) if found is not None else (Lookup.ABSENT, None)


def publish_due_posts(
    services: Services,
    *,
    book_id: str | None = None,
    platform: str | None = None,
    ctx: TaskContext | None = None,
) -> dict[str, Any]:
    """Publish every due post (of one book, of one platform, or all); counts by outcome."""
    with services.db.session() as session:
        due = ledger.due_post_ids(session, utcnow(), book_id=book_id, platform=platform)
    counts: dict[str, int] = {}
    for index, post_id in enumerate(due, start=1):
        outcome = publish_one(services, post_id)
        counts[outcome] = counts.get(outcome, 0) + 1
        if ctx is not None:
            ctx.progress(index, len(due), f"{index} of {len(due)} due posts handled")
    return {"due": len(due), "outcomes": counts}


def sweep_stale_publishing(services: Services) -> list[str]:
    """Posts left `publishing` by a dead worker become `unconfirmed` (never re-sent blindly)."""
    stale_after = timedelta(seconds=services.settings.publishers.stale_publishing_s)
    now = utcnow()
    with services.db.session() as session:
        stuck = ledger.stale_publishing(session, now, stale_after)
        for post_id in stuck:
            ledger.mark_unconfirmed(
                session,
                post_id,
                None,
                ledger.AttemptEnd(
                    AttemptOutcome.UNKNOWN, error="The worker stopped mid-publish; outcome unknown."
                ),
                now,
            )
    if stuck:
        log.warning("marked %d posts unconfirmed after a mid-publish stop", len(stuck))
    return stuck


def publish_due(
    ctx: TaskContext, *, book_id: str | None = None, platform: str | None = None
) -> dict[str, Any]:
    """The task: sweep stuck posts, settle the posts in doubt that can be settled (see
    `tasks.reconcile`: some go out again now), then publish what is due; of one platform when
    `platform` is given (the tick starts one such task per platform, so that a network that
    stalls holds up no other), else of all."""
    swept = sweep_stale_publishing(ctx.services)
    reconciled = reconcile_in_doubt(ctx.services, platform=platform)
    return {
        **publish_due_posts(ctx.services, book_id=book_id, platform=platform, ctx=ctx),
        "unconfirmed": swept,
        "reconciled": reconciled,
    }
