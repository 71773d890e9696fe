"""The same task behaviour on both backends: a real Celery worker on Redis, and the thread pool."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.queue.records import TaskStore
from bookagent.settings import Settings
from tests.conftest import SettingsFactory
from tests.support.celery_worker import CeleryWorker
from tests.support.celery_worker import fast_timeouts
from tests.support.celery_worker import running_worker
from tests.support.polling import wait_until
from tests.support.services import require_redis

pytestmark = pytest.mark.celery


@pytest.fixture(scope="module")
def celery_worker(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CeleryWorker]:
    yield from running_worker(pg_url, tmp_path_factory.mktemp("worker"))


@pytest.fixture(params=["thread", "celery"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def worker(backend: str, request: pytest.FixtureRequest) -> CeleryWorker | None:
    if backend != "celery":
        return None
    started: CeleryWorker = request.getfixturevalue("celery_worker")
    if started.proc is None:
        started.start()
    return started


@pytest.fixture
def settings(
    make_settings: SettingsFactory, backend: str, request: pytest.FixtureRequest
) -> Settings:
    fast = fast_timeouts()
    if backend == "thread":
        return make_settings(
            queue={"thread_pool_max_workers": 2, **fast["queue"]}, timeouts=fast["timeouts"]
        )
    url = request.getfixturevalue("postgres_url")
    request.getfixturevalue("worker")
    return make_settings(
        db={"url": url},
        queue={"backend": "celery", "broker_url": require_redis(), **fast["queue"]},
        timeouts=fast["timeouts"],
    )


def diagnostics(client: FlaskClient, **body: Any) -> str:
    response = client.post("/api/tasks/diagnostics", json=body)
    assert response.status_code == 202, response.get_json()
    task_id = str(response.get_json()["task_id"])
    assert response.headers["Location"] == f"/api/task-status/{task_id}"
    return task_id


def status(client: FlaskClient, task_id: str) -> dict[str, Any]:
    response = client.get(f"/api/task-status/{task_id}")
    assert response.status_code == 200
    return dict(response.get_json())


def wait_status(
    client: FlaskClient, task_id: str, *wanted: str, timeout_s: float = 60
) -> dict[str, Any]:
    return wait_until(
        lambda: (s := status(client, task_id))["status"] in wanted and s,
        timeout_s,
        what=f"task {task_id} to reach {wanted}",
    )


def test_task_reports_progress_through_to_success(
    client: FlaskClient, backend: str, worker: CeleryWorker | None
) -> None:
    task_id = diagnostics(client, steps=4, step_seconds=0.3)
    seen: list[float] = []

    def finished() -> dict[str, Any] | None:
        body = status(client, task_id)
        seen.append(body["progress"]["percent"])
        return body if body["status"] == "SUCCESS" else None

    body = wait_until(finished, 60, what="SUCCESS")
    assert seen == sorted(seen), "progress moved backwards"
    assert any(0 < p < 100 for p in seen), "no intermediate progress was seen"
    assert body["progress"] == {
        "current": 4,
        "total": 4,
        "percent": 100.0,
        "message": "step 4 of 4",
    }
    assert body["result"]["steps"] == 4
    assert body["backend"] == ("celery" if backend == "celery" else "thread_pool")
    assert body["started_at"] and body["finished_at"] and "error" not in body


def test_a_task_that_raises_ends_failure(client: FlaskClient, worker: CeleryWorker | None) -> None:
    body = wait_status(
        client, diagnostics(client, steps=1, step_seconds=0, fail=True), "FAILURE", "SUCCESS"
    )
    assert body["status"] == "FAILURE"
    assert body["error"]["type"] == "DiagnosticsFailure"
    assert "on purpose" in body["error"]["message"]


def test_unknown_task_is_404(client: FlaskClient) -> None:
    response = client.get("/api/task-status/does-not-exist")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"
    assert client.post("/api/tasks/revoke/does-not-exist", json={}).status_code == 404


def test_revoked_pending_task_never_runs(
    client: FlaskClient, services: Services, worker: CeleryWorker | None
) -> None:
    blockers: list[str] = []
    if worker is not None:
        worker.stop()  # nobody is consuming: the revoke is made while no worker runs
    else:
        blockers = [diagnostics(client, steps=200, step_seconds=0.05) for _ in range(2)]
        for blocker in blockers:
            wait_status(client, blocker, "STARTED", "PROGRESS")
    target = diagnostics(client, steps=1, step_seconds=0)
    revoked = client.post(f"/api/tasks/revoke/{target}", json={})
    assert revoked.status_code == 200
    assert revoked.get_json()["result"] == {
        "task_id": target,
        "revoked": True,
        "status": "revoked",
        "terminated": False,
        "previous_status": "PENDING",
    }
    for blocker in blockers:
        client.post(f"/api/tasks/revoke/{blocker}", json={"terminate": True})
    if worker is not None:
        worker.start()
    # A task queued after the revoked one runs, so the revoked one had its chance and was skipped.
    later = wait_status(client, diagnostics(client, steps=1, step_seconds=0), "SUCCESS")
    assert later["status"] == "SUCCESS"
    row = TaskStore(services.db).get(target)
    assert (row.status, row.started_at, row.attempts) == ("REVOKED", None, 0)


def test_terminate_stops_a_running_task(client: FlaskClient, worker: CeleryWorker | None) -> None:
    task_id = diagnostics(client, steps=200, step_seconds=0.05)
    wait_status(client, task_id, "PROGRESS")
    response = client.post(f"/api/tasks/revoke/{task_id}", json={"terminate": True})
    result = response.get_json()["result"]
    assert response.status_code == 200
    assert result["terminated"] is True and result["previous_status"] in ("STARTED", "PROGRESS")
    body = wait_status(client, task_id, "REVOKED", "SUCCESS", "FAILURE")
    assert body["status"] == "REVOKED"
    frozen = body["progress"]["current"]
    time.sleep(0.5)
    assert status(client, task_id)["progress"]["current"] == frozen < 200


def test_time_limit_ends_in_failure(
    client: FlaskClient, services: Services, worker: CeleryWorker | None
) -> None:
    task_id = services.require_queue().submit(
        "bookagent.run_diagnostics",
        {"steps": 40, "step_seconds": 0.1},
        user_id=None,
        time_limit_s=1.0,
    )
    body = wait_status(client, task_id, "FAILURE", "SUCCESS")
    assert body["status"] == "FAILURE"
    assert body["error"]["type"] == "TimeLimitExceeded"


def test_revoking_a_finished_task_is_409(client: FlaskClient, worker: CeleryWorker | None) -> None:
    task_id = diagnostics(client, steps=1, step_seconds=0)
    wait_status(client, task_id, "SUCCESS")
    response = client.post(f"/api/tasks/revoke/{task_id}", json={"terminate": True})
    assert response.status_code == 409
    assert response.get_json()["code"] == "conflict"


def test_active_and_stats_answer_quickly_with_no_worker(
    client: FlaskClient, backend: str, worker: CeleryWorker | None
) -> None:
    if worker is not None:
        worker.stop()
    pending = diagnostics(client, steps=10, step_seconds=0.2)
    for path in ("/api/tasks/active", "/api/tasks/stats", "/api/health"):
        started = time.monotonic()
        response = client.get(path)
        assert time.monotonic() - started < 2.0, path  # API.md's 2 s contract
        assert response.status_code == 200
    active = client.get("/api/tasks/active").get_json()
    assert pending in [t["task_id"] for t in active["active_tasks"]]
    assert all("kwargs" not in t for t in active["active_tasks"])
    stats = client.get("/api/tasks/stats").get_json()
    assert stats["backend"] == ("celery" if backend == "celery" else "thread_pool")
    assert set(stats["thread_pool"]) == {"max_workers", "active_tasks", "queued", "total_tracked"}
    assert {
        "available",
        "workers",
        "registered_tasks",
        "reserved_tasks",
        "scheduled_tasks",
        "queue_length",
    } <= set(stats["celery"])
    assert "by_status" in stats["tasks"] and "by_name" in stats["tasks"]
    if worker is not None:
        # The broker monitor reads LLEN from Redis every second.
        wait_until(
            lambda: (client.get("/api/tasks/stats").get_json()["celery"]["queue_length"] or 0) >= 1,
            10,
            what="queue length",
        )
        worker.start()
    wait_status(client, pending, "SUCCESS")


def test_stats_count_durations_by_name(client: FlaskClient, worker: CeleryWorker | None) -> None:
    for fail in (False, False, True):
        wait_status(
            client, diagnostics(client, steps=1, step_seconds=0.05, fail=fail), "SUCCESS", "FAILURE"
        )
    entry = client.get("/api/tasks/stats").get_json()["tasks"]["by_name"][
        "bookagent.run_diagnostics"
    ]
    assert (entry["count"], entry["succeeded"], entry["failed"]) == (3, 2, 1)
    assert entry["avg_duration_s"] > 0 and entry["p95_duration_s"] >= entry["avg_duration_s"]


@pytest.mark.parametrize("backend", ["celery"])
def test_killed_worker_child_task_is_redelivered(
    client: FlaskClient, services: Services, worker: CeleryWorker
) -> None:
    task_id = diagnostics(client, steps=10, step_seconds=0.2)
    wait_status(client, task_id, "PROGRESS")
    row = TaskStore(services.db).get(task_id)
    pid = int(str(row.worker).rsplit("/", 1)[1])
    os.kill(pid, signal.SIGKILL)
    body = wait_status(client, task_id, "SUCCESS", "FAILURE", timeout_s=60)
    assert body["status"] == "SUCCESS"
    assert TaskStore(services.db).get(task_id).attempts == 2


@pytest.mark.parametrize("backend", ["celery"])
def test_killed_worker_task_comes_back_after_restart(
    client: FlaskClient, services: Services, worker: CeleryWorker
) -> None:
    task_id = diagnostics(client, steps=8, step_seconds=0.25)
    wait_status(client, task_id, "PROGRESS")
    worker.kill()  # SIGKILL the main process and its children: nobody acks or rejects
    worker.start()
    # Redis hands the unacked message back once the visibility timeout (20 s here) has passed.
    body = wait_status(client, task_id, "SUCCESS", "FAILURE", timeout_s=90)
    assert body["status"] == "SUCCESS"
    assert TaskStore(services.db).get(task_id).attempts == 2


def test_twelve_posts_are_generated_as_a_task(
    client: FlaskClient, backend: str, worker: CeleryWorker | None, book_payload: dict[str, Any]
) -> None:
    assert client.post("/api/books", json=book_payload).status_code == 201
    response = client.post(
        "/api/generate-posts",
        json={
            "user_id": "alice",
            "platforms": ["twitter", "instagram", "mastodon"],
            "count_per_platform": 4,
        },
    )
    assert response.status_code == 202
    body = wait_status(client, response.get_json()["task_id"], "SUCCESS", "FAILURE")
    assert body["status"] == "SUCCESS", body.get("error")
    assert body["backend"] == ("celery" if backend == "celery" else "thread_pool")
    assert body["result"]["count"] == 12
    assert client.get("/api/posts?limit=100").get_json()["count"] == 12
