"""PublisherRegistry: which publisher each platform gets, from the settings alone."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bookagent.errors import InvalidInputError
from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.publishers.bluesky import BlueskyPublisher
from bookagent.publishers.mastodon import MastodonPublisher
from bookagent.publishers.outbox import OutboxPublisher
from bookagent.publishers.registry import PublisherRegistry
from bookagent.publishers.webhook import WebhookPublisher
from bookagent.publishers.x import XPublisher
from bookagent.settings import Settings
from tests.fakes.social_server import MASTODON_TOKEN
from tests.fakes.social_server import FakeSocialServer
from tests.integration.publishers.conftest import RequestFactory

CREDENTIALS: dict[str, Any] = {
    "x_user_token": "x-token",
    "mastodon_base_url": "https://mastodon.example",
    "mastodon_access_token": "m-token",
    "bluesky_handle": "author.bsky.social",
    "bluesky_app_password": "app-password",
    "webhook_url": "https://hooks.example/in",
    "webhook_secret": "whsec",
}


def registry(tmp_path: Path, **publishers: Any) -> PublisherRegistry:
    return PublisherRegistry(Settings(data_dir=tmp_path, publishers=publishers))


def chosen(status: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {platform: row["publisher"] for platform, row in status.items()}


def test_without_credentials_everything_goes_to_the_outbox_in_the_data_dir(
    tmp_path: Path,
) -> None:
    publishers = registry(tmp_path)
    status = publishers.status()
    assert list(status) == list(SUPPORTED_PLATFORMS)
    assert "x" not in status
    assert all(
        row == {"publisher": "outbox", "configured": False, "dry_run": False}
        for row in status.values()
    )
    outbox = publishers.for_platform("mastodon")
    assert isinstance(outbox, OutboxPublisher)
    assert outbox.directory == tmp_path / "outbox"
    assert publishers.configured_platforms() == []


def test_credentials_choose_the_real_publishers(tmp_path: Path) -> None:
    publishers = registry(tmp_path, **CREDENTIALS)
    assert chosen(publishers.status()) == {
        "twitter": "x",
        "facebook": "webhook",
        "instagram": "webhook",
        "pinterest": "webhook",
        "mastodon": "mastodon",
        "bluesky": "bluesky",
        "threads": "webhook",
        "linkedin": "webhook",
    }
    assert isinstance(publishers.for_platform("x"), XPublisher)
    assert isinstance(publishers.for_platform("Mastodon"), MastodonPublisher)
    assert isinstance(publishers.for_platform("bluesky"), BlueskyPublisher)
    linkedin = publishers.for_platform("linkedin")
    assert isinstance(linkedin, WebhookPublisher) and linkedin.platform == "linkedin"
    assert publishers.configured_platforms() == list(SUPPORTED_PLATFORMS)
    asyncio.run(publishers.aclose_all())


def test_a_global_dry_run_sends_everything_to_the_outbox(tmp_path: Path) -> None:
    publishers = registry(tmp_path, dry_run=True, outbox_dir=tmp_path / "dry", **CREDENTIALS)
    status = publishers.status()
    assert all(
        row == {"publisher": "outbox", "configured": True, "dry_run": True}
        for row in status.values()
    )
    outbox = publishers.for_platform("twitter")
    assert isinstance(outbox, OutboxPublisher) and outbox.directory == tmp_path / "dry"


def test_a_per_platform_dry_run_holds_back_only_that_platform(tmp_path: Path) -> None:
    publishers = registry(tmp_path, dry_run_platforms=["X", "bluesky"], **CREDENTIALS)
    status = publishers.status()
    assert status["twitter"] == {"publisher": "outbox", "configured": True, "dry_run": True}
    assert status["bluesky"] == {"publisher": "outbox", "configured": True, "dry_run": True}
    assert status["mastodon"] == {"publisher": "mastodon", "configured": True, "dry_run": False}
    assert isinstance(publishers.for_platform("x"), OutboxPublisher)
    asyncio.run(publishers.aclose_all())


def test_blank_credentials_do_not_count_as_configured(tmp_path: Path) -> None:
    publishers = registry(
        tmp_path,
        x_user_token="   ",
        mastodon_base_url="https://mastodon.example",
        mastodon_access_token="\t",
        bluesky_handle="author.bsky.social",
        bluesky_app_password=" ",
        webhook_url="https://hooks.example/in",
        webhook_secret="",
    )
    status = publishers.status()
    assert all(not row["configured"] for row in status.values())
    assert set(chosen(status).values()) == {"outbox"}


def test_the_webhook_serves_only_its_platforms(tmp_path: Path) -> None:
    publishers = registry(
        tmp_path,
        webhook_url="https://hooks.example/in",
        webhook_secret="whsec",
        webhook_platforms=["linkedin", "twitter"],
    )
    assert chosen(publishers.status()) == {
        platform: "webhook" if platform in ("linkedin", "twitter") else "outbox"
        for platform in SUPPORTED_PLATFORMS
    }


def test_publishers_are_built_once_per_platform_and_rebuilt_after_closing(
    tmp_path: Path,
) -> None:
    publishers = registry(tmp_path, **CREDENTIALS)
    first = publishers.for_platform("twitter")
    assert publishers.for_platform("x") is first
    asyncio.run(publishers.aclose_all())
    assert publishers.for_platform("twitter") is not first
    asyncio.run(publishers.aclose_all())
    with pytest.raises(InvalidInputError):
        publishers.for_platform("myspace")


def test_a_registry_publisher_posts_to_the_configured_instance(
    tmp_path: Path, social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    publishers = registry(
        tmp_path, mastodon_base_url=social_server.url, mastodon_access_token=MASTODON_TOKEN
    )

    async def scenario() -> None:
        try:
            result = await publishers.for_platform("mastodon").publish(make_request(), "key-1")
            assert result.remote_id in social_server.mastodon_statuses
        finally:
            await publishers.aclose_all()

    asyncio.run(scenario())


def test_routes_name_the_publisher_and_account_of_each_platform_asked_for(
    tmp_path: Path,
) -> None:
    """What the publishing task routes claims by: one entry per platform name asked for."""
    publishers = registry(tmp_path, **CREDENTIALS, webhook_platforms=["facebook"])
    assert publishers.routes() == {}
    webhook = publishers.for_platform("facebook")
    x = publishers.for_platform("x")
    assert publishers.for_platform("twitter") is x
    before = publishers.routes()
    assert webhook.account == "webhook:hooks.example"
    assert before == {
        "facebook": ("webhook", webhook.account),
        "x": ("x", x.account),
        "twitter": ("x", x.account),
    }
    asyncio.run(publishers.aclose_all())
    assert publishers.routes() == {}  # rebuilt publishers route anew
    assert before["facebook"] == ("webhook", webhook.account)  # a snapshot, never changed
