"""The publication ledger: posts move scheduled → publishing → published | failed | unconfirmed.

The claim is a conditional UPDATE, so two workers can never both publish a post. Every attempt
gets a row with its outcome, status code, duration and a truncated response. An unknown outcome
(the request went out, no answer came back) leaves the post `unconfirmed`: it is never retried
blindly. A rate limit is stored per account as "blocked until", and the post waits for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from bookagent.db.models import Post
from bookagent.db.models import PublicationAttempt
from bookagent.db.models import RateLimitState
from bookagent.domain.ports import PublishRequest
from bookagent.domain.ports import PublishResult
from bookagent.states import AttemptOutcome
from bookagent.states import PostStatus

EXCERPT_LIMIT = 1000


def idempotency_key(post: Post) -> str:
    """Stable for a post and its text, so every retry of the same post sends the same key."""
    return f"bookagent-{post.id}-{post.content_hash[:16]}"


def publish_request(post: Post) -> PublishRequest:
    """The publisher's view of a post."""
    return PublishRequest(
        post_id=post.id,
        book_id=post.book_id,
        platform=post.platform,
        content=post.content,
        content_hash=post.content_hash,
        hashtags=tuple(post.hashtags),
        links=tuple(post.links),
        scheduled_time=post.scheduled_time,
    )


def due_post_ids(
    session: Session, now: datetime, *, book_id: str | None = None, limit: int = 500
) -> list[str]:
    """Scheduled posts whose time has come, oldest first."""
    query = select(Post.id).where(Post.status == PostStatus.SCHEDULED, Post.scheduled_time <= now)
    if book_id is not None:
        query = query.where(Post.book_id == book_id)
    return list(session.scalars(query.order_by(Post.scheduled_time, Post.id).limit(limit)))


def blocked_until(session: Session, account: str, now: datetime) -> datetime | None:
    """When an account's rate limit ends, if it is still in force."""
    state = session.get(RateLimitState, account)
    if state is not None and state.blocked_until > now:
        return state.blocked_until
    return None


def claim(session: Session, post_id: str, now: datetime) -> int | None:
    """Move a due post to `publishing` and return its attempt number; None if another worker
    has it or it is not due."""
    return session.scalar(
        update(Post)
        .where(Post.id == post_id, Post.status == PostStatus.SCHEDULED, Post.scheduled_time <= now)
        .values(
            status=PostStatus.PUBLISHING, publish_attempts=Post.publish_attempts + 1, updated_at=now
        )
        .returning(Post.publish_attempts)
    )


def start_attempt(session: Session, post: Post, publisher: str, key: str, now: datetime) -> str:
    """Record that an attempt begins (before the request is sent); returns its id."""
    attempt = PublicationAttempt(
        post_id=post.id,
        platform=post.platform,
        publisher=publisher,
        idempotency_key=key,
        outcome=AttemptOutcome.STARTED,
        started_at=now,
    )
    session.add(attempt)
    session.flush()
    return attempt.id


@dataclass(frozen=True)
class AttemptEnd:
    """How an attempt ended, for its ledger row."""

    outcome: str  # an `AttemptOutcome`
    status_code: int | None = None
    duration_ms: int | None = None
    response_excerpt: str | None = None
    error: str | None = None


def _end_attempt(session: Session, attempt_id: str, end: AttemptEnd, now: datetime) -> None:
    session.execute(
        update(PublicationAttempt)
        .where(PublicationAttempt.id == attempt_id)
        .values(
            outcome=end.outcome,
            status_code=end.status_code,
            duration_ms=end.duration_ms,
            response_excerpt=(end.response_excerpt or "")[:EXCERPT_LIMIT] or None,
            error=(end.error or "")[:EXCERPT_LIMIT] or None,
            finished_at=now,
        )
    )


def _move(session: Session, post_id: str, values: dict[str, object]) -> bool:
    outcome = session.execute(
        update(Post)
        .where(Post.id == post_id, Post.status == PostStatus.PUBLISHING)
        .values(**values)
    )
    return int(getattr(outcome, "rowcount", 0)) == 1


def mark_published(
    session: Session,
    post_id: str,
    attempt_id: str,
    result: PublishResult,
    duration_ms: int,
    now: datetime,
) -> None:
    """The platform confirmed the post."""
    _end_attempt(
        session,
        attempt_id,
        AttemptEnd(
            AttemptOutcome.PUBLISHED, result.status_code, duration_ms, result.response_excerpt
        ),
        now,
    )
    _move(
        session,
        post_id,
        {
            "status": PostStatus.PUBLISHED,
            "published_at": now,
            "published_url": result.url,
            "remote_id": result.remote_id,
            "failure_reason": None,
            "updated_at": now,
        },
    )


def mark_retry(
    session: Session,
    post_id: str,
    attempt_id: str,
    end: AttemptEnd,
    retry_at: datetime,
    now: datetime,
) -> None:
    """The attempt failed safely (nothing went out): back to `scheduled` at `retry_at`."""
    _end_attempt(session, attempt_id, end, now)
    _move(
        session,
        post_id,
        {
            "status": PostStatus.SCHEDULED,
            "scheduled_time": retry_at,
            "failure_reason": end.error,
            "updated_at": now,
        },
    )


def mark_failed(
    session: Session, post_id: str, attempt_id: str, end: AttemptEnd, now: datetime
) -> None:
    """The platform refused the post, or retries are used up."""
    _end_attempt(session, attempt_id, end, now)
    _move(
        session,
        post_id,
        {"status": PostStatus.FAILED, "failure_reason": end.error, "updated_at": now},
    )


def mark_unconfirmed(
    session: Session, post_id: str, attempt_id: str | None, end: AttemptEnd, now: datetime
) -> None:
    """The request went out and no answer came back: never retried blindly."""
    if attempt_id is not None:
        _end_attempt(session, attempt_id, end, now)
    else:  # the sweep: close whatever attempt the dead worker left open
        open_ids = session.scalars(
            select(PublicationAttempt.id).where(
                PublicationAttempt.post_id == post_id,
                PublicationAttempt.outcome == AttemptOutcome.STARTED,
            )
        )
        for open_id in list(open_ids):
            _end_attempt(session, open_id, end, now)
    _move(
        session,
        post_id,
        {"status": PostStatus.UNCONFIRMED, "failure_reason": end.error, "updated_at": now},
    )


def mark_rate_limited(
    session: Session,
    post_id: str,
    attempt_id: str,
    account: str,
    until: datetime,
    end: AttemptEnd,
    now: datetime,
) -> None:
    """Store the account's 'blocked until', and park the post until then."""
    state = session.get(RateLimitState, account)
    if state is None:
        session.add(RateLimitState(account=account, blocked_until=until, reason=end.error))
    else:
        state.blocked_until, state.reason = max(state.blocked_until, until), end.error
    mark_retry(session, post_id, attempt_id, end, until, now)


def stale_publishing(session: Session, now: datetime, stale_after: timedelta) -> list[str]:
    """Posts stuck in `publishing` (their worker died mid-request) for longer than allowed."""
    return list(
        session.scalars(
            select(Post.id).where(
                Post.status == PostStatus.PUBLISHING, Post.updated_at < now - stale_after
            )
        )
    )


def retry_delay(attempts: int, base_s: float) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base, ..."""
    return timedelta(seconds=base_s * (2 ** max(attempts - 1, 0)))
