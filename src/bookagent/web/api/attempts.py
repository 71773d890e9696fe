"""A post's audit trail: GET `/api/posts/<id>/attempts` lists every publish attempt, oldest
first, with what happened to it, to whoever may see the post.

An attempt whose answer was lost says so (`unknown`), and one the platform later showed to have
gone out says how that was found (`confirmed`, with its `note`), not a plain `published`.
"""

from __future__ import annotations

from flask import Response

from bookagent.domain import posts as ops
from bookagent.domain import publishing as ledger
from bookagent.web.api.blueprints import api_blueprint
from bookagent.web.api.posts import PostPath
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.envelope import ok

blueprint = api_blueprint("post_attempts", __name__)


@blueprint.get("/posts/<post_id>/attempts")
def post_attempts(path: PostPath) -> Response:
    """The post's publish attempts, oldest first (404 for a post the caller may not see)."""
    with services().db.session() as session:
        post = ops.get_post(session, caller(), path.post_id)
        attempts = ledger.attempts_of(session, post.id)
    return ok({"post_id": path.post_id, "attempts": attempts, "count": len(attempts)})
