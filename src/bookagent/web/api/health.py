"""`GET /api/health`: liveness and the state of every dependency, answered within 2 s."""

from __future__ import annotations

from flask import Response
from flask_openapi3 import APIBlueprint
from flask_openapi3 import Tag

from bookagent import __version__
from bookagent.health import collect_health
from bookagent.web.context import services
from bookagent.web.envelope import ok

blueprint = APIBlueprint("health", __name__, url_prefix="/api", abp_tags=[Tag(name="health")])


@blueprint.get("/health")
def health() -> Response:
    """The service's health: `healthy`, `degraded` or `unhealthy` (503)."""
    report = collect_health(services())
    status = 503 if report["status"] == "unhealthy" else 200
    return ok({"version": __version__, **report}, status)
