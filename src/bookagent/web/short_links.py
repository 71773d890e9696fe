"""Short links: GET `/l/<code>` leads a reader to a post's book link and counts the click.

No sign-in: the link is in a public post. The answer is a 302 to the link's destination (the
book's link with its UTM tags), never cached, so every click reaches the server. One click is
stored per GET as its time alone: no address, no User-Agent, no cookie, no referrer. A visit
whose User-Agent is a bot's, a link-preview fetcher's or a program's, or is empty
(`domain.link_tracking.is_bot`), a HEAD request, and a click past its address's allowance
(`BOOKAGENT_WEB__CLICK_RATE_LIMIT`, 20 a minute: no script inflates a post's clicks) follow the
link without counting. An unknown
or malformed code answers 404 in the API's JSON error shape. The route sits outside `/api`, so
the API's auth leaves it alone; its host must still be a trusted one
(`BOOKAGENT_WEB__TRUSTED_HOSTS`), the host of `BOOKAGENT_WEB__PUBLIC_URL`.
"""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import redirect
from flask import request
from werkzeug.wrappers import Response

from bookagent.db.base import utcnow
from bookagent.domain.link_tracking import SHORT_LINK_PATH
from bookagent.domain.link_tracking import is_bot
from bookagent.domain.short_links import follow
from bookagent.web.context import services
from bookagent.web.errors import error_response
from bookagent.web.rate_limits import click_limit

blueprint = Blueprint("short_links", __name__)


@blueprint.route(f"{SHORT_LINK_PATH}<path:code>", methods=["GET", "HEAD"])
def follow_link(code: str) -> Response:
    """302 to the link's destination, counting the click (404 JSON for an unknown code)."""
    limit = click_limit(current_app)
    counted = (
        request.method == "GET"
        and not is_bot(request.headers.get("User-Agent"))
        and (limit is None or limit.counts())
    )
    with services().db.session() as session:
        target = follow(session, code, count=counted, now=utcnow())
    if target is None:
        return error_response(404, "There is no such link.", "not_found")
    response = redirect(target, code=302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
