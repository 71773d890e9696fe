"""Times as API.md writes them: ISO-8601 UTC with an explicit offset."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime


def iso(value: datetime | None) -> str | None:
    """An ISO-8601 UTC timestamp with an offset (`2026-11-29T10:00:00+00:00`), or None."""
    return value.astimezone(UTC).isoformat() if value is not None else None


def now_iso() -> str:
    """The current time, ISO-8601 UTC with an offset."""
    return datetime.now(UTC).isoformat()
