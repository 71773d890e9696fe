"""Stop the broker (a private redis-server) under two live servers and a busy worker, then
restart it.

One server falls back to the thread pool when the broker is down (the default), the other is
configured to answer 503 (`BOOKAGENT_QUEUE__ON_BROKER_DOWN=error`). During the outage health reads
degraded within 2 s and a steady loop of requests gets no 5xx but the configured 503s. Once Redis
is back both servers send to Celery again, and the worker consumes what they send.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import httpx
import pytest

from tests.chaos.conftest import ADMIN_TOKEN
from tests.chaos.conftest import Api
from tests.chaos.conftest import ChaosServer
from tests.chaos.conftest import worker_logs
from tests.support.celery_worker import FAST_TIMEOUTS
from tests.support.celery_worker import CeleryWorker
from tests.support.polling import wait_until
from tests.support.redis_server import PrivateRedis

pytestmark = pytest.mark.celery

OUTAGE_S = 6.0
KOMBU_CRASH = (
    "Unrecoverable error: AttributeError(\"'NoneType' object has no attribute 'hostname'\")"
)
KOMBU_CRASH_BUG = (
    "kombu 5.7.0 (celery 5.7.0, redis 8.1.0): the worker held an unacked message when Redis went "
    "away; Channel.close -> restore_unacked_once -> _connparams raised AttributeError('NoneType' "
    "object has no attribute 'hostname'), logged as 'Unrecoverable error', and the worker exited "
    "instead of reconnecting, so nothing consumes the queue once Redis is back"
)
# A submit publishes one message: the broker's connect timeout (2 s) and one quick retry.
SUBMIT_LIMIT_S = 3.0
RESULT_BACKEND_RETRY = "celery.backends.redis"
RESULT_BACKEND_BUG = (
    "bookagent bug: a submit made as Redis went away hung in Celery's Redis result backend "
    "(send_task -> backend.on_task_call -> result_consumer.consume_from -> SUBSCRIBE, retried "
    "20 x 1 s by reconnect_on_error) instead of falling back or answering 503; send_task ignores "
    "conf.task_ignore_result and needs ignore_result=True per call (or no result backend)"
)


@dataclass
class Tally:
    """What the steady loop saw."""

    statuses: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    slowest_health_s: float = 0.0
    slowest: dict[str, float] = field(default_factory=dict)
    timeline: list[tuple[float, str, int, float]] = field(default_factory=list)
    submitted: list[str] = field(default_factory=list)
    non_json: int = 0


def fresh_client(url: str) -> httpx.Client:
    # No keep-alive: every request opens a connection, so both gunicorn workers get some.
    return httpx.Client(
        base_url=url,
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=10,
        limits=httpx.Limits(max_keepalive_connections=0),
    )


def steady_loop(
    servers: dict[str, ChaosServer], task_id: str, stop: threading.Event, tally: Tally
) -> None:
    """Health, status, active, stats and a submit against each server, until told to stop."""
    clients = {mode: fresh_client(server.url) for mode, server in servers.items()}
    try:
        while not stop.is_set():
            for mode, client in clients.items():
                for method, path in (
                    ("GET", "/api/health"),
                    ("GET", f"/api/task-status/{task_id}"),
                    ("GET", "/api/tasks/active"),
                    ("GET", "/api/tasks/stats"),
                    ("POST", "/api/tasks/diagnostics"),
                ):
                    body = {"steps": 1, "step_seconds": 0} if method == "POST" else None
                    started = time.monotonic()
                    try:
                        response = client.request(method, path, json=body)
                    except httpx.HTTPError as exc:
                        tally.errors[f"{mode} {path}: {type(exc).__name__}"] += 1
                        continue
                    took = time.monotonic() - started
                    if path == "/api/health":
                        tally.slowest_health_s = max(tally.slowest_health_s, took)
                    content_type = response.headers.get("content-type", "")
                    tally.non_json += not content_type.startswith("application/json")
                    label = "submit" if method == "POST" else path.split("/")[2]
                    name = f"{mode} {label}"
                    tally.slowest[name] = round(max(tally.slowest.get(name, 0.0), took), 3)
                    tally.timeline.append((started, name, response.status_code, round(took, 3)))
                    tally.statuses[(mode, label, response.status_code)] += 1
                    if method == "POST" and response.status_code == 202:
                        tally.submitted.append(response.json()["task_id"])
            stop.wait(0.05)
    finally:
        for client in clients.values():
            client.close()


def health(url: str) -> dict[str, Any]:
    with fresh_client(url) as client:
        return dict(client.get("/api/health").json())


def reads(url: str, status: str) -> Callable[[], bool]:
    """A probe: the server's health reads `status`."""
    return lambda: health(url)["status"] == status


def sees_broker(url: str) -> Callable[[], bool]:
    """A probe: every process of the server (four readings) sees the broker."""
    return lambda: all(health(url)["services"]["broker"]["ok"] for _ in range(4))


def test_broker_outage_degrades_cleanly_and_recovers(
    serve: Callable[..., ChaosServer],
    celery_workers: Callable[..., CeleryWorker],
    api_for: Callable[[str], Api],
    private_redis: PrivateRedis,
    postgres_url: str,
    measure: Callable[..., None],
) -> None:
    worker = celery_workers(postgres_url, private_redis.url)
    worker.start()
    common = {
        "TASK_BACKEND": "celery",
        "CELERY_BROKER_URL": private_redis.url,
        "BOOKAGENT_QUEUE__INSPECT_TIMEOUT_S": "0.5",
        **FAST_TIMEOUTS,
    }
    servers = {
        "fallback": serve("fallback", postgres_url, **common),
        "error": serve("error", postgres_url, BOOKAGENT_QUEUE__ON_BROKER_DOWN="error", **common),
    }
    apis = {mode: api_for(server.url) for mode, server in servers.items()}
    for mode, api in apis.items():
        wait_until(reads(servers[mode].url, "healthy"), 30, what=f"{mode} to see the worker")
        before = api.wait_task(api.diagnostics(steps=1, step_seconds=0), "SUCCESS")
        assert before["backend"] == "celery", before
    # The worker is busy when Redis goes: it holds this task's unacked message.
    busy = apis["fallback"].diagnostics(steps=25, step_seconds=0.3)
    apis["fallback"].wait_task(busy, "PROGRESS", timeout_s=20)

    tally = Tally()
    stop = threading.Event()
    loop = threading.Thread(target=steady_loop, args=(servers, busy, stop, tally))
    loop.start()
    try:
        time.sleep(1.0)  # the loop runs against a healthy system first
        private_redis.stop()
        stopped_at = time.monotonic()
        noticed: dict[str, float] = {}
        for mode, server in servers.items():
            wait_until(
                reads(server.url, "degraded"), 10, every_s=0.05, what=f"{mode} to read degraded"
            )
            noticed[mode] = round(time.monotonic() - stopped_at, 2)
        time.sleep(max(0.0, 2.0 - (time.monotonic() - stopped_at)))
        # Past 2 s, every process of both servers says degraded (each has its own monitor).
        readings = [health(server.url) for server in servers.values() for _ in range(8)]
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - stopped_at)))
        private_redis.start()  # the same port: the same broker URL comes back
        restarted_at = time.monotonic()
        for mode, server in servers.items():
            wait_until(sees_broker(server.url), 30, every_s=0.1, what=f"{mode} to see Redis again")
        broker_back_s = round(time.monotonic() - restarted_at, 2)
        time.sleep(1.0)  # the loop runs against the recovered system too
    finally:
        stop.set()
        loop.join(30)

    # Celery is used again: a new task goes to the broker on both servers.
    after = {mode: api.diagnostics(steps=1, step_seconds=0) for mode, api in apis.items()}
    sent_to = {mode: apis[mode].task(task_id)["backend"] for mode, task_id in after.items()}
    fallback = {t: apis["fallback"].task(t) for t in tally.submitted}
    on_pool = [t for t, body in fallback.items() if body["backend"] == "thread_pool"]
    pool_done = Counter(apis["fallback"].wait_task(t, timeout_s=30)["status"] for t in on_pool)
    server_errors = {k: v for k, v in tally.statuses.items() if k[2] >= 500}
    measure(
        seconds_to_degraded=noticed,
        slowest_health_response_s=round(tally.slowest_health_s, 3),
        slowest_response_s=tally.slowest,
        outage_window_requests=sum(
            1 for t, *_ in tally.timeline if stopped_at <= t <= restarted_at
        ),
        responses=dict(sorted((" ".join(map(str, k)), v) for k, v in tally.statuses.items())),
        connection_errors=dict(tally.errors),
        submits_run_on_fallback_pool=dict(pool_done),
        seconds_until_broker_seen_again=broker_back_s,
        backend_of_new_task_after_recovery=sent_to,
    )
    # Whatever else happens, these hold.
    assert all(seconds <= 2.0 for seconds in noticed.values()), noticed
    assert all(r["status"] == "degraded" for r in readings), [r["status"] for r in readings]
    assert {r["task_queue_status"]["type"] for r in readings} == {"thread_pool"}
    assert tally.slowest_health_s < 2.0, "health took 2 s or more to answer"
    assert not tally.errors, f"connection errors: {dict(tally.errors)}"
    assert tally.non_json == 0, "a response was not JSON"
    assert set(server_errors) <= {("error", "submit", 503)}, f"5xx: {server_errors}"
    assert pool_done == Counter({"SUCCESS": len(on_pool)}), pool_done
    assert sent_to == {"fallback": "celery", "error": "celery"}, sent_to

    known = []
    slow_submits = {k: v for k, v in tally.slowest.items() if "submit" in k and v > SUBMIT_LIMIT_S}
    logs = "".join(server.logs() for server in servers.values())
    if slow_submits and RESULT_BACKEND_RETRY in logs:
        known.append(f"{RESULT_BACKEND_BUG}; slowest submits: {slow_submits}")
    if KOMBU_CRASH in worker_logs(worker):
        # `bookagent worker` starts Celery again after this upstream crash; only a worker that
        # stayed down is the known bug.
        restarted = worker.proc is not None and worker.proc.poll() is None
        measure(kombu_crash_seen=True, worker_restarted_itself=restarted)
        if not restarted:
            code = worker.proc.wait(timeout=30) if worker.proc is not None else None
            known.append(f"{KOMBU_CRASH_BUG} (exit code {code})")
    if known:
        pytest.xfail(" | ".join(known))

    # The submits were answered at once: 503 from one server, the thread pool on the other.
    assert not slow_submits, f"submits that hung: {slow_submits}"
    assert tally.statuses[("error", "submit", 503)] >= 1, "the error-mode server never said 503"
    assert on_pool, "no submit fell back to the thread pool during the outage"
    # The worker resumes consuming: the new tasks (and the one it held) reach SUCCESS.
    finals = {mode: apis[mode].wait_task(t, timeout_s=60) for mode, t in after.items()}
    held = apis["fallback"].wait_task(busy, timeout_s=60)
    measure(
        new_task_after_recovery={m: (b["backend"], b["status"]) for m, b in finals.items()},
        task_held_during_outage=(held["status"], held["attempts"]),
    )
    assert {m: (b["backend"], b["status"]) for m, b in finals.items()} == {
        "fallback": ("celery", "SUCCESS"),
        "error": ("celery", "SUCCESS"),
    }
    assert held["status"] == "SUCCESS", held
