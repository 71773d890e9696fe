"""Route timeouts: `timed_route("approve_post_s")` bounds a view and answers 504 when it overruns.

The view runs on a small per-process pool while the request thread waits. On timeout the
request answers 504 in API.md's shape, and the view's CancellationToken (`route_token()`) is
cancelled, so the work behind it stops at its next checkpoint and its unit of work rolls back.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any
from typing import TypeVar

from bookagent.errors import OperationTimeoutError
from bookagent.queue.signals import CancellationToken
from bookagent.web.context import services

F = TypeVar("F", bound=Callable[..., Any])

_route_token: contextvars.ContextVar[CancellationToken | None] = contextvars.ContextVar(
    "route_token", default=None
)
_pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="bookagent-route")


def route_token() -> CancellationToken:
    """The current bounded route's token (a fresh, never-cancelled one outside such a route)."""
    return _route_token.get() or CancellationToken()


def timed_route(setting: str) -> Callable[[F], F]:
    """Bound a view by the route timeout named `setting` in `settings.timeouts`."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            timeout_s = float(getattr(services().settings.timeouts, setting))
            token = CancellationToken()
            context = contextvars.copy_context()

            def call() -> Any:
                _route_token.set(token)
                return view(*args, **kwargs)

            future = _pool.submit(context.run, call)
            try:
                return future.result(timeout=timeout_s)
            except FutureTimeout:
                token.cancel("route timeout")
                future.cancel()
                raise OperationTimeoutError(timeout_s) from None

        return wrapper  # type: ignore[return-value]

    return decorate
