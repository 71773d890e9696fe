"""Signed, expiring links to images in the media store: how a webhook receiver gets the images.

A webhook payload names each image by a URL on this server, `<public URL>/media/signed/<token>`,
which anyone holding it may fetch until it expires (24 hours by default), and nobody may forge.
The token is an `itsdangerous` signed value (HMAC, with a salt of its own so it can never pass for
any other signature made with the same secret) holding the image's store key and its expiry
time; the server's route (`bookagent.web.signed_media`) checks it with `read_link` and serves the
bytes.

The secret is the webhook's signing secret (`BOOKAGENT_PUBLISHERS__WEBHOOK_SECRET`): every
process that publishes to the webhook and the server that serves the links both have it from
their settings, whereas the web app's session key may be a random file in one machine's data
directory. The receiver knows that secret too, so it could mint a link itself, but only to an
image whose store key (the SHA-256 of its bytes) it knows, which is to say one it has already
been sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer

from bookagent.domain.media import KEY
from bookagent.errors import ConfigurationError

#: Where the web app serves a signed image (the token follows).
SIGNED_MEDIA_PATH = "/media/signed/"
#: How long a link works.
DEFAULT_LINK_TTL_S = 24 * 3600
# Keys derived for links differ from those of any other use of the secret.
_SALT = "bookagent.signed-media"


class InvalidLink(Exception):
    """The token was not made by us, or was altered."""


class ExpiredLink(Exception):
    """The token is ours, but its time is up."""


class MediaLinks:
    """Makes signed links to images of the store, under one public base URL."""

    def __init__(
        self,
        secret: str,
        base_url: str,
        ttl_s: float = DEFAULT_LINK_TTL_S,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not secret.strip() or not base_url.strip():
            raise ConfigurationError("Signed image links need a secret and a public base URL.")
        self.base_url = base_url.strip().rstrip("/")
        self._serializer = _serializer(secret)
        self._ttl_s = ttl_s
        self._clock = clock

    def url_for(self, key: str) -> str:
        """An absolute URL that serves the image stored under `key` until the link expires."""
        expires_at = int(self._clock() + self._ttl_s)
        token = self._serializer.dumps([key, expires_at])
        return f"{self.base_url}{SIGNED_MEDIA_PATH}{token}"


def read_link(secret: str, token: str, *, now: float | None = None) -> str:
    """The store key a token names; InvalidLink if it is not ours (or names no store key),
    ExpiredLink once its time is up."""
    try:
        value = _serializer(secret).loads(token)
    except BadSignature:
        raise InvalidLink("The link is not valid.") from None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], str)
        or not KEY.match(value[0])
        or not isinstance(value[1], int)
    ):
        raise InvalidLink("The link is not valid.")
    key, expires_at = str(value[0]), int(value[1])
    if (time.time() if now is None else now) > expires_at:
        raise ExpiredLink("The link has expired.")
    return key


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret.strip(), salt=_SALT)
