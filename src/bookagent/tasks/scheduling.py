"""The scheduler tick: runs every minute from Celery beat or the in-process scheduler.

A tick records its heartbeat, claims today's daily run for each running book whose run time has
come (the unique key makes a second tick a no-op) and queues it, sweeps posts stuck in
`publishing`, and queues the publication of due posts when no such task is already active.
Away from Celery (where beat sends it on its own schedule) it also queues the daily prune of old
rows when one is due (`bookagent.tasks.retention`).

It costs a fixed number of statements however many books there are: the due books are found
and claimed in bulk (`bookagent.domain.autonomous`), and their tasks are recorded and sent as
one batch (`TaskQueue.submit_many`) that is still one task per book, so the workers share the
routines out. Each claimed run names its task's id before the task exists; a tick that dies
between the claim and the queue leaves runs without a task row, which a later tick, once
`CLAIM_LEASE` has passed, takes back and queues.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from typing import Any

from bookagent.db.base import utcnow
from bookagent.domain import publishing as ledger
from bookagent.domain.autonomous import due_daily_runs
from bookagent.domain.autonomous import due_weekly_reports
from bookagent.domain.autonomous import zone_clocks
from bookagent.domain.heartbeat import record_tick
from bookagent.domain.ports import TaskRequest
from bookagent.queue.records import TaskStore
from bookagent.tasks.publishing import sweep_stale_publishing
from bookagent.tasks.retention import queue_prune_if_due

if TYPE_CHECKING:
    from bookagent.domain.ports import TaskQueue
    from bookagent.services import Services
    from bookagent.tasks.context import TaskContext

log = logging.getLogger(__name__)

DAILY_TASK = "bookagent.run_daily"
REPORT_TASK = "bookagent.generate_weekly_report"
PUBLISH_TASK = "bookagent.publish_due"


def run_tick(
    services: Services,
    queue: TaskQueue,
    *,
    scheduler: str,
    backend: str,
    prune: bool | None = None,
) -> dict[str, Any]:
    """One tick; returns what it queued. `prune` (default: unless on Celery, whose beat
    schedules it) says whether the tick queues the prune of old rows when it is due."""
    now = utcnow()
    with services.db.session() as session:
        record_tick(session, scheduler, backend, now)
        clocks = zone_clocks(session, now)
        runs = due_daily_runs(session, now, clocks)
        reports = due_weekly_reports(session, now, clocks)
    # Committed: each claimed run and report names the id its task will have. Should this
    # process die before the rows below exist, the next tick past CLAIM_LEASE re-queues the runs.
    requests = [
        TaskRequest(
            DAILY_TASK,
            {"book_id": run.book_id, "run_date": run.run_date.isoformat()},
            task_id=run.task_id,
        )
        for run in runs
    ] + [
        TaskRequest(
            REPORT_TASK,
            {"book_id": report.book_id, "week_start": report.week_start.isoformat()},
            task_id=report.task_id,
        )
        for report in reports
    ]
    if requests:
        # One task per book, so the workers share the routines out; one batch to record them.
        queue.submit_many(requests)
    queued_runs = [
        {
            "book_id": run.book_id,
            "run_date": run.run_date.isoformat(),
            "task_id": run.task_id,
            "reclaimed": run.reclaimed,
        }
        for run in runs
    ]
    queued_reports = [
        {"book_id": r.book_id, "week_start": r.week_start.isoformat(), "task_id": r.task_id}
        for r in reports
    ]
    swept = sweep_stale_publishing(services)
    with services.db.session() as session:
        # Platforms with due posts or posts in doubt (the reconciler runs in the same task).
        platforms = ledger.platforms_to_publish(session, now)
    publish_tasks = []
    if platforms:
        # One task per platform, at most one at a time each: a network that stalls holds up no
        # other (an older task for every platform still running covers them all).
        running = TaskStore(services.db).active_kwargs(PUBLISH_TASK)
        busy = {kwargs.get("platform") for kwargs in running}
        if None not in busy:
            publish_tasks = [
                queue.submit(PUBLISH_TASK, {"platform": platform}, user_id=None)
                for platform in platforms
                if platform not in busy
            ]
    if prune is None:
        prune = backend != "celery"
    prune_task = queue_prune_if_due(services, queue, now) if prune else None
    return {
        "ticked_at": now.isoformat(),
        "daily_runs": queued_runs,
        "weekly_reports": queued_reports,
        "unconfirmed": swept,
        "publish_tasks": publish_tasks,
        "prune_task": prune_task,
    }


def tick_scheduler(
    ctx: TaskContext, *, scheduler: str = "celery-beat", backend: str = "celery"
) -> dict[str, Any]:
    """The task behind Celery beat's schedule."""
    return run_tick(
        ctx.services, ctx.services.require_queue(), scheduler=scheduler, backend=backend
    )
