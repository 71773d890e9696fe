"""Web addresses the service stores and shows: absolute http(s) URLs only.

Every URL a caller gives (a book's links and cover image, a post's `published_url`) is validated
by `HttpUrlStr`: scheme `http` or `https`, a host, no whitespace, backslash or control character,
at most 2048 characters. Surrounding whitespace is trimmed; otherwise the URL is stored exactly as
given (no normalisation), since posts copy the author's links verbatim. Anything else (such as
`javascript:`, `data:` or a scheme-relative `//host`) must never become a clickable link, so the
dashboard also renders a stored URL as a link only when `is_http_url` holds.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated
from typing import Any
from urllib.parse import urlsplit

from pydantic import AfterValidator
from pydantic import BeforeValidator
from pydantic import StringConstraints
from pydantic import WithJsonSchema
from pydantic_core import PydanticCustomError

MAX_URL_LENGTH = 2048
HTTP_SCHEMES = frozenset({"http", "https"})

_NOT_WEB = "must be a full web address starting with https:// or http://"


def http_url_problem(value: str) -> str | None:
    """Why `value` is not an absolute http(s) URL with a host (a sentence), or None if it is."""
    if not value:
        return "must not be empty"
    if len(value) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    if any(_is_forbidden(char) for char in value):
        return f"{_NOT_WEB}, without spaces, backslashes or control characters"
    try:
        parts = urlsplit(value)
        host = parts.hostname
        _ = parts.port  # a malformed port raises ValueError
    except ValueError:
        return f"{_NOT_WEB}, with a valid host and port"
    if parts.scheme.lower() not in HTTP_SCHEMES:
        return _NOT_WEB
    if not host or not parts.netloc:
        return f"{_NOT_WEB}, followed by a host name"
    return None


def is_http_url(value: Any) -> bool:
    """Whether `value` is a string that is a safe http(s) URL (the templates' `http_url` test)."""
    return isinstance(value, str) and http_url_problem(value) is None


def _is_forbidden(char: str) -> bool:
    # Whitespace, "\" (browsers read it as "/"), and control/format/unassigned characters ("C*").
    return char.isspace() or char == "\\" or unicodedata.category(char).startswith("C")


def _check(value: str) -> str:
    problem = http_url_problem(value)
    if problem is not None:
        raise PydanticCustomError("http_url", problem)
    return value


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


#: A string that is an absolute http(s) URL, stored as given (surrounding whitespace trimmed).
HttpUrlStr = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    AfterValidator(_check),
    WithJsonSchema(
        {
            "type": "string",
            "format": "uri",
            "minLength": 1,
            "maxLength": MAX_URL_LENGTH,
            "description": "An absolute http:// or https:// URL with a host.",
        }
    ),
]

#: An optional `HttpUrlStr`: null, or an empty (blank) string, means "no URL" and becomes None.
OptionalHttpUrlStr = Annotated[HttpUrlStr | None, BeforeValidator(_blank_is_none)]
