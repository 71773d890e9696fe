"""The composition root: the one place that knows the concrete classes and wires them together.

`create_app`, the Celery worker, the CLI and the tests all call `build_services(settings)`.
Nothing here runs at import time, and the tasks are imported only when services are built (a CLI
command that imports this module to reach the database does not load them). Likewise the broker
client (redis) is imported only when `auto` has to ping the broker, and Celery only when the
Celery backend is chosen: a process on the thread pool never loads Celery.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bookagent.db.session import Database
from bookagent.publishers.registry import PublisherRegistry
from bookagent.queue.runner import AsyncRunner
from bookagent.queue.scheduler import SCHEDULER_NAME
from bookagent.queue.scheduler import InProcessScheduler
from bookagent.services import Services
from bookagent.services import StartableQueue
from bookagent.settings import Settings
from bookagent.storage.local import LocalMediaStore
from bookagent.writers.registry import WriterRegistry

if TYPE_CHECKING:
    from celery import Celery

# `Services` and `StartableQueue` live in `bookagent.services`; they are re-exported here for the
# code (and tests) that import them from the composition root.
__all__ = [
    "Services",
    "StartableQueue",
    "build_base_services",
    "build_database",
    "build_queue",
    "build_services",
    "build_worker_app",
    "build_worker_services",
    "choose_backend",
]

log = logging.getLogger(__name__)


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
    from bookagent.queue.broker import ping_broker

    reason = ping_broker(settings.queue.broker_url, settings.queue.broker_ping_timeout_s)
    if reason is None:
        return "celery", None
    return "thread", reason


def build_queue(services: Services) -> StartableQueue:
    """The configured queue backend (not started)."""
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
        from bookagent.queue.celery_queue import CeleryTaskQueue

        return CeleryTaskQueue(services, fallback=pool)
    return pool


def build_services(settings: Settings, *, start_queue: bool = True) -> Services:
    """Build (and by default start) the services of a web or CLI process.

    On the thread-pool backend the in-process scheduler starts too; with Celery, `bookagent beat`
    does the scheduling.
    """
    from bookagent.tasks.scheduling import run_tick

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    services = build_base_services(settings)
    services.queue = build_queue(services)
    if start_queue:
        queue = services.queue
        queue.start()
        if queue.backend == "thread_pool":
            services.scheduler = InProcessScheduler(
                lambda: run_tick(services, queue, scheduler=SCHEDULER_NAME, backend="thread_pool"),
                interval_s=settings.queue.scheduler_interval_s,
            )
            services.scheduler.start()
    return services


def build_worker_services(settings: Settings) -> Services:
    """The services of a Celery worker process: it runs tasks and may queue follow-up ones."""
    from bookagent.queue.celery_queue import CeleryTaskQueue

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    services = build_base_services(settings)
    services.queue = CeleryTaskQueue(services, fallback=None, watch=False)
    return services


def build_worker_app(settings: Settings) -> Celery:
    """The app of `bookagent worker` and `bookagent beat`: every task of the registry, each child
    process building its own services."""
    from bookagent.queue.celery_app import create_worker_app
    from bookagent.tasks.registry import TASKS

    return create_worker_app(settings, TASKS, build_worker_services)


def build_base_services(settings: Settings) -> Services:
    """Services without a queue or a scheduler (`bookagent doctor`; the builders above)."""
    from bookagent.tasks.registry import TASKS

    return Services(
        settings=settings,
        db=build_database(settings),
        runner=AsyncRunner(),
        writers=WriterRegistry(settings),
        publishers=PublisherRegistry(settings),
        tasks=TASKS,
        media=LocalMediaStore(settings.media_dir or settings.data_dir / "media"),
    )
