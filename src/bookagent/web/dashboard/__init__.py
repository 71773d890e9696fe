"""The dashboard: server-rendered pages for authors, at `/`, next to the JSON API at `/api`.

Pages read through the domain operations as the signed-in caller; their scripts act through the
`/api` routes with the session cookie and the CSRF token (see `bookagent.web.auth`).
"""

from __future__ import annotations

from flask import Blueprint
from flask_openapi3 import OpenAPI

from bookagent.web.auth import csrf_token
from bookagent.web.dashboard import access
from bookagent.web.dashboard import book_form
from bookagent.web.dashboard import guard
from bookagent.web.dashboard import measure
from bookagent.web.dashboard import overview
from bookagent.web.dashboard import posts
from bookagent.web.dashboard import reports
from bookagent.web.dashboard import tasks
from bookagent.web.dashboard.formatting import install_filters

#: (rule, endpoint, view, methods): the whole dashboard at a glance.
ROUTES = (
    ("/", "overview", overview.overview, ["GET"]),
    ("/autonomous", "switch_agent", overview.switch_agent, ["POST"]),
    ("/signin", "signin", access.signin, ["GET", "POST"]),
    ("/signout", "signout", access.signout, ["POST"]),
    ("/book", "book", book_form.book_page, ["GET", "POST"]),
    ("/book/select", "select_book", book_form.select_book, ["POST"]),
    ("/generate", "generate", posts.generate_page, ["GET"]),
    ("/approvals", "approvals", posts.approvals_page, ["GET"]),
    ("/schedule", "schedule", posts.schedule_page, ["GET"]),
    ("/tasks", "tasks", tasks.tasks_page, ["GET"]),
    ("/reports", "reports", reports.reports_page, ["GET"]),
    ("/reports/<report_id>", "report", reports.report_page, ["GET"]),
)


def build_blueprint() -> Blueprint:
    """The `dashboard` blueprint with its pages and its sign-in and CSRF gate."""
    blueprint = Blueprint("dashboard", __name__)
    for rule, endpoint, view, methods in ROUTES:
        blueprint.add_url_rule(rule, endpoint, view, methods=methods)
    blueprint.before_request(guard.require_sign_in)
    return blueprint


def register_dashboard(app: OpenAPI) -> None:
    """Register the pages, the measuring endpoint of the API, and the templates' helpers."""
    app.register_blueprint(build_blueprint())
    app.register_api(measure.blueprint)
    app.jinja_env.globals["csrf_token"] = csrf_token
    install_filters(app)
