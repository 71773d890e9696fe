"""MastodonPublisher's images: `POST /api/v2/media`, polling until processed, then `media_ids`."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from bookagent.errors import ProviderUnavailable
from bookagent.errors import PublishOutcomeUnknown
from bookagent.publishers.mastodon import MastodonPublisher
from tests.fakes.social_server import MASTODON_TOKEN
from tests.fakes.social_server import FakeSocialServer
from tests.integration.publishers.conftest import RequestFactory
from tests.integration.publishers.pictures import picture
from tests.integration.publishers.pictures import pictures

STATUSES = "/api/v1/statuses"
UPLOADS = "/api/v2/media"


def publisher(
    base_url: str, *, poll_attempts: int = 5, timeout_s: float = 2.0
) -> MastodonPublisher:
    return MastodonPublisher(
        base_url,
        MASTODON_TOKEN,
        timeout_s,
        media_poll_attempts=poll_attempts,
        media_poll_interval_s=0.01,
    )


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_a_status_names_its_uploaded_images_in_order(
    social_server: FakeSocialServer, make_request: RequestFactory, count: int
) -> None:
    images = pictures(count)

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as mastodon:
            await mastodon.publish(make_request(media=images), "key-1")

    asyncio.run(scenario())
    uploads = social_server.requests_to(UPLOADS)
    assert len(uploads) == count
    for upload, image in zip(uploads, images, strict=True):
        assert upload.headers["content-type"].startswith("multipart/form-data")
        assert upload.body["file"]["data"] == image.data
        assert upload.body["file"]["content_type"] == "image/png"
        assert upload.body["description"] == image.alt_text
    # Each upload answered 202; each was polled (206 once, then 200) before the status.
    polls = [r for r in social_server.requests if r.path.startswith("/api/v1/media/")]
    assert len(polls) == 2 * count
    [sent] = social_server.requests_to(STATUSES)
    [status] = social_server.mastodon_statuses.values()
    assert sent.body["media_ids"] == [a["id"] for a in status["media_attachments"]]
    assert [a["description"] for a in status["media_attachments"]] == [i.alt_text for i in images]
    assert social_server.created("mastodon") == 1


def test_a_lost_create_answer_is_retried_once_without_uploading_again(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    """The status was made but its answer lost; the retry (same Idempotency-Key) names the same
    uploads, and Mastodon answers with the status it made."""
    request = make_request(media=pictures(2))

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as mastodon:
            social_server.inject("drop", path=STATUSES)
            with pytest.raises(PublishOutcomeUnknown):
                await mastodon.publish(request, "key-1")
            result = await mastodon.publish(request, "key-1")
        [status] = social_server.mastodon_statuses.values()
        assert result.remote_id == status["id"]

    asyncio.run(scenario())
    assert social_server.created("mastodon") == 1
    assert len(social_server.requests_to(UPLOADS)) == 2  # not repeated
    first, second = social_server.requests_to(STATUSES)
    assert first.body["media_ids"] == second.body["media_ids"]


def test_a_create_that_failed_with_a_500_is_retried_without_uploading_again(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    request = make_request(media=pictures(3))

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as mastodon:
            social_server.inject("server_error", path=STATUSES)
            with pytest.raises(PublishOutcomeUnknown):
                await mastodon.publish(request, "key-1")
            assert social_server.created("mastodon") == 0
            await mastodon.publish(request, "key-1")

    asyncio.run(scenario())
    assert social_server.created("mastodon") == 1
    assert len(social_server.requests_to(UPLOADS)) == 3
    [status] = social_server.mastodon_statuses.values()
    assert len(status["media_attachments"]) == 3


def test_a_new_process_uploads_again_and_still_makes_one_status(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    """After a crash the cache is gone: the images are uploaded again, the Idempotency-Key
    still answers with the first status, and the second uploads stay attached to nothing."""
    request = make_request(media=pictures(2))

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as before_crash:
            social_server.inject("drop", path=STATUSES)
            with pytest.raises(PublishOutcomeUnknown):
                await before_crash.publish(request, "key-1")
        async with aclosing(publisher(social_server.url)) as after_crash:
            await after_crash.publish(request, "key-1")

    asyncio.run(scenario())
    assert social_server.created("mastodon") == 1
    assert len(social_server.requests_to(UPLOADS)) == 4
    orphans = [m for m in social_server.mastodon_media.values() if m["status_id"] is None]
    assert len(orphans) == 2


def test_the_same_image_in_two_posts_is_uploaded_for_each(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    """Mastodon lets no second status take an attached image: a kept upload is used only
    until a status holds it."""
    image = picture()

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as mastodon:
            await mastodon.publish(make_request(media=(image,)), "key-1")
            await mastodon.publish(make_request(post_id="post-2", media=(image,)), "key-2")

    asyncio.run(scenario())
    assert social_server.created("mastodon") == 2
    assert len(social_server.requests_to(UPLOADS)) == 2


def test_an_image_still_processing_gives_up_and_posts_nothing(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    social_server.mastodon_media_pending_polls = 100

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url, poll_attempts=3)) as mastodon:
            with pytest.raises(ProviderUnavailable, match="nothing was posted"):
                await mastodon.publish(make_request(media=pictures(1)), "key-1")

    asyncio.run(scenario())
    assert len([r for r in social_server.requests if r.path.startswith("/api/v1/media/")]) == 3
    assert social_server.requests_to(STATUSES) == []
    assert social_server.created("mastodon") == 0


def test_an_image_processed_at_once_is_not_polled(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    social_server.mastodon_media_async = False  # v2 answers 200 with the url

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as mastodon:
            await mastodon.publish(make_request(media=pictures(2)), "key-1")

    asyncio.run(scenario())
    assert not [r for r in social_server.requests if r.path.startswith("/api/v1/media/")]
    assert social_server.created("mastodon") == 1


def test_a_failed_upload_posts_nothing_and_may_be_retried(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    request = make_request(media=pictures(2))

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url)) as mastodon:
            social_server.inject("server_error", path=UPLOADS, after=1)
            with pytest.raises(ProviderUnavailable):  # an upload posts nothing
                await mastodon.publish(request, "key-1")
            assert social_server.requests_to(STATUSES) == []
            await mastodon.publish(request, "key-1")

    asyncio.run(scenario())
    # The first image's upload was kept; only the second is sent again.
    assert len(social_server.requests_to(UPLOADS)) == 3
    assert social_server.created("mastodon") == 1


def test_a_post_never_takes_the_upload_kept_for_another_posts_retry(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    """The first post's status was made with the image, but its answer never came; the second
    post, with the same image, uploads its own: Mastodon would refuse an attached image."""
    image = picture()

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url, timeout_s=0.5)) as mastodon:
            social_server.inject("stall", path=STATUSES)
            with pytest.raises(PublishOutcomeUnknown):
                await mastodon.publish(make_request(media=(image,)), "key-1")
            await mastodon.publish(make_request(post_id="post-2", media=(image,)), "key-2")
            await mastodon.publish(make_request(media=(image,)), "key-1")  # the retry

    asyncio.run(scenario())
    assert social_server.created("mastodon") == 2
    assert len(social_server.requests_to(UPLOADS)) == 2
    first, second = social_server.mastodon_statuses.values()
    assert first["media_attachments"][0]["id"] != second["media_attachments"][0]["id"]
