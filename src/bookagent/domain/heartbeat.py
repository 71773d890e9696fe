"""Scheduler heartbeats: proof that the periodic work runs, read by health, status and reports.

A gap between two ticks longer than `OUTAGE_AFTER` is stored as an outage, so the weekly report
can say how long the scheduler was down.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from sqlalchemy.orm import Session

from bookagent.db.base import utcnow
from bookagent.db.models import SchedulerHeartbeat
from bookagent.db.models import SchedulerOutage

OUTAGE_AFTER = timedelta(minutes=2)


def record_tick(session: Session, name: str, backend: str, now: datetime | None = None) -> datetime:
    """Store the time of a scheduler's latest tick, and an outage if the gap was too long."""
    at = now or utcnow()
    beat = session.get(SchedulerHeartbeat, name)
    if beat is None:
        session.add(SchedulerHeartbeat(name=name, backend=backend, last_tick_at=at))
    else:
        if at - beat.last_tick_at > OUTAGE_AFTER:
            session.add(SchedulerOutage(scheduler=name, started_at=beat.last_tick_at, ended_at=at))
        beat.last_tick_at, beat.backend = max(beat.last_tick_at, at), backend
    session.flush()
    return at
