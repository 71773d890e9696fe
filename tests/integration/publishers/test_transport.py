"""The shared HTTP edge: what each httpx failure and status proves, and reset headers."""

from __future__ import annotations

import asyncio
import ssl
from contextlib import aclosing
from datetime import UTC
from datetime import datetime
from email.utils import format_datetime

import httpx
import pytest

from bookagent.errors import BookAgentError
from bookagent.errors import ConfigurationError
from bookagent.errors import ProviderRejected
from bookagent.errors import ProviderUnavailable
from bookagent.errors import PublishOutcomeUnknown
from bookagent.publishers.mastodon import MastodonPublisher
from bookagent.publishers.transport import build_client
from bookagent.publishers.transport import retry_after_s
from bookagent.publishers.transport import shared_ssl_context
from tests.integration.publishers.conftest import RequestFactory

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z
TOKEN = "secret-token-value"


def failing(exc_type: type[httpx.TransportError]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type("simulated", request=request)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (httpx.ConnectError, ProviderUnavailable),
        (httpx.ConnectTimeout, ProviderUnavailable),
        (httpx.PoolTimeout, ProviderUnavailable),
        (httpx.ReadTimeout, PublishOutcomeUnknown),
        (httpx.WriteTimeout, PublishOutcomeUnknown),
        (httpx.ReadError, PublishOutcomeUnknown),
        (httpx.WriteError, PublishOutcomeUnknown),
        (httpx.RemoteProtocolError, PublishOutcomeUnknown),
        (httpx.UnsupportedProtocol, ConfigurationError),
    ],
)
def test_a_publish_failure_is_translated_by_what_it_proves(
    make_request: RequestFactory,
    failure: type[httpx.TransportError],
    expected: type[BookAgentError],
) -> None:
    async def scenario() -> None:
        mastodon = MastodonPublisher("https://m.test", TOKEN, 1.0, transport=failing(failure))
        async with aclosing(mastodon):
            with pytest.raises(expected) as caught:
                await mastodon.publish(make_request(), "key-1")
        assert type(caught.value) is expected
        assert TOKEN not in caught.value.message

    asyncio.run(scenario())


def test_a_read_that_times_out_is_unavailable_not_unknown() -> None:
    async def scenario() -> None:
        transport = failing(httpx.ReadTimeout)
        async with aclosing(MastodonPublisher("https://m.test", TOKEN, transport=transport)) as m:
            with pytest.raises(ProviderUnavailable):
                await m.metrics("1")
            check = await m.check()
        assert not check.ok

    asyncio.run(scenario())


def test_vendor_text_is_truncated_and_credentials_redacted(make_request: RequestFactory) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"error": f"token {TOKEN} refused " + "x" * 1000})

    async def scenario() -> None:
        transport = httpx.MockTransport(handler)
        async with aclosing(MastodonPublisher("https://m.test", TOKEN, transport=transport)) as m:
            with pytest.raises(ProviderRejected) as caught:
                await m.publish(make_request(), "key-1")
        message = caught.value.message
        assert TOKEN not in message and "[redacted]" in message
        assert len(message) < 400 and message.endswith("…")

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "120"}, 120.0),
        (
            {"Retry-After": format_datetime(datetime.fromtimestamp(NOW + 90, UTC), usegmt=True)},
            90.0,
        ),
        ({"x-rate-limit-reset": str(int(NOW) + 600)}, 600.0),
        ({"ratelimit-reset": str(int(NOW) + 300)}, 300.0),
        ({"X-RateLimit-Reset": "2026-01-01T00:05:00.000000Z"}, 300.0),
        ({"X-RateLimit-Reset": "2025-12-31T23:00:00Z"}, 0.0),  # already past
        ({"Retry-After": "soon"}, 60.0),
        ({}, 60.0),
        ({"Retry-After": "5", "x-rate-limit-reset": str(int(NOW) + 600)}, 5.0),
    ],
)
def test_retry_after_reads_each_vendors_reset_header(
    headers: dict[str, str], expected: float
) -> None:
    assert retry_after_s(httpx.Headers(headers), now=NOW) == expected


def test_every_client_verifies_tls_with_the_one_shared_context() -> None:
    """Building an SSL context loads the CA bundle (~25 ms): one per process, not per client."""
    shared = shared_ssl_context()
    assert shared is shared_ssl_context()
    assert shared.verify_mode == ssl.CERT_REQUIRED and shared.check_hostname
    clients = [build_client(timeout_s=5), build_client(timeout_s=5, base_url="https://a.test")]
    try:
        for client in clients:
            pool = client._transport._pool  # type: ignore[attr-defined]
            assert pool._ssl_context is shared
    finally:
        for client in clients:
            asyncio.run(client.aclose())
