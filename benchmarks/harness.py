"""Shared benchmark plumbing: the machine, statistics, HTTP load, child processes.

A benchmark compares one of our figures with a baseline measured in the same run, on the same
machine, with the same client. Its figures are `results.Line`s; `stack.bench_main` runs a section.
"""

from __future__ import annotations

import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

#: Variables a child process must not inherit: it gets exactly the configuration we pass.
INHERITED_CONFIG = ("DATABASE_URL", "TASK_BACKEND", "HOST", "PORT", "THREAD_POOL_MAX_WORKERS")


# -- machine and output ------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    """What the figures were measured on: they mean little without it."""
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def cpu_idle_share(window_s: float = 1.0) -> float | None:
    """The share of the machine's CPU time left idle over the next `window_s` (Linux; else None)."""

    def totals() -> tuple[int, int] | None:
        try:
            with open("/proc/stat") as stat:
                fields = [int(x) for x in stat.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        return sum(fields), fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait

    before = totals()
    time.sleep(window_s)
    after = totals()
    if before is None or after is None or after[0] == before[0]:
        return None
    return (after[1] - before[1]) / (after[0] - before[0])


def wait_until_quiet(min_idle: float = 0.9, timeout_s: float = 45.0) -> tuple[float, float | None]:
    """Wait (up to `timeout_s`) until the CPU is at least `min_idle` idle for two seconds running:
    what an earlier run left behind (a database vacuuming, a worker finishing) should not land
    on the next measurement. Returns the seconds waited and the last idle share."""
    started = time.monotonic()
    quiet_windows, idle = 0, None
    while time.monotonic() - started < timeout_s:
        idle = cpu_idle_share()
        if idle is None:
            break
        quiet_windows = quiet_windows + 1 if idle >= min_idle else 0
        if quiet_windows >= 2:
            break
    return time.monotonic() - started, idle


def machine_line(info: Mapping[str, Any]) -> str:
    """`machine_info()` as one header line."""
    return (
        f"{info['platform']} | Python {info['python']} | {info['cpu_count']} CPUs | {info['date']}"
    )


def write_json(path: Path, payload: Mapping[str, Any]) -> None:
    """Write the figures (and whatever context goes with them) as indented JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")


# -- statistics --------------------------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (p99 of 50 samples is the largest one, not an interpolation)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def interleave(rounds: int, sides: Sequence[Callable[[int], None]]) -> None:
    """Run each side once per round, rotating the order, so slow spells of a noisy machine
    fall on every side instead of on whichever happened to run then."""
    for round_index in range(rounds):
        shift = round_index % len(sides)
        for side in [*sides[shift:], *sides[:shift]]:
            side(round_index)


# -- HTTP load ---------------------------------------------------------------------------------


@dataclass
class LoadResult:
    """Requests made, wall-clock seconds spent on them, and the ones that did not answer as
    expected, summed over the rounds of one side."""

    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    client_cpu_s: float = 0.0
    first_error: str | None = None

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0


RequestFn = Callable[[httpx.Client, int], httpx.Response]


def run_load(
    base_url: str,
    request: RequestFn,
    *,
    total: int,
    concurrency: int,
    expect: int,
    into: LoadResult | None = None,
) -> LoadResult:
    """Make `total` requests from `concurrency` threads, each with its own keep-alive client.

    `request(client, i)` makes request number `i`; thread k makes requests k, k+c, k+2c...
    The clock runs from the moment every thread is ready until the last one finishes.
    """
    result = into if into is not None else LoadResult()
    errors: list[str] = []
    barrier = threading.Barrier(concurrency + 1)
    lock = threading.Lock()

    def worker(k: int) -> None:
        with httpx.Client(base_url=base_url, timeout=30.0) as client:
            client.get("/__warm__")  # open the connection before the clock starts
            # An API client, not a browser: it keeps no cookie (our 404 page hands out a
            # dashboard session cookie, which would make every later request verify it).
            client.cookies.clear()
            barrier.wait()
            for i in range(k, total, concurrency):
                try:
                    response = request(client, i)
                    problem = (
                        None
                        if response.status_code == expect
                        else f"HTTP {response.status_code}: {response.text[:200]}"
                    )
                except httpx.HTTPError as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                if problem is not None:
                    with lock:
                        errors.append(problem)

    threads = [
        threading.Thread(target=worker, args=(k,), name=f"load-{k}", daemon=True)
        for k in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    started, cpu_started = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    result.seconds += time.perf_counter() - started
    result.client_cpu_s += time.process_time() - cpu_started
    result.requests += total
    result.errors += len(errors)
    if errors and result.first_error is None:
        result.first_error = errors[0]
    return result


# -- child processes ---------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on right now (on 127.0.0.1)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(**extra: str) -> dict[str, str]:
    """This environment without any bookagent or Celery configuration, plus `extra`.

    The repository root goes on PYTHONPATH so children can import `benchmarks`.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BOOKAGENT_", "CELERY_")) and key not in INHERITED_CONFIG
    }
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = f"{REPO_ROOT}{os.pathsep}{path}" if path else str(REPO_ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@dataclass
class Child:
    """A started child process (the leader of its own process group) and its log file."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the child's output, for an error message."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def check_alive(self) -> None:
        """Raise with the child's output if it has exited."""
        if self.proc.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}"
            )


class Children:
    """Starts child processes in their own groups and stops every one of them, whatever happens.

    Use as a context manager: leaving the block (normally, on an exception or on Ctrl-C)
    sends SIGTERM to each group, then SIGKILL to any that does not stop in time.
    """

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._children: list[Child] = []

    def __enter__(self) -> Children:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop_all()

    def start(self, name: str, args: Sequence[str], env: Mapping[str, str]) -> Child:
        """Start `args` with output to `<log_dir>/<name>.log`."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{name}.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                list(args),
                env=dict(env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=REPO_ROOT,
            )
        child = Child(name, proc, log_path)
        self._children.append(child)
        return child

    def stop(self, child: Child, timeout_s: float = 15.0) -> None:
        """SIGTERM the child's group and wait; SIGKILL it if it does not stop in time."""
        stop_group(child.proc, timeout_s=timeout_s)
        if child in self._children:
            self._children.remove(child)

    def stop_all(self) -> None:
        """Stop every child still running, newest first."""
        for child in reversed(list(self._children)):
            self.stop(child)


def stop_group(proc: subprocess.Popen[bytes], timeout_s: float = 15.0) -> None:
    """SIGTERM a process group (its leader is `proc`), then SIGKILL it after `timeout_s`."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def wait_for_http(url: str, child: Child, timeout_s: float = 60.0) -> None:
    """Poll `url` until it answers with any status; raise with the child's log if it dies."""
    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        child.check_alive()
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.HTTPError as exc:
            last = exc
            time.sleep(0.2)
    raise TimeoutError(
        f"{child.name} did not answer at {url} in {timeout_s:g}s ({last}):\n{child.log_tail()}"
    )


def gunicorn_args(target: str, port: int, *, threads: int) -> list[str]:
    """One gthread gunicorn worker serving `target` (a `module:factory()` spec) on 127.0.0.1,
    with no access log: the same server for every side of a comparison."""
    return [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        target,
    ]


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C while the block runs, so `finally` clauses clean up."""

    def _raise(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
