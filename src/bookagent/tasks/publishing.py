"""Publishing due posts through the ledger: `bookagent.publish_due` and the stale sweep.

`publish_one` claims a post, records the attempt, calls the publisher on the event loop (with a
timeout) and records the outcome. What happens after an error depends on what the error proves:
nothing went out → retry later with backoff; refused → failed; rate limited → wait; unknown →
retry only where the platform honours our idempotency key or a lookup shows the post absent,
otherwise `unconfirmed`.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from bookagent.db.base import utcnow
from bookagent.db.models import Post
from bookagent.domain import publishing as ledger
from bookagent.domain.ports import Publisher
from bookagent.domain.ports import PublishRequest
from bookagent.domain.ports import PublishResult
from bookagent.errors import BookAgentError
from bookagent.errors import OperationTimeoutError
from bookagent.errors import ProviderRejected
from bookagent.errors import ProviderUnavailable
from bookagent.errors import PublishOutcomeUnknown
from bookagent.errors import RateLimited

if TYPE_CHECKING:
    from bookagent.bootstrap import Services
    from bookagent.queue.execution import TaskContext

log = logging.getLogger(__name__)


def publish_one(services: Services, post_id: str, now: datetime | None = None) -> str:
    """Publish one due post; returns the outcome (`published`, `retry`, `failed`,
    `unconfirmed`, `rate_limited`, `waiting` or `skipped`)."""
    now = now or utcnow()
    settings = services.settings.publishers
    with services.db.session() as session:
        post = session.get(Post, post_id)
        if post is None or post.status != "scheduled":
            return "skipped"
        publisher = services.publishers.for_platform(post.platform)
        if ledger.blocked_until(session, publisher.account, now) is not None:
            return "waiting"
        attempts = ledger.claim(session, post_id, now)
        if attempts is None:
            return "skipped"
        key = ledger.idempotency_key(post)
        request = ledger.publish_request(post)
        attempt_id = ledger.start_attempt(session, post, publisher.name, key, now)
    started = time.monotonic()
    timeout_s = settings.timeout_s * 2 + 5
    try:
        result = services.runner.run(publisher.publish(request, key), timeout_s)
    except BookAgentError as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return _after_error(
            services, publisher, request, key, post_id, attempt_id, attempts, exc, elapsed
        )
    elapsed = int((time.monotonic() - started) * 1000)
    with services.db.session() as session:
        ledger.mark_published(session, post_id, attempt_id, result, elapsed, utcnow())
    log.info(
        "published post_id=%s platform=%s remote_id=%s", post_id, request.platform, result.remote_id
    )
    return "published"


def _after_error(
    services: Services,
    publisher: Publisher,
    request: PublishRequest,
    key: str,
    post_id: str,
    attempt_id: str,
    attempts: int,
    exc: BookAgentError,
    elapsed_ms: int,
) -> str:
    settings = services.settings.publishers
    now = utcnow()
    end = ledger.AttemptEnd(
        outcome="error", duration_ms=elapsed_ms, error=f"{type(exc).__name__}: {exc.message}"
    )
    can_retry = attempts < settings.max_attempts
    backoff = ledger.retry_delay(attempts, settings.retry_backoff_s)
    with services.db.session() as session:
        if isinstance(exc, RateLimited):
            until = now + timedelta(seconds=exc.retry_after_s or 60)
            ledger.mark_rate_limited(
                session,
                post_id,
                attempt_id,
                publisher.account,
                until,
                ledger.AttemptEnd("rate_limited", 429, elapsed_ms, error=end.error),
                now,
            )
            return "rate_limited"
        if isinstance(exc, ProviderRejected):
            ledger.mark_failed(
                session,
                post_id,
                attempt_id,
                ledger.AttemptEnd("rejected", duration_ms=elapsed_ms, error=end.error),
                now,
            )
            return "failed"
        if isinstance(exc, ProviderUnavailable):  # provably not sent: safe to try again
            if can_retry:
                ledger.mark_retry(session, post_id, attempt_id, end, now + backoff, now)
                return "retry"
            ledger.mark_failed(session, post_id, attempt_id, end, now)
            return "failed"
    if isinstance(exc, PublishOutcomeUnknown | OperationTimeoutError):
        return _after_unknown(
            services, publisher, request, key, post_id, attempt_id, end, can_retry, backoff
        )
    with services.db.session() as session:  # any other provider error: treat as unknown
        ledger.mark_unconfirmed(session, post_id, attempt_id, end, now)
    return "unconfirmed"


def _after_unknown(
    services: Services,
    publisher: Publisher,
    request: PublishRequest,
    key: str,
    post_id: str,
    attempt_id: str,
    end: ledger.AttemptEnd,
    can_retry: bool,
    backoff: timedelta,
) -> str:
    capabilities = publisher.capabilities()
    found: PublishResult | None = None
    lookup_failed = False
    if capabilities.lookup:
        try:
            found = services.runner.run(
                publisher.find_published(request, key), services.settings.publishers.timeout_s + 5
            )
        except BookAgentError:
            lookup_failed = True
    now = utcnow()
    with services.db.session() as session:
        if found is not None:
            ledger.mark_published(session, post_id, attempt_id, found, end.duration_ms or 0, now)
            return "published"
        absent = capabilities.lookup and not lookup_failed
        if can_retry and (capabilities.idempotency_key or absent):
            ledger.mark_retry(
                session,
                post_id,
                attempt_id,
                ledger.AttemptEnd("unknown", duration_ms=end.duration_ms, error=end.error),
                now + backoff,
                now,
            )
            return "retry"
        ledger.mark_unconfirmed(
            session,
            post_id,
            attempt_id,
            ledger.AttemptEnd("unknown", duration_ms=end.duration_ms, error=end.error),
            now,
        )
    log.warning("publish outcome unknown post_id=%s: left unconfirmed", post_id)
    return "unconfirmed"


def publish_due_posts(
    services: Services, *, book_id: str | None = None, ctx: TaskContext | None = None
) -> dict[str, Any]:
    """Publish every due post (of one book, or all); counts by outcome."""
    with services.db.session() as session:
        due = ledger.due_post_ids(session, utcnow(), book_id=book_id)
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
                    "unknown", error="The worker stopped mid-publish; outcome unknown."
                ),
                now,
            )
    if stuck:
        log.warning("marked %d posts unconfirmed after a mid-publish stop", len(stuck))
    return stuck


def publish_due(ctx: TaskContext, *, book_id: str | None = None) -> dict[str, Any]:
    """The task: sweep stuck posts, then publish what is due."""
    swept = sweep_stale_publishing(ctx.services)
    return {**publish_due_posts(ctx.services, book_id=book_id, ctx=ctx), "unconfirmed": swept}
