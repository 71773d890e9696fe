"""How the dashboard shows times, lengths and links: local times, "3 min ago", unit names, and
the `http_url` test that decides whether a stored URL may become a link."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from flask import Flask

from bookagent.domain.urls import is_http_url
from bookagent.platforms.preview import UNIT_LABELS
from bookagent.platforms.preview import platform_label


def parse_time(value: str | datetime | None) -> datetime | None:
    """An aware datetime from an ISO string or a datetime (naive ones are UTC), or None."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def zone(name: str | None) -> ZoneInfo:
    """The named timezone, or UTC when the name is missing or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(value: str | datetime | None, timezone: str | None = None) -> str:
    """`Mon 2 Mar 2027, 09:00 CET` in the given timezone, or an en dash for no time."""
    moment = parse_time(value)
    if moment is None:
        return "–"
    local = moment.astimezone(zone(timezone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def time_ago(value: str | datetime | None, now: datetime | None = None) -> str:
    """How long ago (or how soon) `value` is, roughly: `42 s ago`, `in 3 h`, `never`."""
    moment = parse_time(value)
    if moment is None:
        return "never"
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    size = abs(seconds)
    for limit, divisor, unit in (
        (90, 1, "s"),
        (90 * 60, 60, "min"),
        (36 * 3600, 3600, "h"),
        (float("inf"), 86400, "days"),
    ):
        if size < limit:
            amount = f"{int(size // divisor)} {unit}"
            break
    return f"{amount} ago" if seconds >= 0 else f"in {amount}"


def unit_label(unit: str) -> str:
    """The readable name of a counting unit."""
    return UNIT_LABELS.get(unit, unit)


def install_filters(app: Flask) -> None:
    """Make the formatters available to the templates as filters, and `is http_url` as a test.

    A stored URL becomes an `href` only if it passes `is http_url`: rows written before URLs were
    validated (or a `file://` outbox address) are shown as text, never as a clickable link.
    """
    app.jinja_env.filters.update(
        local_time=local_time,
        time_ago=time_ago,
        unit_label=unit_label,
        platform_label=platform_label,
    )
    app.jinja_env.tests["http_url"] = is_http_url
