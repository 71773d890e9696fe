"""Choosing the backend, and degrading cleanly when the broker is missing or drops mid-run."""

from __future__ import annotations

import time

import pytest

from bookagent.bootstrap import build_services
from bookagent.queue.celery_queue import CeleryTaskQueue
from bookagent.queue.thread_queue import ThreadPoolTaskQueue
from bookagent.web.app import create_app
from tests.conftest import SettingsFactory
from tests.support.celery_worker import flush_broker
from tests.support.polling import wait_until
from tests.support.redis_server import PrivateRedis
from tests.support.services import free_port
from tests.support.services import require_redis

pytestmark = pytest.mark.redis


def test_auto_with_a_closed_port_uses_the_thread_pool(make_settings: SettingsFactory) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    services = build_services(make_settings(queue={"backend": "auto", "broker_url": url}))
    try:
        assert isinstance(services.queue, ThreadPoolTaskQueue)
        client = create_app(services=services).test_client()
        started = time.monotonic()
        health = client.get("/api/health").get_json()
        assert time.monotonic() - started < 2.0
        assert health["status"] == "degraded"
        assert health["task_queue_status"]["type"] == "thread_pool"
        assert "unreachable" in health["task_queue_status"]["fallback_reason"]
        assert health["services"]["broker"]["ok"] is False
        task_id = client.post(
            "/api/tasks/diagnostics", json={"steps": 1, "step_seconds": 0}
        ).get_json()["task_id"]
        wait_until(
            lambda: client.get(f"/api/task-status/{task_id}").get_json()["status"] == "SUCCESS",
            10,
            what="task on the fallback pool",
        )
    finally:
        services.close(grace_s=1)


def test_auto_with_redis_but_no_worker_is_degraded(make_settings: SettingsFactory) -> None:
    broker = require_redis().rsplit("/", 1)[0] + "/13"
    flush_broker(broker)
    services = build_services(
        make_settings(queue={"backend": "auto", "broker_url": broker, "inspect_timeout_s": 0.3})
    )
    try:
        assert isinstance(services.queue, CeleryTaskQueue)
        client = create_app(services=services).test_client()
        health = wait_until(
            lambda: (
                (h := client.get("/api/health").get_json())["services"]["workers"].get("count") == 0
                and services.queue.monitor.snapshot().workers_checked_at
                and h
            ),
            10,
            what="a worker inspection",
        )
        assert health["status"] == "degraded"
        assert health["services"]["broker"]["ok"] is True
        assert health["task_queue_status"]["type"] == "celery"
        assert health["task_queue_status"]["fallback_reason"] == "no Celery worker answered"
    finally:
        services.close(grace_s=1)


@pytest.mark.parametrize("mode", ["fallback", "error"])
def test_redis_stopping_mid_run_falls_back_or_answers_503(
    make_settings: SettingsFactory, private_redis: PrivateRedis, mode: str
) -> None:
    services = build_services(
        make_settings(
            queue={"backend": "celery", "broker_url": private_redis.url, "on_broker_down": mode}
        )
    )
    client = create_app(services=services).test_client()
    try:
        first = client.post("/api/tasks/diagnostics", json={"steps": 1, "step_seconds": 0})
        assert first.status_code == 202
        assert (
            client.get(f"/api/task-status/{first.get_json()['task_id']}").get_json()["backend"]
            == "celery"
        )

        private_redis.stop()
        wait_until(
            lambda: client.get("/api/health").get_json()["status"] == "degraded",
            5,
            what="health to notice the broker is gone",
        )
        statuses = []
        for _ in range(5):
            response = client.post("/api/tasks/diagnostics", json={"steps": 1, "step_seconds": 0})
            statuses.append(response.status_code)
            assert response.content_type.startswith("application/json")
        assert all(code < 500 or code == 503 for code in statuses)
        if mode == "fallback":
            assert statuses == [202] * 5
            task_id = response.get_json()["task_id"]
            body = wait_until(
                lambda: (
                    (b := client.get(f"/api/task-status/{task_id}").get_json())["status"]
                    == "SUCCESS"
                    and b
                ),
                10,
                what="fallback task",
            )
            assert body["backend"] == "thread_pool"
        else:
            assert statuses == [503] * 5
            assert response.get_json()["code"] == "service_unavailable"

        private_redis.start()  # same port: Celery is used again once Redis is back
        wait_until(lambda: services.queue.monitor.snapshot().broker_ok, 10, what="broker back")
        again = client.post("/api/tasks/diagnostics", json={"steps": 1, "step_seconds": 0})
        assert again.status_code == 202
        assert (
            client.get(f"/api/task-status/{again.get_json()['task_id']}").get_json()["backend"]
            == "celery"
        )
    finally:
        services.close(grace_s=1)
