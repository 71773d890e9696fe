"""What the queue needs of the process's services, as a Protocol.

`bookagent.services.Services` satisfies it; the queue never imports that module (it sits above
the queue: it holds the queue), so the composition root is the only place that joins them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any
from typing import Protocol

from bookagent.db.session import Database
from bookagent.domain.ports import TaskQueue
from bookagent.domain.ports import TaskRequest
from bookagent.domain.tasks import TaskRegistry
from bookagent.settings import Settings


class QueueServices(Protocol):
    """The settings, the database, the task registry and (to submit follow-ups) the queue."""

    @property
    def settings(self) -> Settings:
        """The process's settings."""
        ...

    @property
    def db(self) -> Database:
        """The database holding the task rows."""
        ...

    @property
    def tasks(self) -> TaskRegistry:
        """The task specs by name."""
        ...

    def require_queue(self) -> TaskQueue:
        """The task queue; raises in a process built without one."""
        ...


def task_rows(services: QueueServices, requests: Sequence[TaskRequest]) -> list[dict[str, Any]]:
    """The rows `TaskStore.create_many` inserts for a batch, one `task_row` a request. An
    unknown task name raises before anything is written."""
    return [task_row(services, request) for request in requests]


def task_row(services: QueueServices, request: TaskRequest) -> dict[str, Any]:
    """The row `TaskStore.create_row` inserts for a request: its id (its own, or a new one),
    name, kwargs, user, time limit (its own, or the task's configured one) and whether the task
    is idempotent. An unknown task name raises."""
    spec = services.tasks.get(request.name)
    return {
        "id": request.task_id or uuid.uuid4().hex,
        "name": request.name,
        "kwargs": dict(request.kwargs),
        "user_id": request.user_id,
        "time_limit_s": request.time_limit_s or spec.time_limit_s(services.settings),
        "idempotent": spec.idempotent,
    }
