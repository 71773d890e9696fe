"""The /api blueprint: one module per resource, registered here."""

from __future__ import annotations

from flask_openapi3 import OpenAPI

from bookagent.web.api import assets
from bookagent.web.api import attempts
from bookagent.web.api import autonomous
from bookagent.web.api import best_times
from bookagent.web.api import books
from bookagent.web.api import engagement
from bookagent.web.api import health
from bookagent.web.api import media
from bookagent.web.api import platforms
from bookagent.web.api import posts
from bookagent.web.api import reports
from bookagent.web.api import tasks


def register_api(app: OpenAPI) -> None:
    """Register every /api resource on the app."""
    for module in (
        health,
        books,
        assets,
        tasks,
        posts,
        media,
        attempts,
        engagement,
        autonomous,
        best_times,
        platforms,
        reports,
    ):
        app.register_api(module.blueprint)
