"""The composition root: the one place that knows the concrete classes and wires them together.

`create_app`, the Celery worker, the CLI and the tests all call `build_services(settings)`.
Nothing here runs at import time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from bookagent.db.session import Database
from bookagent.domain.ports import QueueHealth
from bookagent.domain.ports import TaskQueue
from bookagent.errors import BookAgentError
from bookagent.platforms import PlatformRules
from bookagent.platforms import get_rules
from bookagent.platforms import normalize_platform
from bookagent.publishers.registry import PublisherRegistry
from bookagent.queue.broker import ping_broker
from bookagent.queue.runner import AsyncRunner
from bookagent.queue.scheduler import InProcessScheduler
from bookagent.settings import Settings
from bookagent.writers.registry import WriterRegistry

log = logging.getLogger(__name__)


class StartableQueue(TaskQueue, Protocol):
    """A queue backend with a start step (recovery, monitors)."""

    def start(self) -> None:
        """Begin background work."""
        ...


@dataclass
class Services:
    """Everything a request, a task or a command needs, built once per process."""

    settings: Settings
    db: Database
    runner: AsyncRunner
    writers: WriterRegistry
    publishers: PublisherRegistry
    queue: StartableQueue | None = None
    scheduler: InProcessScheduler | None = None

    def rules(self, platform: str) -> PlatformRules:
        """A platform's rules: the data file, then the publisher's live limits (Mastodon's
        instance), then the configured overrides, which win."""
        name = normalize_platform(platform)
        live = self.publishers.for_platform(name).limits()
        configured = self.settings.platforms.get(name, {})
        return get_rules(name, {name: {**live, **configured}})

    def refresh_live_limits(self, platforms: list[str], timeout_s: float = 10.0) -> None:
        """Ask the publishers for their platforms' live limits (cached by the publisher)."""
        for platform in platforms:
            try:
                self.runner.run(self.publishers.for_platform(platform).refresh_limits(), timeout_s)
            except BookAgentError as exc:
                log.warning("live limits unavailable platform=%s: %s", platform, exc.message)

    def require_queue(self) -> StartableQueue:
        """The task queue; a process built without one (the Celery worker) cannot submit."""
        if self.queue is None:
            raise RuntimeError("this process was built without a task queue")
        return self.queue

    def queue_health(self) -> QueueHealth:
        """The queue's health, for /api/health."""
        return self.require_queue().health()

    def close(self, grace_s: float | None = None) -> None:
        """Stop the queue (waiting up to the grace period) and release connections."""
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.queue is not None:
            self.queue.shutdown(
                self.settings.queue.shutdown_grace_s if grace_s is None else grace_s
            )
        self.runner.close()
        self.db.dispose()


def build_database(settings: Settings) -> Database:
    """The Database for the configured URL."""
    return Database.from_url(
        settings.database_url,
        echo=settings.db.echo,
        busy_timeout_ms=settings.db.sqlite_busy_timeout_ms,
        pool_size=settings.db.pool_size,
        max_overflow=settings.db.max_overflow,
        prepared_statements=settings.db.pg_prepared_statements,
    )


def choose_backend(settings: Settings) -> tuple[str, str | None]:
    """`celery` or `thread`, and why the thread pool was chosen when `auto` found no broker."""
    backend = settings.queue.backend
    if backend != "auto":
        return backend, None
    reason = ping_broker(settings.queue.broker_url, settings.queue.broker_ping_timeout_s)
    if reason is None:
        return "celery", None
    return "thread", reason


def build_queue(services: Services) -> StartableQueue:
    """The configured queue backend (not started)."""
    from bookagent.queue.celery_queue import CeleryTaskQueue
    from bookagent.queue.thread_queue import ThreadPoolTaskQueue

    settings = services.settings
    backend, reason = choose_backend(settings)
    if reason:
        log.warning("task backend: thread pool (fallback): %s", reason)
    else:
        log.info("task backend: %s", backend)
    pool = ThreadPoolTaskQueue(
        services, max_workers=settings.queue.thread_pool_max_workers, fallback_reason=reason
    )
    if backend == "celery":
        return CeleryTaskQueue(services, fallback=pool)
    return pool


def build_services(settings: Settings, *, start_queue: bool = True) -> Services:
    """Build (and by default start) the services of a web or CLI process.

    On the thread-pool backend the in-process scheduler starts too; with Celery, `bookagent beat`
    does the scheduling.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    services = _base_services(settings)
    services.queue = build_queue(services)
    if start_queue:
        services.queue.start()
        if services.queue.backend == "thread_pool":
            services.scheduler = InProcessScheduler(
                services, services.queue, interval_s=settings.queue.scheduler_interval_s
            )
            services.scheduler.start()
    return services


def build_worker_services(settings: Settings) -> Services:
    """The services of a Celery worker process: it runs tasks and may queue follow-up ones."""
    from bookagent.queue.celery_queue import CeleryTaskQueue

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    services = _base_services(settings)
    services.queue = CeleryTaskQueue(services, fallback=None, watch=False)
    return services


def _base_services(settings: Settings) -> Services:
    return Services(
        settings=settings,
        db=build_database(settings),
        runner=AsyncRunner(),
        writers=WriterRegistry(settings),
        publishers=PublisherRegistry(settings),
    )
