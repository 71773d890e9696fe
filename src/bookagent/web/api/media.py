"""A post's images: GET `/api/posts/<id>/media/<n>` serves the `n`-th (from 0) to whoever may
see the post, as the approval page and the preview show it.

The bytes come from the media store under the key the post names; the answer is the image with
its own type, `nosniff` and private caching (a key names one image for good, so a browser may
keep it).
"""

from __future__ import annotations

from flask import Response
from pydantic import BaseModel
from pydantic import Field

from bookagent.domain import posts as ops
from bookagent.domain.media import media_of
from bookagent.errors import NotFoundError
from bookagent.web.api.blueprints import api_blueprint
from bookagent.web.api.schemas import Identifier
from bookagent.web.context import caller
from bookagent.web.context import services

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
    return Response(
        svc.media.get(item.key),
        mimetype=item.mime,
        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
