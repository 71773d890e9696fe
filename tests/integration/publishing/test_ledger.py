"""The publication ledger against a loopback server: exactly once, and honest about unknowns."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy import select

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.db.models import Post
from bookagent.db.models import PublicationAttempt
from bookagent.db.models import RateLimitState
from bookagent.db.session import Database
from bookagent.domain import publishing as ledger_module
from bookagent.domain.publishing import idempotency_key
from bookagent.platforms.threads import join_thread
from bookagent.settings import Settings
from bookagent.tasks.publishing import publish_due_posts
from bookagent.tasks.publishing import publish_one
from bookagent.tasks.publishing import sweep_stale_publishing
from tests.conftest import SettingsFactory
from tests.fakes.social_server import BLUESKY_HANDLE
from tests.fakes.social_server import BLUESKY_PASSWORD
from tests.fakes.social_server import MASTODON_TOKEN
from tests.fakes.social_server import WEBHOOK_PATH
from tests.fakes.social_server import WEBHOOK_SECRET
from tests.fakes.social_server import X_TOKEN
from tests.fakes.social_server import FakeSocialServer
from tests.support.factories import seed_due_posts
from tests.support.polling import wait_until


@pytest.fixture
def server() -> Iterator[FakeSocialServer]:
    with FakeSocialServer(stall_s=30) as fake:
        yield fake


def publisher_settings(server: FakeSocialServer, **extra: Any) -> dict[str, Any]:
    return {
        "webhook_url": server.url + WEBHOOK_PATH,
        "webhook_secret": WEBHOOK_SECRET,
        "mastodon_base_url": server.url,
        "mastodon_access_token": MASTODON_TOKEN,
        "timeout_s": 2.0,
        "retry_backoff_s": 0,
        **extra,
    }


def seed_posts(services: Services, count: int, platform: str = "facebook") -> list[str]:
    return seed_due_posts(services, count, platform=platform)


def statuses(services: Services) -> dict[str, int]:
    with services.db.session() as session:
        rows = session.execute(select(Post.status, func.count()).group_by(Post.status))
        return {status: int(count) for status, count in rows}


def test_200_due_posts_by_4_concurrent_workers_are_each_published_once(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer
) -> None:
    settings: Settings = make_settings(
        db={"url": database_url}, publishers=publisher_settings(server)
    )
    workers = [build_services(settings, start_queue=False) for _ in range(4)]
    try:
        ids = seed_posts(workers[0], 200)
        barrier = threading.Barrier(4)

        def work(services: Services) -> None:
            order = list(ids)
            random.shuffle(order)
            barrier.wait()
            for post_id in order:
                publish_one(services, post_id)

        threads = [threading.Thread(target=work, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert server.created("webhook") == 200  # the receiving server's own count
        received = [hook["post"]["post_id"] for hook in server.hooks]
        assert sorted(received) == sorted(ids)
        assert statuses(workers[0]) == {"published": 200}
        with workers[0].db.session() as session:
            attempts = session.scalar(select(func.count()).select_from(PublicationAttempt))
        assert attempts == 200
    finally:
        for services in workers:
            services.close(grace_s=0)


def test_a_publish_killed_mid_request_is_left_unconfirmed_and_never_repeated(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer
) -> None:
    settings: Settings = make_settings(
        db={"url": database_url},
        publishers=publisher_settings(server, timeout_s=60, stale_publishing_s=0.5),
    )
    services = build_services(settings, start_queue=False)
    try:
        [post_id] = seed_posts(services, 1)
        server.inject("stall", path=WEBHOOK_PATH)
        script = (
            "import sys\nfrom bookagent.settings import Settings\n"
            "from bookagent.bootstrap import build_services\n"
            "from bookagent.tasks.publishing import publish_one\n"
            "svc = build_services(Settings.model_validate_json(sys.argv[1]),"
            " start_queue=False)\npublish_one(svc, sys.argv[2])\n"
        )
        # The secrets are masked in this JSON: the stalled request never gets that far.
        worker = subprocess.Popen(
            [sys.executable, "-c", script, settings.model_dump_json(), post_id],
            stderr=subprocess.PIPE,
        )
        wait_until(lambda: server.requests_to(WEBHOOK_PATH), 30, what="the request to arrive")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
        assert statuses(services) == {"publishing": 1}

        wait_until(
            lambda: sweep_stale_publishing(services) or statuses(services) == {"unconfirmed": 1},
            10,
            what="the stale sweep",
        )
        assert statuses(services) == {"unconfirmed": 1}
        assert publish_due_posts(services)["due"] == 0
        assert publish_one(services, post_id) == "skipped"
        assert len(server.requests_to(WEBHOOK_PATH)) == 1  # never sent a second time
        with services.db.session() as session:
            post = session.get(Post, post_id)
            assert post is not None and "outcome unknown" in (post.failure_reason or "")
            outcomes = session.scalars(select(PublicationAttempt.outcome)).all()
        assert outcomes == ["unknown"]
    finally:
        services.close(grace_s=0)


@pytest.fixture
def ledger(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer
) -> Iterator[Services]:
    """Services on SQLite and on PostgreSQL (where a routed platform claims in one statement)."""
    yield from ledger_on(make_settings, database_url, server)


def ledger_on(
    make_settings: SettingsFactory, url: str, server: FakeSocialServer
) -> Iterator[Services]:
    """Services on the database at `url`, publishing to `server` (closed afterwards)."""
    services = build_services(
        make_settings(db={"url": url}, publishers=publisher_settings(server)), start_queue=False
    )
    yield services
    services.close(grace_s=0)


def test_an_unknown_outcome_without_idempotency_is_unconfirmed(
    ledger: Services, server: FakeSocialServer
) -> None:
    [post_id] = seed_posts(ledger, 1)
    server.inject("server_error", path=WEBHOOK_PATH)
    assert publish_one(ledger, post_id) == "unconfirmed"
    assert publish_one(ledger, post_id) == "skipped"
    assert len(server.requests_to(WEBHOOK_PATH)) == 1


def test_an_unknown_outcome_with_an_idempotency_key_is_retried_safely(
    ledger: Services, server: FakeSocialServer
) -> None:
    [post_id] = seed_posts(ledger, 1, platform="mastodon")
    server.inject("drop", path="/api/v1/statuses")
    assert publish_one(ledger, post_id) == "retry"
    assert publish_one(ledger, post_id) == "published"
    assert server.created("mastodon") == 1  # the same Idempotency-Key both times
    keys = {r.headers.get("idempotency-key") for r in server.requests_to("/api/v1/statuses")}
    assert len(keys) == 1


def test_a_rate_limit_is_stored_and_the_post_waits(
    ledger: Services, server: FakeSocialServer
) -> None:
    first, second = seed_posts(ledger, 2, platform="mastodon")
    server.inject("rate_limit", path="/api/v1/statuses")
    assert publish_one(ledger, first) == "rate_limited"
    with ledger.db.session() as session:
        post = session.get(Post, first)
        state = session.scalars(select(RateLimitState)).one()
        assert post is not None and post.status == "scheduled"
        assert post.scheduled_time is not None and post.scheduled_time > datetime.now(UTC)
        assert state.blocked_until > datetime.now(UTC) + timedelta(seconds=20)
    assert publish_one(ledger, second) == "waiting"  # same account: parked, not failed
    assert server.created("mastodon") == 0


def test_refused_and_unreachable_publishes_fail_with_a_visible_reason(
    make_settings: SettingsFactory, server: FakeSocialServer
) -> None:
    services = build_services(
        make_settings(
            publishers=publisher_settings(server, webhook_secret="wrong-secret", max_attempts=2)
        ),
        start_queue=False,
    )
    try:
        [refused] = seed_posts(services, 1)
        assert publish_one(services, refused) == "failed"
        with services.db.session() as session:
            post = session.get(Post, refused)
            assert post is not None and "ProviderRejected" in (post.failure_reason or "")
    finally:
        services.close(grace_s=0)
    closed = build_services(
        make_settings(
            publishers=publisher_settings(
                server, webhook_url="http://127.0.0.1:9/hook", max_attempts=2
            )
        ),
        start_queue=False,
    )
    try:
        [unreachable] = seed_posts(closed, 1)
        assert publish_one(closed, unreachable) == "retry"
        assert publish_one(closed, unreachable) == "failed"
        with closed.db.session() as session:
            post = session.get(Post, unreachable)
            assert post is not None and post.publish_attempts == 2
            assert "ProviderUnavailable" in (post.failure_reason or "")
    finally:
        closed.close(grace_s=0)


def test_an_unconfirmed_post_can_be_settled_by_the_author(
    ledger: Services, server: FakeSocialServer
) -> None:
    from bookagent.web.app import create_app

    first, second = seed_posts(ledger, 2)
    server.inject("server_error", path=WEBHOOK_PATH, times=2)
    assert publish_one(ledger, first) == publish_one(ledger, second) == "unconfirmed"
    client = create_app(services=ledger).test_client()
    went_out = client.post(
        f"/api/posts/{first}/resolve",
        json={"published": True, "published_url": "https://fb.example/1"},
    )
    assert went_out.get_json()["post"]["status"] == "published"
    again = client.post(f"/api/posts/{second}/resolve", json={"published": False}).get_json()
    assert again["post"]["status"] == "scheduled" and again["post"]["scheduled_time"]
    assert client.post(f"/api/posts/{first}/resolve", json={"published": False}).status_code == 409


def test_the_attempt_records_the_key_that_was_sent(
    ledger: Services, server: FakeSocialServer
) -> None:
    """The first post of a platform is claimed after a peek, the next by route (PostgreSQL):
    either way the attempt row holds `idempotency_key(post)`, the key the receiver got."""
    ids = seed_posts(ledger, 2)
    assert [publish_one(ledger, post_id) for post_id in ids] == ["published", "published"]
    sent = {r.body["post"]["post_id"]: r for r in server.requests_to(WEBHOOK_PATH)}
    with ledger.db.session() as session:
        for post_id in ids:
            post = session.get(Post, post_id)
            assert post is not None and post.status == "published" and post.publish_attempts == 1
            [attempt] = session.scalars(
                select(PublicationAttempt).where(PublicationAttempt.post_id == post_id)
            ).all()
            assert attempt.outcome == "published" and attempt.publisher == "webhook"
            assert attempt.platform == "facebook" and attempt.finished_at is not None
            assert attempt.idempotency_key == idempotency_key(post)
            assert sent[post_id].headers["idempotency-key"] == attempt.idempotency_key
            assert sent[post_id].body["idempotency_key"] == attempt.idempotency_key
            assert sent[post_id].body["post"]["content"] == post.content


def test_a_routed_platform_is_claimed_without_a_peek(
    ledger: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a publish is two statements once its platform is routed; SQLite peeks."""
    peeks: list[str] = []
    peek = ledger_module.peek

    def counted(db: Database, post_id: str) -> ledger_module.Due | None:
        peeks.append(post_id)
        return peek(db, post_id)

    monkeypatch.setattr(ledger_module, "peek", counted)
    ids = seed_posts(ledger, 3)
    assert [publish_one(ledger, post_id) for post_id in ids] == ["published"] * 3
    assert peeks == (ids[:1] if ledger.db.dialect == "postgresql" else ids)
    assert publish_one(ledger, ids[0]) == "skipped"  # published: neither path claims it again
    assert statuses(ledger) == {"published": 3}


def test_a_post_edited_after_the_peek_is_not_claimed_with_its_old_text(ledger: Services) -> None:
    [post_id] = seed_posts(ledger, 1)
    now = datetime.now(UTC)
    due = ledger_module.peek(ledger.db, post_id)
    assert due is not None and due.status == "scheduled"
    with ledger.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.content, post.content_hash = "Edited text #BookTok", "e" * 64
    assert ledger_module.claim_attempt(ledger.db, due, "webhook:test", "webhook", now) is None
    assert statuses(ledger) == {"scheduled": 1}
    claimed = ledger_module.claim_attempt(
        ledger.db, ledger_module.peek(ledger.db, post_id), "webhook:test", "webhook", now
    )
    assert claimed is not None and claimed.request.content == "Edited text #BookTok"
    assert claimed.key == f"bookagent-{post_id}-{'e' * 16}" and claimed.attempts == 1


def test_a_post_is_claimed_once_whichever_way_it_is_claimed(ledger: Services) -> None:
    [post_id] = seed_posts(ledger, 1)
    now = datetime.now(UTC)
    routes = {"facebook": ("webhook", "webhook:test")}
    due = ledger_module.peek(ledger.db, post_id)
    assert due is not None
    first = ledger_module.claim_routed(ledger.db, post_id, routes, now) or (
        ledger_module.claim_attempt(ledger.db, due, "webhook:test", "webhook", now)
    )
    assert first is not None and first.publisher == "webhook" and first.attempts == 1
    assert ledger_module.claim_attempt(ledger.db, due, "webhook:test", "webhook", now) is None
    assert ledger_module.claim_routed(ledger.db, post_id, routes, now) is None
    with ledger.db.session() as session:
        post = session.get(Post, post_id)
        attempts = session.scalars(select(PublicationAttempt)).all()
    assert post is not None and post.status == "publishing" and post.publish_attempts == 1
    assert [(a.id, a.outcome, a.idempotency_key) for a in attempts] == [
        (first.attempt_id, "started", first.key)
    ]


@pytest.fixture
def pg_ledger(
    make_settings: SettingsFactory, postgres_url: str, server: FakeSocialServer
) -> Iterator[Services]:
    """The ledger on PostgreSQL only: routed claims are PostgreSQL's."""
    yield from ledger_on(make_settings, postgres_url, server)


def test_a_route_claims_only_its_own_platform_and_not_while_its_account_waits(
    pg_ledger: Services,
) -> None:
    ledger = pg_ledger
    [post_id] = seed_posts(ledger, 1)
    now = datetime.now(UTC)
    db = ledger.db
    assert ledger_module.claim_routed(db, post_id, {}, now) is None
    assert ledger_module.claim_routed(db, post_id, {"mastodon": ("mastodon", "m:1")}, now) is None
    with db.session() as session:
        session.add(RateLimitState(account="webhook:test", blocked_until=now + timedelta(hours=1)))
    routes = {"mastodon": ("mastodon", "m:1"), "facebook": ("webhook", "webhook:test")}
    assert ledger_module.claim_routed(db, post_id, routes, now) is None
    assert ledger_module.claim_routed(db, post_id, routes, now + timedelta(hours=2)) is not None
    assert statuses(ledger) == {"publishing": 1}


@pytest.mark.parametrize(("setting", "prepared"), [(None, True), (False, False)])
def test_the_ledger_statements_are_prepared_on_the_server_unless_turned_off(
    make_settings: SettingsFactory,
    postgres_url: str,
    server: FakeSocialServer,
    setting: bool | None,
    prepared: bool,
) -> None:
    """Unset: the claims (peeked and routed) and the outcome, nothing else; false: none."""
    services = build_services(
        make_settings(
            db={"url": postgres_url, "pg_prepared_statements": setting},
            publishers=publisher_settings(server),
        ),
        start_queue=False,
    )
    try:
        ids = seed_posts(services, 3)
        assert [publish_one(services, post_id) for post_id in ids] == ["published"] * 3
        connection = services.db.direct.raw_connection()  # LIFO pool: the one just used
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            statements = [row[0] for row in cursor.fetchall()]
        finally:
            connection.close()
        if prepared:
            assert len(statements) == 3, statements
            assert all(
                "UPDATE posts" in s or "UPDATE publication_attempts" in s for s in statements
            )
        else:
            assert statements == []
    finally:
        services.close(grace_s=0)


def seed_thread(services: Services, platform: str) -> str:
    """One due post whose text is a thread of three posts."""
    [post_id] = seed_posts(services, 1, platform=platform)
    with services.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.content = join_thread(["The first post.", "The second.", "The third. #BookTok"])
    return post_id


def test_a_bluesky_thread_with_a_lost_answer_is_completed_once(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer
) -> None:
    """The second post's answer is lost: the lookup finds the thread incomplete, and the retry
    (safe: every post has its record key) adds only what is missing."""
    settings = publisher_settings(
        server,
        bluesky_service=server.url,
        bluesky_handle=BLUESKY_HANDLE,
        bluesky_app_password=BLUESKY_PASSWORD,
    )
    services = build_services(
        make_settings(db={"url": database_url}, publishers=settings), start_queue=False
    )
    try:
        post_id = seed_thread(services, "bluesky")
        server.inject("drop", path="/xrpc/com.atproto.repo.createRecord", after=1)
        assert publish_one(services, post_id) == "retry"
        assert publish_one(services, post_id) == "published"
        assert server.created("bluesky") == 3
        with services.db.session() as session:
            post = session.get(Post, post_id)
            assert post is not None and post.remote_id is not None
            first = next(iter(server.bluesky_records.values()))
            assert post.remote_id == first["uri"]  # the thread is known by its first post
    finally:
        services.close(grace_s=0)


def test_an_x_thread_broken_in_the_middle_is_unconfirmed_and_never_resent(
    make_settings: SettingsFactory, server: FakeSocialServer
) -> None:
    settings = publisher_settings(server, x_base_url=server.url, x_user_token=X_TOKEN)
    services = build_services(make_settings(publishers=settings), start_queue=False)
    try:
        post_id = seed_thread(services, "twitter")
        server.inject("server_error", path="/2/tweets", after=1, status=503)
        assert publish_one(services, post_id) == "unconfirmed"
        assert publish_one(services, post_id) == "skipped"
        assert server.created("x") == 1
        with services.db.session() as session:
            post = session.get(Post, post_id)
            assert post is not None and post.failure_reason is not None
            assert "1 of the thread's 3 posts went out" in post.failure_reason
    finally:
        services.close(grace_s=0)


def test_settling_a_post_with_its_address_fills_its_remote_id(
    ledger: Services, server: FakeSocialServer
) -> None:
    """ "It went out", with the post's page on Mastodon: its id is read from the address, so its
    engagement is collected like any other post's."""
    from bookagent.web.app import create_app

    [post_id] = seed_posts(ledger, 1, platform="mastodon")
    server.inject("server_error", path="/api/v1/statuses", status=400)
    assert publish_one(ledger, post_id) == "failed"
    client = create_app(services=ledger).test_client()
    url = "https://mastodon.example/@author/113456789012345678"
    went_out = client.post(
        f"/api/posts/{post_id}/resolve", json={"published": True, "published_url": url}
    ).get_json()["post"]
    assert went_out["status"] == "published" and went_out["published_url"] == url
    assert went_out["remote_id"] == "113456789012345678"


def test_a_repeat_after_a_lost_answer_says_so_in_the_audit_trail(
    ledger: Services, server: FakeSocialServer
) -> None:
    """Mastodon's answer is lost, the retry under the same Idempotency-Key succeeds: the trail
    says the post was made once, by one of the two, not a plain second `published`."""
    from bookagent.domain.publishing import REPEAT_NOTE
    from bookagent.domain.publishing import attempts_of

    [post_id] = seed_posts(ledger, 1, platform="mastodon")
    server.inject("drop", path="/api/v1/statuses")
    assert publish_one(ledger, post_id) == "retry"
    assert publish_one(ledger, post_id) == "published"
    with ledger.db.session() as session:
        trail = attempts_of(session, post_id)
    assert [(a["outcome"], a["note"]) for a in trail][1] == ("published", REPEAT_NOTE)
    assert trail[0]["outcome"] == "unknown"
    assert server.created("mastodon") == 1
