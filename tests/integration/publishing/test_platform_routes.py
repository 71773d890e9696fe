"""platform-status and test-platform, with a real bounded call to the publisher."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from bookagent.bootstrap import build_services
from bookagent.web.app import create_app
from tests.conftest import SettingsFactory
from tests.fakes.social_server import MASTODON_TOKEN
from tests.fakes.social_server import FakeSocialServer


@pytest.fixture
def configured(make_settings: SettingsFactory) -> Iterator[FlaskClient]:
    with FakeSocialServer() as server:
        services = build_services(
            make_settings(
                publishers={
                    "mastodon_base_url": server.url,
                    "mastodon_access_token": MASTODON_TOKEN,
                    "x_user_token": "   ",
                    "dry_run_platforms": ["bluesky"],
                }
            )
        )
        yield create_app(services=services).test_client()
        services.close(grace_s=0)


def test_platform_status_reports_publishers_and_credentials(configured: FlaskClient) -> None:
    body = configured.get("/api/platform-status").get_json()
    assert body["platform_status"]["mastodon"] is True
    assert body["platform_status"]["twitter"] is False  # a blank token is not a token
    assert body["platforms"]["mastodon"]["publisher"] == "mastodon"
    assert body["platforms"]["twitter"]["publisher"] == "outbox"
    assert body["platforms"]["bluesky"] == {
        "publisher": "outbox",
        "configured": False,
        "dry_run": True,
    }
    assert set(body["platform_status"]) >= {
        "twitter",
        "facebook",
        "instagram",
        "pinterest",
        "mastodon",
        "bluesky",
        "threads",
        "linkedin",
    }


def test_test_platform_makes_a_real_call(configured: FlaskClient) -> None:
    body = configured.get("/api/test-platform/mastodon").get_json()
    assert body["status"] == "connected" and body["api_connected"] is True
    assert body["test_result"]["success"] is True and body["last_test_time"].endswith("+00:00")
    outbox = configured.get("/api/test-platform/x").get_json()
    assert outbox["platform"] == "twitter" and outbox["publisher"] == "outbox"
    assert configured.get("/api/test-platform/myspace").status_code == 404


def test_test_platform_reports_errors(make_settings: SettingsFactory) -> None:
    services = build_services(
        make_settings(
            publishers={
                "mastodon_base_url": "http://127.0.0.1:9",
                "mastodon_access_token": "t",
                "timeout_s": 1,
            }
        )
    )
    try:
        body = (
            create_app(services=services)
            .test_client()
            .get("/api/test-platform/mastodon")
            .get_json()
        )
        assert body["status"] == "error" and body["api_connected"] is False
        assert body["test_result"]["success"] is False and body["test_result"]["error"]
    finally:
        services.close(grace_s=0)


def test_mastodon_posts_respect_the_instance_limit(
    make_settings: SettingsFactory, book_payload: dict[str, object]
) -> None:
    with FakeSocialServer(mastodon_max_characters=140) as server:
        services = build_services(
            make_settings(
                publishers={
                    "mastodon_base_url": server.url,
                    "mastodon_access_token": MASTODON_TOKEN,
                }
            )
        )
        try:
            client = create_app(services=services).test_client()
            client.post("/api/books", json=book_payload)
            posts = client.post(
                "/api/generate-posts",
                json={
                    "user_id": "alice",
                    "platforms": ["mastodon"],
                    "count_per_platform": 3,
                },
            ).get_json()["posts"]
            assert posts and all(p["limit"] == 140 for p in posts)
            assert all(p["measured_length"] <= 140 for p in posts)
            assert server.requests_to("/api/v2/instance")
        finally:
            services.close(grace_s=0)


def test_test_platform_names_the_account_and_when_its_session_was_made(
    make_settings: SettingsFactory,
) -> None:
    from datetime import UTC
    from datetime import datetime

    from tests.fakes.social_server import BLUESKY_HANDLE
    from tests.fakes.social_server import BLUESKY_PASSWORD

    with FakeSocialServer() as server:
        services = build_services(
            make_settings(
                publishers={
                    "mastodon_base_url": server.url,
                    "mastodon_access_token": MASTODON_TOKEN,
                    "bluesky_service": server.url,
                    "bluesky_handle": BLUESKY_HANDLE,
                    "bluesky_app_password": BLUESKY_PASSWORD,
                }
            )
        )
        try:
            client = create_app(services=services).test_client()
            before = datetime.now(UTC)
            sky = client.get("/api/test-platform/bluesky").get_json()
            assert sky["account"] == f"bluesky:{BLUESKY_HANDLE}"
            made = datetime.fromisoformat(sky["session_made_at"])
            assert before <= made <= datetime.now(UTC)
            toot = client.get("/api/test-platform/mastodon").get_json()
            assert toot["account"].startswith("mastodon:") and toot["session_made_at"] is None
        finally:
            services.close(grace_s=0)
