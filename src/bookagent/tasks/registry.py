"""The one registry of task names: stable strings `bookagent.<verb>_<noun>`, listed explicitly.

The composition root (`bookagent.bootstrap`) hands this one registry to every backend (the web
process, the Celery worker, the thread pool), so they cannot disagree on names (the original
service's web process and worker did). The queue never imports this module.
"""

from __future__ import annotations

from bookagent.domain.tasks import TaskRegistry
from bookagent.domain.tasks import TaskSpec
from bookagent.tasks import daily
from bookagent.tasks import diagnostics
from bookagent.tasks import generation
from bookagent.tasks import publishing
from bookagent.tasks import reports
from bookagent.tasks import retention
from bookagent.tasks import scheduling

TASKS = TaskRegistry(
    (
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
        TaskSpec(retention.PRUNE_TASK, retention.prune_old_rows, idempotent=True, periodic=True),
    )
)


def get_spec(name: str) -> TaskSpec:
    """The task called `name`, or InvalidInputError."""
    return TASKS.get(name)
