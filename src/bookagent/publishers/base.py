"""What publishers share: the answers of one with nothing to say, and the HTTP publishers' plumbing.

`PublisherDefaults` gives the `Publisher` methods a publisher may have nothing of its own for: no
limits beyond the platform's rules, nothing to fetch, no lookup, no metrics. A publisher overrides
only what it offers. `HttpPublisher` adds what every vendor publisher behind one httpx client does
the same way: send a request and translate its failure (`transport`), close the client, and turn
an answer into a PublishResult with a redacted excerpt. `checked` makes a `check` of a probe, and
`post_fields` is a post as the publishers that hand it on whole (outbox, webhook) write it.
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Mapping
from typing import Any

import httpx

from bookagent.domain.ports import CheckResult
from bookagent.domain.ports import PublishRequest
from bookagent.domain.ports import PublishResult
from bookagent.errors import ProviderError
from bookagent.publishers.transport import Redactor
from bookagent.publishers.transport import build_client
from bookagent.publishers.transport import host_of
from bookagent.publishers.transport import raise_for_status
from bookagent.publishers.transport import response_excerpt
from bookagent.publishers.transport import retry_after_s
from bookagent.publishers.transport import send


class PublisherDefaults:
    """No limits of its own, nothing to fetch, no lookup and no metrics, until overridden."""

    def limits(self) -> Mapping[str, Any]:
        """No limits of its own: the platform's rules apply unchanged."""
        return {}

    async def refresh_limits(self) -> Mapping[str, Any]:
        """Nothing to fetch: the configured limits apply."""
        return self.limits()

    async def find_published(
        self, request: PublishRequest, idempotency_key: str
    ) -> PublishResult | None:
        """No lookup: the platform cannot be asked for a post by our key."""
        return None

    async def metrics(self, remote_id: str) -> Mapping[str, int] | None:
        """No engagement figures are offered."""
        return None


class HttpPublisher(PublisherDefaults):
    """A vendor publisher behind one httpx client; subclasses set `_client` and `_redact`."""

    name: str
    account: str
    base_url: str
    _client: httpx.AsyncClient
    _redact: Redactor

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    def _open_bearer(
        self,
        base_url: str,
        token: str,
        *,
        timeout_s: float,
        transport: httpx.AsyncBaseTransport | None,
    ) -> None:
        """Open the client of a REST API that takes `token` as a Bearer token at `base_url`:
        the account is `<name>:<host>`, and the token never shows in a message."""
        self.base_url = base_url.strip().rstrip("/")
        self.account = f"{self.name}:{host_of(self.base_url)}"
        self._redact = Redactor([token.strip()])
        self._client = build_client(
            base_url=self.base_url,
            timeout_s=timeout_s,
            transport=transport,
            headers={"authorization": f"Bearer {token.strip()}"},
        )

    async def _send(self, method: str, url: str, *, effect: bool, **kwargs: Any) -> httpx.Response:
        """One request; a transport failure becomes the error it proves (see `transport`)."""
        return await send(
            self._client,
            method,
            url,
            vendor=self.name,
            redact=self._redact,
            effect=effect,
            **kwargs,
        )

    def _raise_for_status(self, response: httpx.Response, *, effect: bool) -> None:
        """The contract's error for a non-2xx answer; nothing on success."""
        raise_for_status(
            response,
            vendor=self.name,
            redact=self._redact,
            effect=effect,
            retry_after=self._retry_after,
        )

    async def _request(
        self, method: str, url: str, *, effect: bool, **kwargs: Any
    ) -> httpx.Response:
        """`_send`, then `_raise_for_status`: a 2xx answer or the error it stands for."""
        response = await self._send(method, url, effect=effect, **kwargs)
        self._raise_for_status(response, effect=effect)
        return response

    def _retry_after(self, headers: httpx.Headers) -> float:
        """Seconds to wait after a 429 (the first reset header that parses, else 60)."""
        return retry_after_s(headers)

    def _result(
        self, response: httpx.Response, *, remote_id: str | None, url: str | None
    ) -> PublishResult:
        """The PublishResult of a successful answer, with its redacted excerpt for the audit."""
        return PublishResult(
            remote_id=remote_id,
            url=url,
            status_code=response.status_code,
            response_excerpt=response_excerpt(response, self._redact),
        )


async def checked(probe: Awaitable[str]) -> CheckResult:
    """A `check`'s result: the probe's message when it succeeds, else its ProviderError's."""
    try:
        message = await probe
    except ProviderError as exc:
        return CheckResult(ok=False, message=exc.message)
    return CheckResult(ok=True, message=message)


def post_fields(request: PublishRequest) -> dict[str, Any]:
    """Every field of the request, JSON-ready, in the order the outbox and webhook write them."""
    return {
        "post_id": request.post_id,
        "book_id": request.book_id,
        "platform": request.platform,
        "content": request.content,
        "content_hash": request.content_hash,
        "hashtags": list(request.hashtags),
        "links": list(request.links),
        "scheduled_time": request.scheduled_time.isoformat() if request.scheduled_time else None,
        "metadata": dict(request.metadata),
        # A link the text shows → where it leads, where they differ (tracked links on Bluesky).
        "link_targets": dict(request.link_targets),
    }
