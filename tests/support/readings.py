"""Published posts with engagement readings, inserted directly, for the learning plan's tests."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any

from bookagent.bootstrap import Services
from bookagent.db.models import MetricReading
from tests.support.factories import post_row


def add_published(
    services: Services,
    book_id: str,
    *,
    platform: str,
    post_type: str,
    at: datetime,
    readings: list[dict[str, Any]] | None = None,
    metrics: dict[str, int] | None = None,
) -> str:
    """A post published at `at` (its slot too) with `readings` (figures, optional `read_at`,
    one day after `at` by default) and `metrics`, its latest figures (what the report's
    engagement ranks); its id."""
    with services.db.session() as session:
        post = post_row(
            book_id,
            f"{post_type} at {at.isoformat()}",
            platform=platform,
            post_type=post_type,
            status="published",
            created_at=at - timedelta(days=1),
            updated_at=at,
            approved_at=at - timedelta(hours=12),
            scheduled_time=at,
            published_at=at,
            metrics=metrics or {},
        )
        session.add(post)
        session.flush()
        for figures in readings or ():
            values = dict(figures)
            read_at = values.pop("read_at", at + timedelta(days=1))
            session.add(
                MetricReading(post_id=post.id, read_at=read_at, source="platform", **values)
            )
        return post.id
