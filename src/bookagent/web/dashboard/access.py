"""Signing in to the dashboard with an API token, and signing out."""

from __future__ import annotations

import logging

from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import request
from flask import url_for
from werkzeug.wrappers import Response as BaseResponse

from bookagent.errors import AuthenticationError
from bookagent.web.auth import is_auth_enabled
from bookagent.web.auth import sign_in
from bookagent.web.auth import sign_out
from bookagent.web.context import services
from bookagent.web.dashboard.page import render_page
from bookagent.web.dashboard.page import safe_next
from bookagent.web.rate_limits import failed_auth_limit

log = logging.getLogger(__name__)

MAX_TOKEN_CHARS = 512


def signin() -> BaseResponse | tuple[str, int] | str:
    """Show the sign-in form, or check the token and open a session (local mode: go home)."""
    svc = services()
    target = safe_next(request.values.get("next"))
    if not is_auth_enabled(svc):
        return redirect(target)
    if request.method == "GET":
        if g.caller is not None:
            return redirect(target)
        return render_page("signin.html", title="Sign in", next=target)
    presented = request.form.get("token", "").strip()[:MAX_TOKEN_CHARS]
    if not presented:
        message = "Enter your API token."
    else:
        failures = failed_auth_limit(current_app)
        if failures is not None and (wait_s := failures.exhausted()) is not None:
            abort(429, description=f"Too many failed sign-in attempts; retry in {wait_s} s.")
        try:
            sign_in(svc, presented)
        except AuthenticationError:
            log.info("dashboard sign-in refused: the token is not valid")
            if failures is not None:
                failures.record_failure()
            message = "That token is not valid. Check it, or create one with 'bookagent tokens'."
        else:
            return redirect(target)
    page = render_page("signin.html", title="Sign in", next=target, error=message)
    return page, 401


def signout() -> BaseResponse:
    """End the session and go back to the sign-in page."""
    sign_out(services())
    if is_auth_enabled(services()):
        flash("You are signed out.")
        return redirect(url_for("dashboard.signin"))
    return redirect(url_for("dashboard.overview"))
