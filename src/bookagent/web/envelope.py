"""The shape of every success body: `success`, `timestamp`, then the route's own keys."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

from flask import Response
from flask import jsonify


def iso(value: datetime | None) -> str | None:
    """An ISO-8601 UTC timestamp with an explicit offset, or None."""
    return value.astimezone(UTC).isoformat() if value is not None else None


def now_iso() -> str:
    """The current time, ISO-8601 UTC with an offset."""
    return datetime.now(UTC).isoformat()


def ok(
    payload: dict[str, Any] | None = None, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON success response in API.md's envelope."""
    body = {"success": True, **(payload or {}), "timestamp": now_iso()}
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
