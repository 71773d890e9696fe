"""Posts with images through the real ledger (`publish_one`), on SQLite and PostgreSQL: the
images are read from the services' store, uploaded the way each network takes them, and a
retry after a failure that follows the uploads makes one post without uploading again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.db.models import Post
from bookagent.db.models import PublicationAttempt
from bookagent.domain.media import MediaItem
from bookagent.tasks.publishing import publish_one
from bookagent.web.app import create_app
from tests.conftest import SettingsFactory
from tests.fakes.social_server import BLUESKY_HANDLE
from tests.fakes.social_server import BLUESKY_PASSWORD
from tests.fakes.social_server import MASTODON_TOKEN
from tests.fakes.social_server import WEBHOOK_PATH
from tests.fakes.social_server import WEBHOOK_SECRET
from tests.fakes.social_server import FakeSocialServer
from tests.fakes.social_server import bluesky_cid
from tests.integration.publishers.pictures import COLOURS
from tests.integration.publishers.pictures import png
from tests.support.factories import seed_due_posts

STATUSES = "/api/v1/statuses"
MASTODON_UPLOADS = "/api/v2/media"
CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"
UPLOAD_BLOB = "/xrpc/com.atproto.repo.uploadBlob"


@pytest.fixture
def server() -> Iterator[FakeSocialServer]:
    with FakeSocialServer(mastodon_media_pending_polls=0) as fake:
        yield fake


@pytest.fixture
def ledger(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer
) -> Iterator[Services]:
    """Services on SQLite and on PostgreSQL, publishing to the fake networks and webhook."""
    publishers = {
        "mastodon_base_url": server.url,
        "mastodon_access_token": MASTODON_TOKEN,
        "bluesky_service": server.url,
        "bluesky_handle": BLUESKY_HANDLE,
        "bluesky_app_password": BLUESKY_PASSWORD,
        "webhook_url": server.url + WEBHOOK_PATH,
        "webhook_secret": WEBHOOK_SECRET,
        "timeout_s": 2.0,
        "retry_backoff_s": 0,
    }
    services = build_services(
        make_settings(db={"url": database_url}, publishers=publishers), start_queue=False
    )
    yield services
    services.close(grace_s=0)


def seed_post_with_images(services: Services, platform: str, count: int) -> tuple[str, list[Any]]:
    """One due post whose `count` images are in the services' store; its id and the items."""
    [post_id] = seed_due_posts(services, 1, platform=platform)
    items = []
    for index in range(count):
        data = png(4 + index, 3, COLOURS[index])
        key = services.media.put(data, "image/png")
        items.append(
            MediaItem(key, "image/png", 4 + index, 3, len(data), f"Card {index + 1}.", "quote_card")
        )
    with services.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.media = [item.to_json() for item in items]
    return post_id, items


def attempts(services: Services, post_id: str) -> list[str]:
    with services.db.session() as session:
        query = select(PublicationAttempt.outcome).where(PublicationAttempt.post_id == post_id)
        return list(session.scalars(query.order_by(PublicationAttempt.started_at)))


def test_a_mastodon_post_with_images_whose_answer_was_lost_is_published_once(
    ledger: Services, server: FakeSocialServer
) -> None:
    post_id, items = seed_post_with_images(ledger, "mastodon", 2)
    server.inject("drop", path=STATUSES)
    assert publish_one(ledger, post_id) == "retry"  # the Idempotency-Key makes a retry safe
    assert publish_one(ledger, post_id) == "published"
    assert server.created("mastodon") == 1
    assert len(server.requests_to(MASTODON_UPLOADS)) == 2  # the retry used the same uploads
    [status] = server.mastodon_statuses.values()
    assert [a["description"] for a in status["media_attachments"]] == [i.alt_text for i in items]
    assert attempts(ledger, post_id) == ["unknown", "published"]
    with ledger.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None and post.remote_id == status["id"]


def test_a_bluesky_post_with_images_refused_with_a_500_is_retried_once(
    ledger: Services, server: FakeSocialServer
) -> None:
    """The lookup shows the record absent, so the retry goes ahead with the blobs it kept."""
    post_id, items = seed_post_with_images(ledger, "bluesky", 3)
    server.inject("server_error", path=CREATE_RECORD)
    assert publish_one(ledger, post_id) == "retry"
    assert publish_one(ledger, post_id) == "published"
    assert server.created("bluesky") == 1
    assert len(server.requests_to(UPLOAD_BLOB)) == 3
    [record] = server.bluesky_records.values()
    images = record["value"]["embed"]["images"]
    with ledger.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None and post.remote_id == record["uri"]
    stored = [ledger.media.get(item.key) for item in items]
    assert [image["image"]["ref"]["$link"] for image in images] == [
        bluesky_cid(data) for data in stored
    ]
    assert [image["alt"] for image in images] == [item.alt_text for item in items]


def test_a_webhook_post_links_its_images_and_the_links_serve_them(
    ledger: Services, server: FakeSocialServer
) -> None:
    post_id, items = seed_post_with_images(ledger, "facebook", 2)
    assert publish_one(ledger, post_id) == "published"
    [hook] = server.hooks
    media = hook["post"]["media"]
    assert [(m["width"], m["height"], m["alt_text"]) for m in media] == [
        (i.width, i.height, i.alt_text) for i in items
    ]
    client = create_app(services=ledger).test_client()
    for entry, item in zip(media, items, strict=True):
        answer = client.get(urlsplit(entry["url"]).path)
        assert answer.status_code == 200 and answer.mimetype == "image/png"
        assert answer.data == ledger.media.get(item.key)
    tampered = urlsplit(media[0]["url"]).path[:-3] + "xyz"
    assert client.get(tampered).status_code == 403


def test_an_outbox_post_writes_its_images_beside_it(
    make_settings: SettingsFactory, database_url: str
) -> None:
    settings = make_settings(db={"url": database_url}, publishers={"dry_run": True})
    services = build_services(settings, start_queue=False)
    try:
        post_id, items = seed_post_with_images(services, "mastodon", 2)
        assert publish_one(services, post_id) == "published"
        outbox = services.publishers.outbox_dir
        [record_path] = outbox.glob(f"mastodon/*/{post_id}.json")
        record = json.loads(record_path.read_text("utf-8"))
        assert [m["file"] for m in record["media"]] == [
            f"{post_id}-image-1.png",
            f"{post_id}-image-2.png",
        ]
        for entry, item in zip(record["media"], items, strict=True):
            assert (record_path.parent / entry["file"]).read_bytes() == services.media.get(item.key)
            assert entry["alt_text"] == item.alt_text and entry["size"] == item.size
    finally:
        services.close(grace_s=0)


def test_a_pin_reaches_the_webhook_with_its_title_link_and_image(
    ledger: Services, server: FakeSocialServer
) -> None:
    """Pinterest through the webhook: the pin's title, description and destination link (the
    writer's plan, kept with the post) and its one image."""
    post_id, items = seed_post_with_images(ledger, "pinterest", 1)
    pin = {
        "title": "The Lighthouse Keeper by A. Writer",
        "description": "A keeper finds a message in a bottle.",
        "link": "https://www.amazon.com/dp/B000000000",
    }
    with ledger.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.generation_metadata = {**post.generation_metadata, "pin": pin}
    assert publish_one(ledger, post_id) == "published"
    [hook] = server.hooks
    assert hook["post"]["pin"] == pin
    assert [m["alt_text"] for m in hook["post"]["media"]] == [items[0].alt_text]
