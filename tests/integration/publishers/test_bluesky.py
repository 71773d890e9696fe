"""BlueskyPublisher against the loopback server speaking atproto XRPC."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from typing import Any

import pytest

from bookagent.errors import ProviderRejected
from bookagent.errors import ProviderUnavailable
from bookagent.errors import PublishOutcomeUnknown
from bookagent.errors import RateLimited
from bookagent.publishers.bluesky import BlueskyPublisher
from bookagent.publishers.richtext import build_facets
from bookagent.publishers.richtext import is_tid
from bookagent.publishers.richtext import record_key
from tests.fakes.social_server import BLUESKY_DID
from tests.fakes.social_server import BLUESKY_HANDLE
from tests.fakes.social_server import BLUESKY_PASSWORD
from tests.fakes.social_server import FakeSocialServer
from tests.integration.publishers.conftest import RequestFactory

XRPC = "/xrpc/com.atproto"
CREATE_RECORD = f"{XRPC}.repo.createRecord"
CREATE_SESSION = f"{XRPC}.server.createSession"
REFRESH_SESSION = f"{XRPC}.server.refreshSession"


def publisher(
    service: str, password: str = BLUESKY_PASSWORD, timeout_s: float = 2.0
) -> BlueskyPublisher:
    return BlueskyPublisher(service, BLUESKY_HANDLE, password, timeout_s)


def facet_texts(text: str, facets: list[dict[str, Any]]) -> list[str]:
    """What each facet's byte range covers, decoded."""
    data = text.encode("utf-8")
    return [data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in facets]


def test_publish_creates_the_record_under_the_keys_rkey(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as bluesky:
            result = await bluesky.publish(make_request(platform="bluesky"), "key-1")
            second = await bluesky.publish(make_request(post_id="post-2"), "key-2")
        rkey = record_key("key-1")
        assert is_tid(rkey)
        assert result.remote_id == f"at://{BLUESKY_DID}/app.bsky.feed.post/{rkey}"
        assert result.url == f"https://bsky.app/profile/{BLUESKY_HANDLE}/post/{rkey}"
        assert result.status_code == 200
        assert second.remote_id != result.remote_id

    asyncio.run(scenario())
    first = social_server.requests_to(CREATE_RECORD)[0].body
    assert first["repo"] == BLUESKY_DID and first["collection"] == "app.bsky.feed.post"
    assert first["record"]["text"] == make_request().content
    assert first["record"]["createdAt"].endswith("Z")
    assert len(social_server.requests_to(CREATE_SESSION)) == 1  # the session is reused
    assert social_server.created("bluesky") == 2


def test_facets_use_utf8_byte_offsets_after_emoji_and_cjk(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    text = "📚🌊 新刊が出ました！ https://example.com/book?id=1 #BookTok #読書 C#x #BookTok2"

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as bluesky:
            await bluesky.publish(make_request(content=text), "key-1")

    asyncio.run(scenario())
    facets = social_server.requests_to(CREATE_RECORD)[0].body["record"]["facets"]
    assert facet_texts(text, facets) == [
        "https://example.com/book?id=1",
        "#BookTok",
        "#読書",
        "#BookTok2",
    ]
    assert [f["features"][0] for f in facets] == [
        {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/book?id=1"},
        {"$type": "app.bsky.richtext.facet#tag", "tag": "BookTok"},
        {"$type": "app.bsky.richtext.facet#tag", "tag": "読書"},
        {"$type": "app.bsky.richtext.facet#tag", "tag": "BookTok2"},
    ]
    # 2 emoji (4 bytes each), a space, 8 CJK/fullwidth characters (3 bytes each), a space.
    assert facets[0]["index"]["byteStart"] == 4 + 4 + 1 + 8 * 3 + 1


def test_a_fragment_inside_a_link_is_not_a_tag() -> None:
    text = "Read https://example.com/page#chapter1 then #chapter1 ＃Lit"
    facets = build_facets(text)
    assert facet_texts(text, facets) == ["https://example.com/page#chapter1", "#chapter1", "＃Lit"]


@pytest.mark.parametrize("refresh_too", [False, True])
def test_an_expired_session_is_renewed_and_the_post_goes_out(
    social_server: FakeSocialServer, make_request: RequestFactory, refresh_too: bool
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as bluesky:
            await bluesky.publish(make_request(), "key-1")
            social_server.expire_bluesky_sessions(refresh_too=refresh_too)
            await bluesky.publish(make_request(post_id="post-2"), "key-2")

    asyncio.run(scenario())
    assert len(social_server.requests_to(REFRESH_SESSION)) == 1
    assert len(social_server.requests_to(CREATE_SESSION)) == (2 if refresh_too else 1)
    assert len(social_server.requests_to(CREATE_RECORD)) == 3  # one refused as ExpiredToken
    assert social_server.created("bluesky") == 2


@pytest.mark.parametrize("conflict_status", [409, 500])
def test_a_retry_of_the_same_key_finds_the_post_instead_of_duplicating(
    social_server: FakeSocialServer, make_request: RequestFactory, conflict_status: int
) -> None:
    social_server.bluesky_conflict_status = conflict_status

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as bluesky:
            first = await bluesky.publish(make_request(), "key-1")
            again = await bluesky.publish(make_request(), "key-1")
        assert again.remote_id == first.remote_id and again.url == first.url

    asyncio.run(scenario())
    assert len(social_server.requests_to(CREATE_RECORD)) == 2
    assert social_server.created("bluesky") == 1


def test_a_stall_after_receipt_is_unknown_and_the_lookup_finds_the_post(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    request = make_request()

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url, timeout_s=0.5)) as bluesky:
            await bluesky.check()  # a session first, so the stall hits the create itself
            social_server.inject("stall", path=CREATE_RECORD)
            with pytest.raises(PublishOutcomeUnknown):
                await bluesky.publish(request, "key-1")
            assert social_server.created("bluesky") == 1
            found = await bluesky.find_published(request, "key-1")
            assert found is not None and found.remote_id is not None
            assert found.remote_id.endswith(record_key("key-1"))
            assert await bluesky.find_published(request, "another-key") is None
            capabilities = bluesky.capabilities()
        assert capabilities.idempotency_key and capabilities.lookup

    asyncio.run(scenario())


def test_rate_limit_waits_until_ratelimit_reset(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    social_server.rate_limit_reset_s = 300
    social_server.inject("rate_limit", path=CREATE_RECORD)

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as bluesky:
            with pytest.raises(RateLimited) as caught:
                await bluesky.publish(make_request(), "key-1")
        assert caught.value.retry_after_s is not None
        assert 298 <= caught.value.retry_after_s <= 301

    asyncio.run(scenario())


def test_a_server_error_with_no_record_behind_it_is_unknown(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    social_server.inject("server_error", path=CREATE_RECORD, status=502)

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as bluesky:
            with pytest.raises(PublishOutcomeUnknown, match="HTTP 502"):
                await bluesky.publish(make_request(), "key-1")

    asyncio.run(scenario())


def test_a_dropped_connection_is_unknown(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as bluesky:
            await bluesky.check()
            social_server.inject("drop", path=CREATE_RECORD)
            with pytest.raises(PublishOutcomeUnknown):
                await bluesky.publish(make_request(), "key-1")

    asyncio.run(scenario())
    assert social_server.created("bluesky") == 1


def test_a_refused_connection_is_unavailable(
    closed_port_url: str, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(closed_port_url)) as bluesky:
            with pytest.raises(ProviderUnavailable):
                await bluesky.publish(make_request(), "key-1")

    asyncio.run(scenario())


def test_a_wrong_app_password_is_rejected_without_showing_it(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url, password="wrong-pass-999")) as bluesky:
            with pytest.raises(ProviderRejected, match="Invalid identifier or password") as caught:
                await bluesky.publish(make_request(), "key-1")
            check = await bluesky.check()
        assert "wrong-pass-999" not in caught.value.message
        assert not check.ok and "wrong-pass-999" not in check.message

    asyncio.run(scenario())
    assert social_server.created("bluesky") == 0


def test_check_signs_in_and_metrics_read_the_post(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as bluesky:
            check = await bluesky.check()
            assert check.ok and BLUESKY_HANDLE in check.message
            result = await bluesky.publish(make_request(), "key-1")
            assert result.remote_id is not None
            figures = await bluesky.metrics(result.remote_id)
        assert figures == {"likes": 4, "reposts": 3, "replies": 2, "quotes": 1}

    asyncio.run(scenario())


def test_record_keys_are_stable_valid_tids() -> None:
    keys = {record_key(f"post-{n}:attempt") for n in range(2000)}
    assert len(keys) == 2000
    assert all(is_tid(key) for key in keys)
    assert record_key("post-7:attempt") == record_key("post-7:attempt")
