"""The Mastodon publisher: `POST /api/v1/statuses` with a bearer token and an Idempotency-Key.

Mastodon remembers an Idempotency-Key for an hour per account and answers a repeat with the
status it already made, so a retry after an unknown outcome cannot duplicate the post.
Each instance sets its own length limit; `fetch_limits` reads it from `/api/v2/instance` (with
`/api/v1/instance` and its `max_toot_chars` for older servers), and `limits` returns what was
read, or 500 characters with 23 per URL until then.

A post's images are uploaded first, one `POST /api/v2/media` each (multipart `file`, with the alt
text as `description`). The v2 endpoint answers 202 while the server is still processing an image;
`GET /api/v1/media/:id` then answers 206 until it is done and 200 after, and a status may not name
an image before that, so we poll (`media_poll_attempts` times, `media_poll_interval_s` apart) and
give up with ProviderUnavailable: nothing was posted. The status then names the uploads in
`media_ids`. An upload posts nothing, so its failures are those of a read (a 5xx or a lost
answer is ProviderUnavailable, safe to retry).

Uploads are kept for the post's retries (`uploads.UploadCache`, by post, image and alt text)
until its status holds them: Mastodon lets no second status take an attached image, so another
post with the same image uploads its own. Uploading again after a crash is harmless: the
Idempotency-Key still answers with the first status, and the new uploads, attached to nothing,
are deleted by the server after a day.
https://docs.joinmastodon.org/methods/statuses/#create
https://docs.joinmastodon.org/methods/media/#v2 and https://docs.joinmastodon.org/methods/media/#get
https://docs.joinmastodon.org/entities/Instance/#statuses
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from bookagent.domain.languages import primary_language
from bookagent.domain.media import MEDIA_TYPES
from bookagent.domain.ports import CheckResult
from bookagent.domain.ports import PublisherCapabilities
from bookagent.domain.ports import PublishMedia
from bookagent.domain.ports import PublishRequest
from bookagent.domain.ports import PublishResult
from bookagent.errors import ConfigurationError
from bookagent.errors import ProviderRejected
from bookagent.errors import ProviderUnavailable
from bookagent.publishers.base import HttpPublisher
from bookagent.publishers.base import checked
from bookagent.publishers.transport import json_object
from bookagent.publishers.uploads import UploadCache

logger = logging.getLogger(__name__)

#: How long after its first use a repeated Idempotency-Key is answered with the status it made:
#: Mastodon keeps a key for an hour (app/lib/idempotency), less a margin for clocks and queues.
IDEMPOTENCY_WINDOW_S = 50 * 60.0

DEFAULT_MAX_CHARACTERS = 500
DEFAULT_URL_LENGTH = 23
MEDIA_UPLOAD = "/api/v2/media"
MEDIA_POLL_ATTEMPTS = 10
MEDIA_POLL_INTERVAL_S = 0.5


class MastodonPublisher(HttpPublisher):
    """Posts public statuses to one account on one Mastodon instance.

    No lookup (`find_published` finds nothing): a retry with the same Idempotency-Key is the safe
    way to find out.
    """

    name: str = "mastodon"

    def __init__(
        self,
        base_url: str,
        access_token: str,
        timeout_s: float = 15.0,
        *,
        visibility: str = "public",
        transport: httpx.AsyncBaseTransport | None = None,
        media_poll_attempts: int = MEDIA_POLL_ATTEMPTS,
        media_poll_interval_s: float = MEDIA_POLL_INTERVAL_S,
    ) -> None:
        if not base_url.strip() or not access_token.strip():
            raise ConfigurationError("The mastodon publisher needs a base URL and access token.")
        self.visibility = visibility
        self._limits: dict[str, int] | None = None
        self._media_poll_attempts = max(1, media_poll_attempts)
        self._media_poll_interval_s = media_poll_interval_s
        self._uploads: UploadCache[str] = UploadCache()  # image → media id, until a status has it
        self._open_bearer(base_url, access_token, timeout_s=timeout_s, transport=transport)

    def limits(self) -> Mapping[str, Any]:
        """`max_length` and `url_length` as last fetched, else Mastodon's defaults (500, 23).

        The keys are PlatformRules fields, so this works as `get_rules` overrides.
        """
        if self._limits is not None:
            return dict(self._limits)
        return {"max_length": DEFAULT_MAX_CHARACTERS, "url_length": DEFAULT_URL_LENGTH}

    async def fetch_limits(self) -> Mapping[str, Any]:
        """Read the instance's limits (and cache them for `limits`)."""
        response = await self._send("GET", "/api/v2/instance", effect=False)
        if response.status_code == 404:  # Mastodon < 4.0 and some forks only have v1
            response = await self._send("GET", "/api/v1/instance", effect=False)
        self._raise_for_status(response, effect=False)
        instance = json_object(response, vendor=self.name)
        statuses = (instance.get("configuration") or {}).get("statuses") or {}
        max_characters = _positive_int(
            statuses.get("max_characters"), instance.get("max_toot_chars")
        )
        url_length = _positive_int(statuses.get("characters_reserved_per_url"))
        self._limits = {
            "max_length": max_characters or DEFAULT_MAX_CHARACTERS,
            "url_length": url_length or DEFAULT_URL_LENGTH,
        }
        logger.info("mastodon limits account=%s limits=%s", self.account, self._limits)
        return dict(self._limits)

    async def refresh_limits(self) -> Mapping[str, Any]:
        """The instance's own limits (postiz #1083: never assume 500)."""
        return await self.fetch_limits()

    def capabilities(self) -> PublisherCapabilities:
        """Mastodon honours our Idempotency-Key (for the hour it keeps a key: a margin of ten
        minutes is left) and reports favourites, boosts and replies."""
        return PublisherCapabilities(
            idempotency_key=True,
            lookup=False,
            metrics=True,
            idempotency_window_s=IDEMPOTENCY_WINDOW_S,
        )

    async def publish(self, request: PublishRequest, idempotency_key: str) -> PublishResult:
        """Create a status; a repeat with the same key returns the status already made.

        A post's content warning (`request.metadata["content_warning"]`) goes as the status's
        `spoiler_text`, which Mastodon shows in place of the text until the reader opens it; its
        language (`metadata["language"]`) as `language`. Its
        images are uploaded first (or taken from an earlier attempt), and named in `media_ids`.
        """
        media_ids = await self._upload_all(request)
        body: dict[str, Any] = {"status": request.content, "visibility": self.visibility}
        warning = request.metadata.get("content_warning")
        if isinstance(warning, str) and warning.strip():
            body["spoiler_text"] = warning.strip()
        language = request.metadata.get("language")
        if isinstance(language, str) and language:
            body["language"] = primary_language(language)  # ISO 639, as Mastodon takes it
        if media_ids:
            body["media_ids"] = media_ids
        response = await self._request(
            "POST",
            "/api/v1/statuses",
            effect=True,
            json=body,
            headers={"idempotency-key": idempotency_key},
        )
        status = json_object(response, vendor=self.name)
        if status.get("id") in (None, ""):
            raise ProviderRejected("mastodon: the answer has no status id")
        for item in request.media:  # attached now: no other status may take them
            self._uploads.discard(self.account, item.key, _variant(request.post_id, item))
        url = status.get("url") or status.get("uri")
        logger.info(
            "mastodon published post_id=%s account=%s remote_id=%s",
            request.post_id,
            self.account,
            status["id"],
        )
        return self._result(response, remote_id=str(status["id"]), url=str(url) if url else None)

    async def _upload_all(self, request: PublishRequest) -> list[str]:
        """The media ids of the post's images, in order: each uploaded, or kept from before."""
        media_ids: list[str] = []
        for index, item in enumerate(request.media, start=1):
            media_id = self._uploads.get(self.account, item.key, _variant(request.post_id, item))
            if media_id is None or media_id in media_ids:  # the same image twice: two uploads
                media_id = await self._upload(request.post_id, index, item)
                self._uploads.put(self.account, item.key, media_id, _variant(request.post_id, item))
            media_ids.append(media_id)
        return media_ids

    async def _upload(self, post_id: str, index: int, item: PublishMedia) -> str:
        """Upload one image with its alt text; its media id once the server has processed it."""
        extension = MEDIA_TYPES.get(item.mime, "bin")
        response = await self._request(
            "POST",
            MEDIA_UPLOAD,
            effect=False,  # an upload posts nothing: its failures are safe to retry
            files={"file": (f"image-{index}.{extension}", item.data, item.mime)},
            data={"description": item.alt_text} if item.alt_text else None,
        )
        attachment = json_object(response, vendor=self.name)
        media_id = attachment.get("id")
        if media_id in (None, ""):
            raise ProviderRejected("mastodon: the media answer has no id")
        if response.status_code == 202:  # processed asynchronously: wait until it is done
            await self._wait_processed(str(media_id), index)
        logger.info(
            "mastodon uploaded image post_id=%s account=%s index=%s media_id=%s",
            post_id,
            self.account,
            index,
            media_id,
        )
        return str(media_id)

    async def _wait_processed(self, media_id: str, index: int) -> None:
        """Poll `GET /api/v1/media/:id` until it answers 200 (206 means still processing)."""
        path = f"/api/v1/media/{quote(media_id, safe='')}"
        for attempt in range(self._media_poll_attempts):
            if attempt:
                await asyncio.sleep(self._media_poll_interval_s)
            response = await self._send("GET", path, effect=False)
            if response.status_code == 200:
                return
            if response.status_code != 206:
                self._raise_for_status(response, effect=False)
        waited_s = self._media_poll_interval_s * (self._media_poll_attempts - 1)
        raise ProviderUnavailable(
            f"mastodon: image {index} was still being processed after {waited_s:g} s; "
            "nothing was posted"
        )

    async def check(self) -> CheckResult:
        """`GET /api/v1/accounts/verify_credentials`: proves the token and names the account."""
        return await checked(self._connected_as())

    async def _connected_as(self) -> str:
        response = await self._request("GET", "/api/v1/accounts/verify_credentials", effect=False)
        account = json_object(response, vendor=self.name)
        handle = account.get("acct") or account.get("username") or "?"
        return f"Connected to {self.account} as @{handle}."

    async def metrics(self, remote_id: str) -> Mapping[str, int] | None:
        """`likes`, `reposts` and `replies` of a status (its favourites, reblogs and replies)."""
        response = await self._send(
            "GET", f"/api/v1/statuses/{quote(remote_id, safe='')}", effect=False
        )
        if response.status_code == 404:
            return None  # deleted since
        self._raise_for_status(response, effect=False)
        status = json_object(response, vendor=self.name)
        return {
            "likes": _count(status.get("favourites_count")),
            "reposts": _count(status.get("reblogs_count")),
            "replies": _count(status.get("replies_count")),
        }


def _positive_int(*values: object) -> int | None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _variant(post_id: str, item: PublishMedia) -> str:
    """What an upload is kept under besides the account and image: its post (a kept upload is
    for that post's retries only; a status cannot share an image with another one being made
    at the same time) and its alt text."""
    return f"{post_id}\n{item.alt_text}"
