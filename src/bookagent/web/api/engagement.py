"""Engagement: record a reading of a published post's figures, read a post's history, and import
readings from CSV text (all rows or none).

The figures are `likes, shares, comments, clicks, impressions, followers`, each a whole number
of 0 or more, or left out (not known). A reading recorded or imported here has the source
`import`; the daily routine's readings of the platforms have `platform`, and the clicks counted
on bookagent's short links `clicks`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from typing import Any

from flask import Response
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from bookagent.db.base import utcnow
from bookagent.db.models import Post
from bookagent.domain import engagement
from bookagent.domain import posts as ops
from bookagent.domain import short_links
from bookagent.domain.engagement import MAX_FIGURE
from bookagent.domain.metric_import import MAX_IMPORT_CHARS
from bookagent.domain.metric_import import MAX_IMPORT_ROWS
from bookagent.domain.metric_import import import_readings
from bookagent.isotime import iso
from bookagent.web.api.blueprints import CREATED
from bookagent.web.api.blueprints import api_blueprint
from bookagent.web.api.posts import PostPath
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.envelope import ok

blueprint = api_blueprint("engagement", __name__)


#: A figure: a whole number (not a text, a fraction or a bool) of 0 or more, or null.
Figure = Annotated[int | None, Field(ge=0, le=MAX_FIGURE, strict=True)]


class ReadingBody(BaseModel):
    """One reading of a published post's figures: at least one of them, and when it was read."""

    model_config = ConfigDict(extra="forbid")

    likes: Figure = Field(default=None, description="Likes (Mastodon's favourites).")
    shares: Figure = Field(default=None, description="Shares: reposts, reblogs, retweets.")
    comments: Figure = Field(
        default=None, description="Comments: replies (and Bluesky's and X's quotes)."
    )
    clicks: Figure = Field(default=None, description="Clicks on the post's links.")
    impressions: Figure = Field(default=None, description="Times the post was shown.")
    followers: Figure = Field(
        default=None, description="The account's followers when the figures were read."
    )
    read_at: datetime | None = Field(
        default=None,
        description="When the figures were read (ISO-8601; without an offset, UTC); "
        "default now. Not in the future.",
    )


class ImportBody(BaseModel):
    """CSV text: a header line naming the columns, then one line per reading."""

    model_config = ConfigDict(extra="forbid")

    csv: str = Field(
        min_length=1,
        max_length=MAX_IMPORT_CHARS,
        description="The file's text. Header: post,likes,shares,comments,clicks,impressions,at "
        "(any order; followers too; post and one figure at least). `post` is a post's id, its "
        f"published_url or the address of its page on its network; at most "
        f"{MAX_IMPORT_ROWS:,} rows.",
    )


def _post_figures(post: Post) -> dict[str, Any]:
    """The post's latest figures and when they were read."""
    return {
        "latest": engagement.latest_figures(post),
        "metrics_updated_at": iso(post.metrics_updated_at),
    }


@blueprint.post("/posts/<post_id>/metrics", responses=CREATED)
def record_metrics(path: PostPath, body: ReadingBody) -> Response:
    """Record a reading of a published post's figures (404 for a post the caller may not see,
    409 for one not published, 422 naming a bad figure or time)."""
    figures = body.model_dump(exclude={"read_at"}, exclude_none=True)
    with services().db.session() as session:
        post = ops.get_post(session, caller(), path.post_id)
        reading = engagement.check_reading(figures, read_at=body.read_at, now=utcnow())
        row = engagement.record_reading(session, post, reading, source="import")
        payload = {
            "reading": engagement.reading_to_dict(row),
            "post": ops.post_to_dict(post),
            **_post_figures(post),
        }
    return ok(payload, 201)


@blueprint.get("/posts/<post_id>/metrics")
def metric_history(path: PostPath) -> Response:
    """The post's readings, oldest first, and its latest figures; the clicks counted on its
    short links are recorded as a reading first where they are above its clicks figure."""
    with services().db.session() as session:
        post = ops.get_post(session, caller(), path.post_id)
        short_links.refresh_counted_clicks(session, [post], utcnow())
        readings = [engagement.reading_to_dict(r) for r in engagement.history(session, post.id)]
        figures = _post_figures(post)
    return ok({"post_id": post.id, "readings": readings, "count": len(readings), **figures})


@blueprint.post("/metrics/import")
def import_metrics(body: ImportBody) -> Response:
    """Import readings from CSV text: every row is checked first, and any bad row imports
    nothing (422 listing each bad row's line, field and problem in `errors`)."""
    with services().db.session() as session:
        result = import_readings(session, caller(), body.csv, now=utcnow())
    return ok({"imported": result.imported, "posts": result.posts})
