"""The scheduler tick: runs every minute from Celery beat or the in-process scheduler."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from bookagent.domain.heartbeat import record_tick

if TYPE_CHECKING:
    from bookagent.queue.execution import TaskContext


def tick_scheduler(
    ctx: TaskContext, *, scheduler: str = "celery-beat", backend: str = "celery"
) -> dict[str, Any]:
    """Record the scheduler's heartbeat (what a tick queues is the agent's business)."""
    with ctx.services.db.session() as session:
        at = record_tick(session, scheduler, backend)
    return {"scheduler": scheduler, "ticked_at": at.isoformat()}
