"""A real Celery worker process for tests, started with `bookagent worker`."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import redis

from tests.support.processes import BIN
from tests.support.processes import base_env
from tests.support.processes import stop_group
from tests.support.services import require_redis

# Short limits, so a test can outlast the visibility timeout (a killed worker's task returns).
FAST_TIMEOUTS = {
    **{
        f"BOOKAGENT_TIMEOUTS__{name.upper()}": "10"
        for name in (
            "autonomous_start_s",
            "autonomous_stop_s",
            "autonomous_status_s",
            "approve_post_s",
            "generate_posts_s",
            "daily_task_s",
            "weekly_report_task_s",
            "generate_task_s",
            "default_task_s",
        )
    },
    "BOOKAGENT_QUEUE__VISIBILITY_TIMEOUT_S": "20",
}


def fast_timeouts() -> dict[str, dict[str, float]]:
    """FAST_TIMEOUTS as Settings keyword values, for the in-process side of a test."""
    timeouts = {
        k.split("__", 1)[1].lower(): float(v)
        for k, v in FAST_TIMEOUTS.items()
        if k.startswith("BOOKAGENT_TIMEOUTS__")
    }
    return {"timeouts": timeouts, "queue": {"visibility_timeout_s": 20.0}}


class CeleryWorker:
    """Starts, kills and restarts one `bookagent worker` process group."""

    def __init__(
        self,
        data_dir: Path,
        database_url: str,
        broker_url: str,
        concurrency: int = 2,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.env = base_env(
            data_dir,
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=broker_url,
            TASK_BACKEND="celery",
            CELERY_CONCURRENCY=str(concurrency),
            CELERY_LOG_LEVEL="info",
            **(extra_env or {}),
        )
        self.broker_url = broker_url
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.data_dir / f"worker-{self.starts}.log"

    def start(self, timeout_s: float = 30.0) -> None:
        """Start the worker and wait until it answers a ping."""
        self.starts += 1
        self.data_dir.mkdir(parents=True, exist_ok=True)
        hostname = f"test{self.starts}-{os.getpid()}@%h"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [str(BIN / "bookagent"), "worker", f"--hostname={hostname}"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_ready(timeout_s)

    def wait_ready(self, timeout_s: float) -> None:
        from celery import Celery

        app = Celery(broker=self.broker_url)
        deadline = time.monotonic() + timeout_s
        try:
            while time.monotonic() < deadline:
                assert self.proc is not None
                if self.proc.poll() is not None:
                    raise RuntimeError(f"worker exited: {self.log_path.read_text()[-3000:]}")
                replies = app.control.inspect(timeout=0.5).ping() or {}
                if any(name.startswith(f"test{self.starts}-") for name in replies):
                    return
            raise TimeoutError(f"worker not ready: {self.log_path.read_text()[-3000:]}")
        finally:
            app.close()

    def stop(self) -> None:
        """Stop the worker gracefully (SIGTERM to its group)."""
        if self.proc is not None:
            stop_group(self.proc)
            self.proc = None

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and children)."""
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None


def flush_broker(url: str) -> None:
    """Empty the test broker's Redis database (queued messages, unacked sets, locks)."""
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


def running_worker(database_url: str, workdir: Path, **options: Any) -> Iterator[CeleryWorker]:
    """A started worker on the flushed test broker, with fast timeouts; stopped afterwards.

    For a module-scoped fixture: `yield from running_worker(pg_url, tmp_path_factory.mktemp(...))`.
    """
    broker = require_redis()
    flush_broker(broker)
    worker = CeleryWorker(workdir, database_url, broker, extra_env=FAST_TIMEOUTS, **options)
    worker.start()
    yield worker
    worker.stop()
