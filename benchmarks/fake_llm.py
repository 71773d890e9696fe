"""The test suite's fake OpenAI-compatible server, run as a process of its own for benchmarks.

Run `python -m benchmarks.fake_llm --latency 2 --url-file PATH`: it serves on a free port of
127.0.0.1 (a thread per request, so any number of slow answers overlap), writes its OpenAI base URL
to PATH once it listens, and stops on SIGTERM or SIGINT. Its replies are distinct texts that pass
`check_draft` on every platform, so a generation task accepts them at the first attempt.

In a process of its own, its handler threads do not compete for the GIL with the benchmark's
client, and a burst of connects does not overflow its listen backlog.
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import threading
import time
from pathlib import Path
from types import FrameType

from benchmarks.harness import BIN
from benchmarks.harness import Child
from benchmarks.harness import Children
from benchmarks.harness import child_env

#: Connections the listening socket queues before accepting them (the fake's default is 64).
BACKLOG = 2048
REPLY_POOL = 60


def serve(latency_s: float, url_file: Path) -> None:
    """Serve until SIGTERM/SIGINT; write the base URL to `url_file` when listening."""
    from tests.fakes import llm_server

    from benchmarks.generation import grounded_replies

    class _BigBacklogServer(llm_server._Server):
        request_queue_size = BACKLOG
        daemon_threads = True  # a handler still sleeping never holds the process up

    llm_server._Server = _BigBacklogServer  # type: ignore[misc]
    pool = grounded_replies(REPLY_POOL)
    numbers = itertools.count()
    lock = threading.Lock()

    def reply(_request: llm_server.RecordedRequest) -> str:
        with lock:
            return pool[next(numbers) % len(pool)]

    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server = llm_server.FakeLLMServer(latency_s=latency_s, reply=reply).start()
    tmp = url_file.with_suffix(".tmp")
    tmp.write_text(server.openai_base_url)
    tmp.replace(url_file)
    stop.wait()
    server.stop()


def start_fake_llm(
    children: Children, workdir: Path, latency_s: float, timeout_s: float = 30.0
) -> tuple[Child, str]:
    """Start the fake in a child process; (the child, its OpenAI base URL)."""
    url_file = workdir / f"fake-llm-{os.getpid()}.url"
    url_file.unlink(missing_ok=True)
    child = children.start(
        "fake-llm",
        [
            str(BIN / "python"),
            "-m",
            "benchmarks.fake_llm",
            "--latency",
            str(latency_s),
            "--url-file",
            str(url_file),
        ],
        child_env(),
    )
    deadline = time.monotonic() + timeout_s
    while not url_file.exists():
        child.check_alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"the fake LLM did not start in {timeout_s:g}s:\n{child.log_tail()}")
        time.sleep(0.05)
    return child, url_file.read_text().strip()


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fake_llm", description=__doc__)
    parser.add_argument("--latency", type=float, default=2.0, help="seconds per answer")
    parser.add_argument("--url-file", type=Path, required=True, help="where to write the URL")
    args = parser.parse_args(argv)
    serve(args.latency, args.url_file)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
