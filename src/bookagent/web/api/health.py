"""`GET /api/health`: liveness and the state of every dependency, answered within 2 s."""

from __future__ import annotations

from flask import Response

from bookagent import __version__
from bookagent.health import collect_health
from bookagent.web.api.blueprints import api_blueprint
from bookagent.web.context import services
from bookagent.web.envelope import ok

blueprint = api_blueprint("health", __name__, public=True)


@blueprint.get("/health")
def health() -> Response:
    """The service's health: `healthy`, `degraded` or `unhealthy` (503)."""
    report = collect_health(services())
    status = 503 if report["status"] == "unhealthy" else 200
    return ok({"version": __version__, **report}, status)
