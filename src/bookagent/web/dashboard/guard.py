"""The dashboard's gate: sign-in when auth is on, CSRF on every form, and safe response headers."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import g
from flask import redirect
from flask import request
from flask import url_for
from werkzeug.wrappers import Response as BaseResponse

from bookagent.domain.identity import LOCAL_CALLER
from bookagent.web.auth import CSRF_FORM_FIELD
from bookagent.web.auth import UNSAFE_METHODS
from bookagent.web.auth import is_auth_enabled
from bookagent.web.auth import is_valid_csrf_token
from bookagent.web.auth import session_caller
from bookagent.web.context import services

#: Pages that need no session: the sign-in page itself.
OPEN_ENDPOINTS = frozenset({"dashboard.signin"})

# Everything the dashboard loads comes from this server; reports embed their charts as data: URIs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)


def require_sign_in() -> BaseResponse | None:
    """Set `g.caller` for a page; send a visitor with no session to /signin; check form CSRF."""
    svc = services()
    if not is_auth_enabled(svc):
        g.caller = LOCAL_CALLER
    else:
        g.caller = session_caller(svc)
        if g.caller is None and request.endpoint not in OPEN_ENDPOINTS:
            target = request.full_path if request.query_string else request.path
            return redirect(url_for("dashboard.signin", next=target))
    if request.method in UNSAFE_METHODS and not is_valid_csrf_token(
        request.form.get(CSRF_FORM_FIELD)
    ):
        abort(
            403,
            description="This form is out of date (its security token did not match). "
            "Reload the page and try again.",
        )
    return None


def add_security_headers(response: Response) -> Response:
    """Headers for every dashboard response: a strict CSP, no sniffing, no caching of pages."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Cache-Control", "no-store")
    return response
