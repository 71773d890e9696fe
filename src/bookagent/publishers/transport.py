"""The HTTP edge shared by every vendor publisher: one client recipe, one error translation.

What an httpx failure proves decides the error (the publication ledger relies on it):

    provably not sent (connect error or timeout, DNS, pool timeout) -> ProviderUnavailable
    sent, outcome unknown (read/write timeout, dropped connection, 5xx) -> PublishOutcomeUnknown
    HTTP 429                                                         -> RateLimited
    any other 4xx (and an unexpected 1xx/3xx)                        -> ProviderRejected

A read (`effect=False`: checks, lookups, metrics, limits) creates nothing, so there "unknown"
cannot arise: its timeouts and 5xx are ProviderUnavailable. Messages carry the vendor's error
text, whitespace-collapsed, truncated and with every credential redacted.

A URL's path and query can be a credential too: a Zapier or Make webhook URL is the secret. So
httpx's own request log (`HTTP Request: POST <url> "HTTP/1.1 200 OK"`, at INFO) is cut down to
the origin, `scheme://host[:port]`, for every outbound request: importing this module installs
`OriginOnlyFilter` on the `httpx` logger (once), which rewrites each record before any handler
sees it. Our own log lines never carry a publisher's URL; where one must be named, `origin_of`
gives the part that may be shown, and `secret_parts_of` what a Redactor should hide.

Every client verifies TLS with one SSL context per process (`shared_ssl_context`): building a
context loads the CA bundle, about 25 ms of CPU, which each publisher (and so each platform's
first publish) used to pay again. A context is safe to share between clients and threads.
"""

from __future__ import annotations

import json
import logging
import math
import re
import ssl
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any

import httpx

from bookagent.errors import BookAgentError
from bookagent.errors import ConfigurationError
from bookagent.errors import ProviderRejected
from bookagent.errors import ProviderUnavailable
from bookagent.errors import PublishOutcomeUnknown
from bookagent.errors import RateLimited

DEFAULT_RETRY_AFTER_S = 60.0
MAX_VENDOR_TEXT = 300
# Checked in this order; the first that parses wins. `Retry-After` is seconds or an HTTP date;
# X sends `x-rate-limit-reset` (epoch seconds), Bluesky `ratelimit-reset` (epoch seconds) and
# Mastodon `X-RateLimit-Reset` (an ISO 8601 time).
RESET_HEADERS = ("retry-after", "x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset")
_EPOCH_THRESHOLD = 1_000_000_000  # a bare number above this is a Unix time, below it a delay

# Failures that prove the request never left: nothing can have been published.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)

RetryAfter = Callable[[httpx.Headers], float]

# An absolute http(s) URL: scheme (1), user info (2), host[:port] (3), and the rest (4).
_URL_IN_TEXT = re.compile(r"(?i)\b(https?://)([^/?#\s\"'<>@]*@)?([^/?#\s\"'<>]+)([^\s\"'<>]*)")


class Redactor:
    """Replaces every known credential in a text with `[redacted]`."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: list[str] = []
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        """Also redact these (tokens learnt later, such as a session's JWTs)."""
        for secret in secrets:
            if secret and len(secret) >= 4 and secret not in self._secrets:
                self._secrets.append(secret)
        self._secrets.sort(key=len, reverse=True)  # longest first, so no fragment survives

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text


def build_client(
    *,
    base_url: str = "",
    timeout_s: float,
    transport: httpx.AsyncBaseTransport | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.AsyncClient:
    """An AsyncClient with an explicit timeout, no redirects and our User-Agent."""
    if timeout_s <= 0:
        raise ConfigurationError("A publisher needs timeout_s > 0.")
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout_s),
        transport=transport,
        # An injected transport (the tests') makes its own connections: no context needed.
        verify=shared_ssl_context() if transport is None else True,
        follow_redirects=False,
        headers={"user-agent": "bookagent", "accept": "application/json", **(headers or {})},
    )


@cache
def shared_ssl_context() -> ssl.SSLContext:
    """The process's verifying SSL context, built on first use exactly as httpx builds its
    default one (certifi's CA bundle, or `SSL_CERT_FILE` / `SSL_CERT_DIR` when set)."""
    return httpx.create_ssl_context()


def host_of(url: str) -> str:
    """`host[:port]` of a URL: the stable part of an account key."""
    return httpx.URL(url).netloc.decode("ascii") or url


def origin_of(url: str | httpx.URL) -> str:
    """`scheme://host[:port]` of a URL: all of it that may be logged (no userinfo, path, query)."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "[unparsable URL]"
    netloc = parsed.netloc.decode("ascii")
    return f"{parsed.scheme}://{netloc}" if parsed.scheme and netloc else "[relative URL]"


def secret_parts_of(url: str) -> list[str]:
    """The parts of `url` that must not be shown: its user info and all after host[:port]."""
    match = _URL_IN_TEXT.fullmatch(url.strip())
    if match is None:
        return [url.strip()]  # not a URL we understand: hide all of it
    return [part for part in (match.group(2), match.group(4)) if part]


class OriginOnlyFilter(logging.Filter):
    """Cuts every URL in a log record down to its origin (see the module doc)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _origins_only(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_loggable(arg) for arg in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {key: _loggable(arg) for key, arg in record.args.items()}
        return True


def _loggable(value: object) -> object:
    if isinstance(value, httpx.URL):
        return origin_of(value)
    if isinstance(value, str):
        return _origins_only(value)
    return value


def _origins_only(text: str) -> str:
    return _URL_IN_TEXT.sub(r"\1\3", text)


def _install_origin_only_filter() -> None:
    """Put OriginOnlyFilter on httpx's logger, once per process."""
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(f, OriginOnlyFilter) for f in httpx_logger.filters):
        httpx_logger.addFilter(OriginOnlyFilter())


_install_origin_only_filter()


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    vendor: str,
    redact: Redactor,
    effect: bool,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request; translate a transport failure by what it proves (see module doc)."""
    try:
        return await client.request(method, url, **kwargs)
    except httpx.TransportError as exc:
        raise transport_error(exc, vendor=vendor, redact=redact, effect=effect) from exc
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"{vendor}: invalid URL ({redact(str(exc))})") from exc


def transport_error(
    exc: httpx.TransportError, *, vendor: str, redact: Redactor, effect: bool
) -> BookAgentError:
    """The ProviderError that an httpx transport failure stands for."""
    detail = redact(" ".join(str(exc).split()))[:MAX_VENDOR_TEXT] or type(exc).__name__
    if isinstance(exc, httpx.UnsupportedProtocol):
        return ConfigurationError(f"{vendor}: unsupported URL scheme ({detail})")
    if isinstance(exc, _NOT_SENT):
        return ProviderUnavailable(f"{vendor}: could not connect ({type(exc).__name__}: {detail})")
    if not effect:
        return ProviderUnavailable(f"{vendor}: request failed ({type(exc).__name__}: {detail})")
    return PublishOutcomeUnknown(
        f"{vendor}: the request was sent but no answer came back "
        f"({type(exc).__name__}: {detail}); the post may or may not exist"
    )


def raise_for_status(
    response: httpx.Response,
    *,
    vendor: str,
    redact: Redactor,
    effect: bool,
    retry_after: RetryAfter | None = None,
) -> None:
    """Raise the contract's error for a non-2xx answer; return quietly on success."""
    status = response.status_code
    if 200 <= status < 300:
        return
    text = vendor_error_text(response, redact)
    if status == 429:
        wait_s = (retry_after or retry_after_s)(response.headers)
        raise RateLimited(f"{vendor}: rate limited (HTTP 429): {text}", retry_after_s=wait_s)
    if status >= 500:
        if effect:
            raise PublishOutcomeUnknown(
                f"{vendor}: HTTP {status} after the request was sent: {text}; "
                "the post may or may not exist"
            )
        raise ProviderUnavailable(f"{vendor}: HTTP {status}: {text}")
    raise ProviderRejected(f"{vendor}: HTTP {status}: {text}")


def vendor_error_text(response: httpx.Response, redact: Redactor) -> str:
    """The vendor's own error words (Mastodon `error`, XRPC `error`+`message`, X `detail`...)."""
    parts: list[str] = []
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        for key in ("error", "title", "message", "detail", "error_description"):
            value = body.get(key)
            if isinstance(value, str) and value and value not in parts:
                parts.append(value)
        errors = body.get("errors")
        if isinstance(errors, list):
            parts += [
                str(item.get("message"))
                for item in errors[:3]
                if isinstance(item, dict) and item.get("message")
            ]
    text = ": ".join(parts) if parts else response.text or response.reason_phrase
    return truncate(redact(" ".join(text.split())))


def response_excerpt(response: httpx.Response, redact: Redactor, limit: int = 500) -> str:
    """The start of a response body, redacted, for the attempt's audit row."""
    return truncate(redact(response.text), limit)


def truncate(text: str, limit: int = MAX_VENDOR_TEXT) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_object(response: httpx.Response, *, vendor: str) -> dict[str, Any]:
    """The response body as a JSON object; a 2xx without one is the vendor breaking its API."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise ProviderRejected(
            f"{vendor}: HTTP {response.status_code} without the expected JSON object"
        )
    return body


def retry_after_s(headers: httpx.Headers, now: float | None = None) -> float:
    """Seconds to wait before calling again: the first reset header that parses, else 60."""
    current = time.time() if now is None else now
    for name in RESET_HEADERS:
        raw = headers.get(name)
        if raw is None:
            continue
        wait_s = _seconds_until(raw.strip(), current, delay_allowed=True)
        if wait_s is not None:
            return wait_s
    return DEFAULT_RETRY_AFTER_S


def seconds_until(value: str, now: float | None = None) -> float | None:
    """Seconds from now until `value` (epoch seconds, ISO 8601 or HTTP date); None if unparsable."""
    return _seconds_until(value.strip(), time.time() if now is None else now, delay_allowed=False)


def _seconds_until(value: str, now: float, *, delay_allowed: bool) -> float | None:
    moment: float | None = None
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None and math.isfinite(number):
        if number < _EPOCH_THRESHOLD and delay_allowed:
            return max(0.0, float(math.ceil(number)))
        moment = number
    else:
        moment = _parse_time(value)
    if moment is None:
        return None
    return max(0.0, float(math.ceil(moment - now)))


def _parse_time(value: str) -> float | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        return None  # a time without a zone cannot be trusted to mean UTC
    return parsed.timestamp()
