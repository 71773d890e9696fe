"""The X publisher: `POST /2/tweets` with an OAuth 2.0 user-context bearer token.

X has no idempotency key and no cheap way to look a post up, so an unknown outcome stays
unconfirmed (the ledger never retries it blindly). A 429 waits for `x-rate-limit-reset`, or for
the 24-hour user/app cap's reset when that is the limit that ran out.

A post's images are uploaded first: `POST /2/media/upload` with the image base64-encoded in a
JSON body (`media`, `media_category: tweet_image`, `media_type`), which answers the media `id`,
then `POST /2/media/metadata` with the alt text (`metadata.alt_text.text`, up to 1,000
characters). The thread's first post names them in `media.media_ids`. The token needs the
`media.write` scope besides `tweet.write` and `users.read`. An upload posts nothing, so its
failures are those of a read (a 5xx or a lost answer is ProviderUnavailable, safe to retry).

Uploads are kept for the post's retries (`uploads.UploadCache`, by post, image and alt text, no
longer than the upload's `expires_after_secs`) until its first post holds them. Uploading again
after a crash is harmless: the first attempt's media ids, attached to no post, expire unused; and
the post itself is made at most once because an unknown outcome is never retried.

Engagement is read with `GET /2/tweets/:id?tweet.fields=public_metrics`, which X's free tier
does not offer: the publisher offers metrics only when the operator says the account's tier can
read (`publishers.x_read_metrics`).
https://docs.x.com/x-api/posts/creation-of-a-post and https://docs.x.com/x-api/fundamentals/rate-limits
https://docs.x.com/x-api/media/upload-media and https://docs.x.com/x-api/media/create-media-metadata
https://docs.x.com/x-api/posts/lookup/quickstart (public_metrics)
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Mapping
from urllib.parse import quote

import httpx

from bookagent.domain.ports import CheckResult
from bookagent.domain.ports import PublisherCapabilities
from bookagent.domain.ports import PublishMedia
from bookagent.domain.ports import PublishRequest
from bookagent.domain.ports import PublishResult
from bookagent.errors import ConfigurationError
from bookagent.errors import ProviderError
from bookagent.errors import ProviderRejected
from bookagent.errors import ThreadIncomplete
from bookagent.platforms.threads import split_thread
from bookagent.publishers.base import HttpPublisher
from bookagent.publishers.base import checked
from bookagent.publishers.transport import json_object
from bookagent.publishers.transport import retry_after_s
from bookagent.publishers.transport import seconds_until
from bookagent.publishers.uploads import UploadCache

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.x.com"
MEDIA_UPLOAD = "/2/media/upload"
MEDIA_METADATA = "/2/media/metadata"
# X answers 429 with these when a day's cap (not the 15-minute window) is the limit hit.
_DAILY_CAPS = ("x-user-limit-24hour", "x-app-limit-24hour")
#: `public_metrics` fields → the names every publisher's `metrics` uses.
_PUBLIC_METRICS = {
    "like_count": "likes",
    "retweet_count": "reposts",
    "reply_count": "replies",
    "quote_count": "quotes",
    "impression_count": "impressions",
    "bookmark_count": "bookmarks",
}


class XPublisher(HttpPublisher):
    """Posts to one X account with an OAuth 2.0 user token (scopes tweet.write, users.read and,
    for images, media.write).

    The free tier's 280 weighted characters are the platform rules already (`limits` is empty),
    X offers no lookup by our key, and metrics only when `read_metrics` says the account's tier
    can read posts (the free tier cannot).
    """

    name: str = "x"

    def __init__(
        self,
        base_url: str,
        user_token: str,
        timeout_s: float = 15.0,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        read_metrics: bool = False,
    ) -> None:
        if not user_token.strip():
            raise ConfigurationError("The x publisher needs an OAuth 2.0 user token.")
        self.read_metrics = read_metrics
        self._uploads: UploadCache[str] = UploadCache()  # image → media id, until a post has it
        self._open_bearer(
            base_url.strip() or DEFAULT_BASE_URL,
            user_token,
            timeout_s=timeout_s,
            transport=transport,
        )

    def capabilities(self) -> PublisherCapabilities:
        """No idempotency key, no lookup; metrics where the tier can read (not the free one)."""
        return PublisherCapabilities(idempotency_key=False, lookup=False, metrics=self.read_metrics)

    async def metrics(self, remote_id: str) -> Mapping[str, int] | None:
        """A post's `public_metrics` (likes, reposts, replies, quotes, impressions, bookmarks: the
        ones X gives), or None when X no longer has the post or the tier cannot read."""
        if not self.read_metrics:
            return None
        response = await self._send(
            "GET",
            f"/2/tweets/{quote(remote_id, safe='')}",
            effect=False,
            params={"tweet.fields": "public_metrics"},
        )
        if response.status_code == 404:
            return None
        self._raise_for_status(response, effect=False)
        answer = json_object(response, vendor=self.name)
        data = answer.get("data")
        if not isinstance(data, dict):
            # A post X cannot find answers 200 with a resource-not-found problem and no data.
            if _not_found(answer.get("errors")):
                return None
            raise ProviderRejected("x: the post lookup answer has no data")
        counts = data.get("public_metrics")
        if not isinstance(counts, dict):
            return None
        return {
            name: value
            for field, name in _PUBLIC_METRICS.items()
            if isinstance(value := counts.get(field), int) and not isinstance(value, bool)
        }

    async def publish(self, request: PublishRequest, idempotency_key: str) -> PublishResult:
        """Create the post; X itself refuses an exact duplicate of a recent post (403).

        A thread's posts are created in turn, each a reply to the one before. X has no
        idempotency key, so when a later post fails the thread is left as it is, and the
        error (`ThreadIncomplete`) says which posts are out: sending it again would repeat them.
        The images are uploaded before any post is made, and go with the first.
        """
        media_ids = await self._upload_all(request)
        posts = split_thread(request.content)
        out: list[PublishResult] = []
        for text in posts:
            body: dict[str, object] = {"text": text}
            if out:
                body["reply"] = {"in_reply_to_tweet_id": out[-1].remote_id}
            elif media_ids:
                body["media"] = {"media_ids": media_ids}
            try:
                out.append(await self._create(request, body))
            except ProviderError as exc:
                if not out:
                    raise
                raise ThreadIncomplete(
                    f"x: {len(out)} of the thread's {len(posts)} posts went out (the first: "
                    f"{out[0].url}); the next failed: {exc.message}. Post the rest as replies "
                    "by hand, then mark the post published."
                ) from exc
            if len(out) == 1:  # the images are attached now: no other post may take them
                for item in request.media:
                    self._uploads.discard(self.account, item.key, _variant(request.post_id, item))
        return out[0]

    async def _upload_all(self, request: PublishRequest) -> list[str]:
        """The media ids of the post's images, in order: each uploaded, or kept from before."""
        media_ids: list[str] = []
        for index, item in enumerate(request.media, start=1):
            media_id = self._uploads.get(self.account, item.key, _variant(request.post_id, item))
            if media_id is None or media_id in media_ids:  # the same image twice: two uploads
                media_id = await self._upload(request.post_id, index, item)
            media_ids.append(media_id)
        return media_ids

    async def _upload(self, post_id: str, index: int, item: PublishMedia) -> str:
        """Upload one image, then give it its alt text; its media id."""
        body = {
            "media": base64.b64encode(item.data).decode("ascii"),
            "media_category": "tweet_image",
            "media_type": item.mime,
        }
        # An upload posts nothing: its failures are safe to retry (effect=False).
        response = await self._request("POST", MEDIA_UPLOAD, effect=False, json=body)
        data = json_object(response, vendor=self.name).get("data")
        media_id = data.get("id") if isinstance(data, dict) else None
        if not media_id or not isinstance(data, dict):
            raise ProviderRejected("x: the media upload answer has no data.id")
        processing = data.get("processing_info")
        if isinstance(processing, dict) and processing.get("state") == "failed":
            raise ProviderRejected(f"x: image {index} could not be processed")
        if item.alt_text:
            metadata = {"alt_text": {"text": item.alt_text}}
            await self._request(
                "POST",
                MEDIA_METADATA,
                effect=False,
                json={"id": str(media_id), "metadata": metadata},
            )
        expires_s = data.get("expires_after_secs")
        self._uploads.put(
            self.account,
            item.key,
            str(media_id),
            _variant(post_id, item),
            max_age_s=float(expires_s) if isinstance(expires_s, int | float) else None,
        )
        logger.info("x uploaded image post_id=%s index=%s media_id=%s", post_id, index, media_id)
        return str(media_id)

    async def _create(self, request: PublishRequest, body: dict[str, object]) -> PublishResult:
        response = await self._request("POST", "/2/tweets", effect=True, json=body)
        data = json_object(response, vendor=self.name).get("data")
        post_id = data.get("id") if isinstance(data, dict) else None
        if not post_id:
            raise ProviderRejected("x: the answer has no data.id")
        logger.info("x published post_id=%s remote_id=%s", request.post_id, post_id)
        return self._result(
            response, remote_id=str(post_id), url=f"https://x.com/i/web/status/{post_id}"
        )

    async def check(self) -> CheckResult:
        """`GET /2/users/me`: proves the token and names the account."""
        return await checked(self._connected_as())

    async def _connected_as(self) -> str:
        response = await self._request("GET", "/2/users/me", effect=False)
        data = json_object(response, vendor=self.name).get("data") or {}
        username = data.get("username", "?") if isinstance(data, dict) else "?"
        return f"Connected to X as @{username}."

    def _retry_after(self, headers: httpx.Headers) -> float:
        """The 15-minute window's reset, or a spent daily cap's reset when that comes later."""
        wait_s = retry_after_s(headers)
        for cap in _DAILY_CAPS:
            reset = headers.get(f"{cap}-reset")
            if headers.get(f"{cap}-remaining") == "0" and reset is not None:
                daily = seconds_until(reset)
                if daily is not None:
                    wait_s = max(wait_s, daily)
        return wait_s


def _not_found(errors: object) -> bool:
    """Whether X's partial errors say the post does not exist (or is not visible)."""
    return isinstance(errors, list) and any(
        isinstance(error, dict) and str(error.get("type", "")).endswith("/resource-not-found")
        for error in errors
    )


def _variant(post_id: str, item: PublishMedia) -> str:
    """What an upload is kept under besides the account and image: its post (a kept upload is
    for that post's retries only; a status cannot share an image with another one being made
    at the same time) and its alt text."""
    return f"{post_id}\n{item.alt_text}"
