"""One long-lived event loop per process, on its own thread, for the async clients.

`run(coro, timeout_s)` is the original summary's `run_async_safe`: it waits for the coroutine at
most `timeout_s`, and on expiry cancels it and raises OperationTimeoutError. Never call
`asyncio.run()` inside a request: that was the original design's blocking bug.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any
from typing import TypeVar

from bookagent.errors import OperationTimeoutError

T = TypeVar("T")


class AsyncRunner:
    """Owns an event loop running forever on a daemon thread."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def _serve() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                self._thread = threading.Thread(target=_serve, name="bookagent-async", daemon=True)
                self._thread.start()
                ready.wait()
                self._loop = loop
            return self._loop

    def run(self, coro: Coroutine[Any, Any, T], timeout_s: float) -> T:
        """Run `coro` on the loop; cancel it and raise OperationTimeoutError after `timeout_s`."""
        future = asyncio.run_coroutine_threadsafe(coro, self._ensure_loop())
        try:
            return future.result(timeout=timeout_s)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise OperationTimeoutError(timeout_s) from None

    def close(self) -> None:
        """Stop the loop and join its thread."""
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=5)
            loop.close()
