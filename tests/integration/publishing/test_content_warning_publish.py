"""A scheduled Mastodon post's content warning goes out with it: the claim carries it from the
post's row to the request, and the publisher sends it as `spoiler_text` (loopback server, on
SQLite and on PostgreSQL, where the claim is one statement)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.db.models import Post
from bookagent.domain.publishing import publish_request
from bookagent.tasks.publishing import publish_one
from tests.conftest import SettingsFactory
from tests.fakes.social_server import MASTODON_TOKEN
from tests.fakes.social_server import WEBHOOK_PATH
from tests.fakes.social_server import WEBHOOK_SECRET
from tests.fakes.social_server import FakeSocialServer
from tests.support.factories import seed_due_posts

STATUSES = "/api/v1/statuses"


@pytest.fixture
def server() -> Iterator[FakeSocialServer]:
    with FakeSocialServer() as fake:
        yield fake


@pytest.fixture
def services(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer
) -> Iterator[Services]:
    publishers = {
        "webhook_url": server.url + WEBHOOK_PATH,
        "webhook_secret": WEBHOOK_SECRET,
        "mastodon_base_url": server.url,
        "mastodon_access_token": MASTODON_TOKEN,
        "timeout_s": 2.0,
        "retry_backoff_s": 0,
    }
    built = build_services(
        make_settings(db={"url": database_url}, publishers=publishers), start_queue=False
    )
    yield built
    built.close(grace_s=0)


def warn(services: Services, post_id: str, warning: str) -> Post:
    with services.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.generation_metadata = {**post.generation_metadata, "content_warning": warning}
        session.flush()
        session.expunge(post)
        return post


def test_a_warned_post_goes_out_with_its_spoiler_text(
    services: Services, server: FakeSocialServer
) -> None:
    warned, plain = seed_due_posts(services, 2, platform="mastodon")
    post = warn(services, warned, "mentions of grief")
    assert publish_request(post).metadata == {"content_warning": "mentions of grief"}
    assert publish_one(services, warned) == "published"
    assert publish_one(services, plain) == "published"
    first, second = server.requests_to(STATUSES)
    assert first.body["spoiler_text"] == "mentions of grief"
    assert "spoiler_text" not in second.body


def test_a_warning_left_on_another_platforms_post_is_not_sent(
    services: Services, server: FakeSocialServer
) -> None:
    [post_id] = seed_due_posts(services, 1, platform="facebook")
    post = warn(services, post_id, "mentions of grief")
    assert publish_request(post).metadata == {}
    assert publish_one(services, post_id) == "published"
    [sent] = server.requests_to(WEBHOOK_PATH)
    assert "content_warning" not in str(sent.body)
