"""Signed image links: GET `/media/signed/<token>` serves one image of the media store to whoever
holds a link the webhook publisher made (`bookagent.publishers.media_links`), until it expires.

No sign-in is asked for: the token is the permission. It is checked with the webhook's signing
secret, the one the links were made with. An altered or foreign token answers 403 `invalid_link`,
an expired one 403 `link_expired`, and an image no longer in the store 404; errors are JSON, as
the receiver is a program. The route sits outside `/api`, so the API's auth leaves it alone, and
its host must still be a trusted one (`BOOKAGENT_WEB__TRUSTED_HOSTS`).
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response

from bookagent.domain.media import MEDIA_TYPES
from bookagent.errors import NotFoundError
from bookagent.publishers.media_links import SIGNED_MEDIA_PATH
from bookagent.publishers.media_links import ExpiredLink
from bookagent.publishers.media_links import InvalidLink
from bookagent.publishers.media_links import read_link
from bookagent.web.context import services
from bookagent.web.errors import error_response

blueprint = Blueprint("signed_media", __name__)

#: A type by the store key's extension.
_TYPES = {extension: mime for mime, extension in MEDIA_TYPES.items()}


@blueprint.get(f"{SIGNED_MEDIA_PATH}<token>")
def signed_image(token: str) -> Response:
    """The image a signed link names (403 if the link is not ours or has expired)."""
    svc = services()
    configured = svc.settings.publishers.webhook_secret
    secret = configured.get_secret_value().strip() if configured is not None else ""
    if not secret:  # no webhook: no link was ever made
        return error_response(403, "The link is not valid.", "invalid_link")
    try:
        key = read_link(secret, token)
    except InvalidLink:
        return error_response(403, "The link is not valid.", "invalid_link")
    except ExpiredLink:
        return error_response(403, "The link has expired.", "link_expired")
    try:
        data = svc.media.get(key)
    except NotFoundError:
        return error_response(404, "The image is no longer kept.", "not_found")
    return Response(
        data,
        mimetype=_TYPES.get(key.rpartition(".")[2], "application/octet-stream"),
        # A key names one image for good; the link, not a cache, decides who may see it.
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
