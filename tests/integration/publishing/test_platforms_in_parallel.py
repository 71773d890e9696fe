"""One slow network never holds up another: the tick starts a publishing task per platform, so
with Bluesky's server stalled, the Mastodon posts due at the same time go out at once; and a
platform whose task is still running gets no second one."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bookagent.bootstrap import build_services
from bookagent.db.models import Post
from bookagent.db.models import TaskRecord
from bookagent.queue.records import TaskStore
from bookagent.services import Services
from bookagent.tasks.scheduling import PUBLISH_TASK
from bookagent.tasks.scheduling import run_tick
from tests.conftest import SettingsFactory
from tests.fakes.social_server import BLUESKY_HANDLE
from tests.fakes.social_server import BLUESKY_PASSWORD
from tests.fakes.social_server import MASTODON_TOKEN
from tests.fakes.social_server import FakeSocialServer
from tests.support.factories import seed_due_posts
from tests.support.polling import wait_until

CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"


@pytest.fixture
def server() -> Iterator[FakeSocialServer]:
    with FakeSocialServer(stall_s=20) as fake:
        yield fake


@pytest.fixture
def services(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer
) -> Iterator[Services]:
    built = build_services(
        make_settings(
            db={"url": database_url},
            publishers={
                "mastodon_base_url": server.url,
                "mastodon_access_token": MASTODON_TOKEN,
                "bluesky_service": server.url,
                "bluesky_handle": BLUESKY_HANDLE,
                "bluesky_app_password": BLUESKY_PASSWORD,
                "timeout_s": 30,
            },
        )
    )
    yield built
    server.stop()  # wakes the stalled handler, so the Bluesky task ends before the pool stops
    built.close(grace_s=5)


def publish_tasks(services: Services) -> list[dict[str, object]]:
    """The arguments of every publishing task so far, finished or not."""
    with services.db.session() as session:
        rows = session.scalars(select(TaskRecord.kwargs).where(TaskRecord.name == PUBLISH_TASK))
        return [dict(kwargs) for kwargs in rows]


def published(services: Services, ids: list[str]) -> bool:
    with services.db.session() as session:
        return all(
            (post := session.get(Post, post_id)) is not None and post.status == "published"
            for post_id in ids
        )


def test_a_stalled_network_holds_up_no_other(services: Services, server: FakeSocialServer) -> None:
    bluesky = seed_due_posts(services, 2, platform="bluesky")
    mastodon = seed_due_posts(services, 3, platform="mastodon")
    server.inject("stall", path=CREATE_RECORD)  # Bluesky's first create hangs for 20 s
    queue = services.require_queue()
    started = time.monotonic()
    run_tick(services, queue, scheduler="test", backend="thread_pool")
    # One task per platform (this tick's, or the in-process scheduler's own first tick's).
    assert sorted(k["platform"] for k in publish_tasks(services)) == ["bluesky", "mastodon"]
    wait_until(lambda: published(services, mastodon), 10, what="the Mastodon posts")
    assert time.monotonic() - started < server.stall_s  # not behind the stalled Bluesky post
    assert server.created("mastodon") == 3
    assert not published(services, bluesky)

    # The stalled platform's task is still running: the next tick starts no second one for it.
    wait_until(lambda: server.requests_to(CREATE_RECORD), 10, what="the stalled create")
    again = run_tick(services, queue, scheduler="test", backend="thread_pool")
    assert again["publish_tasks"] == []
    assert len(publish_tasks(services)) == 2
    running = TaskStore(services.db).active_kwargs(PUBLISH_TASK)
    assert running == [{"platform": "bluesky"}]
