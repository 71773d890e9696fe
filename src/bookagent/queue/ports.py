"""What the queue needs of the process's services, as a Protocol.

`bookagent.services.Services` satisfies it; the queue never imports that module (it sits above
the queue: it holds the queue), so the composition root is the only place that joins them.
"""

from __future__ import annotations

from typing import Protocol

from bookagent.db.session import Database
from bookagent.domain.ports import TaskQueue
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
