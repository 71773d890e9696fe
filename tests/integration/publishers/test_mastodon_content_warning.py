"""A post's content warning reaches Mastodon as the status's `spoiler_text` (loopback server)."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

from bookagent.publishers.mastodon import MastodonPublisher
from tests.fakes.social_server import MASTODON_TOKEN
from tests.fakes.social_server import FakeSocialServer
from tests.integration.publishers.conftest import RequestFactory

STATUSES = "/api/v1/statuses"


def publish(server: FakeSocialServer, make_request: RequestFactory, **metadata: object) -> None:
    async def scenario() -> None:
        async with aclosing(MastodonPublisher(server.url, MASTODON_TOKEN, 2.0)) as mastodon:
            await mastodon.publish(make_request(metadata=metadata), "key-1")

    asyncio.run(scenario())


def test_the_warning_is_sent_as_spoiler_text(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    publish(social_server, make_request, content_warning="mentions of grief")
    [sent] = social_server.requests_to(STATUSES)
    assert sent.body == {
        "status": make_request().content,
        "visibility": "public",
        "spoiler_text": "mentions of grief",
    }
    [status] = social_server.mastodon_statuses.values()
    assert status["spoiler_text"] == "mentions of grief" and status["sensitive"] is True


def test_without_a_warning_no_spoiler_text_is_sent(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    publish(social_server, make_request, post_type="hook_question")
    publish(social_server, make_request, content_warning="  ")
    for sent in social_server.requests_to(STATUSES):
        assert "spoiler_text" not in sent.body
    assert all(s["spoiler_text"] == "" for s in social_server.mastodon_statuses.values())
