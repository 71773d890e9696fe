"""Retention: the task that prunes old rows, and the tick's check for when it is due.

Celery beat sends `bookagent.prune_old_rows` every `retention.interval_s` (a day by default).
On the thread-pool backend the in-process scheduler's tick queues it instead, when no prune has
finished within the interval and none is waiting or running: one indexed query per tick.

The prune first rolls the finished task rows up (`TaskStore.roll_up`): `stats()` does so itself
once enough have finished, but where nobody reads the stats the rows counted live would pile up.
"""

from __future__ import annotations

import logging
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select

from bookagent.db.base import utcnow
from bookagent.db.models import TaskRecord
from bookagent.domain.retention import RetentionPolicy
from bookagent.domain.retention import prune
from bookagent.queue.records import TaskStore
from bookagent.settings import RetentionSettings

if TYPE_CHECKING:
    from bookagent.db.session import Database
    from bookagent.domain.ports import TaskQueue
    from bookagent.services import Services
    from bookagent.tasks.context import TaskContext

log = logging.getLogger(__name__)

PRUNE_TASK = "bookagent.prune_old_rows"


def policy(settings: RetentionSettings) -> RetentionPolicy:
    """The domain's policy for the configured retention."""
    return RetentionPolicy(
        task_rows_days=settings.task_rows_days,
        daily_runs_days=settings.daily_runs_days,
        scheduler_outages_days=settings.scheduler_outages_days,
        link_clicks_days=settings.link_clicks_days,
        batch_size=settings.batch_size,
    )


def prune_old_rows(ctx: TaskContext) -> dict[str, Any]:
    """The task: delete what the retention settings no longer keep, in bounded batches."""
    settings = ctx.services.settings.retention
    now = utcnow()
    rolled_up = TaskStore(ctx.services.db).roll_up()
    counts = prune(ctx.services.db, policy(settings), now, between_batches=ctx.checkpoint)
    log.info("pruned old rows: %s (%d task rows rolled up)", counts.as_dict(), rolled_up)
    return {"pruned_at": now.isoformat(), "deleted": counts.as_dict(), "rolled_up": rolled_up}


def prune_due(db: Database, now: datetime, interval_s: float) -> bool:
    """Whether no prune is waiting or running and none finished within `interval_s`."""
    since = now - timedelta(seconds=interval_s)
    with db.connect() as connection:
        recent = connection.execute(
            select(TaskRecord.id)
            .where(
                TaskRecord.name == PRUNE_TASK,
                or_(TaskRecord.finished_at.is_(None), TaskRecord.finished_at > since),
            )
            .limit(1)
        ).first()
    return recent is None


def queue_prune_if_due(services: Services, queue: TaskQueue, now: datetime) -> str | None:
    """Queue a prune when one is due (the thread-pool backend's daily schedule); its task id."""
    retention = services.settings.retention
    if retention.keeps_everything or not prune_due(services.db, now, retention.interval_s):
        return None
    return queue.submit(PRUNE_TASK, {}, user_id=None)
