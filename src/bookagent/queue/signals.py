"""The exceptions a running task uses to stop early, and the token that raises them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TaskCancelled(Exception):
    """The task was revoked with terminate while it ran."""


class TimeLimitExceeded(Exception):
    """The task ran past its time limit."""


class CancellationToken:
    """Checked by tasks between steps; raises when revoked, terminated or out of time.

    `poll` reads the shared revoked flag (the task row) at most every `poll_interval_s`, so a
    revoke made by another process is seen within that interval.
    """

    def __init__(
        self,
        *,
        deadline: float | None = None,
        poll: Callable[[], bool] | None = None,
        poll_interval_s: float = 0.25,
    ) -> None:
        self._event = threading.Event()
        self._deadline = deadline
        self._poll = poll
        self._poll_interval_s = poll_interval_s
        self._polled_at = 0.0
        self.reason: str | None = None

    def attach(self, *, deadline: float | None, poll: Callable[[], bool] | None) -> None:
        """Set the deadline and the shared-flag poll once the task has been claimed."""
        self._deadline = deadline
        self._poll = poll
        self._polled_at = time.monotonic()  # the claim just read the row: poll after a while

    def cancel(self, reason: str = "revoked") -> None:
        """Cancel from this process (the thread pool's revoke, shutdown or a route timeout)."""
        self.reason = reason
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether cancel() was called here."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise TaskCancelled or TimeLimitExceeded if the task must stop now."""
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise TimeLimitExceeded("the task ran past its time limit")
        if not self._event.is_set() and self._poll is not None:
            now = time.monotonic()
            if now - self._polled_at >= self._poll_interval_s:
                self._polled_at = now
                if self._poll():
                    self.cancel("revoked")
        if self._event.is_set():
            raise TaskCancelled(self.reason or "revoked")

    def sleep(self, seconds: float) -> None:
        """Sleep, waking early (and raising) on cancellation or the deadline."""
        end = time.monotonic() + seconds
        while True:
            self.raise_if_cancelled()
            remaining = end - time.monotonic()
            if remaining <= 0:
                return
            step = min(remaining, self._poll_interval_s)
            if self._deadline is not None:
                step = min(step, max(self._deadline - time.monotonic(), 0.001))
            self._event.wait(step)
