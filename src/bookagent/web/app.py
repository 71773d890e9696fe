"""The Flask app factory: wires the services, auth, CORS, body checks, errors and blueprints."""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from flask import Flask
from flask import Request
from flask import g
from flask import request
from flask_cors import CORS
from flask_openapi3 import Info
from flask_openapi3 import OpenAPI
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import ClientDisconnected
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.exceptions import SecurityError
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.middleware.proxy_fix import ProxyFix

from bookagent import __version__
from bookagent.bootstrap import build_services
from bookagent.errors import InvalidInputError
from bookagent.logs import configure_logging
from bookagent.logs import request_id_var
from bookagent.services import Services
from bookagent.settings import Settings
from bookagent.settings import load_settings
from bookagent.web.api import register_api
from bookagent.web.api.blueprints import ErrorBody
from bookagent.web.api.blueprints import upload_limit
from bookagent.web.auth import configure_sessions
from bookagent.web.auth import install_auth
from bookagent.web.context import EXTENSION_KEY
from bookagent.web.dashboard import register_dashboard
from bookagent.web.errors import register_error_handlers
from bookagent.web.errors import validation_error_response
from bookagent.web.exposure import is_trusted_host
from bookagent.web.exposure import trusted_hosts
from bookagent.web.headers import install_security_headers
from bookagent.web.metrics import install_metrics
from bookagent.web.metrics import install_metrics_listener
from bookagent.web.rate_limits import install_rate_limits
from bookagent.web.short_links import blueprint as short_links
from bookagent.web.signed_media import blueprint as signed_media

log = logging.getLogger(__name__)

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
#: An X-Request-ID we copy into logs as is; any other value is replaced by a new id.
REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
TRUSTED_HOSTS_KEY = "bookagent.trusted_hosts"


class ApiRequest(Request):
    """A request whose missing JSON body reads as `{}` (clients may POST with no body)."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if not self.get_data(cache=True):
            return {}
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            raise BadRequest(
                "The request body is not valid JSON: it is nested too deeply."
            ) from None

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        raise BadRequest(
            f"The request body is not valid JSON: {e}"
            if e
            else "The request body is not valid JSON."
        )


def create_app(settings: Settings | None = None, services: Services | None = None) -> OpenAPI:
    """Build the app. Tests pass their own `services`; everyone else gets the configured ones."""
    settings = services.settings if services is not None else (settings or load_settings())
    configure_logging(settings.log_level)
    services = services or build_services(settings)

    app = OpenAPI(
        __name__,
        info=Info(title="bookagent", version=__version__),
        security_schemes={"bearer": {"type": "http", "scheme": "bearer"}},
        doc_prefix="/api",
        doc_url="/openapi.json",
        validation_error_status=422,
        validation_error_model=ErrorBody,
        validation_error_callback=validation_error_response,
    )
    app.request_class = ApiRequest
    app.config["MAX_CONTENT_LENGTH"] = settings.web.max_body_bytes
    app.extensions[TRUSTED_HOSTS_KEY] = trusted_hosts(settings)
    if settings.web.proxy_count:
        count = settings.web.proxy_count
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION_KEY] = services
    configure_sessions(app, settings)
    # Headers only for requests that carry an Origin (browsers'); API clients get none.
    CORS(
        app,
        resources={r"/api/*": {"origins": settings.web.cors_origins}},
        always_send=False,
        vary_header=True,
    )

    _install_request_hooks(app)
    install_metrics_listener(app, settings.web.metrics_bind)
    install_auth(app)
    install_security_headers(app)
    register_error_handlers(app)
    register_api(app)
    register_dashboard(app)
    app.register_blueprint(signed_media)  # the webhook's signed image links
    app.register_blueprint(short_links)  # /l/<code>: the posts' short links, counting clicks
    install_metrics(app, services)
    install_rate_limits(app, services)  # after auth, so per-user limits see the caller
    return app


def _has_nul(req: Request, *, with_body: bool = True) -> bool:
    """Whether the path, the query or the JSON body carries a NUL (PostgreSQL refuses them)."""
    if "\x00" in req.path:
        return True
    query = req.query_string  # raw: a NUL arrives as %00 (or, from a careless client, as is)
    if b"%00" in query or b"\x00" in query:
        return True
    if not with_body or (req.method not in BODY_METHODS and not req.content_length):
        return False
    body = req.get_data(cache=True)
    return b"\x00" in body or b"\\u0000" in body


def _upload_limit(app: Flask, req: Request) -> int | None:
    """The body limit of a multipart upload to a view that takes one (`accepts_upload`)."""
    if req.method not in BODY_METHODS or req.mimetype != "multipart/form-data":
        return None
    return upload_limit(app.view_functions.get(req.endpoint or ""))


def _read_body(req: Request, limit: int) -> bytes:
    """The body, read once; a body without a length (chunked) that runs past the limit is 413.

    Werkzeug stops reading such a body at the limit and reports it as a client disconnect
    (400); the client did nothing wrong but send too much.
    """
    if req.content_length is None and req.environ.get("wsgi.input_terminated"):
        try:
            body = req.get_data(cache=True)
        except ClientDisconnected:
            raise RequestEntityTooLarge() from None
        if len(body) >= limit and req.environ["wsgi.input"].read(1):
            raise RequestEntityTooLarge()  # werkzeug stopped at the limit; more was sent
        return body
    return req.get_data(cache=True)


def _install_request_hooks(app: Flask) -> None:
    @app.before_request
    def _tag_and_check_body() -> None:
        req = request._get_current_object()  # type: ignore[attr-defined]  # once, not per use
        presented = req.headers.get("X-Request-ID", "")
        g.request_id = presented if REQUEST_ID.fullmatch(presented) else os.urandom(8).hex()
        request_id_var.set(g.request_id)
        trusted = app.extensions[TRUSTED_HOSTS_KEY]
        if trusted is not None:
            host = req.environ.get("HTTP_HOST", "")
            if not is_trusted_host(host, trusted):  # DNS rebinding: 400 before anything runs
                raise SecurityError(
                    f"This server does not answer to the host {host[:100]!r} "
                    "(set BOOKAGENT_WEB__TRUSTED_HOSTS to the names it is reached by)."
                )
        if not req.path.startswith("/api"):
            return None
        upload_bytes = _upload_limit(app, req)
        if upload_bytes is not None:
            # An upload (a book's cover): its view reads the form under the route's own limit,
            # and the file is an image's bytes, neither JSON nor text.
            req.max_content_length = upload_bytes
        elif req.method in BODY_METHODS:
            limit = app.config["MAX_CONTENT_LENGTH"]
            if req.content_length and req.content_length > limit:
                return None  # werkzeug raises 413 when the body is read
            body = _read_body(req, limit)
            if body and not req.is_json:
                raise UnsupportedMediaType()
            req.get_json()  # malformed JSON raises 400 here, before any view runs
        if _has_nul(req, with_body=upload_bytes is None):
            raise InvalidInputError("Text may not contain NUL characters (\\u0000).")
        return None

    @app.after_request
    def _echo_request_id(response: Any) -> Any:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response
