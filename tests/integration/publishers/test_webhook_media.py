"""The webhook's images: signed, expiring links in its payload, served at `/media/signed/`."""

from __future__ import annotations

import asyncio
import time
from contextlib import aclosing
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.domain.ports import PublishMedia
from bookagent.domain.ports import PublishRequest
from bookagent.errors import ProviderRejected
from bookagent.publishers.media_links import MediaLinks
from bookagent.publishers.media_links import read_link
from bookagent.publishers.registry import PublisherRegistry
from bookagent.publishers.webhook import WebhookPublisher
from bookagent.settings import Settings
from tests.conftest import SettingsFactory
from tests.fakes.social_server import WEBHOOK_PATH
from tests.fakes.social_server import WEBHOOK_SECRET
from tests.fakes.social_server import FakeSocialServer
from tests.integration.publishers.conftest import RequestFactory
from tests.integration.publishers.pictures import png

PUBLIC_URL = "https://books.example.com"


@pytest.fixture
def settings(make_settings: SettingsFactory, social_server: FakeSocialServer) -> Settings:
    """The app's settings: a webhook for facebook and pinterest, and a public URL."""
    return make_settings(
        web={"public_url": PUBLIC_URL + "/"},
        publishers={
            "webhook_url": social_server.url + WEBHOOK_PATH,
            "webhook_secret": WEBHOOK_SECRET,
            "timeout_s": 2.0,
        },
    )


def stored_request(
    services: Services, make_request: RequestFactory, **overrides: Any
) -> PublishRequest:
    """A facebook request whose two images are in the services' store."""
    media = []
    for index, (width, height) in enumerate(((4, 3), (6, 2))):
        data = png(width, height, (10 * index, 90, 200))
        key = services.media.put(data, "image/png")
        media.append(PublishMedia(data, "image/png", width, height, f"Card {index + 1}.", key))
    values = {"platform": "facebook", "media": tuple(media), **overrides}
    return make_request(**values)


def test_the_payload_links_each_image_and_the_link_serves_it(
    services: Services,
    client: FlaskClient,
    social_server: FakeSocialServer,
    make_request: RequestFactory,
) -> None:
    request = stored_request(services, make_request)
    publisher = services.publishers.for_platform("facebook")
    services.runner.run(publisher.publish(request, "key-1"), 10)
    [hook] = social_server.hooks
    media = hook["post"]["media"]
    assert [(m["mime"], m["width"], m["height"], m["alt_text"]) for m in media] == [
        ("image/png", 4, 3, "Card 1."),
        ("image/png", 6, 2, "Card 2."),
    ]
    for item, image in zip(media, request.media, strict=True):
        url = urlsplit(item["url"])
        assert f"{url.scheme}://{url.netloc}" == PUBLIC_URL
        assert url.path.startswith("/media/signed/")
        answer = client.get(url.path)  # no token, no session: the link is the permission
        assert answer.status_code == 200
        assert answer.data == image.data
        assert answer.mimetype == "image/png"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert read_link(WEBHOOK_SECRET, url.path.rsplit("/", 1)[-1]) == image.key


def test_an_altered_link_is_refused(
    services: Services, client: FlaskClient, make_request: RequestFactory
) -> None:
    [first, second] = stored_request(services, make_request).media
    links = MediaLinks(WEBHOOK_SECRET, PUBLIC_URL)
    token = urlsplit(links.url_for(first.key)).path.rsplit("/", 1)[-1]
    payload, _, signature = token.rpartition(".")
    other = urlsplit(links.url_for(second.key)).path.rsplit("/", 1)[-1]
    altered = [
        other.rpartition(".")[0] + "." + signature,  # another image's value, this signature
        payload + "." + signature[:-2] + ("AA" if not signature.endswith("AA") else "BB"),
        "not-a-token",
    ]
    for bad in altered:
        answer = client.get(f"/media/signed/{bad}")
        assert answer.status_code == 403
        assert answer.get_json()["code"] == "invalid_link"
    foreign = MediaLinks("another-secret", PUBLIC_URL).url_for(first.key)
    assert client.get(urlsplit(foreign).path).get_json()["code"] == "invalid_link"


def test_an_expired_link_is_refused(
    services: Services, client: FlaskClient, make_request: RequestFactory
) -> None:
    [image, _] = stored_request(services, make_request).media
    a_day_ago = time.time() - 24 * 3600 - 5
    expired = MediaLinks(WEBHOOK_SECRET, PUBLIC_URL, clock=lambda: a_day_ago).url_for(image.key)
    answer = client.get(urlsplit(expired).path)
    assert answer.status_code == 403
    body = answer.get_json()
    assert body["code"] == "link_expired" and body["success"] is False
    fresh = MediaLinks(WEBHOOK_SECRET, PUBLIC_URL).url_for(image.key)
    assert client.get(urlsplit(fresh).path).status_code == 200


def test_a_link_to_an_image_no_longer_kept_is_not_found(client: FlaskClient) -> None:
    url = MediaLinks(WEBHOOK_SECRET, PUBLIC_URL).url_for("ab" * 32 + ".png")
    answer = client.get(urlsplit(url).path)
    assert answer.status_code == 404
    assert answer.get_json()["code"] == "not_found"


def test_a_pinterest_post_carries_its_pin_when_the_request_has_one(
    services: Services, social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    pin = {"title": "The Keeper", "description": "A quiet novel.", "link": "https://e.com/b"}
    request = stored_request(
        services, make_request, platform="pinterest", metadata={"pin": pin}, media=()
    )
    publisher = services.publishers.for_platform("pinterest")
    services.runner.run(publisher.publish(request, "key-1"), 10)
    [hook] = social_server.hooks
    assert hook["post"]["pin"] == pin
    assert hook["post"]["media"] == []


def test_without_links_a_post_with_images_is_refused_before_it_is_sent(
    social_server: FakeSocialServer, make_request: RequestFactory, services: Services
) -> None:
    request = stored_request(services, make_request)

    async def scenario() -> None:
        hook = WebhookPublisher(social_server.url + WEBHOOK_PATH, WEBHOOK_SECRET, "facebook", 2.0)
        async with aclosing(hook):
            with pytest.raises(ProviderRejected, match="public URL"):
                await hook.publish(request, "key-1")

    asyncio.run(scenario())
    assert social_server.requests_to(WEBHOOK_PATH) == []


def test_the_links_default_to_the_servers_own_address(make_settings: SettingsFactory) -> None:
    registry = PublisherRegistry(make_settings(web={"host": "10.0.0.5", "port": 8080}))
    assert registry.public_url == "http://10.0.0.5:8080"
    configured = PublisherRegistry(make_settings(web={"public_url": "https://b.example/"}))
    assert configured.public_url == "https://b.example"
