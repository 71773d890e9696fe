"""Who is calling: bearer tokens for /api, the dashboard's session cookie, CSRF, local mode.

An /api request with an `Authorization` header is judged by its bearer token alone. One without
the header but with a dashboard session (signed in with a token at /signin) acts as the session's
caller; for such cookie-authenticated requests an unsafe method also needs the session's CSRF
token in the `X-CSRF-Token` header. The cookie holds only the id of a server-side session row (and
the CSRF token); the row names the token the session was opened with (never the token), so
signing out, or revoking that token, ends the session at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path
from threading import Lock
from typing import cast
from urllib.parse import urlsplit

from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import request
from flask import session as cookie_session
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface
from flask.wrappers import Request
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from bookagent.db.base import utcnow
from bookagent.db.models import ApiToken
from bookagent.db.models import WebSession
from bookagent.domain.identity import LOCAL_CALLER
from bookagent.domain.identity import Caller
from bookagent.domain.identity import authenticate
from bookagent.domain.identity import has_tokens
from bookagent.domain.identity import hash_token
from bookagent.errors import AuthenticationError
from bookagent.errors import ServiceUnavailableError
from bookagent.services import Services
from bookagent.settings import Settings
from bookagent.web.context import EXTENSION_KEY
from bookagent.web.context import services
from bookagent.web.errors import error_response
from bookagent.web.exposure import is_local_request
from bookagent.web.exposure import listens_locally
from bookagent.web.rate_limits import failed_auth_limit

log = logging.getLogger(__name__)

#: Routes anyone may call, even once tokens exist.
PUBLIC_PATHS = frozenset({"/api/health", "/api/openapi.json"})

#: Methods that change state: a cookie-authenticated request needs the CSRF token for these.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrf_token"
SESSION_COOKIE_NAME = "bookagent_session"
SESSION_LIFETIME = timedelta(days=7)
SECRET_KEY_FILE = "secret_key"
PRESENCE_KEY = "bookagent.token_presence"

# Keys of the session cookie's (signed, not encrypted) data: no secret goes in it.
_SESSION_ID = "sid"
_CSRF = "csrf"


class TokenPresence:
    """Whether auth is on: always for a server that listens beyond loopback; on loopback, once an
    admin token is set or some live token exists (re-read at most every `ttl_s` seconds)."""

    def __init__(self, ttl_s: float) -> None:
        self._ttl_s = ttl_s
        self._value = False
        self._checked_at = -1e18
        self._lock = Lock()

    def any(self, svc: Services) -> bool:
        """Whether auth is on."""
        if svc.settings.admin_token_value or not listens_locally(svc.settings):
            return True
        now = time.monotonic()
        with self._lock:
            if now - self._checked_at < self._ttl_s:
                return self._value
        with svc.db.autocommit() as session:
            value = has_tokens(session)
        with self._lock:
            self._value, self._checked_at = value, now
        return value


class CallerCache:
    """Recently authenticated bearer tokens (by hash), so a request costs no query."""

    def __init__(self, ttl_s: float, size: int = 1024) -> None:
        self._ttl_s = ttl_s
        self._size = size
        self._entries: dict[str, tuple[Caller, float]] = {}
        self._lock = Lock()

    def authenticate(self, svc: Services, presented: str | None) -> Caller:
        """The caller for a token: from the cache, or from the database (AuthenticationError)."""
        key = hash_token(presented) if presented else ""
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[1] > now:
                return hit[0]
        with svc.db.autocommit() as session:
            caller = authenticate(session, presented, admin_token=svc.settings.admin_token_value)
        if self._ttl_s > 0:
            with self._lock:
                if len(self._entries) >= self._size:
                    self._entries.clear()
                self._entries[key] = (caller, now + self._ttl_s)
        return caller


def is_cross_site(allowed_origins: list[str]) -> bool:
    """A browser request from another site: its Origin is neither ours nor an allowed one.

    Browsers send Origin on cross-site POSTs, even the 'simple' ones that skip a CORS preflight,
    so this refuses cross-site request forgery in local mode too. Non-browser clients send none.
    """
    origin = request.headers.get("Origin")
    if not origin:
        return False
    if origin in allowed_origins:
        return False
    # Compare hosts, not schemes: behind a TLS proxy the app itself sees plain http.
    return urlsplit(origin).netloc.lower() != request.host.lower()


def install_auth(app: Flask) -> None:
    """Authenticate every /api request except the public ones; sets `g.caller`."""
    ttl_s = services_of(app).settings.web.auth_cache_s
    presence = TokenPresence(ttl_s)
    callers = CallerCache(ttl_s)
    app.extensions[PRESENCE_KEY] = presence

    @app.before_request
    def _authenticate() -> Response | None:
        req = request._get_current_object()  # type: ignore[attr-defined]  # once, not per use
        path, method = req.path, req.method
        if not path.startswith("/api") or method == "OPTIONS":
            return None
        svc = services()
        if method in UNSAFE_METHODS and is_cross_site(svc.settings.web.cors_origins):
            return error_response(403, "Cross-site requests are refused.", "cross_site")
        try:
            auth_on = presence.any(svc)
        except SQLAlchemyError:
            # The database is down. Health must still answer (503, unhealthy) and say so.
            if path in PUBLIC_PATHS:
                g.caller = None
                return None
            raise ServiceUnavailableError(
                "The database is unavailable; try again shortly."
            ) from None
        if not auth_on:
            if not is_local_request(req, behind_proxy=svc.settings.web.proxy_count > 0):
                return refuse_remote_in_local_mode()
            g.caller = LOCAL_CALLER
            return None
        header = req.headers.get("Authorization", "")
        public = path in PUBLIC_PATHS or not path.startswith("/api/") or _is_docs(path)
        if not header and (from_cookie := session_caller(svc)) is not None:
            if (
                not public
                and method in UNSAFE_METHODS
                and not is_valid_csrf_token(req.headers.get(CSRF_HEADER))
            ):
                return error_response(
                    403,
                    f"This request needs the dashboard's CSRF token in the {CSRF_HEADER} header.",
                    "csrf_failed",
                )
            g.caller = from_cookie
            return None
        scheme, _, token = header.partition(" ")
        presented = token.strip() if scheme.lower() == "bearer" else None
        if public:
            g.caller = _optional_caller(svc, presented)
            return None
        failures = failed_auth_limit(current_app)
        if failures is not None and (wait_s := failures.exhausted()) is not None:
            return too_many_failures(wait_s)
        try:
            g.caller = callers.authenticate(svc, presented)
        except AuthenticationError:
            if failures is not None and presented:
                failures.record_failure()
            raise
        return None


def refuse_remote_in_local_mode() -> Response:
    """403 for a request from another machine to a server in local mode."""
    log.warning("refused a request from %s: the server is in local mode", request.remote_addr)
    return error_response(
        403,
        "This server is in local mode (it listens on loopback with no token configured) and only "
        "answers requests from this machine.",
        "local_mode",
    )


def too_many_failures(wait_s: int) -> Response:
    """429 for an address that sent too many bad tokens."""
    response = error_response(
        429,
        f"Too many failed authentication attempts from this address; retry in {wait_s} s.",
        "too_many_requests",
    )
    response.headers["Retry-After"] = str(wait_s)
    return response


def services_of(app: Flask) -> Services:
    """The Services an app was built with (outside a request)."""
    return cast(Services, app.extensions[EXTENSION_KEY])


def is_auth_enabled(svc: Services) -> bool:
    """Whether auth is on (some token exists); off means local mode, where no one signs in."""
    presence = current_app.extensions.get(PRESENCE_KEY)
    if presence is None:  # an app built without install_auth
        return bool(svc.settings.admin_token_value)
    return cast(TokenPresence, presence).any(svc)


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


# -- the dashboard's session ---------------------------------------------------------------------


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, minus the signer for requests without a session cookie.

    API clients send no cookie, so for them a session is an empty dict: building the signer
    (a key derivation per request) is work only a request carrying a cookie needs.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and (
            "HTTP_COOKIE" not in request.environ  # without parsing the headers for cookies
            or not request.cookies.get(self.get_cookie_name(app))
        ):
            return self.session_class()
        return super().open_session(app, request)


def configure_sessions(app: Flask, settings: Settings) -> None:
    """Sign session cookies with a key every worker shares; HttpOnly and SameSite=Lax.

    `Secure` stays off by default because local use is plain http; a deployment behind TLS turns
    it on with `web.session_cookie_secure`.
    """
    app.secret_key = load_secret_key(settings)
    app.session_interface = CookieSessions()
    app.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE_NAME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.web.session_cookie_secure,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
    )


def load_secret_key(settings: Settings) -> str:
    """`web.secret_key`, or a random key kept in `<data_dir>/secret_key` (mode 0600).

    Every gunicorn worker reads the same file, so a cookie signed by one is accepted by all. The
    file is created by a hard link from a private temporary file, so two workers racing to create
    it end up with the same key and no one ever reads a half-written file.
    """
    configured = settings.web.secret_key.get_secret_value() if settings.web.secret_key else ""
    if configured.strip():
        return configured.strip()
    path = settings.data_dir / SECRET_KEY_FILE
    try:
        return _read_or_create_key(path)
    except OSError as exc:
        log.warning(
            "cannot keep the session key in %s (%s); using a per-process key, so sessions end "
            "on restart and do not work across several workers: set BOOKAGENT_WEB__SECRET_KEY",
            path,
            exc,
        )
        return secrets.token_urlsafe(48)


def _read_or_create_key(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = _read_key(path)
    if existing:
        return existing
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another worker won the race: use its key
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    key = _read_key(path)
    if not key:
        raise OSError(f"{path} is empty")
    return key


def _read_key(path: Path) -> str | None:
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    if key and path.stat().st_mode & 0o077:
        path.chmod(0o600)  # a key others can read would let them forge sessions
    return key or None


def sign_in(svc: Services, presented: str) -> Caller:
    """Check a token and open a session for its caller; AuthenticationError if it is not valid.

    The session is a row of its own (`web_sessions`); the cookie carries only its id and the
    CSRF token. The cookie is renewed, so a session id planted before sign-in is worth nothing
    after it.
    """
    admin_token = svc.settings.admin_token_value
    now = utcnow()
    with svc.db.session() as session:
        caller = authenticate(session, presented, admin_token=admin_token)
        if admin_token and hmac.compare_digest(presented.encode(), admin_token.encode()):
            reference = "env:" + _fingerprint(admin_token)
        else:
            row_id = session.scalar(
                select(ApiToken.id).where(ApiToken.token_hash == hash_token(presented))
            )
            reference = f"db:{row_id}"
        # Sessions past their lifetime are worth nothing: sweep them as new ones open.
        session.execute(delete(WebSession).where(WebSession.expires_at < now))
        session_id = secrets.token_urlsafe(32)
        session.add(
            WebSession(
                id=session_id,
                token_ref=reference,
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
    cookie_session.clear()
    cookie_session.permanent = True
    cookie_session.update({_SESSION_ID: session_id, _CSRF: secrets.token_urlsafe(32)})
    return caller


def sign_out(svc: Services) -> None:
    """End the dashboard session: its row first, so a copy of the cookie is worth nothing."""
    session_id = cookie_session.get(_SESSION_ID)
    if isinstance(session_id, str) and session_id:
        with svc.db.session() as session:
            session.execute(
                update(WebSession)
                .where(WebSession.id == session_id, WebSession.ended_at.is_(None))
                .values(ended_at=utcnow())
            )
    cookie_session.clear()


def session_caller(svc: Services) -> Caller | None:
    """The caller of this request's dashboard session, if it has a live one.

    The session's row is read on every request (sign-out or expiry ends it), and so is the token
    it was opened with, so a revoked token (or a changed admin token) ends its sessions.
    """
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return None  # do not touch the session: a bearer client's responses stay as they were
    session_id = cookie_session.get(_SESSION_ID)
    if not isinstance(session_id, str) or not session_id:
        return None
    caller = _live_session_caller(svc, session_id)
    if caller is None:
        cookie_session.pop(_SESSION_ID, None)
    return caller


def _live_session_caller(svc: Services, session_id: str) -> Caller | None:
    # One database session for both reads: the session row, then the token it names.
    with svc.db.session() as session:
        row = session.get(WebSession, session_id)
        if row is None or row.ended_at is not None or row.expires_at <= utcnow():
            return None
        kind, _, value = row.token_ref.partition(":")
        if kind == "env":
            admin_token = svc.settings.admin_token_value
            if admin_token and hmac.compare_digest(value, _fingerprint(admin_token)):
                return Caller(user_id=None, is_admin=True)
            return None
        token = session.get(ApiToken, value) if kind == "db" and value else None
        if token is None or token.revoked_at is not None:
            return None
        return Caller(user_id=token.user_id, is_admin=token.is_admin)


def _fingerprint(admin_token: str) -> str:
    # Keyed, so the cookie (readable by its holder) says nothing about the admin token itself.
    key = str(current_app.secret_key).encode()
    return hmac.new(key, admin_token.encode(), hashlib.sha256).hexdigest()[:32]


def csrf_token() -> str:
    """This session's CSRF token, created on first use; forms and the dashboard's JS send it."""
    token = cookie_session.get(_CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        cookie_session[_CSRF] = token
    return token


def is_valid_csrf_token(presented: str | None) -> bool:
    """Whether `presented` is this session's CSRF token (compared in constant time)."""
    expected = cookie_session.get(_CSRF)
    if not presented or not isinstance(expected, str) or not expected:
        return False
    return hmac.compare_digest(presented.encode(), expected.encode())
