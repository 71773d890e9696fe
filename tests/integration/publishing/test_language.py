"""The book's language goes with every post: a BCP 47 tag on the book (default `en`), kept with
each post written for it, changed per post, sent as `langs` on Bluesky records and as
`language` (ISO 639) on Mastodon statuses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from bookagent.bootstrap import build_services
from bookagent.db.models import Post
from bookagent.services import Services
from bookagent.tasks.publishing import publish_one
from bookagent.web.app import create_app
from tests.conftest import SettingsFactory
from tests.fakes.social_server import BLUESKY_HANDLE
from tests.fakes.social_server import BLUESKY_PASSWORD
from tests.fakes.social_server import MASTODON_TOKEN
from tests.fakes.social_server import FakeSocialServer
from tests.support.factories import seed_due_posts


@pytest.fixture
def server() -> Iterator[FakeSocialServer]:
    with FakeSocialServer() as fake:
        yield fake


@pytest.fixture
def ledger(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer
) -> Iterator[Services]:
    publishers = {
        "mastodon_base_url": server.url,
        "mastodon_access_token": MASTODON_TOKEN,
        "bluesky_service": server.url,
        "bluesky_handle": BLUESKY_HANDLE,
        "bluesky_app_password": BLUESKY_PASSWORD,
        "timeout_s": 2.0,
    }
    services = build_services(
        make_settings(db={"url": database_url}, publishers=publishers), start_queue=False
    )
    yield services
    services.close(grace_s=0)


def with_language(services: Services, post_id: str, language: str) -> None:
    with services.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.generation_metadata = {**post.generation_metadata, "language": language}


def test_bluesky_and_mastodon_get_the_posts_language(
    ledger: Services, server: FakeSocialServer
) -> None:
    [sky] = seed_due_posts(ledger, 1, platform="bluesky")
    [toot] = seed_due_posts(ledger, 1, platform="mastodon")
    with_language(ledger, sky, "pt-BR")
    with_language(ledger, toot, "pt-BR")
    assert publish_one(ledger, sky) == publish_one(ledger, toot) == "published"
    [record] = server.bluesky_records.values()
    assert record["value"]["langs"] == ["pt-BR"]
    [status] = server.requests_to("/api/v1/statuses")
    assert status.body["language"] == "pt"


def test_a_post_without_a_language_sends_none(ledger: Services, server: FakeSocialServer) -> None:
    """Posts written before books had a language: nothing is claimed for them."""
    [sky] = seed_due_posts(ledger, 1, platform="bluesky")
    assert publish_one(ledger, sky) == "published"
    [record] = server.bluesky_records.values()
    assert "langs" not in record["value"]


def test_the_book_sets_it_and_a_post_may_change_it(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book = client.post("/api/books", json=book_payload).get_json()["book"]
    assert book["language"] == "en"
    changed = client.patch(f"/api/books/{book['id']}", json={"language": "EN-gb"})
    assert changed.status_code == 200 and changed.get_json()["book"]["language"] == "en-GB"
    wrong = client.patch(f"/api/books/{book['id']}", json={"language": "English"})
    assert wrong.status_code == 422
    assert "language" in str(wrong.get_json())
    [post] = client.post(
        "/api/generate-posts",
        json={"book_id": book["id"], "platforms": ["mastodon"], "count_per_platform": 1},
    ).get_json()["posts"]
    assert post["generation_metadata"]["language"] == "en-GB"
    edited = client.patch(f"/api/posts/{post['id']}", json={"language": "fr-CA"})
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["post"]["generation_metadata"]["language"] == "fr-CA"
    bad = client.patch(f"/api/posts/{post['id']}", json={"language": "xx-!!"})
    assert bad.status_code == 422 and "language" in str(bad.get_json())


def test_the_openapi_document_names_the_field(ledger: Services) -> None:
    """The OpenAPI document names the field, so clients learn of it."""
    spec = create_app(services=ledger).test_client().get("/api/openapi.json").get_json()
    assert "language" in str(spec)


def test_the_fake_networks_refuse_what_the_real_ones_refuse(server: FakeSocialServer) -> None:
    """The loopback servers check the fields as the networks define them, so a publisher that
    sent `en-GB` to Mastodon or a malformed tag to Bluesky would fail these tests."""
    import httpx

    base = server.url
    headers = {"Authorization": f"Bearer {MASTODON_TOKEN}"}
    for language, status in (("en", 200), ("pt", 200), ("en-GB", 422), ("English", 422)):
        answer = httpx.post(
            f"{base}/api/v1/statuses",
            json={"status": f"Hello {language}", "language": language},
            headers=headers,
        )
        assert answer.status_code == status, (language, answer.text)
