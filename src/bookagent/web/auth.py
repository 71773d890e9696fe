"""Bearer-token auth for /api, local mode, and the refusal to listen openly without a token."""

from __future__ import annotations

import ipaddress
import time
from threading import Lock

from flask import Flask
from flask import g
from flask import request

from bookagent.bootstrap import Services
from bookagent.db.session import Database
from bookagent.domain.identity import LOCAL_CALLER
from bookagent.domain.identity import Caller
from bookagent.domain.identity import authenticate
from bookagent.domain.identity import has_tokens
from bookagent.errors import AuthenticationError
from bookagent.errors import ConfigurationError
from bookagent.settings import Settings
from bookagent.web.context import services

#: Routes anyone may call, even once tokens exist.
PUBLIC_PATHS = frozenset({"/api/health", "/api/openapi.json"})


def is_loopback(host: str) -> bool:
    """Whether `host` names only this machine (127.0.0.0/8, ::1 or localhost)."""
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_listen_address(host: str, settings: Settings, database: Database) -> None:
    """Refuse a non-loopback address while no token is configured (like Redis's protected mode)."""
    if is_loopback(host) or settings.admin_token_value:
        return
    with database.session() as session:
        if has_tokens(session):
            return
    raise ConfigurationError(
        f"Refusing to listen on {host}: no API token is configured, so anyone who can reach this "
        "address could use the service. Set BOOKAGENT_ADMIN_TOKEN, or create a token with "
        "'bookagent tokens create --admin', or listen on 127.0.0.1."
    )


class TokenPresence:
    """Caches a positive 'some token exists' for a second; a negative answer is always re-read.

    So the first token created switches auth on at once, and revoking the last one returns to
    local mode within a second.
    """

    def __init__(self, ttl_s: float = 1.0) -> None:
        self._ttl_s = ttl_s
        self._value = False
        self._checked_at = 0.0
        self._lock = Lock()

    def any(self, svc: Services) -> bool:
        """Whether auth is on: an admin token is set or a live token exists."""
        if svc.settings.admin_token_value:
            return True
        now = time.monotonic()
        with self._lock:
            if now - self._checked_at < self._ttl_s and self._value:
                return True
        with svc.db.session() as session:
            value = has_tokens(session)
        with self._lock:
            self._value, self._checked_at = value, now
        return value


def install_auth(app: Flask) -> None:
    """Authenticate every /api request except the public ones; sets `g.caller`."""
    presence = TokenPresence()

    @app.before_request
    def _authenticate() -> None:
        path = request.path
        if not path.startswith("/api") or request.method == "OPTIONS":
            return
        svc = services()
        if not presence.any(svc):
            g.caller = LOCAL_CALLER
            return
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        presented = token.strip() if scheme.lower() == "bearer" else None
        if path in PUBLIC_PATHS or not path.startswith("/api/") or _is_docs(path):
            g.caller = _optional_caller(svc, presented)
            return
        with svc.db.session() as session:
            g.caller = authenticate(session, presented, admin_token=svc.settings.admin_token_value)


def _is_docs(path: str) -> bool:
    return path == "/api/" or path.startswith(("/api/swagger", "/api/openapi"))


def _optional_caller(svc: Services, presented: str | None) -> Caller | None:
    if not presented:
        return None
    with svc.db.session() as session:
        try:
            return authenticate(session, presented, admin_token=svc.settings.admin_token_value)
        except AuthenticationError:  # a bad token on a public route is simply anonymous
            return None
