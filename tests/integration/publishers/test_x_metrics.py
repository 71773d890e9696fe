"""XPublisher.metrics: a post's public_metrics, only where the account's tier can read."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import httpx
import pytest

from bookagent.errors import ProviderRejected
from bookagent.publishers.x import XPublisher
from tests.fakes.social_server import X_TOKEN
from tests.fakes.social_server import FakeSocialServer
from tests.integration.publishers.conftest import RequestFactory


def reader(base_url: str, token: str = X_TOKEN, *, read_metrics: bool = True) -> XPublisher:
    return XPublisher(base_url, token, 2.0, read_metrics=read_metrics)


def test_metrics_read_the_posts_public_metrics(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(reader(social_server.url)) as x:
            assert x.capabilities().metrics
            result = await x.publish(make_request(platform="twitter"), "key-1")
            assert result.remote_id is not None
            social_server.x_public_metrics[result.remote_id] = {
                "like_count": 9,
                "retweet_count": 2,
                "reply_count": 3,
                "quote_count": 1,
                "impression_count": 740,
                "bookmark_count": 4,
            }
            figures = await x.metrics(result.remote_id)
        assert figures == {
            "likes": 9,
            "reposts": 2,
            "replies": 3,
            "quotes": 1,
            "impressions": 740,
            "bookmarks": 4,
        }

    asyncio.run(scenario())
    [lookup] = [r for r in social_server.requests if r.method == "GET"]
    assert lookup.path.startswith("/2/tweets/") and lookup.bearer == X_TOKEN
    assert lookup.query == {"tweet.fields": "public_metrics"}


def test_a_post_x_cannot_find_has_no_metrics(social_server: FakeSocialServer) -> None:
    async def scenario() -> None:
        async with aclosing(reader(social_server.url)) as x:
            assert await x.metrics("1880000000000009999") is None

    asyncio.run(scenario())


def test_a_plain_404_also_means_no_metrics() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"title": "Not Found", "status": 404})

    async def scenario() -> None:
        transport = httpx.MockTransport(handler)
        async with aclosing(
            XPublisher("https://api.x.test", X_TOKEN, 2.0, transport=transport, read_metrics=True)
        ) as x:
            assert await x.metrics("1") is None

    asyncio.run(scenario())


def test_a_bad_token_is_refused(social_server: FakeSocialServer) -> None:
    async def scenario() -> None:
        async with aclosing(reader(social_server.url, "not-the-token")) as x:
            with pytest.raises(ProviderRejected):
                await x.metrics("1880000000000000001")

    asyncio.run(scenario())
    [refused] = social_server.requests
    assert refused.path == "/2/tweets/1880000000000000001"


def test_the_free_tier_offers_no_metrics_and_asks_nothing(
    social_server: FakeSocialServer,
) -> None:
    async def scenario() -> None:
        async with aclosing(reader(social_server.url, read_metrics=False)) as x:
            assert not x.capabilities().metrics
            assert await x.metrics("1880000000000000001") is None

    asyncio.run(scenario())
    assert social_server.requests == []
