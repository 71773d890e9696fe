"""The evergreen choice, pure: last appearance, the cool-down's edge, and the ranking."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from bookagent.domain.evergreen import Appearance
from bookagent.domain.evergreen import Candidate
from bookagent.domain.evergreen import is_due
from bookagent.domain.evergreen import last_appearance
from bookagent.domain.evergreen import platform_indexes
from bookagent.domain.evergreen import ranked_due

NOW = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_the_last_appearance_is_the_latest_publication_or_refused_offer() -> None:
    assert last_appearance(ago(90), []) == ago(90)
    repeats = [
        Appearance("published", ago(50), ago(51)),
        Appearance("published", ago(20), ago(21)),
        Appearance("pending_approval", None, ago(1)),  # not shown yet
        Appearance("failed", None, ago(3)),
    ]
    assert last_appearance(ago(90), repeats) == ago(20)
    refused = [*repeats, Appearance("rejected", None, ago(10))]
    assert last_appearance(ago(90), refused) == ago(10)


def test_a_post_is_due_on_the_day_its_cool_down_ends_and_not_while_a_repeat_waits() -> None:
    assert not is_due(Candidate("a", "twitter", 0.5, ago(29.99)), NOW, 30)
    assert is_due(Candidate("a", "twitter", 0.5, ago(30)), NOW, 30)
    assert not is_due(Candidate("a", "twitter", 0.5, ago(60), waiting=True), NOW, 30)
    assert is_due(Candidate("a", "twitter", 0.5, ago(1)), NOW, 1)


def test_the_best_score_first_then_unmeasured_ties_to_the_longest_rested() -> None:
    candidates = [
        Candidate("unread-old", "twitter", None, ago(90)),
        Candidate("weak", "twitter", 0.3, ago(40)),
        Candidate("strong", "twitter", 0.8, ago(35)),
        Candidate("tie-recent", "twitter", 0.6, ago(31)),
        Candidate("tie-old", "twitter", 0.6, ago(70)),
        Candidate("resting", "twitter", 0.99, ago(5)),
        Candidate("unread-new", "twitter", None, ago(45)),
    ]
    order = [c.post_id for c in ranked_due(candidates, NOW, 30)]
    assert order == ["strong", "tie-old", "tie-recent", "weak", "unread-old", "unread-new"]


def test_each_platform_has_its_own_repeat_keys() -> None:
    seen: set[int] = set()
    for platform in ("twitter", "facebook", "mastodon", "bluesky"):
        indexes = set(platform_indexes(platform))
        assert indexes and not indexes & seen
        seen |= indexes
