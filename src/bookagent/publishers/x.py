"""The X publisher: `POST /2/tweets` with an OAuth 2.0 user-context bearer token.

X has no idempotency key and no cheap way to look a post up, so an unknown outcome stays
unconfirmed (the ledger never retries it blindly). A 429 waits for `x-rate-limit-reset`, or for
the 24-hour user/app cap's reset when that is the limit that ran out.
https://docs.x.com/x-api/posts/creation-of-a-post and https://docs.x.com/x-api/fundamentals/rate-limits
"""

from __future__ import annotations

import logging

import httpx

from bookagent.domain.ports import CheckResult
from bookagent.domain.ports import PublisherCapabilities
from bookagent.domain.ports import PublishRequest
from bookagent.domain.ports import PublishResult
from bookagent.errors import ConfigurationError
from bookagent.errors import ProviderError
from bookagent.errors import ProviderRejected
from bookagent.errors import ThreadIncomplete
from bookagent.platforms.threads import split_thread
from bookagent.publishers.base import HttpPublisher
from bookagent.publishers.base import checked
from bookagent.publishers.transport import Redactor
from bookagent.publishers.transport import build_client
from bookagent.publishers.transport import host_of
from bookagent.publishers.transport import json_object
from bookagent.publishers.transport import retry_after_s
from bookagent.publishers.transport import seconds_until

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.x.com"
# X answers 429 with these when a day's cap (not the 15-minute window) is the limit hit.
_DAILY_CAPS = ("x-user-limit-24hour", "x-app-limit-24hour")


class XPublisher(HttpPublisher):
    """Posts to one X account with an OAuth 2.0 user token (scopes tweet.write, users.read).

    The free tier's 280 weighted characters are the platform rules already (`limits` is empty),
    X offers no lookup by our key, and no metrics (reads are not on the free tier).
    """

    name: str = "x"

    def __init__(
        self,
        base_url: str,
        user_token: str,
        timeout_s: float = 15.0,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not user_token.strip():
            raise ConfigurationError("The x publisher needs an OAuth 2.0 user token.")
        self.base_url = (base_url.strip() or DEFAULT_BASE_URL).rstrip("/")
        self.account = f"x:{host_of(self.base_url)}"
        self._redact = Redactor([user_token.strip()])
        self._client = build_client(
            base_url=self.base_url,
            timeout_s=timeout_s,
            transport=transport,
            headers={"authorization": f"Bearer {user_token.strip()}"},
        )

    def capabilities(self) -> PublisherCapabilities:
        """No idempotency key, no lookup, no metrics (reads are not on the free tier)."""
        return PublisherCapabilities(idempotency_key=False, lookup=False, metrics=False)

    async def publish(self, request: PublishRequest, idempotency_key: str) -> PublishResult:
        """Create the post; X itself refuses an exact duplicate of a recent post (403).

        A thread's posts are created in turn, each a reply to the one before. X has no
        idempotency key, so when a later post fails the thread is left as it is, and the
        error (`ThreadIncomplete`) says which posts are out: sending it again would repeat them.
        """
        posts = split_thread(request.content)
        out: list[PublishResult] = []
        for text in posts:
            body: dict[str, object] = {"text": text}
            if out:
                body["reply"] = {"in_reply_to_tweet_id": out[-1].remote_id}
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
        return out[0]

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
