"""What a task is, framework-free: its spec, the registry of specs, and the context it runs in.

The task functions (`bookagent.tasks`) take a `TaskContext`; the queue (`bookagent.queue`) builds
one and looks specs up in a `TaskRegistry` that the composition root hands it, so the queue never
imports the tasks and the tasks never import the queue's execution code.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from typing import Generic
from typing import Protocol
from typing import TypeVar

from bookagent.errors import InvalidInputError

TaskFunction = Callable[..., dict[str, Any]]

S = TypeVar("S")


class HasTimeouts(Protocol):
    """The settings a spec reads its time limit from (`bookagent.settings.Settings` is one)."""

    @property
    def timeouts(self) -> object:
        """The configured time limits, one attribute per setting name."""
        ...


class ProgressStore(Protocol):
    """Where a running task's progress goes (the task row)."""

    def progress(self, task_id: str, current: int, total: int, message: str | None) -> None:
        """Record progress."""
        ...


class Cancellation(Protocol):
    """What a running task checks between steps (revoked, terminated or out of time)."""

    def raise_if_cancelled(self) -> None:
        """Raise if the task must stop now."""
        ...

    def sleep(self, seconds: float) -> None:
        """Sleep, waking early (and raising) on cancellation or the deadline."""
        ...


@dataclass(frozen=True)
class TaskSpec:
    """A task: its stable name, its function, whether a rerun is safe, and its time limit."""

    name: str
    fn: TaskFunction
    idempotent: bool
    time_limit_setting: str = "default_task_s"
    # Sent by Celery beat, which writes no task row: the worker records one when it runs.
    periodic: bool = False

    def time_limit_s(self, settings: HasTimeouts) -> float:
        """The configured time limit for this task."""
        return float(getattr(settings.timeouts, self.time_limit_setting))


class TaskRegistry:
    """The task specs by name; every backend looks tasks up in the same one."""

    def __init__(self, specs: Iterable[TaskSpec]) -> None:
        self._specs: dict[str, TaskSpec] = {spec.name: spec for spec in specs}

    def get(self, name: str) -> TaskSpec:
        """The task called `name`, or InvalidInputError."""
        try:
            return self._specs[name]
        except KeyError:
            raise InvalidInputError(f"Unknown task name {name!r}.") from None

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[TaskSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)


@dataclass
class TaskContext(Generic[S]):
    """What a task function gets besides its kwargs: services, progress and cancellation.

    `S` is the services type; `bookagent.tasks.context.TaskContext` fixes it to `Services`.
    """

    task_id: str
    services: S
    store: ProgressStore
    token: Cancellation
    attempt: int

    def progress(self, current: int, total: int, message: str | None = None) -> None:
        """Report progress (it never moves backwards), then stop here if revoked."""
        self.store.progress(self.task_id, current, total, message)
        self.token.raise_if_cancelled()

    def checkpoint(self) -> None:
        """Stop here if the task was revoked with terminate or ran out of time."""
        self.token.raise_if_cancelled()
