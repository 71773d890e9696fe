"""A reading's rules as a table: figures, times, platform names and the old `Post.metrics` keys."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from bookagent.domain.engagement import MAX_FIGURE
from bookagent.domain.engagement import Reading
from bookagent.domain.engagement import check_reading
from bookagent.domain.engagement import figure_value
from bookagent.domain.engagement import platform_figures
from bookagent.domain.engagement import platform_reading
from bookagent.domain.engagement import reading_time
from bookagent.domain.engagement import stable_metrics
from bookagent.errors import InvalidInputError

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
WHOLE = "must be a whole number (0 or more)"

FIGURE_TABLE: list[tuple[object, int | str | None]] = [
    # value → the figure, or the message of the 422
    (0, 0),
    (12, 12),
    (MAX_FIGURE, MAX_FIGURE),
    ("42", 42),
    (" 7 ", 7),
    (None, None),
    ("", None),
    ("   ", None),
    (-1, "must be 0 or more"),
    ("-3", "must be 0 or more"),
    (MAX_FIGURE + 1, f"must be at most {MAX_FIGURE:,}"),
    ("9" * 5000, f"must be at most {MAX_FIGURE:,}"),  # int() alone would refuse the text
    (1.5, WHOLE),
    (3.0, WHOLE),
    ("1.5", WHOLE),
    ("1,234", WHOLE),
    ("1e3", WHOLE),
    ("twelve", WHOLE),
    ("²", WHOLE),  # a digit to str.isdigit, not to int()
    (True, WHOLE),
    ([1], WHOLE),
]


@pytest.mark.parametrize(("value", "expected"), FIGURE_TABLE)
def test_figure_value_takes_whole_numbers_of_zero_or_more(
    value: object, expected: int | str | None
) -> None:
    if isinstance(expected, str):
        with pytest.raises(InvalidInputError) as caught:
            figure_value("likes", value)
        assert [(d.field, d.message) for d in caught.value.details] == [("likes", expected)]
    else:
        assert figure_value("likes", value) == expected


TIME_TABLE: list[tuple[object, datetime | str]] = [
    (None, NOW),
    ("", NOW),
    ("2026-12-01T09:30:00+01:00", datetime(2026, 12, 1, 8, 30, tzinfo=UTC)),
    ("2026-12-01T09:30:00Z", datetime(2026, 12, 1, 9, 30, tzinfo=UTC)),
    ("2026-12-01T09:30:00", datetime(2026, 12, 1, 9, 30, tzinfo=UTC)),  # no offset: UTC
    ("2026-12-01", datetime(2026, 12, 1, tzinfo=UTC)),
    (date(2026, 12, 1), datetime(2026, 12, 1, tzinfo=UTC)),
    (NOW + timedelta(minutes=4), NOW + timedelta(minutes=4)),  # a clock a little ahead
    (NOW + timedelta(minutes=6), "is in the future (2026-12-07T12:06:00+00:00)"),
    ("2027-01-01", "is in the future (2027-01-01T00:00:00+00:00)"),
    ("yesterday", "must be an ISO-8601 time"),
    ("01/12/2026", "must be an ISO-8601 time"),
    (1_764_000_000, "must be an ISO-8601 time"),
]


@pytest.mark.parametrize(("value", "expected"), TIME_TABLE)
def test_reading_time_defaults_to_now_and_refuses_the_future(
    value: object, expected: datetime | str
) -> None:
    if isinstance(expected, str):
        with pytest.raises(InvalidInputError) as caught:
            reading_time("at", value, now=NOW)
        [detail] = caught.value.details
        assert detail.field == "at" and detail.message.startswith(expected)
    else:
        assert reading_time("at", value, now=NOW) == expected


READING_TABLE: list[tuple[dict[str, object], object, Reading | tuple[str, str]]] = [
    ({"likes": 3}, None, Reading(read_at=NOW, likes=3)),
    (
        {"likes": 3, "shares": None, "comments": "0", "impressions": 900},
        "2026-12-06T08:00:00+00:00",
        Reading(read_at=NOW - timedelta(hours=28), likes=3, comments=0, impressions=900),
    ),
    ({"followers": 0}, None, Reading(read_at=NOW, followers=0)),  # 0 is a figure
    ({}, None, ("figures", "give at least one of likes, shares")),
    ({"likes": None, "clicks": ""}, None, ("figures", "give at least one of")),
    ({"like": 3}, None, ("like", "is not a figure; give any of likes")),
    ({"likes": 3, "shares": -1}, None, ("shares", "must be 0 or more")),
    ({"likes": 3}, "2030-01-01", ("read_at", "is in the future")),
]


@pytest.mark.parametrize(("figures", "read_at", "expected"), READING_TABLE)
def test_check_reading_needs_one_figure_and_names_the_first_bad_field(
    figures: dict[str, object], read_at: object, expected: Reading | tuple[str, str]
) -> None:
    if isinstance(expected, Reading):
        assert check_reading(figures, read_at=read_at, now=NOW) == expected
    else:
        with pytest.raises(InvalidInputError) as caught:
            check_reading(figures, read_at=read_at, now=NOW)
        [detail] = caught.value.details
        assert detail.field == expected[0] and detail.message.startswith(expected[1])


def test_a_readings_figures_leave_out_those_not_given() -> None:
    reading = Reading(read_at=NOW, likes=0, impressions=40)
    assert reading.figures() == {"likes": 0, "impressions": 40}


PLATFORM_TABLE: list[tuple[str, dict[str, object], dict[str, int]]] = [
    # what MastodonPublisher.metrics gives (favourites, reblogs, replies)
    (
        "mastodon",
        {"likes": 5, "reposts": 2, "replies": 1},
        {"likes": 5, "shares": 2, "comments": 1},
    ),
    # Mastodon's own names
    ("mastodon API", {"favourites": 5, "reblogs": 2}, {"likes": 5, "shares": 2}),
    # BlueskyPublisher.metrics: replies and quotes are its comments
    (
        "bluesky",
        {"likes": 4, "reposts": 3, "replies": 2, "quotes": 1},
        {"likes": 4, "shares": 3, "comments": 3},
    ),
    # XPublisher.metrics: bookmarks are not kept
    (
        "x",
        {"likes": 9, "reposts": 1, "replies": 2, "quotes": 3, "impressions": 700, "bookmarks": 4},
        {"likes": 9, "shares": 1, "comments": 5, "impressions": 700},
    ),
    ("stable names", {"clicks": 8, "followers": 120}, {"clicks": 8, "followers": 120}),
    ("not counts", {"likes": -1, "shares": True, "comments": "3", "views": 5}, {}),
]


@pytest.mark.parametrize(("what", "raw", "expected"), PLATFORM_TABLE)
def test_platform_names_map_to_the_stable_figures(
    what: str, raw: dict[str, object], expected: dict[str, int]
) -> None:
    assert platform_figures(raw) == expected


def test_a_platform_reading_is_made_now_or_is_none_without_figures() -> None:
    assert platform_reading({"likes": 2, "replies": 1}, now=NOW) == Reading(
        read_at=NOW, likes=2, comments=1
    )
    assert platform_reading({"bookmarks": 3}, now=NOW) is None


def test_the_old_metrics_keys_are_read_under_the_stable_names() -> None:
    """`Post.metrics` as collect_metrics stored it before readings were kept stays readable:
    the report sums the values, so a key must not be counted under two names."""
    old = {"likes": 10, "reposts": 2, "replies": 1, "quotes": 1}
    assert stable_metrics(old) == {"likes": 10, "shares": 2, "comments": 2}
    assert sum(stable_metrics(old).values()) == sum(old.values())
    assert stable_metrics({"shares": 5, "reposts": 2}) == {"shares": 5}  # the stable one wins
    assert stable_metrics({"likes": 1, "custom": 3}) == {"likes": 1, "custom": 3}
