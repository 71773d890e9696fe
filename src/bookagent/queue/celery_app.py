"""The Celery app: configuration, the task bodies (one per registry name), and the worker entry.

The web process uses the app only to send tasks by name; the worker registers a body for every
name in the task registry it is given (`bookagent.bootstrap.build_worker_app` gives it
`bookagent.tasks.registry.TASKS`) and runs it through `run_task`, like the thread pool.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init

from bookagent.domain.tasks import TaskRegistry
from bookagent.domain.tasks import TaskSpec
from bookagent.queue import broker
from bookagent.queue.execution import run_task
from bookagent.queue.ports import QueueServices
from bookagent.queue.records import TaskStore
from bookagent.settings import Settings

log = logging.getLogger(__name__)

QUEUE_NAME = broker.QUEUE_NAME


class TaskFailedError(Exception):
    """Raised by a Celery task body after its row was marked FAILURE, so Celery sees it too."""


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery settings; each one that is not a default says why in a comment."""
    queue = settings.queue
    return {
        "broker_url": queue.broker_url,
        "result_backend": settings.result_backend_url,
        # The task row is the truth; results in Redis would only be a second copy.
        "task_ignore_result": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_default_queue": QUEUE_NAME,
        # At-least-once: ack after the task ran, and requeue it if its worker process dies.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_track_started": True,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 2.0,
        "broker_transport_options": {
            # Redis redelivers an unacked message after this long, so it must outlast the
            # longest hard time limit or a long task would run twice.
            # https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html
            "visibility_timeout": settings.visibility_timeout_s,
            # Sweep for abandoned messages every 10 s (kombu's default is ~100 s).
            "unacked_restore_interval": 10,
            "unacked_restore_throttle": 1,
            "socket_timeout": 5.0,
            "socket_connect_timeout": 2.0,
        },
        "redis_socket_timeout": 5.0,
        "redis_socket_connect_timeout": 2.0,
        # A publish to a dead broker fails fast so submit can fall back instead of hanging.
        "task_publish_retry_policy": {
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.2,
        },
        "worker_concurrency": queue.concurrency,
        "worker_hijack_root_logger": False,
        "worker_send_task_events": queue.send_task_events,
        "task_send_sent_event": queue.send_task_events,
        "beat_schedule": beat_schedule(settings),
    }


#: The periodic tasks Celery beat sends (the queue names them; the task registry defines them).
SCHEDULER_TICK_TASK = "bookagent.tick_scheduler"
PRUNE_TASK = "bookagent.prune_old_rows"


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """What `bookagent beat` sends: the scheduler tick every minute, the prune of old rows
    every `retention.interval_s` (a day by default)."""
    return {
        "scheduler-tick": {
            "task": SCHEDULER_TICK_TASK,
            "schedule": settings.queue.scheduler_interval_s,
        },
        "prune-old-rows": {
            "task": PRUNE_TASK,
            "schedule": settings.retention.interval_s,
        },
    }


def make_celery(settings: Settings) -> Celery:
    """A configured Celery app (no connection is made until it is used)."""
    app = Celery("bookagent")
    app.conf.update(celery_config(settings))
    return app


def _task_body(spec: TaskSpec, services: Callable[[], QueueServices]) -> Callable[..., None]:
    def body(self: Any, **kwargs: Any) -> None:
        if spec.periodic:
            built = services()
            TaskStore(built.db).ensure(
                self.request.id,
                spec.name,
                kwargs,
                backend="celery",
                time_limit_s=spec.time_limit_s(built.settings),
                idempotent=spec.idempotent,
            )
        outcome = run_task(
            services(),
            spec,
            self.request.id,
            kwargs,
            worker=f"{self.request.hostname or 'celery'}/{os.getpid()}",
            time_limit_errors=(SoftTimeLimitExceeded,),
        )
        if outcome.status == "FAILURE":
            raise TaskFailedError(f"{spec.name} failed: {outcome.reason}")

    body.__name__ = spec.name.rsplit(".", 1)[-1]
    return body


def register_tasks(app: Celery, tasks: TaskRegistry, services: Callable[[], QueueServices]) -> None:
    """Register a Celery task for every registry name."""
    for spec in tasks:
        app.task(name=spec.name, bind=True)(_task_body(spec, services))


class _WorkerServices:
    """Builds the worker's Services once per child process (after fork, never at import)."""

    def __init__(self, settings: Settings, build: Callable[[Settings], QueueServices]) -> None:
        self._settings = settings
        self._build = build
        self._services: QueueServices | None = None
        self._lock = threading.Lock()

    def __call__(self) -> QueueServices:
        with self._lock:
            if self._services is None:
                self._services = self._build(self._settings)
            return self._services

    def reset(self, **_: Any) -> None:
        """Forget what a parent process built; each child opens its own connections."""
        self._services = None


def create_worker_app(
    settings: Settings, tasks: TaskRegistry, build_services: Callable[[Settings], QueueServices]
) -> Celery:
    """The worker's Celery app, with every task of `tasks` registered; `build_services` makes
    each child process's services (the composition root passes `build_worker_services`)."""
    app = make_celery(settings)
    provider = _WorkerServices(settings, build_services)
    worker_process_init.connect(provider.reset, weak=False)
    register_tasks(app, tasks, provider)
    return app
