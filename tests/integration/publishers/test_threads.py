"""Threads on Bluesky and X against the loopback server: each post a reply to the one before,
published exactly once even when an answer is lost in the middle of the thread."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from bookagent.domain.ports import PublisherCapabilities
from bookagent.domain.publish_policy import Action
from bookagent.domain.publish_policy import decide
from bookagent.errors import PublishOutcomeUnknown
from bookagent.errors import ThreadIncomplete
from bookagent.platforms.threads import join_thread
from bookagent.publishers.bluesky import BlueskyPublisher
from bookagent.publishers.x import XPublisher
from tests.fakes.social_server import BLUESKY_HANDLE
from tests.fakes.social_server import BLUESKY_PASSWORD
from tests.fakes.social_server import X_TOKEN
from tests.fakes.social_server import FakeSocialServer
from tests.integration.publishers.conftest import RequestFactory

CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"
THREAD = join_thread(
    [
        "Day one of the keeper's winter. https://example.com/book",
        "A line from the book: “Every light is a promise.”",
        "Pre-order it now. #BookTok",
    ]
)


def bluesky(server: FakeSocialServer) -> BlueskyPublisher:
    return BlueskyPublisher(server.url, BLUESKY_HANDLE, BLUESKY_PASSWORD, 2.0)


def x(server: FakeSocialServer) -> XPublisher:
    return XPublisher(server.url, X_TOKEN, 2.0)


def chain(server: FakeSocialServer) -> list[dict[str, object]]:
    """The Bluesky records in the order they were created."""
    return [request.body["record"] for request in server.requests_to(CREATE_RECORD)]


def test_bluesky_thread_is_a_chain_of_replies_with_facets_per_post(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(bluesky(social_server)) as publisher:
            result = await publisher.publish(make_request(content=THREAD), "key-t")
            found = await publisher.find_published(make_request(content=THREAD), "key-t")
        assert found is not None and found.remote_id == result.remote_id

    asyncio.run(scenario())
    records = list(social_server.bluesky_records.values())
    assert [r["value"]["text"] for r in records] == THREAD.split("\n\n---\n\n")
    root = {"uri": records[0]["uri"], "cid": records[0]["cid"]}
    assert "reply" not in records[0]["value"]
    assert records[1]["value"]["reply"] == {"root": root, "parent": root}
    second = {"uri": records[1]["uri"], "cid": records[1]["cid"]}
    assert records[2]["value"]["reply"] == {"root": root, "parent": second}
    # Facets are each post's own: the link in the first, the tag in the last.
    assert [f["features"][0]["$type"] for f in records[0]["value"]["facets"]] == [
        "app.bsky.richtext.facet#link"
    ]
    assert "facets" not in records[1]["value"]
    assert records[2]["value"]["facets"][0]["features"][0]["tag"] == "BookTok"


def test_bluesky_thread_retried_after_a_lost_answer_completes_without_a_repeat(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    """The second post's answer is lost: the retry finds the first two posts under their record
    keys and creates only the third."""
    social_server.inject("drop", path=CREATE_RECORD, after=1)
    request = make_request(content=THREAD)

    async def scenario() -> None:
        async with aclosing(bluesky(social_server)) as publisher:
            with pytest.raises(PublishOutcomeUnknown):
                await publisher.publish(request, "key-t")
            assert await publisher.find_published(request, "key-t") is None  # not whole yet
            await publisher.publish(request, "key-t")
            assert await publisher.find_published(request, "key-t") is not None

    asyncio.run(scenario())
    assert social_server.created("bluesky") == 3
    texts = [r["value"]["text"] for r in social_server.bluesky_records.values()]
    assert texts == THREAD.split("\n\n---\n\n")


def test_a_post_without_a_thread_keeps_its_record_key(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    """A one-post text is created as before (the key's own record key), so posts in flight when
    threads arrived are still found by their lookup."""
    from bookagent.publishers.richtext import record_key

    async def scenario() -> None:
        async with aclosing(bluesky(social_server)) as publisher:
            await publisher.publish(make_request(content="One post. ---not a break"), "key-1")

    asyncio.run(scenario())
    assert list(social_server.bluesky_records) == [record_key("key-1")]


def test_x_thread_replies_to_the_post_before(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> str | None:
        async with aclosing(x(social_server)) as publisher:
            result = await publisher.publish(make_request(content=THREAD), "key-t")
        return result.remote_id

    first = asyncio.run(scenario())
    tweets = list(social_server.tweets.values())
    assert [t["text"] for t in tweets] == THREAD.split("\n\n---\n\n")
    assert first == tweets[0]["id"] and "in_reply_to_tweet_id" not in tweets[0]
    assert tweets[1]["in_reply_to_tweet_id"] == tweets[0]["id"]
    assert tweets[2]["in_reply_to_tweet_id"] == tweets[1]["id"]


def test_x_thread_broken_in_the_middle_is_unconfirmed_never_resent(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    """X has no idempotency key: once a post of the thread is out, a failure of the next leaves
    the post for the author, with what went out, and the policy never sends it again."""
    social_server.inject("server_error", path="/2/tweets", after=1, status=503)

    async def scenario() -> ThreadIncomplete:
        async with aclosing(x(social_server)) as publisher:
            with pytest.raises(ThreadIncomplete) as raised:
                await publisher.publish(make_request(content=THREAD), "key-t")
        return raised.value

    error = asyncio.run(scenario())
    assert social_server.created("x") == 1
    assert "1 of the thread's 3 posts went out" in error.message
    assert "https://x.com/i/web/status/" in error.message
    x_can = PublisherCapabilities(idempotency_key=False, lookup=False, metrics=False)
    assert decide(error, x_can, attempts_left=3).action is Action.UNCONFIRMED


def test_x_thread_whose_first_post_fails_is_decided_as_one_post(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    """Nothing went out: the first post's own error stands (here a 503: provably not sent)."""
    social_server.inject("server_error", path="/2/tweets", status=503)

    async def scenario() -> None:
        async with aclosing(x(social_server)) as publisher:
            with pytest.raises(Exception) as raised:
                await publisher.publish(make_request(content=THREAD), "key-t")
            assert not isinstance(raised.value, ThreadIncomplete)

    asyncio.run(scenario())
    assert social_server.created("x") == 0
