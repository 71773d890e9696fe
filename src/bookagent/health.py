"""Health: probes the database, the queue backend, workers and the scheduler, each bounded."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bookagent.db.base import utcnow
from bookagent.db.models import AutonomousState
from bookagent.db.models import SchedulerHeartbeat
from bookagent.services import Services

log = logging.getLogger(__name__)

SCHEDULER_STALE_AFTER = timedelta(minutes=2)


def check_database(services: Services) -> dict[str, Any]:
    """Whether the database answers a trivial query."""
    try:
        services.db.ping()
    except Exception as exc:  # any driver error means 'down'; the reason is reported, not raised
        log.warning("health: database unreachable: %s", type(exc).__name__)
        return {"ok": False, "backend": services.db.dialect, "error": type(exc).__name__}
    return {"ok": True, "backend": services.db.dialect}


def check_scheduler(services: Services) -> dict[str, Any]:
    """The scheduler's last tick; stale (over two minutes) only matters while an agent runs."""
    try:
        with services.db.session() as session:
            beat = session.scalar(
                select(SchedulerHeartbeat).order_by(SchedulerHeartbeat.last_tick_at.desc())
            )
            running = (
                session.scalar(
                    select(func.count())
                    .select_from(AutonomousState)
                    .where(AutonomousState.running.is_(True))
                )
                or 0
            )
    except SQLAlchemyError:
        return {"ok": False, "detail": "database unavailable"}
    last_tick = beat.last_tick_at if beat else None
    fresh = last_tick is not None and utcnow() - last_tick < SCHEDULER_STALE_AFTER
    return {
        "ok": fresh or running == 0,
        "last_tick_at": last_tick.isoformat() if last_tick else None,
        "backend": beat.backend if beat else None,
        "running_books": int(running),
        "detail": "ticking"
        if fresh
        else ("idle: no agent running" if running == 0 else "no tick in the last two minutes"),
    }


def collect_health(services: Services) -> dict[str, Any]:
    """The health document of API.md: status, services, task_queue_status, autonomous_status."""
    database = check_database(services)
    queue_health = services.queue_health()
    scheduler = check_scheduler(services)
    status = "healthy"
    if not database["ok"]:
        status = "unhealthy"
    elif queue_health.degraded:
        status = "degraded"
    return {
        "status": status,
        "services": {
            "database": database,
            "broker": queue_health.broker,
            "workers": queue_health.workers,
            "scheduler": scheduler,
        },
        "task_queue_status": queue_health.task_queue_status,
        "autonomous_status": {"running_books": scheduler.get("running_books", 0)},
    }
