"""The one registry of task names: stable strings `bookagent.<verb>_<noun>`, listed explicitly.

The web process, the Celery worker and the thread pool all look tasks up here, so they cannot
disagree on names (the original service's web process and worker did).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bookagent.errors import InvalidInputError
from bookagent.settings import Settings
from bookagent.tasks import daily
from bookagent.tasks import diagnostics
from bookagent.tasks import generation
from bookagent.tasks import publishing
from bookagent.tasks import reports
from bookagent.tasks import scheduling

TaskFunction = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class TaskSpec:
    """A task: its stable name, its function, whether a rerun is safe, and its time limit."""

    name: str
    fn: TaskFunction
    idempotent: bool
    time_limit_setting: str = "default_task_s"
    # Sent by Celery beat, which writes no task row: the worker records one when it runs.
    periodic: bool = False

    def time_limit_s(self, settings: Settings) -> float:
        """The configured time limit for this task."""
        return float(getattr(settings.timeouts, self.time_limit_setting))


TASKS: dict[str, TaskSpec] = {
    spec.name: spec
    for spec in (
        TaskSpec("bookagent.run_diagnostics", diagnostics.run_diagnostics, idempotent=True),
        TaskSpec("bookagent.run_noop", diagnostics.run_noop, idempotent=True),
        TaskSpec(
            "bookagent.tick_scheduler", scheduling.tick_scheduler, idempotent=True, periodic=True
        ),
        TaskSpec(
            "bookagent.generate_posts",
            generation.generate_posts,
            idempotent=True,
            time_limit_setting="generate_task_s",
        ),
        TaskSpec("bookagent.publish_due", publishing.publish_due, idempotent=True),
        TaskSpec(
            "bookagent.run_daily",
            daily.run_daily,
            idempotent=True,
            time_limit_setting="daily_task_s",
        ),
        TaskSpec(
            "bookagent.generate_weekly_report",
            reports.generate_weekly_report,
            idempotent=True,
            time_limit_setting="weekly_report_task_s",
        ),
    )
}


def get_spec(name: str) -> TaskSpec:
    """The task called `name`, or InvalidInputError."""
    try:
        return TASKS[name]
    except KeyError:
        raise InvalidInputError(f"Unknown task name {name!r}.") from None
