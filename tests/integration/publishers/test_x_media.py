"""XPublisher's images: `POST /2/media/upload`, alt text by `POST /2/media/metadata`, then the
post's `media.media_ids`."""

from __future__ import annotations

import asyncio
import base64
from contextlib import aclosing

import pytest

from bookagent.errors import ProviderUnavailable
from bookagent.errors import RateLimited
from bookagent.platforms.threads import join_thread
from bookagent.publishers.x import XPublisher
from tests.fakes.social_server import X_TOKEN
from tests.fakes.social_server import FakeSocialServer
from tests.integration.publishers.conftest import RequestFactory
from tests.integration.publishers.pictures import picture
from tests.integration.publishers.pictures import pictures

TWEETS = "/2/tweets"
UPLOAD = "/2/media/upload"
METADATA = "/2/media/metadata"


def publisher(server: FakeSocialServer) -> XPublisher:
    return XPublisher(server.url, X_TOKEN, 2.0)


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_a_post_names_its_uploaded_images_with_their_alt_text(
    social_server: FakeSocialServer, make_request: RequestFactory, count: int
) -> None:
    images = pictures(count)

    async def scenario() -> None:
        async with aclosing(publisher(social_server)) as x:
            await x.publish(make_request(platform="twitter", media=images), "key-1")

    asyncio.run(scenario())
    uploads = social_server.requests_to(UPLOAD)
    assert [base64.b64decode(u.body["media"]) for u in uploads] == [i.data for i in images]
    assert {(u.body["media_category"], u.body["media_type"]) for u in uploads} == {
        ("tweet_image", "image/png")
    }
    media_ids = list(social_server.x_media)
    assert [social_server.x_media[m]["alt_text"] for m in media_ids] == [i.alt_text for i in images]
    assert [m.body["id"] for m in social_server.requests_to(METADATA)] == media_ids
    [sent] = social_server.requests_to(TWEETS)
    assert sent.body["media"] == {"media_ids": media_ids}
    [tweet] = social_server.tweets.values()
    assert tweet["attachments"] == {"media_keys": [f"3_{m}" for m in media_ids]}


def test_a_threads_images_go_with_its_first_post(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    thread = join_thread(["The first post.", "The second post. #BookTok"])

    async def scenario() -> None:
        async with aclosing(publisher(social_server)) as x:
            await x.publish(
                make_request(platform="twitter", content=thread, media=pictures(2)), "key-t"
            )

    asyncio.run(scenario())
    first, second = social_server.requests_to(TWEETS)
    assert len(first.body["media"]["media_ids"]) == 2
    assert "media" not in second.body
    assert social_server.created("x") == 2


def test_a_rate_limited_create_is_retried_without_uploading_again(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    """The post was refused (429) after its images went up: the retry names the same uploads."""
    request = make_request(platform="twitter", media=pictures(2))

    async def scenario() -> None:
        async with aclosing(publisher(social_server)) as x:
            social_server.inject("rate_limit", path=TWEETS)
            with pytest.raises(RateLimited):
                await x.publish(request, "key-1")
            assert social_server.created("x") == 0
            await x.publish(request, "key-1")

    asyncio.run(scenario())
    assert social_server.created("x") == 1
    assert len(social_server.requests_to(UPLOAD)) == 2
    assert len(social_server.requests_to(METADATA)) == 2
    first, second = social_server.requests_to(TWEETS)
    assert first.body["media"] == second.body["media"]


def test_an_image_without_alt_text_gets_no_metadata_call(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server)) as x:
            request = make_request(platform="twitter", media=(picture(alt=""),))
            await x.publish(request, "key-1")

    asyncio.run(scenario())
    assert social_server.requests_to(METADATA) == []
    assert social_server.created("x") == 1


def test_a_failed_upload_posts_nothing(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    social_server.inject("server_error", path=UPLOAD, status=503)

    async def scenario() -> None:
        async with aclosing(publisher(social_server)) as x:
            with pytest.raises(ProviderUnavailable):  # an upload posts nothing: safe to retry
                await x.publish(make_request(platform="twitter", media=pictures(1)), "key-1")

    asyncio.run(scenario())
    assert social_server.requests_to(TWEETS) == []
