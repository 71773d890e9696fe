"""Posts: their JSON shape, their queries, and the approval workflow's conditional updates.

Every state change is one conditional UPDATE (`... WHERE status = 'pending_approval'`), so of
many concurrent approvals of one post exactly one wins and the rest get ConflictError.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from collections.abc import Collection
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from bookagent.db.models import Book
from bookagent.db.models import Post
from bookagent.domain.assets import asset_media
from bookagent.domain.autonomous import assign_slot
from bookagent.domain.books import book_to_profile
from bookagent.domain.content_warnings import WarningEdit
from bookagent.domain.content_warnings import book_warning
from bookagent.domain.content_warnings import counted_with_warning
from bookagent.domain.content_warnings import metadata_with_warning
from bookagent.domain.content_warnings import post_warning
from bookagent.domain.identity import Caller
from bookagent.domain.languages import LANGUAGE_KEY
from bookagent.domain.media import MediaItem
from bookagent.domain.media import checked_alt_text
from bookagent.domain.media import media_of
from bookagent.domain.media import media_violations
from bookagent.domain.urls import http_url_problem
from bookagent.domain.validation import book_day
from bookagent.domain.validation import check_draft
from bookagent.domain.violation import ValidationReport
from bookagent.errors import ConflictError
from bookagent.errors import FieldError
from bookagent.errors import InvalidInputError
from bookagent.errors import NotFoundError
from bookagent.isotime import iso
from bookagent.platforms import PlatformRules
from bookagent.platforms.content_warning import rules_with_warning
from bookagent.platforms.hashtags import post_entities
from bookagent.platforms.post_urls import remote_id_from_url
from bookagent.platforms.preview import platform_label
from bookagent.states import SCHEDULE_STATUSES
from bookagent.states import PostStatus

PENDING = PostStatus.PENDING_APPROVAL
RECENT_WINDOW = timedelta(days=30)
RECENT_LIMIT = 200


def content_hash(text: str) -> str:
    """SHA-256 of a post's text: the key the publishing ledger de-duplicates on."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def post_to_dict(post: Post) -> dict[str, Any]:
    """A post as API.md's Post object."""
    return {
        "id": post.id,
        "book_id": post.book_id,
        "user_id": post.user_id,
        "platform": post.platform,
        "post_type": post.post_type,
        "content": post.content,
        "hashtags": list(post.hashtags),
        "links": list(post.links),
        "status": post.status,
        "measured_length": post.measured_length,
        "limit": post.limit,
        "provider": post.provider,
        "model": post.model,
        "prompt_hash": post.prompt_hash,
        "created_at": iso(post.created_at),
        "approved_at": iso(post.approved_at),
        "approved_by": post.approved_by,
        "scheduled_time": iso(post.scheduled_time),
        "published_at": iso(post.published_at),
        "published_url": post.published_url,
        "remote_id": post.remote_id,
        "rejection_reason": post.rejection_reason,
        "failure_reason": post.failure_reason,
        "generation_metadata": dict(post.generation_metadata),
        "media": [dict(item) for item in post.media or ()],
        "metrics": dict(post.metrics),
        "cross_posted": post.cross_posted,
        "evergreen": post.evergreen,
        "evergreen_of": post.evergreen_of,
    }


def get_post(session: Session, caller: Caller, post_id: str) -> Post:
    """The post, if the caller may see it; NotFoundError otherwise."""
    post = session.get(Post, post_id)
    if post is None or not caller.can_act_for(post.user_id):
        raise NotFoundError(f"No post with id {post_id}.")
    return post


def recent_texts(
    session: Session,
    book_id: str,
    platform: str,
    now: datetime,
    *,
    exclude: Collection[str] = (),
) -> list[str]:
    """Texts of the book's recent posts on a platform (not rejected), for the dedupe check;
    the posts whose ids are in `exclude` are left out (a post being edited, and an evergreen
    repeat's original)."""
    query = select(Post.content).where(
        Post.book_id == book_id,
        Post.platform == platform,
        Post.status != PostStatus.REJECTED,
        Post.created_at >= now - RECENT_WINDOW,
    )
    if exclude:
        query = query.where(Post.id.not_in(list(exclude)))
    rows = session.scalars(query.order_by(Post.created_at.desc()).limit(RECENT_LIMIT))
    return list(rows)


def recent_texts_elsewhere(
    session: Session, book_id: str, platform: str, now: datetime
) -> list[str]:
    """Texts of the book's recent posts on the other platforms, for the cross-platform dedupe.

    Cross-posted posts are left out: each is a copy the author allowed of another post, so it
    is that post, not the copy, that a later text must not repeat (and editing the original
    does not collide with its own copies).
    """
    rows = session.scalars(
        select(Post.content)
        .where(
            Post.book_id == book_id,
            Post.platform != platform,
            Post.status != PostStatus.REJECTED,
            Post.cross_posted.is_(False),
            Post.created_at >= now - RECENT_WINDOW,
        )
        .order_by(Post.created_at.desc())
        .limit(RECENT_LIMIT)
    )
    return list(rows)


@dataclass(frozen=True)
class Page:
    """One page of posts and the cursor of the next one (None at the end)."""

    posts: list[Post]
    next_cursor: str | None


def _encode_cursor(post: Post) -> str:
    raw = json.dumps([post.created_at.isoformat(), post.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, post_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(created), str(post_id)
    except (ValueError, TypeError) as exc:
        raise InvalidInputError.for_field("cursor", "is not a cursor this API returned") from exc


@dataclass(frozen=True)
class PostFilter:
    """Filters for listing posts; every field is optional."""

    user_id: str | None = None
    book_id: str | None = None
    status: str | None = None
    platform: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


def list_posts(
    session: Session, caller: Caller, filters: PostFilter, *, limit: int, cursor: str | None
) -> Page:
    """Posts oldest first, filtered and paginated by an opaque cursor."""
    query = select(Post)
    owner = filters.user_id or (None if caller.is_admin else caller.user_id)
    if owner is not None:
        caller.resolve_user(owner)
        query = query.where(Post.user_id == owner)
    for column, value in (
        (Post.book_id, filters.book_id),
        (Post.status, filters.status),
        (Post.platform, filters.platform),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.created_from is not None:
        query = query.where(Post.created_at >= filters.created_from)
    if filters.created_to is not None:
        query = query.where(Post.created_at < filters.created_to)
    if cursor:
        created, post_id = _decode_cursor(cursor)
        query = query.where(
            or_(Post.created_at > created, and_(Post.created_at == created, Post.id > post_id))
        )
    rows = list(session.scalars(query.order_by(Post.created_at, Post.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, _encode_cursor(rows[-1]) if more and rows else None)


def _transition(
    session: Session, post_id: str, from_statuses: Sequence[str], values: dict[str, Any]
) -> None:
    outcome = session.execute(
        update(Post).where(Post.id == post_id, Post.status.in_(from_statuses)).values(**values)
    )
    if int(getattr(outcome, "rowcount", 0)) != 1:
        current = session.scalar(select(Post.status).where(Post.id == post_id))
        raise ConflictError(
            f"Post {post_id} is {current}; only a post in {', '.join(from_statuses)} can be "
            "changed this way."
        )


def check_edit(
    session: Session,
    post: Post,
    content: str,
    rules: PlatformRules,
    now: datetime,
    *,
    cross_posted: bool = False,
    scheduled_time: datetime | None = None,
    warning: WarningEdit | None = None,
) -> ValidationReport:
    """The gate's report on `content` as the new text of `post`, checked like a new draft.

    The text may repeat a recent post of another platform only if the post is `cross_posted`,
    and an evergreen repeat may repeat its own original (only that post: the others still
    count, its earlier repeats too). It is held to the day it goes out: `scheduled_time` if
    given, else the post's own, if it has one; relative dates ("tomorrow", "this Saturday")
    count from that day, and a post not yet scheduled may not use them. Its length counts the
    post's content warning, or the one `warning` gives it.
    """
    book = session.get(Book, post.book_id)
    assert book is not None  # posts cascade with their book
    return check_text(
        session,
        book,
        content,
        rules,
        now,
        cross_posted=cross_posted,
        scheduled_time=scheduled_time or post.scheduled_time,
        exempt=dedupe_exempt(post),
        warning=WarningEdit(post_warning(post)) if warning is None else warning,
    )


def check_text(
    session: Session,
    book: Book,
    content: str,
    rules: PlatformRules,
    now: datetime,
    *,
    cross_posted: bool = False,
    scheduled_time: datetime | None = None,
    exempt: Collection[str] = (),
    warning: WarningEdit | None = None,
) -> ValidationReport:
    """The gate's report on `content` as a post of `book` on `rules`' platform: limits,
    grounding in the book's facts (relative dates from `scheduled_time`'s day, in the book's
    timezone), and repeats of its recent posts (but those in `exempt`, by id: the post being
    edited, an evergreen repeat's original) and, unless `cross_posted`, of the other
    platforms'. The length counts the content warning the post carries: `warning`'s, else (a
    new post) the book's."""
    recent = recent_texts(session, book.id, rules.name, now, exclude=exempt)
    elsewhere = [] if cross_posted else recent_texts_elsewhere(session, book.id, rules.name, now)
    profile = book_to_profile(book)
    carried = book_warning(profile.rules, rules.name) if warning is None else warning.text
    report = check_draft(
        profile,
        rules_with_warning(rules, carried),
        content,
        recent=recent,
        elsewhere=elsewhere,
        cross_posted=cross_posted,
        scheduled_on=None if scheduled_time is None else book_day(scheduled_time, book.timezone),
        today=book_day(now, book.timezone),
    )
    return counted_with_warning(report, rules, carried)


def dedupe_exempt(post: Post) -> tuple[str, ...]:
    """The posts whose text an edit of `post` may repeat: the post itself (the text it
    replaces) and, for an evergreen repeat, its original, which it copies by design. By id, not
    by text: another post that happens to say the same is still a duplicate."""
    return (post.id,) if post.evergreen_of is None else (post.id, post.evergreen_of)


def revalidate(
    session: Session,
    post: Post,
    content: str,
    rules: PlatformRules,
    now: datetime,
    *,
    cross_posted: bool = False,
    scheduled_time: datetime | None = None,
    warning: WarningEdit | None = None,
) -> dict[str, Any]:
    """Validate edited text like a new draft (see `check_edit`), with the post's new content
    `warning` if given; InvalidInputError naming `content` if it fails."""
    report = check_edit(
        session,
        post,
        content,
        rules,
        now,
        cross_posted=cross_posted,
        scheduled_time=scheduled_time,
        warning=warning,
    )
    if not report.ok:
        reasons = "; ".join(v.message for v in report.violations)
        raise InvalidInputError(
            f"content: {reasons}",
            details=[FieldError("content", v.message) for v in report.violations],
            extra={"validation": report.to_dict()},
        )
    tags, links = post_entities(post.platform, content)
    return {
        "content": content,
        "content_hash": content_hash(content),
        "measured_length": report.measured_length,
        "limit": report.limit,
        "hashtags": list(tags),
        "links": list(links),
        "generation_metadata": metadata_with_warning(
            {**post.generation_metadata, "validation": report.to_dict(), "edited": True},
            post_warning(post) if warning is None else warning.text,
        ),
    }


def to_utc(value: datetime, timezone_name: str) -> datetime:
    """An aware UTC time; a naive one is read in the book's timezone (what the author means)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone_name))
    return value.astimezone(ZoneInfo("UTC"))


def approve_post(
    session: Session,
    caller: Caller,
    post_id: str,
    *,
    rules: PlatformRules,
    now: datetime,
    scheduled_time: datetime | None = None,
    content: str | None = None,
    cross_posted: bool | None = None,
) -> Post:
    """Approve a pending post (editing it first if `content` is given); 409 if not pending.

    `cross_posted`, if given, marks (or unmarks) the post as a cross-post first: see
    `edit_post`.
    """
    post = get_post(session, caller, post_id)
    if post.status != PENDING:
        raise ConflictError(
            f"Post {post_id} is {post.status}; only a pending post can be approved."
        )
    check_media(rules, media_of(post.media), "The post cannot be approved yet: ")
    values: dict[str, Any] = {
        "status": PostStatus.APPROVED,
        "approved_at": now,
        "approved_by": caller.user_id or "admin",
    }
    if content == post.content:
        content = None  # approving the text as it is: nothing to re-validate
    if scheduled_time is not None:
        book = session.get(Book, post.book_id)
        when = to_utc(scheduled_time, book.timezone if book else "UTC")
        if when <= now:
            raise InvalidInputError.for_field("scheduled_time", "must be in the future")
    else:
        when = assign_slot(session, post, now)
    # New text is checked for the day it will go out, which is known now.
    values.update(_edit_values(session, post, content, cross_posted, rules, now, when))
    values.update(status=PostStatus.SCHEDULED, scheduled_time=when)
    _transition(session, post_id, [PENDING], values)
    session.refresh(post)
    return post


def reject_post(session: Session, caller: Caller, post_id: str, reason: str | None) -> Post:
    """Reject a pending post, keeping the reason; 409 if it is not pending."""
    get_post(session, caller, post_id)
    _transition(
        session,
        post_id,
        [PENDING],
        {"status": PostStatus.REJECTED, "rejection_reason": reason or "rejected by the author"},
    )
    post = get_post(session, caller, post_id)
    session.refresh(post)
    return post


def edit_post(
    session: Session,
    caller: Caller,
    post_id: str,
    content: str | None,
    *,
    rules: PlatformRules,
    now: datetime,
    cross_posted: bool | None = None,
    content_warning: WarningEdit | None = None,
    language: str | None = None,
) -> Post:
    """Edit a pending post's text, its cross-posted mark, its content warning, its language
    (a standard BCP 47 tag), or several; new text is re-validated like a new draft (with the
    mark it will have: a cross-post may repeat another platform's post), and so is the text under
    a new warning (which takes its room).
    """
    post = get_post(session, caller, post_id)
    if post.status != PENDING:
        raise ConflictError(f"Post {post_id} is {post.status}; only a pending post can be edited.")
    if content_warning is not None and content_warning.text == post_warning(post):
        content_warning = None  # the warning it has: nothing to change
    if content_warning is not None and content is None:
        content = post.content
    values = _edit_values(session, post, content, cross_posted, rules, now, warning=content_warning)
    if language is not None and language != (post.generation_metadata or {}).get(LANGUAGE_KEY):
        metadata = values.get("generation_metadata", post.generation_metadata) or {}
        values["generation_metadata"] = {**metadata, LANGUAGE_KEY: language}
    if values:
        _transition(session, post_id, [PENDING], values)
        session.refresh(post)
    return post


def edit_post_media(
    session: Session,
    caller: Caller,
    post_id: str,
    *,
    rules: PlatformRules,
    keep: Sequence[tuple[str, str | None]] = (),
    use: str | None = None,
    alt_text: str | None = None,
) -> Post:
    """Change a pending post's images (409 if it is not pending).

    Either `keep` some of its own, in a new order, each `(key, alt_text)` (None keeps the
    image's alt text), or swap them all for the book's uploaded asset `use` (`cover`,
    `author_photo`) with `alt_text`, else a default one. The result must meet the platform's
    media rules: a 422 naming `media` says what it breaks.
    """
    post = get_post(session, caller, post_id)
    if post.status != PENDING:
        raise ConflictError(f"Post {post_id} is {post.status}; only a pending post can be edited.")
    current = media_of(post.media)
    if use is not None:
        book = session.get(Book, post.book_id)
        assert book is not None  # posts cascade with their book
        media: tuple[MediaItem, ...] = (asset_media(book, use, alt_text),)
    else:
        media = _kept_media(current, keep)
    if current and not media and rules.requires_media:
        raise InvalidInputError.for_field(
            "media",
            f"{platform_label(rules.name)} never shows a post without an image, so this post's "
            "only image cannot be removed: use the book's cover in its place, or reject the post.",
        )
    check_media(rules, media)
    _transition(session, post_id, [PENDING], {"media": [item.to_json() for item in media]})
    session.refresh(post)
    return post


def _kept_media(
    current: Sequence[MediaItem], keep: Sequence[tuple[str, str | None]]
) -> tuple[MediaItem, ...]:
    """The post's images named in `keep`, in its order, with their new alt texts."""
    by_key = {item.key: item for item in current}
    kept: list[MediaItem] = []
    for key, alt_text in keep:
        item = by_key.get(key)
        if item is None:
            raise InvalidInputError.for_field(
                "media", f"{key[:80]!r} is not the key of one of this post's images"
            )
        if any(other.key == key for other in kept):
            raise InvalidInputError.for_field("media", f"lists the image {key} twice")
        if alt_text is not None:
            item = dataclasses.replace(item, alt_text=checked_alt_text(alt_text))
        kept.append(item)
    return tuple(kept)


def check_media(rules: PlatformRules, media: Sequence[MediaItem], intro: str = "") -> None:
    """InvalidInputError naming `media` (with each `violations` code) if the images break the
    platform's media rules: an image it requires, how many it takes, their size, alt text."""
    problems = media_violations(rules, media)
    if problems:
        raise InvalidInputError(
            f"media: {intro}{' '.join(v.message for v in problems)}",
            details=[FieldError("media", v.message) for v in problems],
            extra={"violations": [{"code": v.code, "message": v.message} for v in problems]},
        )


def _edit_values(
    session: Session,
    post: Post,
    content: str | None,
    cross_posted: bool | None,
    rules: PlatformRules,
    now: datetime,
    scheduled_time: datetime | None = None,
    *,
    warning: WarningEdit | None = None,
) -> dict[str, Any]:
    """The columns an edit changes: new text, re-validated (for `scheduled_time`, if the post
    is being scheduled, and with the new content `warning`, if given), and the cross-posted mark.

    Removing the mark re-validates the text too, since it may repeat another platform's post;
    setting it only allows more.
    """
    marked = post.cross_posted if cross_posted is None else cross_posted
    values: dict[str, Any] = {}
    if content is None and post.cross_posted and not marked:
        content = post.content
    if content is not None:
        values.update(
            revalidate(
                session,
                post,
                content,
                rules,
                now,
                cross_posted=marked,
                scheduled_time=scheduled_time,
                warning=warning,
            )
        )
    if marked != post.cross_posted:
        values["cross_posted"] = marked
    return values


def delete_post(session: Session, caller: Caller, post_id: str) -> None:
    """Delete a post; one being published right now cannot be deleted (409)."""
    post = get_post(session, caller, post_id)
    if post.status == PostStatus.PUBLISHING:
        raise ConflictError(f"Post {post_id} is being published; try again when it is done.")
    session.delete(post)
    session.flush()


def schedule_rows(
    session: Session,
    caller: Caller,
    *,
    user_id: str | None,
    book_id: str | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Scheduled and published posts in a window, by time: what is planned and what went out."""
    when = func.coalesce(Post.published_at, Post.scheduled_time)
    query = select(Post).where(Post.status.in_(SCHEDULE_STATUSES), when.is_not(None))
    owner = user_id or (None if caller.is_admin else caller.user_id)
    if owner is not None:
        caller.resolve_user(owner)
        query = query.where(Post.user_id == owner)
    if book_id is not None:
        query = query.where(Post.book_id == book_id)
    if start is not None:
        query = query.where(when >= start)
    if end is not None:
        query = query.where(when < end)
    rows = []
    for post in session.scalars(query.order_by(when, Post.id).limit(limit)):
        rows.append(
            {
                "post_id": post.id,
                "book_id": post.book_id,
                "platform": post.platform,
                "status": post.status,
                "scheduled_time": iso(post.scheduled_time),
                "published_at": iso(post.published_at),
                "published_url": post.published_url,
                "content": post.content,
                "failure_reason": post.failure_reason,
                "evergreen": post.evergreen,
                "evergreen_of": post.evergreen_of,
            }
        )
    return rows


def resolve_post(
    session: Session,
    caller: Caller,
    post_id: str,
    *,
    went_out: bool,
    published_url: str | None,
    now: datetime,
) -> Post:
    """Settle an `unconfirmed` (or `failed`) post after the author checked the platform.

    It went out: mark it published. It did not: back to `scheduled` in the next free slot, so
    it is sent again, once. `published_url`, if given, must be an http(s) URL; the address of
    the post's page on Mastodon, X or Bluesky also gives its `remote_id`, so its engagement is
    read like any other post's.
    """
    if published_url is not None and (problem := http_url_problem(published_url)):
        raise InvalidInputError.for_field("published_url", problem)
    post = get_post(session, caller, post_id)
    if went_out:
        remote_id = remote_id_from_url(post.platform, published_url) if published_url else None
        values: dict[str, Any] = {
            "status": PostStatus.PUBLISHED,
            "published_at": now,
            "published_url": published_url,
            "failure_reason": None,
        }
        if remote_id is not None:
            values["remote_id"] = remote_id
    else:
        values = {
            "status": PostStatus.SCHEDULED,
            "scheduled_time": assign_slot(session, post, now),
            "failure_reason": None,
        }
    _transition(session, post_id, [PostStatus.UNCONFIRMED, PostStatus.FAILED], values)
    session.refresh(post)
    return post


#: Posts on their way out: the pipeline the daily top-up (and the evergreen step) fills up to a
#: platform's posts per day.
PIPELINE_STATUSES = (PostStatus.PENDING_APPROVAL, PostStatus.APPROVED, PostStatus.SCHEDULED)


def pipeline_counts(session: Session, book_id: str) -> dict[str, int]:
    """The book's posts in the pipeline (`PIPELINE_STATUSES`), per platform."""
    rows = session.execute(
        select(Post.platform, func.count())
        .where(Post.book_id == book_id, Post.status.in_(PIPELINE_STATUSES))
        .group_by(Post.platform)
    )
    return {platform: int(count) for platform, count in rows}
