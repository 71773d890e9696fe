"""Watching the broker and the workers from a background thread, so nothing in a request waits.

`BrokerMonitor` pings Redis every second (with a short socket timeout) and asks the Celery
workers who they are every few seconds (`inspect` with a short timeout). Health and stats read
its last answers, which is why they answer within 2 s even when Redis hangs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

import redis

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)

#: The Redis list (Celery queue) bookagent's tasks go through.
QUEUE_NAME = "bookagent"


def ping_broker(url: str, timeout_s: float) -> str | None:
    """None when the Redis broker answers PING within `timeout_s`, else the reason."""
    client = redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        return f"broker at {redact(url)} unreachable: {type(exc).__name__}"
    finally:
        client.close()
    return None


def redact(url: str) -> str:
    """A broker URL without its password."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rsplit('@', 1)[-1]}"


@dataclass
class BrokerState:
    """The monitor's last readings."""

    broker_ok: bool = False
    broker_error: str | None = "not checked yet"
    broker_checked_at: float = 0.0
    workers: list[str] = field(default_factory=list)
    registered: dict[str, list[str]] = field(default_factory=dict)
    reserved: int = 0
    scheduled: int = 0
    queue_length: int | None = None
    workers_checked_at: float = 0.0


class BrokerMonitor:
    """Keeps `state` fresh from a daemon thread; `check_now` for a synchronous first reading."""

    def __init__(
        self,
        app: Callable[[], Celery],
        url: str,
        queue_name: str,
        *,
        ping_timeout_s: float,
        inspect_timeout_s: float,
        inspect_every_s: float,
    ) -> None:
        self.app = app  # made on first use: Celery loads only when workers are first asked
        self.url = url
        self.queue_name = queue_name
        self.ping_timeout_s = ping_timeout_s
        self.inspect_timeout_s = inspect_timeout_s
        self.inspect_every_s = max(inspect_every_s, 1.0)
        self.state = BrokerState()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._client = redis.Redis.from_url(
            url, socket_timeout=ping_timeout_s, socket_connect_timeout=ping_timeout_s
        )

    def start(self) -> None:
        """Start the background thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._loop, name="bookagent-broker-monitor", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread and close the client."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._client.close()

    def snapshot(self) -> BrokerState:
        """A copy of the last readings."""
        with self._lock:
            return BrokerState(**vars(self.state))

    def check_now(self) -> None:
        """Ping the broker now (and read the queue length)."""
        try:
            self._client.ping()
            length = int(self._client.llen(self.queue_name))
            error = None
        except (redis.RedisError, OSError) as exc:
            length, error = None, f"broker at {redact(self.url)} unreachable: {type(exc).__name__}"
        with self._lock:
            if error and self.state.broker_ok:
                log.warning("broker lost: %s", error)
            elif not error and not self.state.broker_ok and self.state.broker_checked_at:
                log.info("broker back at %s", redact(self.url))
            self.state.broker_ok = error is None
            self.state.broker_error = error
            self.state.queue_length = length
            self.state.broker_checked_at = time.monotonic()

    def inspect_now(self) -> None:
        """Ask the workers who they are and what they hold (bounded by the inspect timeout)."""
        if not self.snapshot().broker_ok:
            with self._lock:
                self.state.workers, self.state.workers_checked_at = [], time.monotonic()
            return
        try:
            app = self.app()
            inspector = app.control.inspect(timeout=self.inspect_timeout_s)
            replies = inspector.ping() or {}
            workers = sorted(replies)
            registered: dict[str, list[str]] = {}
            reserved = scheduled = 0
            if workers:
                bounded = app.control.inspect(timeout=self.inspect_timeout_s, limit=len(workers))
                registered = {k: sorted(v) for k, v in (bounded.registered() or {}).items()}
                reserved = sum(len(v) for v in (bounded.reserved() or {}).values())
                scheduled = sum(len(v) for v in (bounded.scheduled() or {}).values())
        except (
            Exception
        ) as exc:  # kombu raises many transport errors; a failed look is 'no workers'
            log.warning("worker inspect failed: %s", type(exc).__name__)
            workers, registered, reserved, scheduled = [], {}, 0, 0
        with self._lock:
            self.state.workers = workers
            self.state.registered = registered
            self.state.reserved = reserved
            self.state.scheduled = scheduled
            self.state.workers_checked_at = time.monotonic()

    def _loop(self) -> None:
        next_inspect = 0.0
        while not self._stop.is_set():
            self.check_now()
            if time.monotonic() >= next_inspect:
                self.inspect_now()
                next_inspect = time.monotonic() + self.inspect_every_s
            self._stop.wait(1.0)

    def queue_length(self) -> int | None:
        """The number of messages waiting in the queue, read from Redis, or None if down."""
        return self.snapshot().queue_length

    def describe(self) -> dict[str, Any]:
        """The readings as JSON-ready values."""
        state = self.snapshot()
        return {
            "broker_ok": state.broker_ok,
            "broker_error": state.broker_error,
            "workers": state.workers,
        }
