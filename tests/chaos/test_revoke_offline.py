"""Revoke 100 queued tasks while no worker is online, then start one: none of them runs.

The revoke broadcast reaches nobody (no worker listens), so what holds is the task row: the worker
checks it before running and skips a revoked task. A sentinel queued after the 100 runs, which
proves the worker consumed the queue past them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import pytest
import redis

from bookagent.queue.celery_app import QUEUE_NAME
from tests.chaos.conftest import Api
from tests.chaos.conftest import ChaosServer
from tests.chaos.conftest import worker_logs
from tests.support.celery_worker import FAST_TIMEOUTS
from tests.support.celery_worker import CeleryWorker
from tests.support.redis_server import PrivateRedis

pytestmark = pytest.mark.celery

REVOKED = 100


def queue_length(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return int(client.llen(QUEUE_NAME))
    finally:
        client.close()


def test_tasks_revoked_while_no_worker_is_online_never_run(
    serve: Callable[..., ChaosServer],
    celery_workers: Callable[..., CeleryWorker],
    api_for: Callable[[str], Api],
    private_redis: PrivateRedis,
    postgres_url: str,
    measure: Callable[..., None],
) -> None:
    server = serve(
        "api",
        postgres_url,
        TASK_BACKEND="celery",
        CELERY_BROKER_URL=private_redis.url,
        **FAST_TIMEOUTS,
    )
    api = api_for(server.url)
    health = api.ok("GET", "/api/health")
    assert health["services"]["workers"]["count"] == 0, "a worker is online already"

    # Real work if it ever ran: 2 steps of 0.2 s each, recorded on the row.
    task_ids = [api.diagnostics(steps=2, step_seconds=0.2) for _ in range(REVOKED)]
    started = time.monotonic()
    answers = [api.ok("POST", f"/api/tasks/revoke/{t}", {})["result"] for t in task_ids]
    revoke_s = time.monotonic() - started
    assert all(
        a
        == {
            "task_id": t,
            "revoked": True,
            "status": "revoked",
            "terminated": False,
            "previous_status": "PENDING",
        }
        for a, t in zip(answers, task_ids, strict=True)
    ), answers[:3]
    sentinel = api.diagnostics(steps=1, step_seconds=0)
    queued = queue_length(private_redis.url)

    worker = celery_workers(postgres_url, private_redis.url)
    worker.start()
    done = api.wait_task(sentinel, timeout_s=60)
    rows = [api.task(t) for t in task_ids]
    skipped = sum(
        1
        for line in worker_logs(worker).splitlines()
        if "task skipped" in line and "reason=revoked" in line
    )
    measure(
        revoked=REVOKED,
        messages_queued_before_worker=queued,
        revoke_requests_total_s=round(revoke_s, 2),
        sentinel=(done["backend"], done["status"]),
        final_statuses=dict(Counter(r["status"] for r in rows)),
        attempts=dict(Counter(r["attempts"] for r in rows)),
        started_at_set=sum(1 for r in rows if r["started_at"]),
        worker_log_skipped_as_revoked=skipped,
        messages_left_in_queue=queue_length(private_redis.url),
    )
    assert queued == REVOKED + 1, f"{queued} messages were waiting, wanted {REVOKED + 1}"
    assert (done["backend"], done["status"]) == ("celery", "SUCCESS"), done
    ran = [r for r in rows if r["status"] != "REVOKED" or r["attempts"] or r["started_at"]]
    assert not ran, f"{len(ran)} revoked tasks ran: {ran[:3]}"
    assert all(r["progress"]["current"] == 0 and "result" not in r for r in rows)
    assert skipped == REVOKED, f"the worker skipped {skipped} revoked tasks, wanted {REVOKED}"
    assert queue_length(private_redis.url) == 0
