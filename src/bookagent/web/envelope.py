"""The shape of every success body: `success`, `timestamp`, then the route's own keys."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import jsonify

from bookagent.isotime import iso
from bookagent.isotime import now_iso


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


__all__ = ["iso", "now_iso", "ok"]
