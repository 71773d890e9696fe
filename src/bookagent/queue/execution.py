"""Running one task: claim its row, call its function with a context, record the outcome.

The same code runs on Celery, on the thread pool and inline, so a task behaves the same
everywhere: a revoked or finished row is skipped, an exception is FAILURE (never SUCCESS), and a
time limit is FAILURE with `TimeLimitExceeded`.

The context and the spec are the domain's (`bookagent.domain.tasks`): the queue runs whatever
spec it is given and never imports the task functions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bookagent.domain.tasks import TaskContext
from bookagent.domain.tasks import TaskSpec
from bookagent.errors import BookAgentError
from bookagent.logs import task_id_var
from bookagent.queue.ports import QueueServices
from bookagent.queue.records import TaskStore
from bookagent.queue.signals import CancellationToken
from bookagent.queue.signals import TaskCancelled
from bookagent.queue.signals import TimeLimitExceeded
from bookagent.states import TaskState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """How a run ended: the final status, or `skipped` with the reason."""

    status: str
    reason: str = ""


def run_task(
    services: QueueServices,
    spec: TaskSpec,
    task_id: str,
    kwargs: Mapping[str, Any],
    *,
    worker: str,
    token: CancellationToken | None = None,
    time_limit_errors: tuple[type[BaseException], ...] = (),
) -> Outcome:
    """Claim and run one task; record SUCCESS, FAILURE or REVOKED on its row.

    `time_limit_errors` are the exceptions a queue raises into the task at its time limit
    (Celery's soft limit): FAILURE with `TimeLimitExceeded`, wherever they land.
    """
    store = TaskStore(services.db)
    try:
        return _claim_and_run(
            store, services, spec, task_id, kwargs, worker, token, time_limit_errors
        )
    except time_limit_errors:
        # Celery's soft limit is a signal, timed by the pool from when the task started: it can
        # land after the task's own deadline raised, while that outcome is being recorded, and
        # so outside the handlers that catch it in the task. It is sent once: this record of
        # the failure is not interrupted.
        limit = store.get(task_id).time_limit_s
        return _time_limit(store, spec, task_id, limit)


def _claim_and_run(
    store: TaskStore,
    services: QueueServices,
    spec: TaskSpec,
    task_id: str,
    kwargs: Mapping[str, Any],
    worker: str,
    token: CancellationToken | None,
    time_limit_errors: tuple[type[BaseException], ...],
) -> Outcome:
    claim = store.claim(task_id, worker)
    if not claim.run:
        log.info("task skipped task_id=%s name=%s reason=%s", task_id, spec.name, claim.reason)
        return Outcome("skipped", claim.reason)
    if token is None:
        token = CancellationToken()
    token.attach(
        deadline=time.monotonic() + claim.time_limit_s,
        poll=lambda: store.is_revoked(task_id),
    )
    context: TaskContext[QueueServices] = TaskContext(
        task_id, services, store, token, claim.attempts
    )
    reset = task_id_var.set(task_id)
    started = time.monotonic()
    try:
        result = spec.fn(context, **kwargs)
    except TaskCancelled:
        if token.reason == "shutdown":
            # The process is stopping: the queue's shutdown marks or re-queues the row.
            return Outcome("interrupted", "shutdown")
        store.mark_revoked(task_id)
        log.info("task revoked while running task_id=%s name=%s", task_id, spec.name)
        return Outcome(TaskState.REVOKED)
    except TimeLimitExceeded:
        return _time_limit(store, spec, task_id, claim.time_limit_s)
    except BaseException as exc:
        if isinstance(exc, time_limit_errors):
            return _time_limit(store, spec, task_id, claim.time_limit_s)
        if not isinstance(exc, Exception):
            # SystemExit / KeyboardInterrupt: the process is going away; recovery will see the row.
            raise
        message = exc.message if isinstance(exc, BookAgentError) else str(exc) or repr(exc)
        store.fail(task_id, type(exc).__name__, message)
        log.warning(
            "task failed task_id=%s name=%s error=%s: %s",
            task_id,
            spec.name,
            type(exc).__name__,
            message,
        )
        return Outcome(TaskState.FAILURE, type(exc).__name__)
    finally:
        task_id_var.reset(reset)
    store.succeed(task_id, result)
    log.info(
        "task succeeded task_id=%s name=%s duration_s=%.3f",
        task_id,
        spec.name,
        time.monotonic() - started,
    )
    return Outcome(TaskState.SUCCESS)


def _time_limit(store: TaskStore, spec: TaskSpec, task_id: str, limit_s: float) -> Outcome:
    store.fail(task_id, "TimeLimitExceeded", f"The task exceeded its time limit of {limit_s:g} s.")
    log.warning(
        "task time limit exceeded task_id=%s name=%s limit_s=%s", task_id, spec.name, limit_s
    )
    return Outcome(TaskState.FAILURE, "TimeLimitExceeded")
