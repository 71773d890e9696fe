"""The in-process scheduler of the thread-pool backend: one thread that ticks every minute.

Several web processes may each run one; the tick's unique keys make the extra ticks no-ops.
With Celery, `bookagent beat` does this job instead. The tick itself
(`bookagent.tasks.scheduling.run_tick`) is handed in by the composition root: the queue never
imports the tasks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

SCHEDULER_NAME = "in-process"


class InProcessScheduler:
    """Calls the scheduler tick every `interval_s` seconds on a daemon thread."""

    def __init__(self, tick: Callable[[], object], interval_s: float = 60.0) -> None:
        self._tick = tick
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Tick now, then every interval."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._loop, name="bookagent-scheduler", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop ticking."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def tick(self) -> None:
        """One tick, now."""
        self._tick()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # a tick must never kill the scheduler; the next one retries
                log.exception("scheduler tick failed")
            self._stop.wait(self.interval_s)
