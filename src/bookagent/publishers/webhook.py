"""The webhook publisher: POSTs each post as signed JSON, which is how Zapier, Make or n8n plug in.

The body is `{"event": "post.publish", "idempotency_key", "post": {...}, "sent_at"}`; a LinkedIn
post also carries `content_linkedin_little`, the text escaped for LinkedIn's little format.
`post.media` lists the post's images, in order, as `{url, mime, width, height, alt_text}`: the
`url` is a signed link on this server that serves the image for 24 hours (`media_links`), so the
receiver fetches the bytes itself. A Pinterest post whose request carries `metadata["pin"]`
(`{title, description, link}`) also has it as `post.pin`. `post.content`, `post.links` and
`post.pin.link` hold the book's links as tracked (UTM tags or short links, see
`domain.link_tracking`); `post.content_hash` is the approved text's, as the key is.
Every request is signed so the receiver can prove it came from us and is fresh:

    X-Bookagent-Timestamp: 1767225600                 (Unix seconds when it was sent)
    X-Bookagent-Signature: sha256=<hex>               (HMAC-SHA256 of f"{timestamp}.{raw body}")
    Idempotency-Key: <key>                            (the same on every retry of one post)

To verify, a receiver takes the raw body bytes exactly as received (before any JSON parsing),
computes `hmac.new(secret, timestamp.encode() + b"." + body, sha256).hexdigest()`, compares it with
the header in constant time, and rejects a timestamp more than five minutes from its clock (a
replayed request). `verify_signature` below does all of that; receivers should also drop a
repeated Idempotency-Key, because we retry when a connection could not be made.

We retry only where the request provably did not arrive (a failed connect), up to three attempts
with a short backoff. A timeout or a 5xx after sending is PublishOutcomeUnknown and is never
retried here: we cannot know whether the receiver acted on it.

The URL is treated as a secret (for Zapier or Make it is the only credential): logs show only
its `scheme://host[:port]`, and error messages have its path, query and user info redacted.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from typing import Any

import httpx

from bookagent.domain.ports import CheckResult
from bookagent.domain.ports import PublisherCapabilities
from bookagent.domain.ports import PublishRequest
from bookagent.domain.ports import PublishResult
from bookagent.errors import ConfigurationError
from bookagent.errors import ProviderRejected
from bookagent.errors import ProviderUnavailable
from bookagent.platforms import escape_linkedin_little
from bookagent.publishers.base import HttpPublisher
from bookagent.publishers.base import checked
from bookagent.publishers.base import post_fields
from bookagent.publishers.media_links import MediaLinks
from bookagent.publishers.transport import Redactor
from bookagent.publishers.transport import build_client
from bookagent.publishers.transport import host_of
from bookagent.publishers.transport import secret_parts_of

logger = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Bookagent-Timestamp"
SIGNATURE_HEADER = "X-Bookagent-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
PUBLISH_EVENT = "post.publish"
PING_EVENT = "ping"
DEFAULT_BACKOFF_S = (0.2, 0.4)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value: `sha256=` and the hex HMAC-SHA256 of `timestamp.body`."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sha256")
    return "sha256=" + digest.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    tolerance_s: float = 300,
    *,
    now: float | None = None,
) -> bool:
    """True when `signature` is ours for this raw body and the timestamp is within tolerance.

    For receivers: pass the two headers and the raw body bytes as received. A stale or future
    timestamp is refused, so a captured request cannot be replayed later.
    """
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookPublisher(HttpPublisher):
    """Delivers posts to one URL as signed JSON; the receiver decides what "publish" means.

    A webhook has no limits of its own (the platform's rules apply), cannot be asked what it did,
    and reports no engagement.
    """

    name: str = "webhook"

    def __init__(
        self,
        url: str,
        secret: str,
        platform: str,
        timeout_s: float = 15.0,
        *,
        max_attempts: int = 3,
        backoff_s: Sequence[float] = DEFAULT_BACKOFF_S,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        media_links: MediaLinks | None = None,
        receiver_dedupes: bool = False,
    ) -> None:
        if not url.strip() or not secret.strip():
            raise ConfigurationError("The webhook publisher needs a URL and a signing secret.")
        if max_attempts < 1:
            raise ConfigurationError("The webhook publisher needs max_attempts >= 1.")
        self.url = url.strip()
        self.platform = platform.strip().lower()
        self.account = f"webhook:{host_of(self.url)}"
        self._secret = secret
        self._max_attempts = max_attempts
        self._backoff_s = tuple(backoff_s) or (0.0,)
        self._clock = clock
        self._media_links = media_links  # None: a post with images cannot go out
        self._receiver_dedupes = receiver_dedupes
        # The URL's path and query are a secret too (a Zapier or Make hook is its URL): only its
        # origin is ever logged (transport.OriginOnlyFilter), and messages have the rest redacted.
        self._redact = Redactor([secret, *secret_parts_of(self.url)])
        self._client = build_client(timeout_s=timeout_s, transport=transport)

    def capabilities(self) -> PublisherCapabilities:
        """We cannot ask a receiver what it did; that it drops a repeated Idempotency-Key is
        only known when the operator says so (`receiver_dedupes`): then a post whose answer was
        lost may be sent again."""
        return PublisherCapabilities(
            idempotency_key=self._receiver_dedupes, lookup=False, metrics=False
        )

    async def publish(self, request: PublishRequest, idempotency_key: str) -> PublishResult:
        """POST the signed post; the receiver's `{"id", "url"}` answer becomes the result."""
        body = _encode(
            {
                "event": PUBLISH_EVENT,
                "idempotency_key": idempotency_key,
                "post": self._post_payload(request),
                "sent_at": datetime.now(UTC).isoformat(),
            }
        )
        response = await self._deliver(body, idempotency_key, request.post_id)
        self._raise_for_status(response, effect=True)
        answer = _json_or_empty(response)
        remote_id = answer.get("id")
        url = answer.get("url")
        logger.info(
            "webhook delivered post_id=%s platform=%s status=%s",
            request.post_id,
            self.platform,
            response.status_code,
        )
        return self._result(
            response,
            remote_id=str(remote_id) if remote_id not in (None, "") else None,
            url=str(url) if isinstance(url, str) and url else None,
        )

    async def check(self) -> CheckResult:
        """Send a signed `ping` event; receivers should answer 2xx and do nothing else."""
        return await checked(self._ping())

    async def _ping(self) -> str:
        body = _encode({"event": PING_EVENT, "sent_at": datetime.now(UTC).isoformat()})
        response = await self._deliver(body, None, "ping", attempts=1)
        self._raise_for_status(response, effect=False)
        return f"The webhook answered HTTP {response.status_code}."

    def _post_payload(self, request: PublishRequest) -> dict[str, Any]:
        post = post_fields(request)
        platforms = (self.platform, request.platform.strip().lower())
        if "linkedin" in platforms:
            post["content_linkedin_little"] = escape_linkedin_little(request.content)
        pin = request.metadata.get("pin")
        if "pinterest" in platforms and isinstance(pin, Mapping):
            post["pin"] = {field: pin.get(field) for field in ("title", "description", "link")}
        post["media"] = self._media_payload(request)
        return post

    def _media_payload(self, request: PublishRequest) -> list[dict[str, Any]]:
        """The post's images as the receiver gets them: a signed link to each, and its shape."""
        if not request.media:
            return []
        if self._media_links is None:
            # Refused before sending: nothing went out, and a retry would not fix it.
            raise ProviderRejected(
                "webhook: this post has images, but no public URL is configured to link them "
                "(set BOOKAGENT_WEB__PUBLIC_URL)"
            )
        return [
            {
                "url": self._media_links.url_for(item.key),
                "mime": item.mime,
                "width": item.width,
                "height": item.height,
                "alt_text": item.alt_text,
            }
            for item in request.media
        ]

    async def _deliver(
        self, body: bytes, idempotency_key: str | None, post_id: str, attempts: int | None = None
    ) -> httpx.Response:
        """POST `body`, retrying only when the connection could not be made at all."""
        limit = attempts or self._max_attempts
        for attempt in range(1, limit + 1):
            timestamp = str(int(self._clock()))
            headers = {
                "content-type": "application/json",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(self._secret, timestamp, body),
            }
            if idempotency_key is not None:
                headers[IDEMPOTENCY_HEADER] = idempotency_key
            try:
                return await self._send(
                    "POST", self.url, effect=True, content=body, headers=headers
                )
            except ProviderUnavailable as exc:
                # Only a failed connect gets here: the receiver never saw this request.
                if attempt >= limit:
                    raise
                delay_s = self._backoff_s[min(attempt - 1, len(self._backoff_s) - 1)]
                logger.warning(
                    "webhook connect failed post_id=%s attempt=%s/%s, retrying in %.1fs: %s",
                    post_id,
                    attempt,
                    limit,
                    delay_s,
                    exc.message,
                )
                await asyncio.sleep(delay_s)
        raise AssertionError("unreachable")  # pragma: no cover


def _encode(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    """The receiver's JSON object answer, or {} (plain "OK" answers are fine too)."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}
