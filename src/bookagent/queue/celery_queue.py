"""The Celery backend: send tasks by name to Redis; fall back to the thread pool if it drops."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bookagent.domain.ports import QueueHealth
from bookagent.domain.ports import TaskRequest
from bookagent.errors import ServiceUnavailableError
from bookagent.queue.broker import QUEUE_NAME
from bookagent.queue.broker import BrokerMonitor
from bookagent.queue.ports import QueueServices
from bookagent.queue.ports import task_row
from bookagent.queue.ports import task_rows
from bookagent.queue.records import TaskStore
from bookagent.queue.thread_queue import ThreadPoolTaskQueue
from bookagent.settings import HARD_LIMIT_MARGIN_S

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)

BACKEND = "celery"
#: Messages per pipelined publish in `submit_many`: one Redis round trip for each batch.
SEND_BATCH = 500


class CeleryTaskQueue:
    """Sends tasks to Celery workers through Redis; rows are written before sending."""

    backend = BACKEND

    def __init__(
        self, services: QueueServices, fallback: ThreadPoolTaskQueue | None, *, watch: bool = True
    ) -> None:
        settings = services.settings
        self.services = services
        self.settings = settings
        self.store = TaskStore(services.db)
        self._app: Celery | None = None
        self._app_lock = threading.Lock()
        self.fallback = fallback
        # A worker submits follow-up tasks from inside a task: its broker is up by definition,
        # so it does not watch it (and has no thread pool to fall back to).
        self.watch = watch
        self.monitor = BrokerMonitor(
            lambda: self.app,
            settings.queue.broker_url,
            QUEUE_NAME,
            ping_timeout_s=min(settings.queue.broker_ping_timeout_s, 1.0),
            inspect_timeout_s=settings.queue.inspect_timeout_s,
            inspect_every_s=settings.queue.inspect_cache_s,
        )

    @property
    def app(self) -> Celery:
        """The Celery app, made (and Celery imported) on first use, not at the server's start."""
        if self._app is None:
            with self._app_lock:
                if self._app is None:
                    from bookagent.queue.celery_app import make_celery

                    self._app = make_celery(self.settings)
        return self._app

    def start(self) -> None:
        """Take a first reading, then keep watching the broker and workers."""
        if self.watch:
            self.monitor.check_now()
            self.monitor.start()
        if self.fallback is not None:
            self.fallback.start()

    def shutdown(self, timeout_s: float) -> None:
        """Stop the monitor and the fallback pool."""
        self.monitor.stop()
        if self.fallback is not None:
            self.fallback.shutdown(timeout_s)

    def submit(
        self,
        name: str,
        kwargs: Mapping[str, Any],
        *,
        user_id: str | None,
        time_limit_s: float | None = None,
    ) -> str:
        """Write the row, then send the task; if the broker is down, fall back or answer 503."""
        row = task_row(self.services, TaskRequest(name, kwargs, user_id, time_limit_s))
        task_id: str = row["id"]
        limit: float = row["time_limit_s"]
        state = self.monitor.snapshot()
        if self.watch and not state.broker_ok:
            return self._broker_down(name, kwargs, user_id, limit, state.broker_error)
        self.store.create_row(row, backend=BACKEND)
        try:
            self._send(name, kwargs, task_id, limit)
        except Exception as exc:  # kombu/redis raise many types; any failure to publish counts
            log.warning("publish failed task_id=%s: %s", task_id, type(exc).__name__)
            self.monitor.check_now()
            if self.settings.queue.on_broker_down == "error" or self.fallback is None:
                self.store.fail(task_id, "BrokerUnavailable", "The task could not be queued.")
                raise ServiceUnavailableError(
                    "The task broker is unavailable; the task was not queued."
                ) from None
            self.fallback.adopt(task_id, name, kwargs)
        return task_id

    def submit_many(self, requests: Sequence[TaskRequest]) -> list[str]:
        """Write every row in one transaction, then send the messages through one producer, a
        pipelined Redis round trip per `SEND_BATCH`; if the broker is down, fall back (or
        answer 503) as `submit` does. Each message is a task of its own: workers share them."""
        if not requests:
            return []
        rows = task_rows(self.services, requests)
        state = self.monitor.snapshot()
        if self.watch and not state.broker_ok:
            if self.settings.queue.on_broker_down == "error" or self.fallback is None:
                raise ServiceUnavailableError(
                    f"The task broker is unavailable ({state.broker_error}); the tasks were not "
                    "queued."
                )
            log.info("broker down, running %d tasks on the thread pool", len(rows))
            return self.fallback.submit_many(
                [
                    TaskRequest(
                        row["name"],
                        row["kwargs"],
                        user_id=row["user_id"],
                        time_limit_s=row["time_limit_s"],
                        task_id=row["id"],
                    )
                    for row in rows
                ]
            )
        self.store.create_many(rows, backend=BACKEND)
        sent = 0
        try:
            with self.app.producer_or_acquire() as producer:
                for start in range(0, len(rows), SEND_BATCH):
                    chunk = rows[start : start + SEND_BATCH]
                    with _pipelined(producer, len(chunk)):
                        for index, row in enumerate(chunk, start=start):
                            # The first message declares the queue; the rest need not ask again.
                            options: dict[str, Any] = {"declare": []} if index else {}
                            self._send(
                                row["name"],
                                row["kwargs"],
                                row["id"],
                                row["time_limit_s"],
                                producer=producer,
                                # What Celery logs of the call, as a plain repr: its saferepr of
                                # each message would cost more than the rest of the send.
                                argsrepr="()",
                                kwargsrepr=repr(row["kwargs"]),
                                **options,
                            )
                    sent = start + len(chunk)
        except Exception as exc:  # kombu/redis raise many types; any failure to publish counts
            unsent = rows[sent:]
            log.warning(
                "publish failed for %d of %d tasks: %s", len(unsent), len(rows), type(exc).__name__
            )
            self.monitor.check_now()
            if self.settings.queue.on_broker_down == "error" or self.fallback is None:
                for row in unsent:
                    self.store.fail(row["id"], "BrokerUnavailable", "The task could not be queued.")
                raise ServiceUnavailableError(
                    f"The task broker is unavailable; {len(unsent)} of {len(rows)} tasks were not "
                    "queued."
                ) from None
            for row in unsent:
                self.fallback.adopt(row["id"], row["name"], row["kwargs"])
        return [row["id"] for row in rows]

    def _send(
        self,
        name: str,
        kwargs: Mapping[str, Any],
        task_id: str,
        limit: float,
        **options: Any,
    ) -> None:
        self.app.send_task(
            name,
            kwargs=dict(kwargs),
            task_id=task_id,
            queue=QUEUE_NAME,
            soft_time_limit=limit,
            time_limit=limit + HARD_LIMIT_MARGIN_S,
            # Celery reads ignore_result from the call, not from the config: without it a
            # publish subscribes on the result backend and hangs while Redis is down.
            ignore_result=True,
            **options,
        )

    def _broker_down(
        self,
        name: str,
        kwargs: Mapping[str, Any],
        user_id: str | None,
        limit: float,
        reason: str | None,
    ) -> str:
        if self.settings.queue.on_broker_down == "error" or self.fallback is None:
            raise ServiceUnavailableError(
                f"The task broker is unavailable ({reason}); the task was not queued."
            )
        log.info("broker down, running %s on the thread pool", name)
        return self.fallback.submit(name, kwargs, user_id=user_id, time_limit_s=limit)

    def revoke(self, task_id: str, *, terminate: bool) -> None:
        """Tell the workers (best effort: the row, already flagged, is what holds)."""
        row = self.store.find(task_id)
        if row is not None and row.backend != BACKEND:
            if self.fallback is not None:
                self.fallback.revoke(task_id, terminate=terminate)
            return
        if not self.monitor.snapshot().broker_ok:
            return
        try:
            self.app.control.revoke(task_id, terminate=terminate, signal="SIGTERM")
        except Exception as exc:  # the row check before execution still stops it
            log.warning("revoke broadcast failed task_id=%s: %s", task_id, type(exc).__name__)
        if terminate:
            self.store.mark_revoked(task_id)

    def stats(self) -> dict[str, Any]:
        """Celery's figures from the monitor's last readings, plus the fallback pool's."""
        state = self.monitor.snapshot()
        celery = {
            "available": state.broker_ok and bool(state.workers),
            "broker_ok": state.broker_ok,
            "workers": state.workers,
            "registered_tasks": state.registered,
            "reserved_tasks": state.reserved,
            "scheduled_tasks": state.scheduled,
            "queue_length": state.queue_length,
        }
        pool = self.fallback.pool_stats() if self.fallback is not None else {}
        return {"backend": BACKEND, "thread_pool": pool, "celery": celery}

    def health(self) -> QueueHealth:
        """Degraded when the broker is down or no worker answers."""
        state = self.monitor.snapshot()
        try:
            active: int | None = self.store.count_active()
        except SQLAlchemyError:
            active = None  # the database check reports the outage
        status: dict[str, Any] = {
            "type": BACKEND if state.broker_ok else "thread_pool",
            "active_tasks": active,
        }
        reason = None
        if not state.broker_ok:
            reason = (
                f"{state.broker_error}; submitting to the thread pool"
                if self.settings.queue.on_broker_down == "fallback"
                else state.broker_error
            )
        elif not state.workers:
            reason = "no Celery worker answered"
        if reason:
            status["fallback_reason"] = reason
        return QueueHealth(
            degraded=reason is not None,
            broker={"ok": state.broker_ok, "detail": state.broker_error or "redis answers"},
            workers={
                "ok": bool(state.workers),
                "type": BACKEND,
                "count": len(state.workers),
                "names": state.workers,
            },
            task_queue_status=status,
        )


def _pipelined(producer: Any, size: int) -> contextlib.AbstractContextManager[Any]:
    """kombu's publish batch on this producer (a Redis pipeline flushed when the block ends, or
    discarded if it raises); plain one-by-one publishing where kombu has no batches."""
    batch = getattr(producer, "batch", None)
    if batch is None:
        return contextlib.nullcontext()
    # Room for the expiry command a queue with `expires` adds beside each LPUSH.
    pipeline: contextlib.AbstractContextManager[Any] = batch(max_size=2 * size)
    return pipeline
