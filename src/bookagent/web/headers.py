"""Security headers for every response, in one place.

- every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` and
  `X-Frame-Options` (DENY; SAMEORIGIN for the report page, which the dashboard frames);
- every HTML page: a strict Content-Security-Policy with `frame-ancestors`, and no caching;
- the standalone report page (`/api/reports/<id>.html`): a CSP of its own that allows only its
  inline style sheet and its data: charts, and framing by the dashboard alone;
- every /api answer: `Cache-Control: no-store` (answers carry a user's data).
"""

from __future__ import annotations

from flask import Flask
from flask import request
from werkzeug.wrappers import Response

# Everything the dashboard loads comes from this server; reports embed their charts as data: URIs.
DASHBOARD_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)
# The report is a standalone document: its own <style>, charts as data: images, no script.
REPORT_CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'"
)
REPORT_ENDPOINT = "reports.report_html"
# The Swagger UI pages (under /api) load their own scripts and styles.
API_DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'"
)


def add_security_headers(response: Response) -> Response:
    """Set the headers above on one response (headers a view set itself are kept)."""
    is_report = request.endpoint == REPORT_ENDPOINT
    wanted = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "SAMEORIGIN" if is_report else "DENY"),
    ]
    if response.mimetype == "text/html":
        if is_report:
            policy = REPORT_CSP
        elif request.path.startswith("/api/"):
            policy = API_DOCS_CSP
        else:
            policy = DASHBOARD_CSP
        wanted += [("Content-Security-Policy", policy), ("Cache-Control", "no-store")]
    elif request.path.startswith("/api"):
        wanted.append(("Cache-Control", "no-store"))
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}  # one pass, not one per header
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value)
    return response


def install_security_headers(app: Flask) -> None:
    """Apply `add_security_headers` to every response of the app."""
    app.after_request(add_security_headers)
