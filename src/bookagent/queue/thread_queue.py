"""The embedded backend: a bounded ThreadPoolExecutor that runs the same tasks, same rows.

A monitor thread refreshes the heartbeat of the rows this process owns, ends rows that overran
their time limit, and recovers rows left behind by a process that died: idempotent tasks are
re-queued, the rest end FAILURE with `Interrupted`. Nothing stays "running" for ever.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bookagent.db.base import utcnow
from bookagent.domain.ports import QueueHealth
from bookagent.domain.ports import TaskRequest
from bookagent.errors import ServiceUnavailableError
from bookagent.queue.execution import run_task
from bookagent.queue.ownership import is_owner_dead
from bookagent.queue.ownership import owner_id
from bookagent.queue.ports import QueueServices
from bookagent.queue.ports import task_row
from bookagent.queue.ports import task_rows
from bookagent.queue.records import TaskStore
from bookagent.queue.signals import CancellationToken

log = logging.getLogger(__name__)

BACKEND = "thread_pool"
MAX_RECOVERY_ATTEMPTS = 3
CELERY_UNUSED: dict[str, Any] = {
    "available": False,
    "workers": [],
    "registered_tasks": {},
    "reserved_tasks": 0,
    "scheduled_tasks": 0,
    "queue_length": None,
}


class ThreadPoolTaskQueue:
    """Runs tasks on a bounded pool of threads in this process."""

    backend = BACKEND

    def __init__(
        self,
        services: QueueServices,
        *,
        max_workers: int,
        fallback_reason: str | None = None,
        monitor_interval_s: float = 5.0,
        stale_after_s: float = 60.0,
    ) -> None:
        self.services = services
        self.store = TaskStore(services.db)
        self.max_workers = max_workers
        self.fallback_reason = fallback_reason
        self.owner = owner_id(BACKEND)
        self._executor = ThreadPoolExecutor(max_workers, thread_name_prefix="bookagent-task")
        self._futures: dict[str, Future[Any]] = {}
        self._tokens: dict[str, CancellationToken] = {}
        self._running: set[str] = set()
        self._lock = threading.Lock()
        self._accepting = True
        self._stop = threading.Event()
        self._stale_after_s = stale_after_s
        self._monitor_interval_s = monitor_interval_s
        self._monitor: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Recover what a dead process left behind, then start the monitor thread."""
        self.recover()
        if self._monitor is None:
            self._monitor = threading.Thread(
                target=self._monitor_loop, name="bookagent-task-monitor", daemon=True
            )
            self._monitor.start()

    def shutdown(self, timeout_s: float) -> None:
        """Stop taking work, wait up to `timeout_s`, then interrupt and mark what remains."""
        self._accepting = False
        with self._lock:
            futures = list(self._futures.values())
        wait(futures, timeout=timeout_s)
        with self._lock:
            for token in self._tokens.values():
                token.cancel("shutdown")
        wait(futures, timeout=2.0)
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._stop.set()
        try:
            self._mark_interrupted(self.store.owned_by(BACKEND, [self.owner]), requeue=False)
        except SQLAlchemyError as exc:
            # The next process's recovery will find these rows by their dead owner.
            log.warning("could not mark unfinished tasks at shutdown: %s", type(exc).__name__)

    # -- the TaskQueue port ----------------------------------------------------------------

    def submit(
        self,
        name: str,
        kwargs: Mapping[str, Any],
        *,
        user_id: str | None,
        time_limit_s: float | None = None,
        task_id: str | None = None,
    ) -> str:
        """Record a PENDING row and queue it on the pool."""
        if not self._accepting:
            raise ServiceUnavailableError("The service is shutting down; try again shortly.")
        row = task_row(self.services, TaskRequest(name, kwargs, user_id, time_limit_s, task_id))
        self.store.create_row(row, backend=BACKEND, worker=self.owner)
        self._enqueue(row["id"], name, dict(kwargs))
        return str(row["id"])

    def submit_many(self, requests: Sequence[TaskRequest]) -> list[str]:
        """Record PENDING rows for the whole batch in one transaction, then queue each."""
        if not self._accepting:
            raise ServiceUnavailableError("The service is shutting down; try again shortly.")
        rows = task_rows(self.services, requests)
        self.store.create_many(rows, backend=BACKEND, worker=self.owner)
        for row in rows:
            self._enqueue(row["id"], row["name"], dict(row["kwargs"]))
        return [row["id"] for row in rows]

    def adopt(self, task_id: str, name: str, kwargs: Mapping[str, Any]) -> None:
        """Run a row created for another backend (the broker fell over during submit)."""
        self.store.set_backend(task_id, BACKEND, self.owner)
        self._enqueue(task_id, name, dict(kwargs))

    def revoke(self, task_id: str, *, terminate: bool) -> None:
        """Stop a running task of this process at its next checkpoint (the row is flagged)."""
        if not terminate:
            return
        with self._lock:
            token = self._tokens.get(task_id)
        if token is not None:
            token.cancel("revoked")

    def stats(self) -> dict[str, Any]:
        """Backend figures for /api/tasks/stats."""
        return {"backend": BACKEND, "thread_pool": self.pool_stats(), "celery": CELERY_UNUSED}

    def pool_stats(self) -> dict[str, Any]:
        """The pool's own figures."""
        with self._lock:
            tracked = len(self._futures)
            running = len(self._running)
        return {
            "max_workers": self.max_workers,
            "active_tasks": running,
            "queued": max(tracked - running, 0),
            "total_tracked": tracked,
        }

    def health(self) -> QueueHealth:
        """Healthy when chosen on purpose; degraded when it is a fallback from Celery."""
        stats = self.pool_stats()
        status: dict[str, Any] = {"type": BACKEND, "active_tasks": stats["active_tasks"]}
        if self.fallback_reason:
            status["fallback_reason"] = self.fallback_reason
        broker = (
            {"ok": False, "detail": self.fallback_reason}
            if self.fallback_reason
            else {"ok": True, "detail": "not used: the thread-pool backend was chosen"}
        )
        return QueueHealth(
            degraded=self.fallback_reason is not None,
            broker=broker,
            workers={
                "ok": self._accepting,
                "type": BACKEND,
                "count": 1,
                "max_workers": self.max_workers,
            },
            task_queue_status=status,
        )

    # -- internals -------------------------------------------------------------------------

    def _enqueue(self, task_id: str, name: str, kwargs: dict[str, Any]) -> None:
        token = CancellationToken()
        with self._lock:
            self._tokens[task_id] = token
            self._futures[task_id] = self._executor.submit(self._run, task_id, name, kwargs, token)

    def _run(
        self, task_id: str, name: str, kwargs: dict[str, Any], token: CancellationToken
    ) -> None:
        with self._lock:
            self._running.add(task_id)
        try:
            run_task(
                self.services,
                self.services.tasks.get(name),
                task_id,
                kwargs,
                worker=self.owner,
                token=token,
            )
        except Exception:
            log.exception("task runner crashed task_id=%s", task_id)
        finally:
            with self._lock:
                self._running.discard(task_id)
                self._tokens.pop(task_id, None)
                self._futures.pop(task_id, None)

    def _monitor_loop(self) -> None:
        while not self._stop.wait(self._monitor_interval_s):
            try:
                self.heartbeat()
                self.sweep_overdue()
                self.recover()
            except Exception:  # the monitor must outlive a database hiccup; it retries next tick
                log.exception("task monitor tick failed")

    def heartbeat(self) -> None:
        """Refresh the heartbeat of every row this process owns."""
        with self._lock:
            owned = list(self._futures)
        self.store.touch(owned)

    def sweep_overdue(self) -> None:
        """End rows that ran past their time limit; stop our own at their next checkpoint."""
        for row in self.store.overdue(BACKEND, utcnow()):
            with self._lock:
                token = self._tokens.get(row.id)
            if token is not None:
                token.cancel("time limit")
            if self.store.fail(
                row.id,
                "TimeLimitExceeded",
                f"The task exceeded its time limit of {row.time_limit_s:g} s.",
            ):
                log.warning("task overran its time limit task_id=%s name=%s", row.id, row.name)

    def recover(self) -> None:
        """Re-queue or fail the active rows of processes that died."""
        cutoff = utcnow() - timedelta(seconds=self._stale_after_s)
        with self._lock:
            mine = set(self._futures)
        orphans = [row for row in self.store.stale(BACKEND, cutoff) if row.id not in mine]
        orphans += [
            row
            for row in self.store.owned_by(BACKEND, self._dead_owners())
            if row.id not in mine and row not in orphans
        ]
        self._mark_interrupted(orphans, requeue=True)

    def _dead_owners(self) -> list[str]:
        return [
            owner
            for owner in self.store.active_owners(BACKEND)
            if owner != self.owner and is_owner_dead(owner)
        ]

    def _mark_interrupted(self, rows: list[Any], *, requeue: bool) -> None:
        seen: set[str] = set()
        for row in rows:
            if row.id in seen:
                continue
            seen.add(row.id)
            can_requeue = row.idempotent and row.attempts < MAX_RECOVERY_ATTEMPTS
            if requeue and can_requeue and self._accepting:
                if self.store.requeue(row.id, self.owner, previous_owner=row.worker):
                    log.info("re-queued interrupted task task_id=%s name=%s", row.id, row.name)
                    self._enqueue(row.id, row.name, dict(row.kwargs))
            elif not requeue and can_requeue:
                # Shutting down: leave an idempotent row PENDING for the next process to recover.
                self.store.requeue(row.id, self.owner, previous_owner=row.worker)
            elif self.store.fail(
                row.id, "Interrupted", "The process running this task stopped before it finished."
            ):
                log.warning("task interrupted task_id=%s name=%s", row.id, row.name)
