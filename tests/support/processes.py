"""Starting and stopping real server processes for end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def base_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """An environment for a child process: the test's data dir, no inherited bookagent config."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOOKAGENT_", "CELERY_"))
        and k not in ("DATABASE_URL", "TASK_BACKEND", "HOST", "PORT", "THREAD_POOL_MAX_WORKERS")
    }
    env.update({"BOOKAGENT_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def wait_for_http(
    url: str, timeout_s: float = 30.0, proc: subprocess.Popen[bytes] | None = None
) -> httpx.Response:
    """Poll `url` until it answers (any status), or raise with the process's output."""
    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            return httpx.get(url, timeout=2.0)
        except httpx.HTTPError as exc:
            last = exc
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in {timeout_s}s: {last}")


@contextmanager
def running(
    args: list[str], env: dict[str, str], log_path: Path, cwd: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a process in its own group, logging to a file; SIGTERM (then SIGKILL) the group after."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=cwd
        )
        try:
            yield proc
        finally:
            stop_group(proc)


def stop_group(
    proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout_s: float = 20.0
) -> None:
    """Signal the process group and wait; SIGKILL if it does not stop in time."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass
