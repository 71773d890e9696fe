"""A post's images: GET `/api/posts/<id>/media/<n>` serves the `n`-th (from 0) to whoever may
see the post, as the approval page and the preview show it; PATCH `/api/posts/<id>/media`
changes a pending post's images (keep some, in a new order, with new alt texts, or use the
book's cover or author photo instead).

The bytes come from the media store under the key the post names; the answer is the image with
its own type, `nosniff` and private caching revalidated by the key (the ETag): the `n`-th image
of a post changes when the author edits its images, the bytes under a key never do.
"""

from __future__ import annotations

from typing import Annotated
from typing import Literal

from flask import Response
from flask import request
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StringConstraints
from pydantic import model_validator

from bookagent.domain import posts as ops
from bookagent.domain.media import MAX_ALT_TEXT
from bookagent.domain.media import media_of
from bookagent.errors import NotFoundError
from bookagent.web.api.blueprints import api_blueprint
from bookagent.web.api.schemas import Identifier
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.envelope import ok

blueprint = api_blueprint("post_media", __name__)


class MediaPath(BaseModel):
    """A post id and the place of one of its images."""

    post_id: Identifier
    index: int = Field(ge=0, le=20)


def media_url(post_id: str, index: int) -> str:
    """Where the dashboard and the API's preview find a post's `index`-th image."""
    return f"/api/posts/{post_id}/media/{index}"


@blueprint.get(
    "/posts/<post_id>/media/<int:index>",
    responses={
        200: {
            "description": "The image",
            "content": {
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                "image/webp": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
def post_image(path: MediaPath) -> Response:
    """One image of a post (404 if the post has no image there)."""
    svc = services()
    with svc.db.session() as session:
        items = media_of(ops.get_post(session, caller(), path.post_id).media)
    if path.index >= len(items):
        raise NotFoundError(f"Post {path.post_id} has no image {path.index}.")
    item = items[path.index]
    response = Response(
        svc.media.get(item.key),
        mimetype=item.mime,
        headers={"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"},
    )
    response.set_etag(item.key)
    response.make_conditional(request)  # 304 when the browser holds this image
    return response


AltText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_ALT_TEXT)]


class PostRef(BaseModel):
    """A post id in the path."""

    post_id: Identifier


class KeptImage(BaseModel):
    """One of the post's images to keep: its store key, and its new alt text (left out, it
    keeps its own)."""

    model_config = ConfigDict(extra="ignore")

    key: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    alt_text: AltText | None = None


class MediaEditBody(BaseModel):
    """The post's new images: `media`, some of its own in their new order, or `use`, the book's
    uploaded cover or author photo in place of them all (with `alt_text`, else a default)."""

    model_config = ConfigDict(extra="ignore")

    media: list[KeptImage] | None = Field(default=None, max_length=20)
    use: Literal["cover", "author_photo"] | None = None
    alt_text: AltText | None = Field(
        default=None,
        description="With `use`: the image's alt text (by default, for a cover: The cover of "
        "<title> by <author>.).",
    )

    @model_validator(mode="after")
    def _one_change(self) -> MediaEditBody:
        if (self.media is None) == (self.use is None):
            raise ValueError("give either media (the images to keep) or use (cover, author_photo)")
        if self.alt_text is not None and self.use is None:
            raise ValueError("alt_text goes with use; give each image's alt_text in media")
        return self


@blueprint.patch("/posts/<post_id>/media")
def edit_post_media(path: PostRef, body: MediaEditBody) -> Response:
    """Change a pending post's images: keep some (reordered, new alt texts) or use the book's
    cover or author photo; 422 naming `media` if the result breaks the platform's media rules,
    409 if the post is not pending. Answers with the post and its preview."""
    # The post routes import this module (`media_url`): import theirs on first use.
    from bookagent.web.api.posts import _with_preview

    svc, who = services(), caller()
    keep = [(image.key, image.alt_text) for image in body.media or ()]
    with svc.db.session() as session:
        post = ops.get_post(session, who, path.post_id)
        post = ops.edit_post_media(
            session,
            who,
            path.post_id,
            rules=svc.rules(post.platform),
            keep=keep,
            use=body.use,
            alt_text=body.alt_text,
        )
        return ok({"post": _with_preview(post, {})})
