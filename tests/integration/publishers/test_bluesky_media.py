"""BlueskyPublisher's embeds: uploaded blobs as `app.bsky.embed.images`, else a link card."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from typing import Any

import pytest

from bookagent.domain.ports import PublishMedia
from bookagent.errors import ProviderRejected
from bookagent.errors import ProviderUnavailable
from bookagent.errors import PublishOutcomeUnknown
from bookagent.platforms.threads import join_thread
from bookagent.publishers.bluesky import BlueskyPublisher
from tests.fakes.social_server import BLUESKY_HANDLE
from tests.fakes.social_server import BLUESKY_PASSWORD
from tests.fakes.social_server import FakeSocialServer
from tests.fakes.social_server import bluesky_cid
from tests.integration.publishers.conftest import RequestFactory
from tests.integration.publishers.pictures import picture
from tests.integration.publishers.pictures import pictures

CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"
UPLOAD_BLOB = "/xrpc/com.atproto.repo.uploadBlob"
THREAD = join_thread(
    ["Day one of the keeper's winter.", "Read the first chapter: https://example.com/book"]
)


def publisher(server: FakeSocialServer) -> BlueskyPublisher:
    return BlueskyPublisher(server.url, BLUESKY_HANDLE, BLUESKY_PASSWORD, 2.0)


def records(server: FakeSocialServer) -> list[dict[str, Any]]:
    """The records the server holds, in the order they were made."""
    return [record["value"] for record in server.bluesky_records.values()]


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_a_post_embeds_its_uploaded_images_with_alt_text_and_aspect_ratio(
    social_server: FakeSocialServer, make_request: RequestFactory, count: int
) -> None:
    images = pictures(count)

    async def scenario() -> None:
        async with aclosing(publisher(social_server)) as bluesky:
            await bluesky.publish(make_request(platform="bluesky", media=images), "key-1")

    asyncio.run(scenario())
    uploads = social_server.requests_to(UPLOAD_BLOB)
    assert [u.raw for u in uploads] == [i.data for i in images]
    assert {u.headers["content-type"] for u in uploads} == {"image/png"}
    [record] = records(social_server)
    embed = record["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert [(e["image"]["ref"]["$link"], e["alt"], e["aspectRatio"]) for e in embed["images"]] == [
        (bluesky_cid(i.data), i.alt_text, {"width": i.width, "height": i.height}) for i in images
    ]
    assert all(e["image"]["mimeType"] == "image/png" for e in embed["images"])


def test_a_lost_create_answer_is_retried_once_without_uploading_again(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    request = make_request(platform="bluesky", media=pictures(2))

    async def scenario() -> None:
        async with aclosing(publisher(social_server)) as bluesky:
            social_server.inject("drop", path=CREATE_RECORD)
            with pytest.raises(PublishOutcomeUnknown):
                await bluesky.publish(request, "key-1")
            first = await bluesky.publish(request, "key-1")  # the record key's record is there
            found = await bluesky.find_published(request, "key-1")
        assert found is not None and found.remote_id == first.remote_id

    asyncio.run(scenario())
    assert social_server.created("bluesky") == 1
    assert len(social_server.requests_to(UPLOAD_BLOB)) == 2


def test_a_create_that_failed_with_a_500_is_retried_without_uploading_again(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    request = make_request(platform="bluesky", media=pictures(4))

    async def scenario() -> None:
        async with aclosing(publisher(social_server)) as bluesky:
            social_server.inject("server_error", path=CREATE_RECORD)
            with pytest.raises(PublishOutcomeUnknown):
                await bluesky.publish(request, "key-1")
            assert social_server.created("bluesky") == 0
            await bluesky.publish(request, "key-1")

    asyncio.run(scenario())
    assert social_server.created("bluesky") == 1
    assert len(social_server.requests_to(UPLOAD_BLOB)) == 4
    [record] = records(social_server)
    assert len(record["embed"]["images"]) == 4


def test_blobs_the_pds_deleted_meanwhile_are_uploaded_again_once(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    """A PDS deletes blobs no record took in time: it refuses the record (`BlobNotFound`)
    before writing it, and the publisher uploads the same bytes again (the same CIDs)."""
    request = make_request(platform="bluesky", media=pictures(2))

    async def scenario() -> None:
        async with aclosing(publisher(social_server)) as bluesky:
            social_server.inject("server_error", path=CREATE_RECORD)
            with pytest.raises(PublishOutcomeUnknown):
                await bluesky.publish(request, "key-1")
            social_server.forget_bluesky_blobs()
            await bluesky.publish(request, "key-1")

    asyncio.run(scenario())
    assert social_server.created("bluesky") == 1
    uploads = social_server.requests_to(UPLOAD_BLOB)
    assert len(uploads) == 4
    assert [u.raw for u in uploads[:2]] == [u.raw for u in uploads[2:]]
    [record] = records(social_server)
    assert [e["image"]["ref"]["$link"] for e in record["embed"]["images"]] == [
        bluesky_cid(i.data) for i in request.media
    ]


def test_a_threads_images_go_with_its_first_post(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    request = make_request(platform="bluesky", content=THREAD, media=pictures(2))

    async def scenario() -> None:
        async with aclosing(publisher(social_server)) as bluesky:
            await bluesky.publish(request, "key-t")

    asyncio.run(scenario())
    first, second = records(social_server)
    assert first["embed"]["$type"] == "app.bsky.embed.images"
    assert "embed" not in second  # its link stays a facet: the images take the thread's embed


def test_a_post_with_a_link_and_no_image_gets_a_link_card(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server)) as bluesky:
            await bluesky.publish(make_request(platform="bluesky"), "key-1")

    asyncio.run(scenario())
    [record] = records(social_server)
    assert record["embed"] == {
        "$type": "app.bsky.embed.external",
        "external": {"uri": "https://example.com/book", "title": "example.com", "description": ""},
    }
    assert social_server.requests_to(UPLOAD_BLOB) == []


def test_a_threads_link_card_goes_with_the_post_that_holds_the_link(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server)) as bluesky:
            await bluesky.publish(make_request(platform="bluesky", content=THREAD), "key-t")

    asyncio.run(scenario())
    first, second = records(social_server)
    assert "embed" not in first
    assert second["embed"]["external"]["uri"] == "https://example.com/book"


def test_a_post_with_neither_image_nor_link_embeds_nothing(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    request = make_request(platform="bluesky", content="Ada keeps the light.", links=())

    async def scenario() -> None:
        async with aclosing(publisher(social_server)) as bluesky:
            await bluesky.publish(request, "key-1")

    asyncio.run(scenario())
    [record] = records(social_server)
    assert "embed" not in record


@pytest.mark.parametrize(
    ("image", "error"),
    [
        (PublishMedia(b"\x89PNG" + b"0" * 1_000_000, "image/png", 4, 3, "Big.", "k"), "too large"),
        (PublishMedia(b"not an image", "text/plain", 4, 3, "Text.", "k"), "Wrong type"),
    ],
)
def test_an_image_the_pds_refuses_fails_the_post_before_anything_is_posted(
    social_server: FakeSocialServer,
    make_request: RequestFactory,
    image: PublishMedia,
    error: str,
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server)) as bluesky:
            with pytest.raises(ProviderRejected, match=error):
                await bluesky.publish(make_request(platform="bluesky", media=(image,)), "key-1")

    asyncio.run(scenario())
    assert social_server.requests_to(CREATE_RECORD) == []


def test_a_failed_upload_posts_nothing_and_may_be_retried(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    request = make_request(platform="bluesky", media=(picture(),))

    async def scenario() -> None:
        async with aclosing(publisher(social_server)) as bluesky:
            social_server.inject("server_error", path=UPLOAD_BLOB)
            with pytest.raises(ProviderUnavailable):
                await bluesky.publish(request, "key-1")
            await bluesky.publish(request, "key-1")

    asyncio.run(scenario())
    assert social_server.created("bluesky") == 1
    assert len(social_server.requests_to(CREATE_RECORD)) == 1
