"""Fixtures for the chaos suite: live `bookagent serve` processes that a test may SIGKILL and
restart, private Redis servers, Celery workers, an authenticated HTTP client, and a record of the
numbers each case measured (printed in the terminal summary and stored as junit properties).

Every process a case kills or stops is its own: its own port, its own redis-server, its own
workers. PostgreSQL is the session's test database (`postgres_url`), never the shared server.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.llm_server import RecordedRequest
from tests.support.celery_worker import FAST_TIMEOUTS
from tests.support.celery_worker import CeleryWorker
from tests.support.polling import wait_until
from tests.support.processes import BIN
from tests.support.processes import base_env
from tests.support.processes import stop_group
from tests.support.processes import wait_for_http
from tests.support.redis_server import PrivateRedis
from tests.support.services import free_port

#: The bootstrap admin token every chaos server runs with (a deployment always has one).
ADMIN_TOKEN = "chaos-admin-token-" + "x" * 32

#: Settings shared by every process of a case: short grace periods, so teardown is quick.
COMMON_ENV = {
    "BOOKAGENT_ADMIN_TOKEN": ADMIN_TOKEN,
    "BOOKAGENT_QUEUE__SHUTDOWN_GRACE_S": "2",
    "BOOKAGENT_LOG_LEVEL": "INFO",
    # These suites are the load: one admin generates and measures far beyond an author's pace,
    # and the fuzzer sends thousands of requests from one address. The limits themselves are
    # tested in tests/e2e/test_security_server.py.
    "BOOKAGENT_WEB__GENERATE_RATE_LIMIT": "100000 per minute",
    "BOOKAGENT_WEB__MEASURE_RATE_LIMIT": "100000 per minute",
    "BOOKAGENT_WEB__REPORTS_RATE_LIMIT": "100000 per minute",
    "BOOKAGENT_WEB__AUTH_FAILURE_RATE_LIMIT": "100000 per minute",
}

FINISHED = ("SUCCESS", "FAILURE", "REVOKED")


def shared_env(tmp_path: Path) -> dict[str, str]:
    """What every process of one case shares besides COMMON_ENV: the posts' images folder, as
    in a deployment (a post written by the API may carry a launch card that a worker publishes;
    with a media folder of its own the worker would find the image missing)."""
    return {"BOOKAGENT_MEDIA_DIR": str(tmp_path / "media")}


_MEASUREMENTS: list[tuple[str, str]] = []
_HERE = Path(__file__).resolve().parent


# -- opt-in: `make chaos` (pytest tests/chaos) runs this suite; a bare `pytest` leaves it out ------


def _chaos_requested(config: pytest.Config) -> bool:
    """Whether the command line names this directory (or something in it)."""
    for arg in config.args:
        path = Path(str(arg).split("::", 1)[0]).resolve()
        if path == _HERE or _HERE in path.parents:
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _chaos_requested(config):
        return
    chaos = [item for item in items if _HERE in Path(str(item.path)).parents]
    if chaos:
        config.hook.pytest_deselected(items=chaos)
        items[:] = [item for item in items if item not in chaos]


# -- processes ---------------------------------------------------------------------------------


class ChaosServer:
    """One `bookagent serve` (gunicorn master and gthread workers) in its own process group."""

    def __init__(
        self, data_dir: Path, env: dict[str, str], *, workers: int = 2, threads: int = 8
    ) -> None:
        self.data_dir = data_dir
        self.env = env
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / f"serve-{self.starts}.log"

    def logs(self) -> str:
        """Every start's log, concatenated."""
        return "".join(
            (self.data_dir / f"serve-{n}.log").read_text(errors="replace")
            for n in range(1, self.starts + 1)
        )

    def start(self, timeout_s: float = 60.0) -> ChaosServer:
        """Start (or restart, on the same port) and wait until /api/health answers."""
        self.starts += 1
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            str(BIN / "bookagent"),
            "serve",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
        ]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                args, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            wait_for_http(f"{self.url}/api/health", timeout_s, proc=self.proc)
        except (RuntimeError, TimeoutError) as exc:
            raise AssertionError(f"server did not start: {exc}\n{self.logs()[-3000:]}") from exc
        return self

    def pids(self) -> list[int]:
        """The master's pid and its workers' pids."""
        assert self.proc is not None
        out = subprocess.run(
            ["ps", "-o", "pid=", "-g", str(self.proc.pid)], capture_output=True, text=True
        ).stdout
        return [int(p) for p in out.split()]

    def kill(self) -> None:
        """SIGKILL the whole group (the gunicorn master and every worker) at once."""
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        """SIGTERM the group (SIGKILL if it does not stop in time)."""
        if self.proc is not None:
            stop_group(self.proc)
            self.proc = None


class Processes:
    """What a case started: stopped together at teardown (in parallel), then the brokers."""

    def __init__(self) -> None:
        self._stops: list[Callable[[], None]] = []
        self._late: list[Callable[[], None]] = []

    def add(self, stop: Callable[[], None]) -> None:
        self._stops.append(stop)

    def add_late(self, stop: Callable[[], None]) -> None:
        """Stopped after every process (a broker outlives the workers that use it)."""
        self._late.append(stop)

    def stop_all(self) -> None:
        threads = [threading.Thread(target=stop) for stop in self._stops]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        for stop in self._late:
            stop()


@pytest.fixture
def processes() -> Iterator[Processes]:
    registry = Processes()
    yield registry
    registry.stop_all()


@pytest.fixture
def serve(tmp_path: Path, processes: Processes) -> Callable[..., ChaosServer]:
    """Start a live server: `serve(name, database_url, **env)`; all are stopped afterwards."""

    def start(
        name: str, database_url: str, *, workers: int = 2, threads: int = 8, **env: str
    ) -> ChaosServer:
        data = tmp_path / name
        server = ChaosServer(
            data,
            base_env(
                data, DATABASE_URL=database_url, **{**COMMON_ENV, **shared_env(tmp_path), **env}
            ),
            workers=workers,
            threads=threads,
        )
        processes.add(server.stop)
        return server.start()

    return start


@pytest.fixture
def private_redis(tmp_path: Path, processes: Processes) -> PrivateRedis:
    """A redis-server of this test's own, on a free port (never the shared 6379)."""
    server = PrivateRedis(tmp_path / "redis")
    processes.add_late(server.stop)
    server.start()
    return server


@pytest.fixture
def celery_workers(tmp_path: Path, processes: Processes) -> Callable[..., CeleryWorker]:
    """Make (not start) a Celery worker with FAST_TIMEOUTS; all are stopped afterwards."""
    made: list[CeleryWorker] = []

    def make(
        database_url: str, broker_url: str, *, concurrency: int = 2, **env: str
    ) -> CeleryWorker:
        # CeleryWorker sets these itself from its arguments.
        own = ("TASK_BACKEND", "CELERY_BROKER_URL", "DATABASE_URL", "CELERY_CONCURRENCY")
        every = {**COMMON_ENV, **shared_env(tmp_path), **FAST_TIMEOUTS, **env}
        extra = {k: v for k, v in every.items() if k not in own}
        worker = CeleryWorker(
            tmp_path / f"worker{len(made)}",
            database_url,
            broker_url,
            concurrency=concurrency,
            extra_env=extra,
        )
        made.append(worker)
        processes.add(worker.stop)
        return worker

    return make


def worker_logs(worker: CeleryWorker) -> str:
    """Every start's log of a CeleryWorker, concatenated."""
    return "".join(
        (worker.data_dir / f"worker-{n}.log").read_text(errors="replace")
        for n in range(1, worker.starts + 1)
    )


# -- HTTP ------------------------------------------------------------------------------------------


class Api:
    """An authenticated client for one live server."""

    def __init__(self, base_url: str, token: str = ADMIN_TOKEN, timeout_s: float = 15.0) -> None:
        self.client = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout_s,
        )

    def close(self) -> None:
        self.client.close()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.client.post(path, json=json if json is not None else {}, **kwargs)

    def ok(self, method: str, path: str, json: Any = None, expect: int = 200) -> dict[str, Any]:
        """A request that must answer `expect`; its JSON body."""
        response = self.client.request(method, path, json=json)
        assert response.status_code == expect, (
            f"{method} {path} answered {response.status_code}, wanted {expect}: "
            f"{response.text[:500]}"
        )
        return dict(response.json())

    def task(self, task_id: str) -> dict[str, Any]:
        return self.ok("GET", f"/api/task-status/{task_id}")

    def wait_task(self, task_id: str, *wanted: str, timeout_s: float = 60.0) -> dict[str, Any]:
        wanted = wanted or FINISHED

        def reached() -> dict[str, Any] | None:
            body = self.task(task_id)
            return body if body["status"] in wanted else None

        return wait_until(reached, timeout_s, every_s=0.2, what=f"task {task_id} to reach {wanted}")

    def diagnostics(self, **body: Any) -> str:
        return str(self.ok("POST", "/api/tasks/diagnostics", body, expect=202)["task_id"])


@pytest.fixture
def api_for() -> Iterator[Callable[[str], Api]]:
    """`api_for(url)`: an authenticated client; every client is closed afterwards."""
    clients: list[Api] = []

    def make(url: str) -> Api:
        clients.append(Api(url))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


# -- the slow fake LLM's replies ---------------------------------------------------------------

_VOCABULARY = """
lantern harbor tide gull salt cliff keeper storm bottle letter widow beacon fog shore
driftwood ember hush quiet ache wave moon anchor rope kettle attic compass tin ink ledger
gale reef heron pebble ferry shell quilt hearth candle thread needle map orchard frost
meadow chapel bell slate moss cottage
"""
_WORDS = _VOCABULARY.split()


def unique_replies(seed: int = 0) -> Callable[[RecordedRequest], str]:
    """A reply function for FakeLLMServer: every post different enough to pass the dedupe gate,
    and grounded (no quotes, prices, dates or claims)."""
    rng = random.Random(seed)
    lock = threading.Lock()
    numbers = itertools.count()

    def reply(_: RecordedRequest) -> str:
        with lock:
            next(numbers)
            words = rng.sample(_WORDS, 9)
        return f"{' '.join(words).capitalize()}: a keeper learns what the sea returns. #BookTok"

    return reply


# -- measurements --------------------------------------------------------------------------------


@pytest.fixture
def measure(
    request: pytest.FixtureRequest, record_property: Callable[[str, object], None]
) -> Callable[..., None]:
    """`measure(key=value, ...)`: record measured numbers (junit property + terminal summary)."""
    name = request.node.nodeid.split("::", 1)[-1]

    def record(**values: object) -> None:
        for key, value in values.items():
            record_property(key, value)
            _MEASUREMENTS.append((name, f"{key} = {value}"))
            print(f"[chaos] {name}: {key} = {value}")

    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _MEASUREMENTS:
        return
    terminalreporter.section("chaos measurements")
    for name, line in _MEASUREMENTS:
        terminalreporter.write_line(f"{name}: {line}")


def elapsed_since(start: float) -> float:
    """Seconds since a time.monotonic() reading, rounded for reports."""
    return round(time.monotonic() - start, 2)
