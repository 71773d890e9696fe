"""The dashboard's gate: sign-in when auth is on (local mode: this machine only), form CSRF."""

from __future__ import annotations

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
from bookagent.web.exposure import is_local_request

#: Pages that need no session: the sign-in page itself.
OPEN_ENDPOINTS = frozenset({"dashboard.signin"})


def require_sign_in() -> BaseResponse | None:
    """Set `g.caller` for a page; send a visitor with no session to /signin; check form CSRF."""
    svc = services()
    if not is_auth_enabled(svc):
        if not is_local_request(request, behind_proxy=svc.settings.web.proxy_count > 0):
            abort(
                403,
                description="This server is in local mode and only answers requests from this "
                "machine.",
            )
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
