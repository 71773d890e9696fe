"""XPublisher against the loopback server speaking X API v2."""

from __future__ import annotations

import asyncio
import time
from contextlib import aclosing

import httpx
import pytest

from bookagent.errors import ProviderRejected
from bookagent.errors import ProviderUnavailable
from bookagent.errors import PublishOutcomeUnknown
from bookagent.errors import RateLimited
from bookagent.publishers.x import XPublisher
from tests.fakes.social_server import X_TOKEN
from tests.fakes.social_server import FakeSocialServer
from tests.integration.publishers.conftest import RequestFactory

TWEETS = "/2/tweets"


def publisher(base_url: str, token: str = X_TOKEN) -> XPublisher:
    return XPublisher(base_url, token, 2.0)


def test_publish_maps_data_id_to_the_result(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as x:
            result = await x.publish(make_request(platform="twitter"), "key-1")
        [tweet_id] = social_server.tweets
        assert result.remote_id == tweet_id
        assert result.url == f"https://x.com/i/web/status/{tweet_id}"
        assert result.status_code == 201

    asyncio.run(scenario())
    [sent] = social_server.requests_to(TWEETS)
    assert sent.bearer == X_TOKEN and sent.body == {"text": make_request().content}


def test_rate_limit_waits_until_x_rate_limit_reset(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    social_server.rate_limit_reset_s = 900
    social_server.inject("rate_limit", path=TWEETS)

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as x:
            with pytest.raises(RateLimited) as caught:
                await x.publish(make_request(), "key-1")
        assert caught.value.retry_after_s is not None
        assert 898 <= caught.value.retry_after_s <= 901

    asyncio.run(scenario())


def test_a_spent_daily_cap_waits_for_its_own_reset(make_request: RequestFactory) -> None:
    now = int(time.time())

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {
            "x-rate-limit-reset": str(now + 60),
            "x-user-limit-24hour-remaining": "0",
            "x-user-limit-24hour-reset": str(now + 7200),
        }
        return httpx.Response(429, headers=headers, json={"title": "Too Many Requests"})

    async def scenario() -> None:
        x = XPublisher("https://api.x.test", X_TOKEN, 2.0, transport=httpx.MockTransport(handler))
        async with aclosing(x):
            with pytest.raises(RateLimited) as caught:
                await x.publish(make_request(), "key-1")
        assert caught.value.retry_after_s is not None
        assert 7198 <= caught.value.retry_after_s <= 7201

    asyncio.run(scenario())


def test_a_duplicate_is_rejected_with_the_vendor_text(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as x:
            await x.publish(make_request(), "key-1")
            with pytest.raises(ProviderRejected, match="duplicate content"):
                await x.publish(make_request(), "key-2")

    asyncio.run(scenario())
    assert social_server.created("x") == 1


@pytest.mark.parametrize("fault", ["server_error", "drop"])
def test_a_server_error_or_dropped_connection_is_unknown(
    social_server: FakeSocialServer, make_request: RequestFactory, fault: str
) -> None:
    social_server.inject(fault, path=TWEETS, status=503)

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as x:
            with pytest.raises(PublishOutcomeUnknown):
                await x.publish(make_request(), "key-1")
        assert not x.capabilities().idempotency_key and not x.capabilities().lookup

    asyncio.run(scenario())


def test_a_refused_connection_is_unavailable(
    closed_port_url: str, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(closed_port_url)) as x:
            with pytest.raises(ProviderUnavailable):
                await x.publish(make_request(), "key-1")

    asyncio.run(scenario())


def test_check_names_the_user_and_a_bad_token_fails_quietly(
    social_server: FakeSocialServer,
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as x:
            check = await x.check()
        assert check.ok and "@author" in check.message
        async with aclosing(publisher(social_server.url, token="bad-token-42")) as x:
            check = await x.check()
        assert not check.ok and "HTTP 401" in check.message and "bad-token-42" not in check.message

    asyncio.run(scenario())
