"""Per-request access to the services and the caller, for the views (and only the views)."""

from __future__ import annotations

from typing import cast

from flask import current_app
from flask import g

from bookagent.domain.identity import Caller
from bookagent.services import Services

EXTENSION_KEY = "bookagent"


def services() -> Services:
    """The Services this app was built with."""
    return cast(Services, current_app.extensions[EXTENSION_KEY])


def caller() -> Caller:
    """The authenticated caller of this request (set by the auth hook)."""
    return cast(Caller, g.caller)
