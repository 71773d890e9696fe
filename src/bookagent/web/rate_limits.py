"""Rate limits (Flask-Limiter): sign-in and failed bearer tokens per client address, and the
expensive routes per user. Over a limit the answer is 429 in the API's error shape (an HTML page
on the dashboard), with `Retry-After`.

The counters live in Redis when the task queue runs on a Redis broker (or
`web.rate_limit_storage_url` names a store), so every gunicorn worker and every API process
shares them; otherwise in this process's memory. A store that stops answering falls back to
memory rather than refusing requests.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any
from typing import cast

from flask import Flask
from flask import g
from flask import request
from flask_limiter import Limiter
from limits import RateLimitItem
from limits import parse

from bookagent.services import Services

log = logging.getLogger(__name__)

LIMITER_KEY = "bookagent.limiter"
CLICK_LIMIT_KEY = "bookagent.click_limit"

#: The expensive routes, by endpoint, and the setting that holds each one's per-user limit.
PER_USER_LIMITS: dict[str, str] = {
    "posts.generate_posts": "generate_rate_limit",
    "post_measure.measure_post": "measure_rate_limit",
    "reports.queue_weekly": "reports_rate_limit",
    "reports.list_reports": "reports_rate_limit",
    "reports.get_report": "reports_rate_limit",
    "reports.report_html": "reports_rate_limit",
    "reports.report_csv": "reports_rate_limit",
}
SIGNIN_ENDPOINT = "dashboard.signin"


def client_address() -> str:
    """The client's address (the peer, or the one a trusted proxy reports: web.proxy_count)."""
    return request.remote_addr or "unknown"


def caller_key() -> str:
    """The caller a per-user limit counts against: the user, else the admin, else the address."""
    who = g.get("caller")
    if who is None:
        return "addr:" + client_address()
    if who.user_id:
        return f"user:{who.user_id}"
    return "admin:local" if who.local_mode else "admin"


def storage_url(services: Services) -> str:
    """Where the counters live: the configured store, the Redis broker, or memory."""
    configured = services.settings.web.rate_limit_storage_url
    if configured:
        return configured
    broker = services.settings.queue.broker_url
    queue = services.queue
    if queue is not None and queue.backend == "celery" and broker.startswith("redis"):
        return broker
    return "memory://"


def deployment_prefix(services: Services) -> str:
    """Counters of one deployment (one database) apart from any other sharing the same Redis."""
    digest = hashlib.sha256(services.settings.database_url.encode()).hexdigest()[:16]
    return f"bookagent-{digest}"


class FailedAuthLimit:
    """Failed bearer tokens per client address: each failure is counted, and an address that
    used up its allowance is answered 429 until the window moves on."""

    def __init__(self, limiter: Limiter, limit: str, prefix: str) -> None:
        self._limiter = limiter
        self._item: RateLimitItem = parse(limit)
        self._scope = f"{prefix}/auth-failure"

    def exhausted(self) -> int | None:
        """Seconds until this address may try again, or None if it may try now."""
        if not self._limiter.enabled:
            return None
        strategy = self._limiter.limiter
        key = (self._scope, client_address())
        try:
            if strategy.test(self._item, *key):
                return None
            reset_at = strategy.get_window_stats(self._item, *key).reset_time
        except Exception:  # the store is down: fail open for this counter, say so
            log.warning("rate-limit store unavailable; failed-auth limit not checked")
            return None
        return max(1, int(reset_at - time.time()) + 1)

    def record_failure(self) -> None:
        """Count one failed authentication from this address."""
        if not self._limiter.enabled:
            return
        try:
            self._limiter.limiter.hit(self._item, self._scope, client_address())
        except Exception:
            log.warning("rate-limit store unavailable; failed authentication not counted")


class ClickLimit:
    """Short-link clicks counted per client address: `counts()` says whether this click may be
    counted, and uses one of the address's allowance when it may. The reader is sent on either
    way; only the count stops (see `web.short_links`)."""

    def __init__(self, limiter: Limiter, limit: str, prefix: str) -> None:
        self._limiter = limiter
        self._item: RateLimitItem = parse(limit)
        self._scope = f"{prefix}/click"

    def counts(self) -> bool:
        """Whether this address may have one more click counted (True when limits are off or
        the store is down: the click is real until shown otherwise)."""
        if not self._limiter.enabled:
            return True
        try:
            return bool(self._limiter.limiter.hit(self._item, self._scope, client_address()))
        except Exception:
            log.warning("rate-limit store unavailable; click counted without its limit")
            return True


def click_limit(app: Flask) -> ClickLimit | None:
    """The app's click limit (None in an app built without rate limits)."""
    found = app.extensions.get(CLICK_LIMIT_KEY)
    return found if isinstance(found, ClickLimit) else None


def install_rate_limits(app: Flask, services: Services) -> Limiter:
    """Create the limiter (after auth, so per-user keys see `g.caller`) and limit the routes."""
    web = services.settings.web
    limiter = Limiter(
        key_func=client_address,
        app=app,
        key_prefix=deployment_prefix(services),
        storage_uri=storage_url(services),
        storage_options={"socket_connect_timeout": 1, "socket_timeout": 1},
        strategy="fixed-window",
        headers_enabled=True,
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        enabled=web.rate_limits_enabled,
    )
    _only_for_endpoints(app, limiter, {*PER_USER_LIMITS, SIGNIN_ENDPOINT})
    for endpoint, setting in PER_USER_LIMITS.items():
        _limit_endpoint(app, endpoint, limiter.limit(getattr(web, setting), key_func=caller_key))
    _limit_endpoint(
        app,
        SIGNIN_ENDPOINT,
        limiter.limit(web.signin_rate_limit, key_func=client_address, methods=["POST"]),
    )
    app.extensions[LIMITER_KEY] = FailedAuthLimit(
        limiter, web.auth_failure_rate_limit, deployment_prefix(services)
    )
    app.extensions[CLICK_LIMIT_KEY] = ClickLimit(
        limiter, web.click_rate_limit, deployment_prefix(services)
    )
    return limiter


def failed_auth_limit(app: Flask) -> FailedAuthLimit | None:
    """The app's failed-authentication limit (None for an app built without rate limits)."""
    return cast(FailedAuthLimit | None, app.extensions.get(LIMITER_KEY))


def _limit_endpoint(app: Flask, endpoint: str, decorate: Callable[[Any], Any]) -> None:
    view = app.view_functions.get(endpoint)
    if view is None:
        raise RuntimeError(f"rate limit for an unknown endpoint {endpoint!r}")
    app.view_functions[endpoint] = decorate(view)


def _only_for_endpoints(app: Flask, limiter: Limiter, endpoints: set[str]) -> None:
    """Run the limiter's request hooks for the limited endpoints only (its headers: on a 429).

    Flask-Limiter hooks every request; for a route with no limit its hooks still resolve limits,
    build a context and set headers, which measured ~0.1 ms of CPU per request (a quarter of a
    status read). Each of its hooks is wrapped to return at once for any other endpoint.
    """

    def owned(hook: Any) -> bool:
        if isinstance(hook, partial):  # its after_request hook: partial(method, limiter)
            return bool(hook.args) and hook.args[0] is limiter
        return getattr(hook, "__self__", None) is limiter

    def before(hook: Callable[[], Any]) -> Callable[[], Any]:
        return lambda: hook() if request.endpoint in endpoints else None

    def after(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
        # Its after hook only writes headers, reading the window back from the store (a Redis
        # round trip per request): the API promises Retry-After on a 429, nothing more.
        return lambda response: (
            hook(response)
            if response.status_code == 429 and request.endpoint in endpoints
            else response
        )

    def teardown(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return lambda error: hook(error) if request.endpoint in endpoints else None

    registries: list[tuple[Any, Callable[[Any], Any]]] = [
        (app.before_request_funcs, before),
        (app.after_request_funcs, after),
        (app.teardown_request_funcs, teardown),
    ]
    for registry, wrap in registries:
        registry[None] = [wrap(h) if owned(h) else h for h in registry.get(None, [])]
