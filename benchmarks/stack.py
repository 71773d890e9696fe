"""What the benchmark sections share: the section skeleton, scratch state and server commands.

`bench_main` runs a section: its `run(plan, args)` returns the figures (`results.Line`s), the
footnotes and any details; it prints the table and writes all three to `--json`. `Scratch`
makes a working directory, a process group keeper (`Children`), and on request PostgreSQL
databases and a flushed Redis database index, and removes all of them on exit, on an exception
or on Ctrl-C. Our server is always `bookagent serve` (gunicorn gthread); a baseline server is
plain gunicorn with the same workers, threads, timeout and access log.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import tempfile
import time
import uuid
from collections.abc import Callable
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import psycopg
import redis
from rich.console import Console

from benchmarks.harness import BIN
from benchmarks.harness import Child
from benchmarks.harness import Children
from benchmarks.harness import child_env
from benchmarks.harness import free_port
from benchmarks.harness import machine_info
from benchmarks.harness import machine_line
from benchmarks.harness import sigterm_as_interrupt
from benchmarks.harness import write_json
from benchmarks.results import Line
from benchmarks.results import print_lines

#: A Redis database index these benchmarks may FLUSHDB (the queue benchmark uses 14, tests 12).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
#: `bookagent serve`'s own defaults (Settings.web.gunicorn_workers / gunicorn_threads).
SERVE_WORKERS = 2
SERVE_THREADS = 8
#: `bookagent serve`'s gunicorn worker timeout, which the baselines copy.
SERVE_TIMEOUT_S = 120

log_console = Console(stderr=True)


def log(message: str) -> None:
    """A progress line on stderr (the table goes to stdout)."""
    log_console.log(message)


def serve_args(port: int, *, workers: int, threads: int) -> list[str]:
    """`bookagent serve` on 127.0.0.1:`port`."""
    return [
        str(BIN / "bookagent"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]


def bare_gunicorn_args(target: str, port: int, *, workers: int, threads: int) -> list[str]:
    """Plain gunicorn serving `target` with the settings `bookagent serve` uses: gthread, the
    same workers and threads, the same worker timeout, an access log on stdout."""
    return [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--timeout",
        str(SERVE_TIMEOUT_S),
        "--access-logfile",
        "-",
        "--log-level",
        "warning",
        target,
    ]


def ours_env(
    data_dir: Path,
    *,
    backend: str,
    redis_url: str,
    database_url: str | None = None,
    **extra: str,
) -> dict[str, str]:
    """The environment of our server or worker: quiet logs, the given backend and database."""
    env = child_env(
        BOOKAGENT_DATA_DIR=str(data_dir),
        BOOKAGENT_LOG_LEVEL="WARNING",
        TASK_BACKEND=backend,
        CELERY_BROKER_URL=redis_url,
        CELERY_LOG_LEVEL="warning",
        # Stop quickly when the benchmark ends (the default waits 10 s for running tasks).
        BOOKAGENT_QUEUE__SHUTDOWN_GRACE_S="1",
        # A burst from one user is the load being measured, not abuse: the limiter still runs.
        BOOKAGENT_WEB__GENERATE_RATE_LIMIT="1000000 per minute",
        **extra,
    )
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return env


def flush_redis(url: str) -> None:
    """Empty a benchmark's Redis database index."""
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def create_postgres_database(admin_url: str) -> tuple[str, str]:
    """Create `bookagent_bench_<hex>` beside `admin_url`'s database: (name, SQLAlchemy URL)."""
    name = f"bookagent_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    return name, f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)


def drop_postgres_database(admin_url: str, name: str) -> None:
    """Drop a benchmark database, even with connections still open."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class Server:
    """A server we started, and its base URL."""

    child: Child
    url: str


def wait_http_ok(url: str, child: Child, timeout_s: float = 90.0, poll_s: float = 0.05) -> float:
    """Poll `url` until it answers 200; the monotonic time it did. Raises with the child's log
    if the child exits or the time runs out."""
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    with httpx.Client(timeout=httpx.Timeout(5.0, connect=1.0)) as client:
        while time.monotonic() < deadline:
            child.check_alive()
            try:
                response = client.get(url)
                if response.status_code == 200:
                    return time.monotonic()
                last = f"HTTP {response.status_code}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            time.sleep(poll_s)
    raise TimeoutError(f"{child.name} did not answer 200 at {url} ({last}):\n{child.log_tail()}")


class Scratch:
    """Scratch state for one benchmark run, removed on exit (normal, exception or Ctrl-C)."""

    def __init__(
        self, prefix: str, *, postgres_url: str, redis_url: str, keep_logs: bool = False
    ) -> None:
        self.postgres_url = postgres_url
        self.redis_url = redis_url
        self._stack = ExitStack()
        self.workdir = Path(tempfile.mkdtemp(prefix=prefix))
        if keep_logs:
            log(f"logs kept in {self.workdir / 'logs'}")
        else:
            self._stack.callback(shutil.rmtree, self.workdir, ignore_errors=True)
        self.children = self._stack.enter_context(Children(self.workdir / "logs"))
        self._started: list[Child] = []
        self._redis_used = False

    def __enter__(self) -> Scratch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            # Servers first (all at once), then their databases can go.
            self.stop_fast(*self._started, grace_s=10.0)
        finally:
            self._stack.close()

    def postgres(self) -> str:
        """A fresh, empty PostgreSQL database (dropped on exit): its SQLAlchemy URL."""
        name, url = create_postgres_database(self.postgres_url)
        self._stack.callback(drop_postgres_database, self.postgres_url, name)
        return url

    def redis(self) -> str:
        """The Redis database index, flushed now and on exit: its URL."""
        if not self._redis_used:
            flush_redis(self.redis_url)
            self._stack.callback(flush_redis, self.redis_url)
            self._redis_used = True
        return self.redis_url

    def path(self, *parts: str) -> Path:
        """A directory inside the working directory (made if missing)."""
        directory = self.workdir.joinpath(*parts)
        directory.mkdir(parents=True, exist_ok=True)
        return directory

    def start(self, name: str, args: Sequence[str], env: dict[str, str]) -> Child:
        """Start a child process (stopped on exit)."""
        child = self.children.start(name, args, env)
        self._started.append(child)
        return child

    def stop_fast(self, *children: Child, grace_s: float = 2.0) -> None:
        """Stop children together: SIGTERM every group at once, SIGKILL what is left after
        `grace_s` (for scratch processes whose unfinished work does not matter)."""
        children = tuple(c for c in children if c.proc.poll() is None)
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for child in children:
            self.children.stop(child, timeout_s=max(0.1, deadline - time.monotonic()))

    def start_ours(self, name: str, env: dict[str, str], *, workers: int, threads: int) -> Server:
        """`bookagent serve` on a free port (readiness is the caller's to check)."""
        port = free_port()
        child = self.start(name, serve_args(port, workers=workers, threads=threads), env)
        return Server(child, f"http://127.0.0.1:{port}")

    def start_bare(
        self, name: str, target: str, env: dict[str, str], *, workers: int, threads: int
    ) -> Server:
        """Plain gunicorn serving `target` on a free port."""
        port = free_port()
        args = bare_gunicorn_args(target, port, workers=workers, threads=threads)
        child = self.start(name, args, env)
        return Server(child, f"http://127.0.0.1:{port}")


def load_note() -> str:
    """The load average now, for the header (the machine may be shared)."""
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} (1/5 min)"


def bench_main(
    title: str,
    args: argparse.Namespace,
    plan: Any,
    run: Callable[[Any, argparse.Namespace], tuple[list[Line], list[str], dict[str, Any]]],
) -> int:
    """Run one benchmark section, print its table, write `--json`; 130 if interrupted."""
    info = machine_info()
    info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    started = time.monotonic()
    try:
        with sigterm_as_interrupt():
            lines, notes, details = run(plan, args)
    except KeyboardInterrupt:
        log("interrupted; everything the run started was cleaned up")
        return 130
    elapsed = time.monotonic() - started
    print_lines(
        title + (" (--quick)" if args.quick else ""),
        f"{machine_line(info)} | {load_note()} at end | run took {elapsed:.0f} s",
        lines,
        notes,
    )
    if args.json:
        write_json(
            args.json,
            {
                "machine": info,
                "plan": asdict(plan),
                "elapsed_s": round(elapsed, 1),
                "figures": [line.to_json() for line in lines],
                "footnotes": notes,
                "details": details,
            },
        )
        log(f"figures written to {args.json}")
    return 0
