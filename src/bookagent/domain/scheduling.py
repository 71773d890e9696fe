"""Posting slots: the author's posting times in their IANA timezone, DST included.

A slot is a local wall time ("09:00") on a local date. In a spring-forward gap (02:30 that does
not exist) the slot moves forward by the gap; in a fall-back fold the first 01:30 is used. All
results are timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bookagent.db.models import Post
from bookagent.states import PostStatus

TAKEN_STATUSES = (
    PostStatus.SCHEDULED,
    PostStatus.PUBLISHING,
    PostStatus.PUBLISHED,
    PostStatus.UNCONFIRMED,
)
SEARCH_DAYS = 366


def parse_slot(value: str) -> time:
    """'09:00' → time(9, 0); ValueError for anything else."""
    hours, _, minutes = value.strip().partition(":")
    return time(int(hours), int(minutes or 0))


def localize(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall time `at` on `day` in `zone` (gaps move forward, folds take the
    first occurrence)."""
    # fold=0 picks the first of two ambiguous times; a missing wall time (spring-forward gap)
    # is read with the offset before the gap, which lands just after it: 02:30 becomes 03:30.
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where `day` starts and ends in `zone` (23 or 25 hours across DST)."""
    start = localize(day, time(0, 0), zone)
    end = localize(day + timedelta(days=1), time(0, 0), zone)
    return start, end


def slots_on(day: date, slot_times: Sequence[str], zone: ZoneInfo) -> list[datetime]:
    """The day's slots as UTC instants, in order, without duplicates."""
    instants = {localize(day, parse_slot(s), zone) for s in slot_times}
    return sorted(instants)


def taken_times(
    session: Session, book_id: str, platform: str, start: datetime, end: datetime
) -> list[datetime]:
    """Scheduled or published times of a book's posts on a platform within [start, end)."""
    rows = session.scalars(
        select(Post.scheduled_time).where(
            Post.book_id == book_id,
            Post.platform == platform,
            Post.status.in_(TAKEN_STATUSES),
            Post.scheduled_time >= start,
            Post.scheduled_time < end,
        )
    )
    return [r for r in rows if r is not None]


def next_free_slot(
    session: Session,
    *,
    book_id: str,
    platform: str,
    zone: ZoneInfo,
    slot_times: Sequence[str],
    posts_per_day: int,
    after: datetime,
    preferred: Sequence[str] = (),
) -> datetime:
    """The first day's free slot after `after` within the day's posts-per-day cap: the earliest,
    or, when several are free, the first of them in `preferred` (posting times, best first;
    the learning plan's order)."""
    if not slot_times:
        raise ValueError("no posting times configured")
    first_day = after.astimezone(zone).date()
    for offset in range(SEARCH_DAYS):
        day = first_day + timedelta(days=offset)
        start, end = local_day_bounds(day, zone)
        taken = set(taken_times(session, book_id, platform, start, end))
        if posts_per_day > 0 and len(taken) >= posts_per_day:
            continue
        free = [slot for slot in slots_on(day, slot_times, zone) if slot > after]
        free = [slot for slot in free if slot not in taken]
        if free:
            return _preferred_slot(free, day, preferred, zone)
    raise ValueError("no free slot in the next year")


def _preferred_slot(
    free: list[datetime], day: date, preferred: Sequence[str], zone: ZoneInfo
) -> datetime:
    """The first of `free` (in time order) by rank in `preferred`; unranked ones come last."""
    rank = {localize(day, parse_slot(s), zone): i for i, s in reversed(list(enumerate(preferred)))}
    return min(free, key=lambda slot: (rank.get(slot, len(preferred)), slot))
