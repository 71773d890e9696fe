"""In-doubt posts settle themselves: a worker killed mid-publish leaves the post `unconfirmed`;
the reconciler (run by the publishing task) finds a Bluesky post with a lookup, sends a Mastodon
post again under its Idempotency-Key, and sends a post that never went out exactly once. What no
platform can settle (X, a webhook, a Mastodon post past the key's hour) stays for the author."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy import update

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.db.base import utcnow
from bookagent.db.models import Post
from bookagent.db.models import PublicationAttempt
from bookagent.settings import Settings
from bookagent.tasks.publishing import publish_due_posts
from bookagent.tasks.publishing import publish_one
from bookagent.tasks.publishing import sweep_stale_publishing
from bookagent.tasks.reconcile import reconcile_in_doubt
from tests.conftest import SettingsFactory
from tests.fakes.social_server import BLUESKY_HANDLE
from tests.fakes.social_server import BLUESKY_PASSWORD
from tests.fakes.social_server import MASTODON_TOKEN
from tests.fakes.social_server import WEBHOOK_PATH
from tests.fakes.social_server import WEBHOOK_SECRET
from tests.fakes.social_server import FakeSocialServer
from tests.support.factories import seed_due_posts
from tests.support.polling import wait_until

CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"
CREATE_SESSION = "/xrpc/com.atproto.server.createSession"
STATUSES = "/api/v1/statuses"
# The worker: publish one post with the settings given, secrets passed apart (the settings'
# JSON masks them).
WORKER = """
import json, sys
from bookagent.settings import Settings
from bookagent.bootstrap import build_services
from bookagent.tasks.publishing import publish_one
data = json.loads(sys.argv[1])
data["publishers"].update(json.loads(sys.argv[3]))
publish_one(build_services(Settings.model_validate(data), start_queue=False), sys.argv[2])
"""


@pytest.fixture
def server() -> Iterator[FakeSocialServer]:
    with FakeSocialServer(stall_s=30) as fake:
        yield fake


def secrets() -> dict[str, str]:
    return {
        "mastodon_access_token": MASTODON_TOKEN,
        "bluesky_app_password": BLUESKY_PASSWORD,
        "webhook_secret": WEBHOOK_SECRET,
    }


def services_for(
    make_settings: SettingsFactory, url: str, server: FakeSocialServer
) -> tuple[Settings, Services]:
    settings: Settings = make_settings(
        db={"url": url},
        publishers={
            **secrets(),
            "mastodon_base_url": server.url,
            "bluesky_service": server.url,
            "bluesky_handle": BLUESKY_HANDLE,
            "webhook_url": server.url + WEBHOOK_PATH,
            "timeout_s": 60,
            "retry_backoff_s": 0,
            "stale_publishing_s": 0.5,
        },
    )
    return settings, build_services(settings, start_queue=False)


def kill_mid_request(settings: Settings, post_id: str, server: FakeSocialServer, path: str) -> None:
    """Start a worker publishing `post_id`, wait for its request to `path` (stalled by the
    server), and kill it there."""
    data = json.loads(settings.model_dump_json())
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, json.dumps(data), post_id, json.dumps(secrets())],
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: server.requests_to(path), 30, what=f"the request to {path}")
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)


def swept_unconfirmed(services: Services, post_id: str) -> None:
    wait_until(
        lambda: sweep_stale_publishing(services) or status(services, post_id) == "unconfirmed",
        10,
        what="the stale sweep",
    )


def status(services: Services, post_id: str) -> str:
    with services.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        return post.status


def post_row(services: Services, post_id: str) -> dict[str, Any]:
    with services.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        attempts = session.execute(
            select(PublicationAttempt.outcome, PublicationAttempt.error)
            .where(PublicationAttempt.post_id == post_id)
            .order_by(PublicationAttempt.started_at)
        ).all()
        return {
            "status": post.status,
            "remote_id": post.remote_id,
            "url": post.published_url,
            "attempts": [(outcome, error) for outcome, error in attempts],
        }


def test_a_bluesky_post_that_went_out_is_confirmed_by_lookup(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer
) -> None:
    settings, services = services_for(make_settings, database_url, server)
    try:
        [post_id] = seed_due_posts(services, 1, platform="bluesky")
        server.inject("stall", path=CREATE_RECORD)  # the record is made; its answer never comes
        kill_mid_request(settings, post_id, server, CREATE_RECORD)
        swept_unconfirmed(services, post_id)
        assert server.created("bluesky") == 1

        assert reconcile_in_doubt(services) == {"confirmed": 1}
        row = post_row(services, post_id)
        [record] = server.bluesky_records.values()
        assert row["status"] == "published" and row["remote_id"] == record["uri"]
        assert row["url"].startswith("https://bsky.app/profile/")
        assert [outcome for outcome, _ in row["attempts"]] == ["unknown", "confirmed"]
        assert "a lookup on bluesky found the post" in row["attempts"][1][1]
        assert reconcile_in_doubt(services) == {}  # settled for good
        assert len(server.requests_to(CREATE_RECORD)) == 1
    finally:
        services.close(grace_s=0)


def test_a_bluesky_post_that_never_went_out_is_sent_exactly_once(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer
) -> None:
    """Killed while signing in: nothing was sent. The lookup finds nothing, the post goes out
    again under the same record key, once."""
    settings, services = services_for(make_settings, database_url, server)
    try:
        [post_id] = seed_due_posts(services, 1, platform="bluesky")
        server.inject("stall", path=CREATE_SESSION)
        kill_mid_request(settings, post_id, server, CREATE_SESSION)
        swept_unconfirmed(services, post_id)
        assert server.created("bluesky") == 0

        assert reconcile_in_doubt(services) == {"resent": 1}
        assert status(services, post_id) == "scheduled"
        assert publish_due_posts(services)["outcomes"] == {"published": 1}
        assert server.created("bluesky") == 1
        assert post_row(services, post_id)["remote_id"] is not None
    finally:
        services.close(grace_s=0)


def test_a_mastodon_post_is_sent_again_under_its_key_within_the_hour(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer
) -> None:
    settings, services = services_for(make_settings, database_url, server)
    try:
        [post_id] = seed_due_posts(services, 1, platform="mastodon")
        server.inject("stall", path=STATUSES)  # the status is made; its answer never comes
        kill_mid_request(settings, post_id, server, STATUSES)
        swept_unconfirmed(services, post_id)
        assert server.created("mastodon") == 1

        assert reconcile_in_doubt(services) == {"resent": 1}
        assert publish_due_posts(services)["outcomes"] == {"published": 1}
        assert server.created("mastodon") == 1  # the server answered with the status it made
        [status_id] = server.mastodon_statuses
        row = post_row(services, post_id)
        assert row["status"] == "published" and row["remote_id"] == status_id
        keys = {r.headers.get("idempotency-key") for r in server.requests_to(STATUSES)}
        assert len(keys) == 1
    finally:
        services.close(grace_s=0)


def test_what_no_platform_can_settle_stays_for_the_author(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer
) -> None:
    """A webhook (no key honoured, no lookup), and a Mastodon post whose key the server no
    longer keeps: left `unconfirmed`, never sent again."""
    settings, services = services_for(make_settings, database_url, server)
    try:
        [hook] = seed_due_posts(services, 1, platform="facebook")  # the webhook's platform
        [late] = seed_due_posts(services, 1, platform="mastodon")
        server.inject("stall", path=WEBHOOK_PATH)
        kill_mid_request(settings, hook, server, WEBHOOK_PATH)
        server.inject("stall", path=STATUSES)
        kill_mid_request(settings, late, server, STATUSES)
        swept_unconfirmed(services, hook)
        swept_unconfirmed(services, late)
        with services.db.session() as session:  # the first attempt, more than an hour ago
            session.execute(
                update(PublicationAttempt)
                .where(PublicationAttempt.post_id == late)
                .values(started_at=utcnow() - timedelta(minutes=61))
            )
        assert reconcile_in_doubt(services) == {"left": 2}
        assert status(services, hook) == "unconfirmed" == status(services, late)
        assert publish_one(services, hook) == "skipped"
        assert len(server.requests_to(WEBHOOK_PATH)) == 1
        assert len(server.requests_to(STATUSES)) == 1
    finally:
        services.close(grace_s=0)


def test_a_webhook_declared_to_drop_repeats_is_sent_again(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer
) -> None:
    """The operator says the receiver drops a repeated Idempotency-Key: the webhook's one
    receipt. A post whose answer was lost goes to it again, under the same key."""
    settings: Settings = make_settings(
        db={"url": database_url},
        publishers={
            "webhook_url": server.url + WEBHOOK_PATH,
            "webhook_secret": WEBHOOK_SECRET,
            "webhook_receiver_dedupes": True,
            "timeout_s": 2,
            "max_attempts": 1,
        },
    )
    services = build_services(settings, start_queue=False)
    try:
        [post_id] = seed_due_posts(services, 1, platform="facebook")
        server.inject("drop", path=WEBHOOK_PATH)  # delivered; the answer lost
        assert publish_one(services, post_id) == "unconfirmed"  # no attempts left
        assert reconcile_in_doubt(services) == {"resent": 1}
        assert publish_one(services, post_id) == "published"
        keys = {r.headers.get("idempotency-key") for r in server.requests_to(WEBHOOK_PATH)}
        assert len(server.requests_to(WEBHOOK_PATH)) == 2 and len(keys) == 1
    finally:
        services.close(grace_s=0)
