"""The one map from errors to HTTP: under /api, /media (the webhook's signed image links, read
by programs) and /l (the short links) every error answers JSON in API.md's shape; on the
dashboard (every other path) it answers an HTML page."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask import Response
from flask import jsonify
from flask import render_template
from flask import request
from markupsafe import escape
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from bookagent import errors

log = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[errors.BookAgentError], int] = {
    errors.NotFoundError: 404,
    errors.ConflictError: 409,
    errors.InvalidInputError: 422,
    errors.AuthenticationError: 401,
    errors.PermissionDeniedError: 403,
    errors.BudgetExceededError: 429,
    errors.RateLimited: 429,
    errors.OperationTimeoutError: 504,
    errors.ServiceUnavailableError: 503,
    errors.ConfigurationError: 500,
    errors.ProviderError: 502,
}

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
    504: "timeout",
}


def status_for(error: errors.BookAgentError) -> int:
    """The HTTP status of a BookAgentError: the nearest class in the table wins."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def error_response(
    status: int,
    message: str,
    code: str | None = None,
    details: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """A JSON error in API.md's shape."""
    body: dict[str, Any] = {
        "success": False,
        "error": message,
        "code": code or HTTP_CODES.get(status, "error"),
        "details": details or [],
    }
    body.update(extra or {})
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="bookagent"'
    return response


PAGE_TITLES = {
    400: "Bad request",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    409: "Conflict",
    413: "Too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Service unavailable",
    504: "Timed out",
}


#: The paths whose errors answer JSON: the API, the signed image links programs fetch, and the
#: short links (whose unknown codes answer JSON 404, so a wrong method or an empty code does too).
JSON_PREFIXES = ("/api", "/media/", "/l/")


def is_dashboard_request() -> bool:
    """Whether this request is for the dashboard (HTML) rather than a program (JSON)."""
    return not request.path.startswith(JSON_PREFIXES)


def error_page(status: int, message: str) -> Response:
    """An HTML error page for the dashboard, in its layout."""
    title = PAGE_TITLES.get(status, "Error")
    try:
        body = render_template("error.html", title=title, status=status, message=message)
    except Exception:  # the layout itself failed: still answer a readable page
        log.exception("error page failed to render")
        body = (
            f"<!doctype html><html lang=en><title>{escape(title)}</title>"
            f"<h1>{escape(title)}</h1><p>{escape(message)}</p><p><a href='/'>Home</a></p></html>"
        )
    return Response(body, status=status, mimetype="text/html")


def validation_error_response(exc: ValidationError) -> Response:
    """422 naming each invalid field (flask-openapi3's validation callback)."""
    details = []
    for item in exc.errors():
        field = ".".join(str(part) for part in item["loc"] if part != "__root__") or "body"
        details.append({"field": field, "message": item["msg"].removeprefix("Value error, ")})
    first = details[0] if details else {"field": "body", "message": "is invalid"}
    message = f"Invalid input: {first['field']}: {first['message']}"
    return error_response(422, message, "invalid_input", details)


def register_error_handlers(app: Flask) -> None:
    """Install the handlers; unknown exceptions are logged once with a traceback and answer 500."""

    @app.errorhandler(errors.BookAgentError)
    def _domain_error(exc: errors.BookAgentError) -> Response:
        status = status_for(exc)
        if status >= 500:
            log.error("request failed: %s: %s", type(exc).__name__, exc.message)
        if is_dashboard_request():
            return error_page(status, exc.message)
        details = [{"field": d.field, "message": d.message} for d in exc.details]
        extra = {k: v for k, v in exc.extra.items() if v is not None}
        return error_response(status, exc.message, exc.code, details, extra)

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError) -> Response:
        if is_dashboard_request():
            return error_page(422, "The input is not valid.")
        return validation_error_response(exc)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        message = {
            400: "The request is not valid.",
            404: "Not found.",
            405: "Method not allowed for this path.",
            413: "The request body is too large.",
            415: "Send the body as JSON (Content-Type: application/json).",
        }.get(status, exc.description or exc.name)
        if status == 400 and exc.description and "browser (or proxy)" not in exc.description:
            message = exc.description
        if status == 429 and exc.description:  # Flask-Limiter's: the limit, e.g. "3 per 1 minute"
            message = (
                exc.description
                if exc.description.endswith(".")
                else f"Too many requests: the limit is {exc.description}; retry after the "
                "number of seconds in the Retry-After header."
            )
        if is_dashboard_request():
            if status == 404:
                message = "There is no page at this address."
            elif status == 403 and exc.description:
                message = exc.description
            response = error_page(status, message)
        else:
            response = error_response(status, message)
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error: %s", type(exc).__name__)
        if is_dashboard_request():
            return error_page(500, "An internal error occurred; it has been logged.")
        return error_response(500, "An internal error occurred; it has been logged.")
