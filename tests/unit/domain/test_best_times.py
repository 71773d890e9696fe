"""The best time to post: defaults below the threshold, learned windows above it, local time."""

from __future__ import annotations

import random
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from bookagent.domain import best_times as timing
from bookagent.domain.best_times import Window
from bookagent.domain.learning import Observation

UTC_ZONE = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 6, 30, 23, 0, tzinfo=UTC)  # a Wednesday


def post(at: datetime, rate: float, post_type: str = "fun_fact") -> Observation:
    """A post published at `at` with 1000 impressions and `rate` engagement per impression."""
    return Observation(post_type, None, at, round(rate * 1000), impressions=1000)


def weekdays_back(hour: int, count: int, minute: int = 30) -> list[datetime]:
    """The last `count` weekdays before NOW's date at `hour:minute` UTC, newest first."""
    days: list[datetime] = []
    day = NOW.replace(hour=hour, minute=minute) - timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days


def learn(observations: list[Observation], **kwargs: object) -> timing.BestTimes:
    zone = kwargs.pop("zone", UTC_ZONE)
    assert isinstance(zone, ZoneInfo)
    slots = kwargs.pop("slots", ())
    assert isinstance(slots, tuple)
    return timing.best_times("bluesky", observations, zone=zone, now=NOW, slots=slots)


def test_below_the_threshold_the_platform_gets_its_defaults_and_how_many_more_are_needed() -> None:
    seven = [post(at, 0.02) for at in weekdays_back(19, 7)]
    found = timing.best_times("mastodon", seven, zone=UTC_ZONE, now=NOW)
    assert found.source == "default"
    assert [r.window for r in found.windows] == list(timing.DEFAULTS["mastodon"][0])
    assert (found.readings, found.threshold, found.needed) == (7, 20, 13)
    assert found.summary() == (
        "09:00–12:00 on weekdays (default until 20 posts have engagement; 7 so far)"
    )
    assert found.note().startswith("default: ")
    assert "13 more posts with engagement needed" in found.note()
    assert found.suggested_slot is None  # defaults suggest no posting time
    payload = found.to_json()
    assert payload["source"] == "default" and payload["needed"] == 13
    assert payload["windows"][0] == {
        "days": "weekdays",
        "start": "09:00",
        "end": "12:00",
        "label": "09:00–12:00 on weekdays",
        "score": None,
        "low": None,
        "high": None,
        "vs_typical": None,
        "posts": 0,
        "weight": 0.0,
    }


def test_posts_older_than_the_lookback_or_after_now_do_not_count() -> None:
    old = [post(NOW - timedelta(weeks=9, days=i), 0.05) for i in range(30)]
    future = [post(NOW + timedelta(days=1 + i), 0.05) for i in range(30)]
    found = learn(old + future)
    assert (found.source, found.readings, found.needed) == ("default", 0, 20)


def test_every_platform_has_a_default_and_an_unknown_one_gets_the_general_one() -> None:
    for platform in ("twitter", "facebook", "instagram", "pinterest", "threads", "linkedin"):
        found = timing.best_times(platform, [], zone=UTC_ZONE, now=NOW)
        assert found.windows and found.source == "default", platform
    bluesky = timing.best_times("bluesky", [], zone=UTC_ZONE, now=NOW).summary()
    assert bluesky.startswith("09:00–12:00 on weekdays and 18:00–21:00 every day (default")
    other = timing.best_times("myspace", [], zone=UTC_ZONE, now=NOW)
    assert [r.window for r in other.windows] == list(timing.GENERAL_DEFAULT[0])


def test_above_the_threshold_the_truly_best_window_wins() -> None:
    rng = random.Random(7)
    hidden = {9: 0.010, 14: 0.012, 19: 0.024}  # evenings draw twice the engagement
    observations = [
        post(at, hidden[hour] * rng.uniform(0.7, 1.3))
        for hour in hidden
        for at in weekdays_back(hour, 10)
    ]
    found = learn(observations, slots=("09:00", "14:00"))
    assert found.source == "learned"
    assert found.readings == 30 and found.needed == 0
    best = found.best
    assert best.window == Window("weekdays", 18, 21)
    assert best.belief is not None and best.belief.posts == 10
    low, high = best.belief.interval()
    assert low < best.belief.mean < high
    assert [r.window.start for r in found.windows] == ["18:00", "12:00", "09:00"]
    scores = [r.belief.mean for r in found.windows if r.belief]
    assert scores == sorted(scores, reverse=True)
    assert found.summary() == "best 18:00–21:00 on weekdays (learned from 30 posts)"
    assert found.note().startswith("learned: from 30 posts")
    assert "a typical post's engagement (90% credible:" in best.evidence()
    # None of the author's times is in the evening window: the answer suggests one there.
    assert found.suggested_slot == "19:00"
    assert learn(observations, slots=("09:00", "19:15")).suggested_slot is None
    payload = found.to_json()
    assert payload["windows"][0]["posts"] == 10
    assert payload["windows"][0]["low"] < payload["windows"][0]["score"]


def test_a_window_is_not_credited_with_the_post_type_it_happened_to_get() -> None:
    # Author quotes draw twice what fun facts do, at any time; evenings draw 1.5× mornings. The
    # mornings got mostly author quotes, so their raw average equals the evenings'.
    rate = {("author_quote", 9): 0.02, ("fun_fact", 9): 0.01}
    rate |= {("author_quote", 19): 0.03, ("fun_fact", 19): 0.015}
    observations = []
    for hour, quotes in ((9, 8), (19, 2)):
        for index, at in enumerate(weekdays_back(hour, 10)):
            post_type = "author_quote" if index < quotes else "fun_fact"
            observations.append(post(at, rate[post_type, hour], post_type))
    found = learn(observations)
    assert found.source == "learned"
    assert found.best.window == Window("weekdays", 18, 21)


def test_a_window_with_fewer_than_three_posts_does_not_rank() -> None:
    steady = [post(at, 0.01) for at in weekdays_back(9, 20)]
    lucky = [post(at, 0.08) for at in weekdays_back(19, 2)]
    found = learn(steady + lucky)
    assert [r.window for r in found.windows] == [Window("weekdays", 9, 12)]


def test_enough_posts_but_no_window_with_three_keeps_the_defaults() -> None:
    start = NOW - timedelta(days=20)
    spread = [post(start + timedelta(hours=3 * i + 1), 0.01) for i in range(20)]
    found = learn(spread)
    assert found.source == "default"
    assert found.readings == 20 and found.needed == 0
    assert "no time window has 3" in found.summary()
    assert "no time window has 3 posts" in found.note()


def test_windows_are_in_the_books_local_time() -> None:
    # 23:30 UTC is 19:30 in New York in June (EDT) and 18:30 in January (EST): the evening.
    june = datetime(2027, 6, 4, 23, 30, tzinfo=UTC)  # a Friday
    january = datetime(2027, 1, 8, 23, 30, tzinfo=UTC)
    assert timing.window_of(june, NEW_YORK) == Window("weekdays", 18, 21)
    assert timing.window_of(january, NEW_YORK) == Window("weekdays", 18, 21)
    # Saturday 02:30 UTC is still Friday evening in New York: a weekday.
    saturday_utc = datetime(2027, 6, 5, 2, 30, tzinfo=UTC)
    assert saturday_utc.weekday() == 5
    assert timing.window_of(saturday_utc, NEW_YORK) == Window("weekdays", 21, 24)
    assert timing.window_of(saturday_utc, UTC_ZONE) == Window("weekends", 0, 3)


def test_daylight_saving_days_keep_local_hours() -> None:
    # 14 March 2027, 02:00 EST becomes 03:00 EDT: an hour apart in UTC, two apart locally.
    assert timing.window_of(datetime(2027, 3, 14, 6, 30, tzinfo=UTC), NEW_YORK).start == "00:00"
    assert timing.window_of(datetime(2027, 3, 14, 7, 30, tzinfo=UTC), NEW_YORK).start == "03:00"
    # 7 November 2027: 01:30 happens twice, both in the first window of a Sunday.
    for hour in (5, 6):
        at = datetime(2027, 11, 7, hour, 30, tzinfo=UTC)
        assert timing.window_of(at, NEW_YORK) == Window("weekends", 0, 3)


def test_posts_at_one_local_time_across_a_daylight_saving_change_share_a_window() -> None:
    # Every day at 19:30 New York time from 1 to 28 March 2027, across the change on the 14th:
    # 00:30 UTC before it, 23:30 UTC after. Read in UTC they would split over two windows.
    now = datetime(2027, 3, 29, 12, tzinfo=UTC)
    local = [datetime(2027, 3, day, 19, 30, tzinfo=NEW_YORK) for day in range(1, 29)]
    observations = [post(at.astimezone(UTC), 0.02) for at in local]
    assert {at.astimezone(UTC).hour for at in local} == {0, 23}
    found = timing.best_times("bluesky", observations, zone=NEW_YORK, now=now)
    assert found.source == "learned" and found.readings == 28
    assert {r.window for r in found.windows} == {
        Window("weekdays", 18, 21),
        Window("weekends", 18, 21),
    }
    assert found.windows[0].belief is not None and found.windows[0].belief.posts == 20


def test_a_window_holds_the_posting_times_from_its_start_up_to_its_end() -> None:
    evening = Window("weekdays", 18, 21)
    assert evening.holds("18:00") and evening.holds("20:59")
    assert not evening.holds("21:00") and not evening.holds("17:59")
    assert evening.middle == "19:00" and Window("weekends", 21, 24).middle == "22:00"
    assert Window("weekends", 21, 24).label == "21:00–24:00 on weekends"
    assert Window("every day", 20, 23).label == "20:00–23:00 every day"
