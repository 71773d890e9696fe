"""`/metrics` in the Prometheus text format.

Request counts and latencies are counted per process; under gunicorn they are aggregated across
workers through prometheus-client's multiprocess mode (`PROMETHEUS_MULTIPROC_DIR`, set by
`bookagent serve`). Tasks by name and state, queue depth and publish outcomes are read from the
database (the source of truth) at scrape time, so every process reports the same figures.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

from flask import Flask
from flask import Response
from flask import g
from flask import request
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Histogram
from prometheus_client import generate_latest
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from bookagent.db.models import PublicationAttempt
from bookagent.domain.identity import authenticate
from bookagent.errors import PermissionDeniedError
from bookagent.queue.records import TaskStore
from bookagent.services import Services
from bookagent.web.auth import is_auth_enabled
from bookagent.web.exposure import arrived_on
from bookagent.web.exposure import is_local_request

REQUESTS = Counter("bookagent_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "bookagent_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


class DatabaseCollector(Collector):
    """Task, queue and publishing figures read from the database at scrape time."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[GaugeMetricFamily]:
        tasks = GaugeMetricFamily(
            "bookagent_tasks", "Task rows by name and state", labels=["name", "state"]
        )
        attempts = GaugeMetricFamily(
            "bookagent_publish_attempts",
            "Publish attempts by platform and outcome",
            labels=["platform", "outcome"],
        )
        # From the roll-up (TaskStore.counts), not a GROUP BY over every task row ever kept.
        for (name, state), count in sorted(TaskStore(self.services.db).counts().items()):
            tasks.add_metric([name, state], count)
        with self.services.db.session() as session:
            for platform, outcome, count in session.execute(
                select(
                    PublicationAttempt.platform, PublicationAttempt.outcome, func.count()
                ).group_by(PublicationAttempt.platform, PublicationAttempt.outcome)
            ):
                attempts.add_metric([platform, outcome], count)
        yield tasks
        yield attempts
        stats = self.services.require_queue().stats()
        depth = GaugeMetricFamily(
            "bookagent_queue_depth", "Tasks waiting to run", labels=["backend"]
        )
        depth.add_metric(["celery"], float(stats["celery"].get("queue_length") or 0))
        depth.add_metric(["thread_pool"], float(stats["thread_pool"].get("queued") or 0))
        yield depth


class RequestMetrics:
    """The request counter and latency histogram, with each label set's child looked up once
    (`labels()` takes a lock and builds its key on every call)."""

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float | None) -> None:
        """Count one request, and its latency when known."""
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route))
            self._children[key] = children
        children[0].inc()
        if seconds is not None:
            children[1].observe(seconds)


def install_metrics_listener(app: Flask, metrics_bind: str | None) -> None:
    """The metrics address (`web.metrics_bind`) serves /metrics and nothing else (404); install
    before auth, so nothing else runs for such a request."""
    if not metrics_bind:
        return

    @app.before_request
    def _only_metrics_on_its_listener() -> None:
        if request.path != "/metrics" and arrived_on(request, metrics_bind):
            raise NotFound()


def install_metrics(app: Flask, services: Services) -> None:
    """Count every request and serve `/metrics`."""
    collector = DatabaseCollector(services)
    metrics = RequestMetrics()

    @app.before_request
    def _start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response: Any) -> Any:
        req = request._get_current_object()  # type: ignore[attr-defined]  # once, not per use
        route = req.url_rule.rule if req.url_rule is not None else "unmatched"
        if route != "/metrics":
            started = g.get("metrics_started")
            elapsed = None if started is None else time.perf_counter() - started
            metrics.observe(req.method, route, response.status_code, elapsed)
        return response

    metrics_bind = services.settings.web.metrics_bind

    @app.get("/metrics", doc_ui=False)
    def _metrics() -> Response:
        if not (metrics_bind and arrived_on(request, metrics_bind)):
            require_admin_for_metrics(services)
        registry = CollectorRegistry()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        else:
            registry.register(REQUESTS)
            registry.register(LATENCY)
        registry.register(collector)
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def require_admin_for_metrics(services: Services) -> None:
    """/metrics on the main address: the admin token (local mode: a request from this machine)."""
    if not is_auth_enabled(services):
        if not is_local_request(request, behind_proxy=services.settings.web.proxy_count > 0):
            raise PermissionDeniedError(
                "This server is in local mode: /metrics is for this machine."
            )
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    presented = token.strip() if scheme.lower() == "bearer" else None
    with services.db.autocommit() as session:
        caller = authenticate(session, presented, admin_token=services.settings.admin_token_value)
    if not caller.is_admin:
        raise PermissionDeniedError("/metrics needs the admin token.")
