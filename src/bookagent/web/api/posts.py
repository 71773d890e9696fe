"""Generating posts, the approval queue, and the post resource."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated
from typing import Any
from typing import Literal

from flask import Response
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StringConstraints
from pydantic import field_validator
from pydantic import model_validator

from bookagent.db.base import utcnow
from bookagent.db.models import Post
from bookagent.domain import evergreen
from bookagent.domain import generation
from bookagent.domain import posts as ops
from bookagent.domain.books import resolve_book
from bookagent.domain.categories import POST_TYPES
from bookagent.domain.content_warnings import WarningEdit
from bookagent.domain.content_warnings import post_warning
from bookagent.domain.languages import language_tag
from bookagent.domain.media import media_of
from bookagent.domain.profile import MAX_WARNING_CHARS
from bookagent.domain.urls import OptionalHttpUrlStr
from bookagent.errors import InvalidInputError
from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.platforms import PlatformRules
from bookagent.platforms import normalize_platform
from bookagent.platforms import preview
from bookagent.platforms.content_warning import with_content_warning
from bookagent.platforms.preview import MediaPlaceholder
from bookagent.queue.operations import submit_task
from bookagent.states import PostStatus
from bookagent.tasks.generation import generate
from bookagent.web.api.blueprints import QUEUED
from bookagent.web.api.blueprints import api_blueprint
from bookagent.web.api.media import media_url
from bookagent.web.api.schemas import Identifier
from bookagent.web.api.tasks import queued
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.envelope import ok
from bookagent.web.timeouts import timed_route

blueprint = api_blueprint("posts", __name__)

Content = Annotated[str, StringConstraints(min_length=1, max_length=70000)]


class GenerateBody(BaseModel):
    """What to generate: platforms, how many per platform, and optionally types and writer."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    user_id: Identifier | None = None
    app_id: str | None = None
    book_id: Identifier | None = None
    platforms: list[str] = Field(
        default_factory=lambda: ["twitter", "facebook"],
        min_length=1,
        max_length=len(SUPPORTED_PLATFORMS) + 1,
    )
    count_per_platform: int = Field(default=1, ge=1, le=50)
    run_async: bool = Field(default=False, alias="async")
    post_types: list[str] | None = Field(default=None, max_length=10)
    provider: Literal["template", "openai", "anthropic"] | None = None
    seed: int | None = Field(default=None, ge=0, le=2**31)

    @field_validator("platforms")
    @classmethod
    def _known_platforms(cls, value: list[str]) -> list[str]:
        names = []
        for name in value:
            try:
                names.append(normalize_platform(name))
            except InvalidInputError as exc:
                raise ValueError(exc.details[0].message if exc.details else exc.message) from None
        return list(dict.fromkeys(names))

    @field_validator("post_types")
    @classmethod
    def _known_post_types(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        unknown = [t for t in value if t not in POST_TYPES]
        if unknown:
            raise ValueError(f"unknown post types {unknown}; use any of {', '.join(POST_TYPES)}")
        return list(dict.fromkeys(value))


class ApproveBody(BaseModel):
    """Approve a pending post, optionally editing it and fixing its time."""

    model_config = ConfigDict(extra="ignore")

    post_id: Identifier
    user_id: Identifier | None = None
    scheduled_time: datetime | None = None
    content: Content | None = None
    cross_posted: bool | None = Field(
        default=None,
        description="Mark the post as a cross-post: its text may repeat a recent post of the "
        "book on another platform.",
    )


class RejectBody(BaseModel):
    """Reject a pending post, with an optional reason."""

    model_config = ConfigDict(extra="ignore")

    post_id: Identifier
    user_id: Identifier | None = None
    reason: Annotated[str, StringConstraints(max_length=2000)] | None = None


class PageQuery(BaseModel):
    """Pagination."""

    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=50, ge=1, le=200)
    cursor: Annotated[str, StringConstraints(max_length=200)] | None = None
    book_id: Identifier | None = None


class PostsQuery(PageQuery):
    """Filters for listing posts."""

    user_id: Identifier | None = None
    status: PostStatus | None = None
    platform: str | None = None
    created_from: datetime | None = Field(default=None, alias="from")
    created_to: datetime | None = Field(default=None, alias="to")

    @field_validator("platform")
    @classmethod
    def _platform(cls, value: str | None) -> str | None:
        return GenerateBody._known_platforms([value])[0] if value else None


class UserPath(BaseModel):
    """A user id in the path."""

    user_id: Identifier


class PostPath(BaseModel):
    """A post id in the path."""

    post_id: Identifier


class EditBody(BaseModel):
    """New text for a pending post, its cross-posted mark, its content warning, or several."""

    model_config = ConfigDict(extra="ignore")

    content: Content | None = None
    cross_posted: bool | None = Field(
        default=None,
        description="Mark the post as a cross-post: its text may repeat a recent post of the "
        "book on another platform.",
    )
    content_warning: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_WARNING_CHARS)]
        | None
    ) = Field(
        default=None,
        description="The post's content warning (Mastodon posts only): new text, or null (or "
        "empty) to remove it. Left out, the post keeps its own.",
    )

    language: str | None = Field(
        default=None,
        description="The post's language, a BCP 47 tag (en, en-GB, pt-BR); left out, the post "
        "keeps its own (the book's when it was written).",
    )

    @field_validator("language")
    @classmethod
    def _bcp47(cls, value: str | None) -> str | None:
        return None if value is None else language_tag(value)

    @model_validator(mode="after")
    def _something_to_change(self) -> EditBody:
        changes = (self.content, self.cross_posted, self.language)
        if all(change is None for change in changes) and not self.changes_warning:
            raise ValueError("give content, cross_posted, content_warning, language or several")
        return self

    @property
    def changes_warning(self) -> bool:
        """Whether the body sets (or, with null, removes) the post's content warning."""
        return "content_warning" in self.model_fields_set


@blueprint.post("/generate-posts", responses=QUEUED)
def generate_posts(body: GenerateBody) -> Response:
    """Generate posts: small batches now (200), larger or `async` ones as a task (202)."""
    svc, who = services(), caller()
    with svc.db.session() as session:
        book = resolve_book(session, who, user_id=body.user_id, book_id=body.book_id)
        book_id, owner = book.id, book.user_id
        generation.ensure_budget(session, svc.settings.writers.monthly_budget_usd, utcnow())
    svc.writers.get(body.provider)  # 422 now if the writer is not configured
    total = body.count_per_platform * len(body.platforms)
    params: dict[str, Any] = {
        "book_id": book_id,
        "platforms": body.platforms,
        "count_per_platform": body.count_per_platform,
        "post_types": body.post_types,
        "provider": body.provider,
        "seed": body.seed if body.seed is not None else secrets.randbelow(2**31),
    }
    if total <= svc.settings.writers.sync_threshold and not body.run_async:
        result = generate(svc, timeout_s=svc.settings.timeouts.generate_posts_s, **params)
        return ok(
            {
                "posts_generated": result["count"],
                "posts": result["posts"],
                "rejected": result["rejected"],
            }
        )
    task_id = submit_task(svc, "bookagent.generate_posts", params, user_id=owner)
    return queued(
        "content_generation_queued",
        task_id,
        f"Generating {total} posts in background. Check task status for results.",
    )


@blueprint.post("/approve-post")
@timed_route("approve_post_s")
def approve_post(body: ApproveBody) -> Response:
    """Approve a pending post (409 if it is not pending)."""
    svc = services()
    with svc.db.session() as session:
        post = ops.get_post(session, caller(), body.post_id)
        post = ops.approve_post(
            session,
            caller(),
            body.post_id,
            rules=svc.rules(post.platform),
            now=utcnow(),
            scheduled_time=body.scheduled_time,
            content=body.content,
            cross_posted=body.cross_posted,
        )
        data = ops.post_to_dict(post)
    return ok(
        {
            "status": "approved_and_scheduled" if data["scheduled_time"] else "approved",
            "post_id": data["id"],
            "scheduled_time": data["scheduled_time"],
            "post": data,
        }
    )


@blueprint.post("/reject-post")
def reject_post(body: RejectBody) -> Response:
    """Reject a pending post (404 unknown, 409 not pending)."""
    with services().db.session() as session:
        post = ops.reject_post(session, caller(), body.post_id, body.reason)
        return ok({"message": "Post rejected successfully", "post": ops.post_to_dict(post)})


@blueprint.get("/pending-posts/<user_id>")
def pending_posts(path: UserPath, query: PageQuery) -> Response:
    """A user's posts waiting for approval, oldest first."""
    filters = ops.PostFilter(user_id=path.user_id, book_id=query.book_id, status=ops.PENDING)
    return _page_of_posts(filters, query)


@blueprint.get("/posts")
def list_posts(query: PostsQuery) -> Response:
    """Posts, filtered by status, platform, book and creation time, oldest first."""
    filters = ops.PostFilter(
        user_id=query.user_id,
        book_id=query.book_id,
        status=query.status,
        platform=query.platform,
        created_from=query.created_from,
        created_to=query.created_to,
    )
    return _page_of_posts(filters, query)


def _page_of_posts(filters: ops.PostFilter, query: PageQuery) -> Response:
    rules: dict[str, PlatformRules] = {}
    with services().db.session() as session:
        page = ops.list_posts(session, caller(), filters, limit=query.limit, cursor=query.cursor)
        posts = [_with_preview(p, rules) for p in page.posts]
    return ok({"posts": posts, "count": len(posts), "next_cursor": page.next_cursor})


def _with_preview(post: Post, rules: dict[str, PlatformRules]) -> dict[str, Any]:
    """API.md's Post object with its `preview`; `rules` caches each platform's rules."""
    if post.platform not in rules:
        rules[post.platform] = services().rules(post.platform)
    alt_text = post.generation_metadata.get("alt_text")
    images = [
        MediaPlaceholder(item.alt_text, media_url(post.id, i), item.width, item.height)
        for i, item in enumerate(media_of(post.media))
    ]
    shown = preview(
        post.platform,
        post.content,
        rules[post.platform],
        alt_text=alt_text if isinstance(alt_text, str) else None,
        media=images,
    )
    shown = with_content_warning(shown, post_warning(post), rules[post.platform])
    data = ops.post_to_dict(post)
    data["media"] = [
        {**item, "url": image.url} for item, image in zip(data["media"], images, strict=True)
    ]
    return {**data, "preview": shown.to_dict()}


@blueprint.get("/posts/<post_id>")
def get_post(path: PostPath) -> Response:
    """One post, with its preview."""
    with services().db.session() as session:
        return ok({"post": _with_preview(ops.get_post(session, caller(), path.post_id), {})})


@blueprint.patch("/posts/<post_id>")
def edit_post(path: PostPath, body: EditBody) -> Response:
    """Edit a pending post's text, cross-posted mark or content warning; new text is
    re-validated (422 naming `content` if it fails, with `cross_platform_duplicate` if it repeats
    another platform's post and the post is not marked `cross_posted`), and so is the text
    under a new warning; a warning on a post of another platform than Mastodon is a 422 naming
    `content_warning`."""
    svc = services()
    with svc.db.session() as session:
        post = ops.get_post(session, caller(), path.post_id)
        warning = None
        if body.changes_warning:
            warning = WarningEdit.of(post.platform, body.content_warning)
        post = ops.edit_post(
            session,
            caller(),
            path.post_id,
            body.content,
            rules=svc.rules(post.platform),
            now=utcnow(),
            cross_posted=body.cross_posted,
            content_warning=warning,
            language=body.language,
        )
        return ok({"post": _with_preview(post, {})})


class ResolveBody(BaseModel):
    """What the author found on the platform for an unconfirmed or failed post."""

    model_config = ConfigDict(extra="ignore")

    published: bool
    published_url: OptionalHttpUrlStr = None


@blueprint.post("/posts/<post_id>/resolve")
def resolve_post(path: PostPath, body: ResolveBody) -> Response:
    """Settle an unconfirmed or failed post: it went out (published), or send it again."""
    with services().db.session() as session:
        post = ops.resolve_post(
            session,
            caller(),
            path.post_id,
            went_out=body.published,
            published_url=body.published_url,
            now=utcnow(),
        )
        return ok({"post": ops.post_to_dict(post)})


@blueprint.put("/posts/<post_id>/evergreen")
def mark_evergreen(path: PostPath) -> Response:
    """Mark a published post evergreen: the agent queues it again after the cool-down (404
    unknown, 409 not published or a repeat)."""
    return _set_evergreen(path.post_id, True)


@blueprint.delete("/posts/<post_id>/evergreen")
def unmark_evergreen(path: PostPath) -> Response:
    """Stop repeating a post (idempotent; repeats already queued stay queued)."""
    return _set_evergreen(path.post_id, False)


def _set_evergreen(post_id: str, on: bool) -> Response:
    with services().db.session() as session:
        post = evergreen.set_evergreen(session, caller(), post_id, on)
        return ok({"post": _with_preview(post, {})})


@blueprint.delete("/posts/<post_id>")
def delete_post(path: PostPath) -> Response:
    """Delete a post (409 while it is being published)."""
    with services().db.session() as session:
        ops.delete_post(session, caller(), path.post_id)
    return ok({"deleted": True, "post_id": path.post_id})
