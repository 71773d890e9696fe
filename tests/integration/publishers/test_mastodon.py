"""MastodonPublisher against the loopback server speaking the Mastodon API."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from bookagent.errors import ProviderRejected
from bookagent.errors import ProviderUnavailable
from bookagent.errors import PublishOutcomeUnknown
from bookagent.errors import RateLimited
from bookagent.publishers.mastodon import MastodonPublisher
from tests.fakes.social_server import MASTODON_TOKEN
from tests.fakes.social_server import FakeSocialServer
from tests.integration.publishers.conftest import RequestFactory

STATUSES = "/api/v1/statuses"


def publisher(
    base_url: str, token: str = MASTODON_TOKEN, timeout_s: float = 2.0
) -> MastodonPublisher:
    return MastodonPublisher(base_url, token, timeout_s)


def test_publish_maps_the_status_entity_to_the_result(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as mastodon:
            result = await mastodon.publish(make_request(), "key-1")
        [status] = social_server.mastodon_statuses.values()
        assert result.remote_id == status["id"]
        assert result.url == f"{social_server.url}/@author/{status['id']}"
        assert result.status_code == 200
        assert result.response_excerpt and status["id"] in result.response_excerpt

    asyncio.run(scenario())
    [sent] = social_server.requests_to(STATUSES)
    assert sent.bearer == MASTODON_TOKEN
    assert sent.headers["idempotency-key"] == "key-1"
    assert sent.body == {"status": make_request().content, "visibility": "public"}
    assert social_server.created("mastodon") == 1


def test_a_retry_with_the_same_idempotency_key_creates_one_status(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url, timeout_s=0.5)) as mastodon:
            social_server.inject("stall", path=STATUSES)
            with pytest.raises(PublishOutcomeUnknown):
                await mastodon.publish(make_request(), "key-1")
            assert social_server.created("mastodon") == 1  # it arrived, and it was made
            first = await mastodon.publish(make_request(), "key-1")
            again = await mastodon.publish(make_request(), "key-1")
        assert first.remote_id == again.remote_id

    asyncio.run(scenario())
    assert len(social_server.requests_to(STATUSES)) == 3
    assert social_server.created("mastodon") == 1


def test_rate_limit_waits_until_x_ratelimit_reset(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    social_server.rate_limit_reset_s = 120
    social_server.inject("rate_limit", path=STATUSES)

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as mastodon:
            with pytest.raises(RateLimited) as caught:
                await mastodon.publish(make_request(), "key-1")
        assert caught.value.retry_after_s is not None
        assert 118 <= caught.value.retry_after_s <= 121

    asyncio.run(scenario())
    assert social_server.created("mastodon") == 0


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_leaves_the_outcome_unknown(
    social_server: FakeSocialServer, make_request: RequestFactory, status: int
) -> None:
    social_server.inject("server_error", path=STATUSES, status=status)

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as mastodon:
            with pytest.raises(PublishOutcomeUnknown, match=f"HTTP {status}"):
                await mastodon.publish(make_request(), "key-1")

    asyncio.run(scenario())


def test_a_dropped_connection_leaves_the_outcome_unknown(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    social_server.inject("drop", path=STATUSES)

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as mastodon:
            with pytest.raises(PublishOutcomeUnknown):
                await mastodon.publish(make_request(), "key-1")

    asyncio.run(scenario())
    assert social_server.created("mastodon") == 1


def test_a_refused_connection_is_unavailable(
    closed_port_url: str, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(closed_port_url)) as mastodon:
            with pytest.raises(ProviderUnavailable, match="could not connect"):
                await mastodon.publish(make_request(), "key-1")

    asyncio.run(scenario())


def test_a_validation_error_is_rejected_with_the_vendor_text(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as mastodon:
            with pytest.raises(ProviderRejected) as caught:
                await mastodon.publish(make_request(content="a" * 501), "key-1")
        assert "HTTP 422" in caught.value.message
        assert "character limit of 500 exceeded" in caught.value.message

    asyncio.run(scenario())


def test_a_bad_token_is_rejected_without_showing_it(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url, token="wrong-token-123")) as mastodon:
            with pytest.raises(ProviderRejected, match="access token is invalid") as caught:
                await mastodon.publish(make_request(), "key-1")
            check = await mastodon.check()
        assert "wrong-token-123" not in caught.value.message
        assert not check.ok and "wrong-token-123" not in check.message

    asyncio.run(scenario())


def test_limits_come_from_the_instance(social_server: FakeSocialServer) -> None:
    social_server.mastodon_max_characters = 1000
    social_server.mastodon_url_length = 25

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as mastodon:
            assert mastodon.limits() == {"max_length": 500, "url_length": 23}  # not fetched yet
            fetched = await mastodon.fetch_limits()
            assert fetched == {"max_length": 1000, "url_length": 25}
            assert mastodon.limits() == fetched

    asyncio.run(scenario())


def test_limits_fall_back_to_500_and_23_when_the_instance_omits_them(
    social_server: FakeSocialServer,
) -> None:
    social_server.mastodon_max_characters = None

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as mastodon:
            assert await mastodon.fetch_limits() == {"max_length": 500, "url_length": 23}

    asyncio.run(scenario())


def test_check_names_the_account_and_metrics_read_the_status(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as mastodon:
            check = await mastodon.check()
            assert check.ok and "@author" in check.message
            result = await mastodon.publish(make_request(), "key-1")
            assert result.remote_id is not None
            social_server.mastodon_statuses[result.remote_id].update(
                favourites_count=5, reblogs_count=2, replies_count=1
            )
            assert await mastodon.metrics(result.remote_id) == {
                "likes": 5,
                "reposts": 2,
                "replies": 1,
            }
            assert await mastodon.metrics("404404") is None
        assert mastodon.capabilities().idempotency_key
        assert mastodon.account == f"mastodon:{social_server.url.removeprefix('http://')}"

    asyncio.run(scenario())
