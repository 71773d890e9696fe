"""Task operations for callers: read a task, list active ones, revoke, stats, submit.

Ownership rules live here: a user sees and revokes only their own tasks; an admin sees all and
is the only one who can revoke another user's task.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

from bookagent.domain.identity import Caller
from bookagent.errors import NotFoundError
from bookagent.errors import PermissionDeniedError
from bookagent.queue.ports import QueueServices
from bookagent.queue.records import TaskStore
from bookagent.queue.task_view import TaskView


def get_task(services: QueueServices, caller: Caller, task_id: str) -> TaskView:
    """The task, if the caller may see it (another user's task is 'not found')."""
    row = TaskStore(services.db).find(task_id)
    if row is None or not (caller.is_admin or row.user_id == caller.user_id):
        raise NotFoundError(f"No task with id {task_id}.")
    return row


def list_active(services: QueueServices, caller: Caller, user_id: str | None) -> list[TaskView]:
    """Active tasks: the caller's own, or (admin) everyone's or one user's."""
    if user_id and not caller.can_act_for(user_id):
        raise PermissionDeniedError("This token cannot see that user's tasks.")
    owner = user_id or (None if caller.is_admin else caller.user_id)
    return TaskStore(services.db).active(owner)


def list_recent(services: QueueServices, caller: Caller, limit: int) -> list[TaskView]:
    """The latest finished tasks: the caller's own, or (admin) everyone's."""
    owner = None if caller.is_admin else caller.user_id
    return TaskStore(services.db).recent_finished(owner, limit)


def revoke_task(
    services: QueueServices, caller: Caller, task_id: str, *, terminate: bool
) -> tuple[TaskView, str]:
    """Flag the row revoked (so it never runs), then tell the backend. 409 if finished."""
    row = get_task(services, caller, task_id)
    if not caller.is_admin and row.user_id != caller.user_id:
        raise PermissionDeniedError("Only an admin can revoke another user's task.")
    store = TaskStore(services.db)
    _, previous = store.request_revoke(task_id, terminate=terminate)
    services.require_queue().revoke(task_id, terminate=terminate)
    return store.get(task_id), previous


def submit_task(
    services: QueueServices,
    name: str,
    kwargs: Mapping[str, Any],
    *,
    user_id: str | None,
    time_limit_s: float | None = None,
) -> str:
    """Queue a task on the configured backend and return its id."""
    return services.require_queue().submit(name, kwargs, user_id=user_id, time_limit_s=time_limit_s)


_stats_lock = threading.Lock()
_stats_cache: dict[int, tuple[float, dict[str, Any]]] = {}


def task_stats(services: QueueServices) -> dict[str, Any]:
    """Stats for /api/tasks/stats: backend figures, and counts from the task rows.

    The row aggregates scan the whole table, so they are reused for `queue.stats_cache_s`
    seconds; the backend figures are always current.
    """
    ttl_s = services.settings.queue.stats_cache_s
    key, now = id(services.db), time.monotonic()
    with _stats_lock:
        cached = _stats_cache.get(key)
    if cached is not None and now - cached[0] < ttl_s:
        rows = cached[1]
    else:
        rows = TaskStore(services.db).stats()
        with _stats_lock:
            _stats_cache[key] = (now, rows)
    return {**services.require_queue().stats(), "tasks": rows}
