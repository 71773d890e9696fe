"""The scheduler tick: runs every minute from Celery beat or the in-process scheduler.

A tick records its heartbeat, claims today's daily run for each running book whose run time has
come (the unique key makes a second tick a no-op) and queues it, sweeps posts stuck in
`publishing`, and queues the publication of due posts when no such task is already active.
Away from Celery (where beat sends it on its own schedule) it also queues the daily prune of old
rows when one is due (`bookagent.tasks.retention`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy import update

from bookagent.db.base import utcnow
from bookagent.db.models import DailyRun
from bookagent.domain import publishing as ledger
from bookagent.domain.autonomous import due_daily_runs
from bookagent.domain.autonomous import due_weekly_reports
from bookagent.domain.heartbeat import record_tick
from bookagent.queue.records import TaskStore
from bookagent.tasks.publishing import sweep_stale_publishing
from bookagent.tasks.retention import queue_prune_if_due

if TYPE_CHECKING:
    from bookagent.domain.ports import TaskQueue
    from bookagent.services import Services
    from bookagent.tasks.context import TaskContext

log = logging.getLogger(__name__)


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
        runs = due_daily_runs(session, now)
        reports = due_weekly_reports(session, now)
    queued_runs = []
    for run in runs:
        task_id = queue.submit(
            "bookagent.run_daily",
            {"book_id": run.book_id, "run_date": run.run_date.isoformat()},
            user_id=None,
        )
        with services.db.session() as session:
            session.execute(
                update(DailyRun).where(DailyRun.id == run.run_id).values(task_id=task_id)
            )
        queued_runs.append({"book_id": run.book_id, "task_id": task_id})
    queued_reports = [
        {
            "book_id": r.book_id,
            "week_start": r.week_start.isoformat(),
            "task_id": queue.submit(
                "bookagent.generate_weekly_report",
                {"book_id": r.book_id, "week_start": r.week_start.isoformat()},
                user_id=None,
            ),
        }
        for r in reports
    ]
    swept = sweep_stale_publishing(services)
    with services.db.session() as session:
        due = len(ledger.due_post_ids(session, now, limit=1))
    publish_task = None
    if due and not TaskStore(services.db).count_active(name="bookagent.publish_due"):
        publish_task = queue.submit("bookagent.publish_due", {}, user_id=None)
    if prune is None:
        prune = backend != "celery"
    prune_task = queue_prune_if_due(services, queue, now) if prune else None
    return {
        "ticked_at": now.isoformat(),
        "daily_runs": queued_runs,
        "weekly_reports": queued_reports,
        "unconfirmed": swept,
        "publish_task": publish_task,
        "prune_task": prune_task,
    }


def tick_scheduler(
    ctx: TaskContext, *, scheduler: str = "celery-beat", backend: str = "celery"
) -> dict[str, Any]:
    """The task behind Celery beat's schedule."""
    return run_tick(
        ctx.services, ctx.services.require_queue(), scheduler=scheduler, backend=backend
    )
