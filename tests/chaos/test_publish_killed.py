"""A publish killed mid-request: the webhook receiver stalls (it has the post but answers nothing),
and the Celery pool process running the publish is SIGKILLed. The outcome is unknown, so the post
ends `unconfirmed` after the stale sweep, and the receiver never gets it a second time, though
Celery beat keeps ticking and the killed task is redelivered."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bookagent.db.models import Post
from bookagent.db.models import PublicationAttempt
from bookagent.db.session import Database
from tests.chaos.conftest import COMMON_ENV
from tests.chaos.conftest import Api
from tests.chaos.conftest import ChaosServer
from tests.chaos.conftest import elapsed_since
from tests.conftest import BOOK
from tests.fakes.social_server import WEBHOOK_PATH
from tests.fakes.social_server import WEBHOOK_SECRET
from tests.fakes.social_server import FakeSocialServer
from tests.support.celery_worker import FAST_TIMEOUTS
from tests.support.celery_worker import CeleryWorker
from tests.support.polling import wait_until
from tests.support.processes import BIN
from tests.support.processes import base_env
from tests.support.processes import running
from tests.support.redis_server import PrivateRedis

pytestmark = pytest.mark.celery

STALE_S = 3


@pytest.fixture
def receiver() -> Iterator[FakeSocialServer]:
    with FakeSocialServer(stall_s=60) as fake:  # stop() wakes the stalled handler
        yield fake


def test_publish_killed_mid_request_is_unconfirmed_and_never_repeated(
    serve: Callable[..., ChaosServer],
    celery_workers: Callable[..., CeleryWorker],
    api_for: Callable[[str], Api],
    private_redis: PrivateRedis,
    postgres_url: str,
    receiver: FakeSocialServer,
    tmp_path: Path,
    measure: Callable[..., None],
) -> None:
    env = {
        "TASK_BACKEND": "celery",
        "CELERY_BROKER_URL": private_redis.url,
        "BOOKAGENT_PUBLISHERS__WEBHOOK_URL": receiver.url + WEBHOOK_PATH,
        "BOOKAGENT_PUBLISHERS__WEBHOOK_SECRET": WEBHOOK_SECRET,
        "BOOKAGENT_PUBLISHERS__TIMEOUT_S": "30",  # the request hangs until the kill
        "BOOKAGENT_PUBLISHERS__STALE_PUBLISHING_S": str(STALE_S),
        "BOOKAGENT_QUEUE__SCHEDULER_INTERVAL_S": "1",
        **FAST_TIMEOUTS,
    }
    worker = celery_workers(postgres_url, private_redis.url, concurrency=1, **env)
    worker.start()
    server = serve("api", postgres_url, **env)
    beat_env = base_env(tmp_path / "beat", DATABASE_URL=postgres_url, **{**COMMON_ENV, **env})
    (tmp_path / "beat").mkdir()
    api = api_for(server.url)
    db = Database.from_url(postgres_url)
    with running([str(BIN / "bookagent"), "beat"], beat_env, tmp_path / "beat" / "beat.log"):
        try:
            api.ok("POST", "/api/books", BOOK, expect=201)
            post = api.ok(
                "POST",
                "/api/generate-posts",
                {"user_id": "alice", "platforms": ["facebook"], "count_per_platform": 1},
            )["posts"][0]
            receiver.inject("stall", path=WEBHOOK_PATH)
            due = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
            approved = api.ok(
                "POST", "/api/approve-post", {"post_id": post["id"], "scheduled_time": due}
            )
            assert approved["status"] == "approved_and_scheduled", approved

            wait_until(lambda: receiver.requests_to(WEBHOOK_PATH), 60, what="the webhook request")
            publishing = wait_until(
                lambda: [
                    t
                    for t in api.ok("GET", "/api/tasks/active")["active_tasks"]
                    if t["name"] == "bookagent.publish_due" and t["status"] != "PENDING"
                ],
                10,
                what="the running publish task",
            )[0]
            pid = int(str(publishing["worker"]).rsplit("/", 1)[1])
            status_at_kill = api.ok("GET", f"/api/posts/{post['id']}")["post"]["status"]
            os.kill(pid, signal.SIGKILL)  # the pool process running the publish
            killed_at = time.monotonic()

            final = wait_until(
                lambda: (
                    (p := api.ok("GET", f"/api/posts/{post['id']}")["post"])["status"]
                    != "publishing"
                    and p
                ),
                STALE_S + 30,
                every_s=0.2,
                what="the stale sweep",
            )
            settled_s = elapsed_since(killed_at)
            time.sleep(5)  # five more beat ticks, and the redelivered task, get their chance
            again = api.ok("GET", f"/api/posts/{post['id']}")["post"]
            task = api.wait_task(publishing["task_id"], timeout_s=30)
            with db.session() as session:
                row = session.get(Post, post["id"])
                assert row is not None
                attempts = session.scalars(
                    select(PublicationAttempt.outcome).where(
                        PublicationAttempt.post_id == post["id"]
                    )
                ).all()
                reason, publish_attempts = row.failure_reason, row.publish_attempts
        finally:
            db.dispose()

    hooks = [h for h in receiver.hooks if h.get("post", {}).get("post_id") == post["id"]]
    measure(
        post_status_at_kill=status_at_kill,
        post_status_after_sweep=final["status"],
        post_status_5s_later=again["status"],
        seconds_from_kill_to_unconfirmed=settled_s,
        requests_at_receiver=len(receiver.requests_to(WEBHOOK_PATH)),
        posts_received=len(hooks),
        ledger_attempts=list(attempts),
        killed_publish_task=(task["status"], task["attempts"]),
    )
    assert status_at_kill == "publishing"
    assert final["status"] == again["status"] == "unconfirmed", (final, again)
    assert len(receiver.requests_to(WEBHOOK_PATH)) == 1, "the post was sent twice"
    assert len(hooks) == 1 and receiver.created("webhook") == 1
    assert list(attempts) == ["unknown"] and publish_attempts == 1, (attempts, publish_attempts)
    assert "outcome unknown" in (reason or ""), reason
    assert task["status"] == "SUCCESS", task  # redelivered after the kill, and found nothing due
