"""The publication ledger: posts move scheduled → publishing → published | failed | unconfirmed.

The claim is a conditional UPDATE, so two workers can never both publish a post. Every attempt
gets a row with its outcome, status code, duration and a truncated response. An unknown outcome
(the request went out, no answer came back) leaves the post `unconfirmed`: it is never retried
blindly. A rate limit is stored per account as "blocked until", and the post waits for it.

A publish is three steps, each one atomic statement on PostgreSQL (autocommit: one round trip,
no BEGIN/COMMIT) and a short transaction elsewhere (SQLite):

- the claim: the conditional UPDATE and the attempt's `started` row, committed together before
  anything is sent. `claim_routed` claims by the post's platform when its publisher is known
  (`routes`: platform → publisher name and rate-limit account), so it needs no read first;
  otherwise `peek` reads the platform, the caller picks the publisher, and `claim_attempt`
  claims the post only if its platform and text are still what `peek` saw. Either way the
  request and the idempotency key come from the claimed row itself.
- the request, with no transaction open.
- the outcome: the attempt's end and the post's move (`record_published`, or the `mark_*`
  functions after an error), committed together.

So a crash leaves the post `scheduled` with no attempt (nothing was sent), or `publishing` with a
`started` attempt (the stale sweep makes it `unconfirmed`), or settled: never half of a claim
or half of an outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import Integer
from sqlalchemy import Select
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import bindparam
from sqlalchemy import column
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import literal_column
from sqlalchemy import null
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from bookagent.db.base import UTCDateTime
from bookagent.db.base import new_id
from bookagent.db.models import Post
from bookagent.db.models import PublicationAttempt
from bookagent.db.models import RateLimitState
from bookagent.db.session import Database
from bookagent.domain.content_warnings import WARNING_KEY
from bookagent.domain.content_warnings import post_warning
from bookagent.domain.languages import LANGUAGE_KEY
from bookagent.domain.media import MediaItem
from bookagent.domain.media import media_of
from bookagent.domain.ports import PublishRequest
from bookagent.domain.ports import PublishResult
from bookagent.isotime import iso
from bookagent.platforms.content_warning import carries_warning
from bookagent.states import AttemptOutcome
from bookagent.states import PostStatus

EXCERPT_LIMIT = 1000


def idempotency_key(post: Post) -> str:
    """Stable for a post and its text, so every retry of the same post sends the same key.

    The claims compute the same key in SQL (`_KEY`), from the very row they claim."""
    return f"bookagent-{post.id}-{post.content_hash[:16]}"


def publish_request(post: Post) -> PublishRequest:
    """The publisher's view of a post, as approved: its links untracked. The publishing task
    tracks them on the claimed request (`domain.short_links.track_links`: UTM tags, short
    links) just before sending; a lookup (`find_published`) needs only the post's key and how
    many posts its thread has, which tracking does not change."""
    return PublishRequest(
        post_id=post.id,
        book_id=post.book_id,
        platform=post.platform,
        content=post.content,
        content_hash=post.content_hash,
        hashtags=tuple(post.hashtags),
        links=tuple(post.links),
        scheduled_time=post.scheduled_time,
        metadata=request_metadata(
            post_warning(post),
            (post.generation_metadata or {}).get(PIN_KEY),
            (post.generation_metadata or {}).get(LANGUAGE_KEY),
        ),
    )


#: Where a Pinterest post keeps its pin's title, description and destination link.
PIN_KEY = "pin"


def request_metadata(
    warning: object, pin: object = None, language: object = None
) -> dict[str, Any]:
    """A request's `metadata`: the post's content warning (`WARNING_KEY`), if it carries one,
    its pin (`PIN_KEY`: title, description, link), if it is a pin, and its language
    (`LANGUAGE_KEY`, a BCP 47 tag), if it has one."""
    metadata: dict[str, Any] = {}
    if isinstance(language, str) and language:
        metadata[LANGUAGE_KEY] = language
    if isinstance(warning, str) and warning:
        metadata[WARNING_KEY] = warning
    if isinstance(pin, dict) and pin:
        metadata[PIN_KEY] = {key: pin.get(key) for key in ("title", "description", "link")}
    return metadata


def due_post_ids(
    session: Session,
    now: datetime,
    *,
    book_id: str | None = None,
    platform: str | None = None,
    limit: int = 500,
) -> list[str]:
    """Scheduled posts whose time has come (of one book, of one platform), oldest first."""
    query = select(Post.id).where(Post.status == PostStatus.SCHEDULED, Post.scheduled_time <= now)
    if book_id is not None:
        query = query.where(Post.book_id == book_id)
    if platform is not None:
        query = query.where(Post.platform == platform)
    return list(session.scalars(query.order_by(Post.scheduled_time, Post.id).limit(limit)))


def platforms_to_publish(session: Session, now: datetime) -> list[str]:
    """The platforms with a due post or a post in doubt: each gets a publishing task of its own,
    so a network that stalls holds up no other."""
    due = select(Post.platform).where(
        Post.status == PostStatus.SCHEDULED, Post.scheduled_time <= now
    )
    doubtful = select(Post.platform).where(Post.id.in_(in_doubt_post_ids(session, limit=500)))
    return sorted(set(session.scalars(due.distinct())) | set(session.scalars(doubtful.distinct())))


def blocked_until(session: Session, account: str, now: datetime) -> datetime | None:
    """When an account's rate limit ends, if it is still in force."""
    state = session.get(RateLimitState, account)
    if state is not None and state.blocked_until > now:
        return state.blocked_until
    return None


@dataclass(frozen=True)
class AttemptEnd:
    """How an attempt ended, for its ledger row."""

    outcome: str  # an `AttemptOutcome`
    status_code: int | None = None
    duration_ms: int | None = None
    response_excerpt: str | None = None
    error: str | None = None


# The hot path (see the module doc). The statements are built once, with constants inlined and
# every parameter a named bind `p_...`: apart from any column, so one dict serves every statement
# (Core would make a key naming a column a SET or VALUES entry), and complete, so PostgreSQL's
# run as `Database.prepared` statements: compiled once per Database, no per-execution SQLAlchemy
# work.
_NOW = bindparam("p_now", type_=UTCDateTime())
_POST_ID = bindparam("p_post_id", type_=String())
_ATTEMPT_ID = bindparam("p_attempt_id", type_=String())


def _const(value: str) -> Any:
    """Our own constant (a state name) as an SQL literal: none has a quote to escape."""
    return literal_column(f"'{value}'", String())


def _not_blocked(account: Any) -> Any:
    """No rate limit in force for `account`."""
    return ~exists().where(RateLimitState.account == account, RateLimitState.blocked_until > _NOW)


# `idempotency_key` in SQL, so that the claim records the key of the very row it claimed.
_KEY = (
    _const("bookagent-")
    + Post.id
    + _const("-")
    + func.substr(
        Post.content_hash, literal_column("1", Integer()), literal_column("16", Integer())
    )
)
_PEEK_COLUMNS: tuple[Any, ...] = (Post.status, Post.platform, Post.content_hash)
_PEEK: Select[Any] = select(*_PEEK_COLUMNS).where(Post.id == _POST_ID)


def _status_is(status: str) -> Any:
    """`posts.status` is `status`, written so that no index serves it (`IS NOT DISTINCT FROM`;
    the column is never NULL): a claim or an outcome finds its row by primary key, not by
    walking (status, scheduled_time), which without fresh statistics the planner may prefer
    and which costs as many rows as are due, or dead index entries as went through."""
    return Post.status.is_not_distinct_from(_const(status))


_IS_DUE = (
    Post.id == _POST_ID,
    _status_is(PostStatus.SCHEDULED),
    Post.scheduled_time <= _NOW,
)
_TO_PUBLISHING = {
    "status": _const(PostStatus.PUBLISHING),
    "publish_attempts": Post.publish_attempts + literal_column("1", Integer()),
    "updated_at": _NOW,
}
# What a claim returns: the post's row as claimed, its publisher's name and its key.
_CLAIMED_ROW = (
    Post.id,
    Post.platform,
    Post.content_hash,
    Post.publish_attempts,
    Post.book_id,
    Post.content,
    Post.hashtags,
    Post.links,
    Post.scheduled_time,
    # The content warning alone, not the whole metadata (which holds the gate's report).
    Post.generation_metadata[WARNING_KEY].as_string().label("content_warning"),
    # A pin's title, description and destination link (the writer's plan for a Pinterest post).
    Post.generation_metadata[PIN_KEY].label("pin"),
    Post.generation_metadata[LANGUAGE_KEY].as_string().label("language"),
    Post.media,
)
# By `peek`: due, still the platform and text `peek` saw, and its account not rate limited.
_CLAIM = (
    update(Post)
    .where(
        *_IS_DUE,
        Post.platform == bindparam("p_platform", type_=String()),
        Post.content_hash == bindparam("p_content_hash", type_=String()),
        _not_blocked(bindparam("p_account", type_=String())),
    )
    .values(**_TO_PUBLISHING)
    .returning(
        *_CLAIMED_ROW,
        bindparam("p_publisher", type_=String()).label("publisher"),
        _KEY.label("key"),
    )
)
# By route (PostgreSQL): due, its platform one whose publisher is known (`p_platforms[i]` goes to
# `p_publishers[i]`, rate limited as `p_accounts[i]`), and that account not rate limited.
_ROUTE = (
    func.unnest(
        bindparam("p_platforms", type_=ARRAY(String())),
        bindparam("p_publishers", type_=ARRAY(String())),
        bindparam("p_accounts", type_=ARRAY(String())),
    )
    .table_valued(
        column("platform", String()), column("publisher", String()), column("account", String())
    )
    .render_derived(name="route")
)
_CLAIM_ROUTED = (
    update(Post)
    .where(*_IS_DUE, Post.platform == _ROUTE.c.platform, _not_blocked(_ROUTE.c.account))
    .values(**_TO_PUBLISHING)
    .returning(*_CLAIMED_ROW, _ROUTE.c.publisher.label("publisher"), _KEY.label("key"))
)
# Elsewhere: the attempt row, after the claim, in the claim's transaction.
_START = insert(PublicationAttempt).values(
    post_id=_POST_ID,
    platform=bindparam("p_platform", type_=String()),
    publisher=bindparam("p_publisher", type_=String()),
    idempotency_key=bindparam("p_key", type_=String()),
    id=_ATTEMPT_ID,
    outcome=_const(AttemptOutcome.STARTED),
    started_at=_NOW,
)


def _claim_and_start(claim: Any) -> Any:
    """PostgreSQL: `claim` and its attempt row in one statement (one round trip, one commit)."""
    claimed = claim.cte("claimed")
    started = insert(PublicationAttempt).from_select(
        ("post_id", "platform", "publisher", "idempotency_key", "id", "outcome", "started_at"),
        select(
            claimed.c.id,
            claimed.c.platform,
            claimed.c.publisher,
            claimed.c.key,
            _ATTEMPT_ID,
            _const(AttemptOutcome.STARTED),
            _NOW,
        ),
        include_defaults=False,
    )
    return select(*claimed.c).add_cte(started.cte("started"))


_CLAIM_AND_START = _claim_and_start(_CLAIM)
_CLAIM_ROUTED_AND_START = _claim_and_start(_CLAIM_ROUTED)
_END_PUBLISHED = (
    update(PublicationAttempt)
    .where(PublicationAttempt.id == _ATTEMPT_ID)
    .values(
        outcome=_const(AttemptOutcome.PUBLISHED),
        status_code=bindparam("p_status_code", type_=Integer()),
        duration_ms=bindparam("p_duration_ms", type_=Integer()),
        response_excerpt=bindparam("p_excerpt", type_=Text()),
        error=null(),
        finished_at=_NOW,
    )
)
_TO_PUBLISHED = (
    update(Post)
    .where(Post.id == _POST_ID, _status_is(PostStatus.PUBLISHING))
    .values(
        status=_const(PostStatus.PUBLISHED),
        published_at=_NOW,
        published_url=bindparam("p_url", type_=String()),
        remote_id=bindparam("p_remote_id", type_=String()),
        failure_reason=null(),
        updated_at=_NOW,
    )
)
# PostgreSQL: the attempt's end and the post's move in one statement.
_MOVED = _TO_PUBLISHED.returning(Post.id).cte("moved")
_PUBLISHED = select(_MOVED.c.id).add_cte(_END_PUBLISHED.cte("ended"))


@dataclass(frozen=True)
class Due:
    """A post as `peek` read it: enough to pick its publisher before claiming it."""

    post_id: str
    status: str
    platform: str
    content_hash: str


@dataclass(frozen=True)
class Claim:
    """A post this worker claimed: its `started` attempt row, the attempt's number (this one
    included), the publisher's name, the idempotency key and the request to send, all as the
    claimed row holds them."""

    post_id: str
    attempt_id: str
    attempts: int
    publisher: str
    key: str
    request: PublishRequest
    #: The images to send with it (their bytes are read from the store just before).
    media: tuple[MediaItem, ...] = ()


def peek(db: Database, post_id: str) -> Due | None:
    """The post's status, platform and text hash (one autocommit read); None if it is gone."""
    row = db.prepared(_PEEK).first(p_post_id=post_id)
    if row is None:
        return None
    status, platform, content_hash = row
    return Due(post_id, status, platform, content_hash)


def claim_attempt(
    db: Database, due: Due, account: str, publisher: str, now: datetime
) -> Claim | None:
    """Claim a due post and record its `started` attempt, committed together before anything
    is sent; None if another worker has it, it is not due, its account is rate limited, or its
    platform or text changed since `peek`.

    The claim is a conditional UPDATE, so of two workers racing for a post only one gets a row.
    """
    attempt_id = new_id()
    params = {
        "p_post_id": due.post_id,
        "p_platform": due.platform,
        "p_content_hash": due.content_hash,
        "p_account": account,
        "p_publisher": publisher,
        "p_attempt_id": attempt_id,
        "p_now": now,
    }
    if db.dialect == "postgresql":  # one statement on the autocommit engine: atomic
        row = db.prepared(_CLAIM_AND_START, hot=True).first(**params)
    else:
        with db.engine.begin() as connection:
            row = connection.execute(_CLAIM, params).first()
            if row is None:
                return None
            connection.execute(_START, {**params, "p_key": row.key})
    return None if row is None else _to_claim(attempt_id, tuple(row))


def claim_routed(
    db: Database, post_id: str, routes: Mapping[str, tuple[str, str]], now: datetime
) -> Claim | None:
    """`claim_attempt` without `peek`, for a post whose platform is one of `routes` (platform
    → (publisher name, rate-limit account)): one statement in all, on PostgreSQL.

    None when it did not claim the post, and always where `routes` is empty or the database is
    not PostgreSQL: then `peek` and `claim_attempt` tell why, or claim it."""
    if not routes or db.dialect != "postgresql":
        return None
    attempt_id = new_id()
    row = db.prepared(_CLAIM_ROUTED_AND_START, hot=True).first(
        p_post_id=post_id,
        p_platforms=list(routes),
        p_publishers=[publisher for publisher, _ in routes.values()],
        p_accounts=[account for _, account in routes.values()],
        p_attempt_id=attempt_id,
        p_now=now,
    )
    return None if row is None else _to_claim(attempt_id, row)


def _to_claim(attempt_id: str, row: tuple[Any, ...]) -> Claim:
    """A Claim from a claim's row (`_CLAIMED_ROW`, publisher, key)."""
    (post_id, platform, content_hash, attempts, book_id, content, hashtags, links, scheduled_time,
     warning, pin, language, media, publisher, key) = row  # fmt: skip
    request = PublishRequest(
        post_id=post_id,
        book_id=book_id,
        platform=platform,
        content=content,
        content_hash=content_hash,
        hashtags=tuple(hashtags),
        links=tuple(links),
        scheduled_time=scheduled_time,
        metadata=request_metadata(warning if carries_warning(platform) else None, pin, language),
    )
    return Claim(post_id, attempt_id, int(attempts), publisher, key, request, media_of(media))


def record_published(
    db: Database,
    post_id: str,
    attempt_id: str,
    result: PublishResult,
    duration_ms: int,
    now: datetime,
) -> None:
    """`mark_published` as its own unit of work: the attempt's end and the post's move to
    `published` commit together."""
    params = _published_params(post_id, attempt_id, result, duration_ms, now)
    if db.dialect == "postgresql":  # one statement on the autocommit engine: atomic
        db.prepared(_PUBLISHED, hot=True).first(**params)
        return
    with db.session() as session:
        _run_published(session, params)


def _published_params(
    post_id: str, attempt_id: str, result: PublishResult, duration_ms: int, now: datetime
) -> dict[str, object]:
    return {
        "p_post_id": post_id,
        "p_attempt_id": attempt_id,
        "p_status_code": result.status_code,
        "p_duration_ms": duration_ms,
        "p_excerpt": (result.response_excerpt or "")[:EXCERPT_LIMIT] or None,
        "p_url": result.url,
        "p_remote_id": result.remote_id,
        "p_now": now,
    }


def _run_published(session: Session, params: dict[str, object]) -> None:
    session.execute(_END_PUBLISHED, params)
    session.execute(_TO_PUBLISHED, params)


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
    *,
    confirmed: str | None = None,
) -> None:
    """The platform confirmed the post (in the caller's transaction). `confirmed` says how,
    when the attempt's own answer was lost and a lookup found the post: the attempt's outcome
    is then `confirmed`, with that note, not a plain `published`."""
    _run_published(session, _published_params(post_id, attempt_id, result, duration_ms, now))
    if confirmed is not None:
        session.execute(
            update(PublicationAttempt)
            .where(PublicationAttempt.id == attempt_id)
            .values(outcome=AttemptOutcome.CONFIRMED, error=confirmed[:EXCERPT_LIMIT])
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


def in_doubt_post_ids(
    session: Session, limit: int = 100, *, platform: str | None = None
) -> list[str]:
    """`unconfirmed` posts whose last attempt's answer was lost (outcome `unknown`, or its
    worker died mid-request), oldest first: what the reconciler may settle. A post left
    unconfirmed for another reason (a thread broken in the middle, an unexpected error) is the
    author's to settle."""
    last_outcome = (
        select(PublicationAttempt.outcome)
        .where(PublicationAttempt.post_id == Post.id)
        .order_by(PublicationAttempt.started_at.desc(), PublicationAttempt.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = select(Post.id).where(
        Post.status == PostStatus.UNCONFIRMED, last_outcome == AttemptOutcome.UNKNOWN
    )
    if platform is not None:
        query = query.where(Post.platform == platform)
    return list(session.scalars(query.order_by(Post.updated_at).limit(limit)))


def first_attempt_at(session: Session, post_id: str) -> datetime | None:
    """When the post's first attempt started (its idempotency key's first use)."""
    return session.scalar(
        select(func.min(PublicationAttempt.started_at)).where(PublicationAttempt.post_id == post_id)
    )


def settle_confirmed(
    session: Session,
    post: Post,
    publisher: str,
    result: PublishResult,
    note: str,
    now: datetime,
) -> bool:
    """An in-doubt post the platform shows: `published`, with an attempt row (`confirmed`)
    that says how it was confirmed. False if the post is no longer `unconfirmed`."""
    moved = session.execute(
        update(Post)
        .where(Post.id == post.id, Post.status == PostStatus.UNCONFIRMED)
        .values(
            status=PostStatus.PUBLISHED,
            published_at=now,
            published_url=result.url,
            remote_id=result.remote_id,
            failure_reason=None,
            updated_at=now,
        )
    )
    if int(getattr(moved, "rowcount", 0)) != 1:
        return False
    session.add(
        PublicationAttempt(
            post_id=post.id,
            platform=post.platform,
            publisher=publisher,
            idempotency_key=idempotency_key(post),
            outcome=AttemptOutcome.CONFIRMED,
            status_code=result.status_code,
            duration_ms=0,
            response_excerpt=(result.response_excerpt or "")[:EXCERPT_LIMIT] or None,
            error=note[:EXCERPT_LIMIT],
            started_at=now,
            finished_at=now,
        )
    )
    return True


def resend_in_doubt(session: Session, post_id: str, reason: str, now: datetime) -> bool:
    """An in-doubt post that is safe to send again (under its own key): `scheduled` for now,
    with `reason`. False if the post is no longer `unconfirmed`."""
    moved = session.execute(
        update(Post)
        .where(Post.id == post_id, Post.status == PostStatus.UNCONFIRMED)
        .values(
            status=PostStatus.SCHEDULED, scheduled_time=now, failure_reason=reason, updated_at=now
        )
    )
    return int(getattr(moved, "rowcount", 0)) == 1


def attempts_of(session: Session, post_id: str) -> list[dict[str, Any]]:
    """The post's publish attempts, oldest first, as API.md's attempt object: what happened to
    each (`outcome`), its HTTP status, how long it took, and what went wrong or how an answer
    that was lost was confirmed (`note`)."""
    rows = session.scalars(
        select(PublicationAttempt)
        .where(PublicationAttempt.post_id == post_id)
        .order_by(PublicationAttempt.started_at, PublicationAttempt.id)
    )
    return [
        {
            "id": row.id,
            "platform": row.platform,
            "publisher": row.publisher,
            "outcome": row.outcome,
            "status_code": row.status_code,
            "duration_ms": row.duration_ms,
            "note": row.error,
            "response_excerpt": row.response_excerpt,
            "started_at": iso(row.started_at),
            "finished_at": iso(row.finished_at),
        }
        for row in rows
    ]


REPEAT_NOTE = (
    "The earlier attempt's answer was lost; this one went out under the same key, which the "
    "platform honours, so the post was made once, by one of the two."
)


def note_repeat_after_lost_answer(db: Database, post_id: str, attempt_id: str) -> bool:
    """Say so on a successful attempt that repeated one whose answer was lost (outcome
    `unknown`): its `published` alone would hide that the first may be the one that made the
    post. True if it did."""
    with db.session() as session:
        earlier = session.scalar(
            select(PublicationAttempt.outcome)
            .where(PublicationAttempt.post_id == post_id, PublicationAttempt.id != attempt_id)
            .order_by(PublicationAttempt.started_at.desc(), PublicationAttempt.id.desc())
            .limit(1)
        )
        if earlier != AttemptOutcome.UNKNOWN:
            return False
        session.execute(
            update(PublicationAttempt)
            .where(PublicationAttempt.id == attempt_id)
            .values(error=REPEAT_NOTE)
        )
        return True
