"""Scheduler heartbeats: proof that the periodic work runs, read by health and status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bookagent.db.base import utcnow
from bookagent.db.models import SchedulerHeartbeat


def record_tick(session: Session, name: str, backend: str, now: datetime | None = None) -> datetime:
    """Store the time of a scheduler's latest tick."""
    at = now or utcnow()
    beat = session.get(SchedulerHeartbeat, name)
    if beat is None:
        session.add(SchedulerHeartbeat(name=name, backend=backend, last_tick_at=at))
    else:
        beat.last_tick_at, beat.backend = at, backend
    session.flush()
    return at
