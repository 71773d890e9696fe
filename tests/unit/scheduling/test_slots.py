"""Posting slots across DST changes (Europe/Berlin and America/New_York)."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

import pytest

from bookagent.domain.scheduling import local_day_bounds
from bookagent.domain.scheduling import localize
from bookagent.domain.scheduling import slots_on

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("zone", "day", "expected_utc_hours"),
    [
        (BERLIN, date(2027, 3, 27), [8, 13, 18]),  # CET, the day before spring forward
        (BERLIN, date(2027, 3, 28), [7, 12, 17]),  # CEST from 02:00 that day
        (BERLIN, date(2027, 10, 30), [7, 12, 17]),  # CEST
        (BERLIN, date(2027, 10, 31), [8, 13, 18]),  # back to CET
        (NEW_YORK, date(2027, 3, 13), [14, 19, 0]),  # EST
        (NEW_YORK, date(2027, 3, 14), [13, 18, 23]),  # EDT from 02:00
        (NEW_YORK, date(2027, 11, 7), [14, 19, 0]),  # EST again
    ],
)
def test_default_slots_keep_their_wall_time_across_dst(
    zone: ZoneInfo, day: date, expected_utc_hours: list[int]
) -> None:
    slots = slots_on(day, ["09:00", "14:00", "19:00"], zone)
    assert [s.hour for s in slots] == expected_utc_hours
    assert [s.astimezone(zone).strftime("%H:%M") for s in slots] == ["09:00", "14:00", "19:00"]
    assert all(s.tzinfo == UTC for s in slots)


def test_a_slot_in_the_spring_forward_gap_moves_past_it() -> None:
    slot = localize(date(2027, 3, 28), time(2, 30), BERLIN)
    assert slot == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert slot.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"


def test_a_slot_in_the_fall_back_fold_takes_the_first_occurrence() -> None:
    slot = localize(date(2027, 11, 7), time(1, 30), NEW_YORK)
    assert slot == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)  # 01:30 EDT, not EST


def test_dst_days_are_23_and_25_hours_long() -> None:
    start, end = local_day_bounds(date(2027, 3, 28), BERLIN)
    assert (end - start).total_seconds() == 23 * 3600
    start, end = local_day_bounds(date(2027, 11, 7), NEW_YORK)
    assert (end - start).total_seconds() == 25 * 3600
