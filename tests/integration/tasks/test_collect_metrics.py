"""The daily routine's metrics step against the loopback platforms: one reading (source
`platform`) per published post whose publisher reads figures, folded into its latest figures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.db.models import MetricReading
from bookagent.db.models import Post
from bookagent.tasks.daily import collect_metrics
from bookagent.tasks.publishing import publish_one
from tests.conftest import SettingsFactory
from tests.fakes.social_server import BLUESKY_HANDLE
from tests.fakes.social_server import BLUESKY_PASSWORD
from tests.fakes.social_server import MASTODON_TOKEN
from tests.fakes.social_server import X_TOKEN
from tests.fakes.social_server import FakeSocialServer
from tests.support.factories import seed_due_posts

PLATFORMS = ("mastodon", "bluesky", "twitter")


@pytest.fixture
def server() -> Iterator[FakeSocialServer]:
    with FakeSocialServer() as fake:
        yield fake


def platform_settings(server: FakeSocialServer, **extra: Any) -> dict[str, Any]:
    return {
        "mastodon_base_url": server.url,
        "mastodon_access_token": MASTODON_TOKEN,
        "bluesky_service": server.url,
        "bluesky_handle": BLUESKY_HANDLE,
        "bluesky_app_password": BLUESKY_PASSWORD,
        "x_base_url": server.url,
        "x_user_token": X_TOKEN,
        "timeout_s": 2.0,
        "retry_backoff_s": 0,
        **extra,
    }


def publish_one_of_each(services: Services) -> tuple[str, dict[str, Post]]:
    """A book with a post published on Mastodon, Bluesky and X; its id and the posts."""
    ids = seed_due_posts(services, len(PLATFORMS), platform="mastodon")
    with services.db.session() as session:
        for post_id, platform in zip(ids, PLATFORMS, strict=True):
            post = session.get(Post, post_id)
            assert post is not None
            post.platform = platform
    for post_id in ids:
        assert publish_one(services, post_id) == "published"
    with services.db.session() as session:
        posts = {p.platform: p for p in session.scalars(select(Post).where(Post.id.in_(ids)))}
        session.expunge_all()
    return posts["mastodon"].book_id, posts


def readings(services: Services, post_id: str) -> list[MetricReading]:
    with services.db.session() as session:
        rows = list(
            session.scalars(
                select(MetricReading)
                .where(MetricReading.post_id == post_id)
                .order_by(MetricReading.read_at, MetricReading.created_at)
            )
        )
        session.expunge_all()
    return rows


def latest(services: Services, post_id: str) -> dict[str, Any]:
    with services.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        return dict(post.metrics)


def test_each_published_post_gets_a_platform_reading_under_the_stable_names(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer
) -> None:
    settings = make_settings(
        db={"url": database_url}, publishers=platform_settings(server, x_read_metrics=True)
    )
    services = build_services(settings, start_queue=False)
    try:
        book_id, posts = publish_one_of_each(services)
        mastodon, bluesky, x = (posts[p] for p in PLATFORMS)
        assert mastodon.remote_id and x.remote_id
        server.mastodon_statuses[mastodon.remote_id].update(
            favourites_count=5, reblogs_count=2, replies_count=1
        )
        server.x_public_metrics[x.remote_id] = {
            "like_count": 9,
            "retweet_count": 1,
            "reply_count": 2,
            "quote_count": 3,
            "impression_count": 700,
            "bookmark_count": 4,
        }

        assert collect_metrics(services, book_id) == {"updated": 3}

        expected = {
            mastodon.id: {"likes": 5, "shares": 2, "comments": 1},
            bluesky.id: {"likes": 4, "shares": 3, "comments": 3},  # the fake's 4/3/2+1
            x.id: {"likes": 9, "shares": 1, "comments": 5, "impressions": 700},
        }
        for post_id, figures in expected.items():
            [reading] = readings(services, post_id)
            assert reading.source == "platform"
            stored = {
                name: getattr(reading, name)
                for name in ("likes", "shares", "comments", "clicks", "impressions", "followers")
            }
            assert stored == {
                "clicks": None,
                "followers": None,
                "impressions": None,
                **figures,
            }
            assert latest(services, post_id) == figures

        # The next day's reading is another row; the latest figures follow it.
        server.mastodon_statuses[mastodon.remote_id].update(favourites_count=8)
        assert collect_metrics(services, book_id) == {"updated": 3}
        assert [r.likes for r in readings(services, mastodon.id)] == [5, 8]
        assert latest(services, mastodon.id) == {"likes": 8, "shares": 2, "comments": 1}
    finally:
        services.close(grace_s=0)


def test_x_is_read_only_where_the_tier_can_and_a_deleted_post_is_skipped(
    make_settings: SettingsFactory, server: FakeSocialServer
) -> None:
    settings = make_settings(publishers=platform_settings(server))  # x_read_metrics off
    services = build_services(settings, start_queue=False)
    try:
        book_id, posts = publish_one_of_each(services)
        mastodon = posts["mastodon"]
        assert mastodon.remote_id
        del server.mastodon_statuses[mastodon.remote_id]  # deleted on the instance since

        assert collect_metrics(services, book_id) == {"updated": 1}  # Bluesky alone

        assert readings(services, posts["bluesky"].id) != []
        assert readings(services, mastodon.id) == [] and latest(services, mastodon.id) == {}
        assert readings(services, posts["twitter"].id) == []
        assert not [r for r in server.requests if r.path.startswith("/2/tweets/")]
    finally:
        services.close(grace_s=0)
