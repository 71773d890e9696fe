"""The learning policy: scores, the Normal-Gamma posterior, decay, Thompson choice and its floor."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from bookagent.domain import learning
from bookagent.domain import quantiles
from bookagent.domain.learning import Arm
from bookagent.domain.learning import Belief
from bookagent.domain.learning import Observation

MIX = (
    "hook_question",
    "theme_spotlight",
    "author_quote",
    "review_highlight",
    "behind_the_scenes",
    "reader_question",
    "launch_countdown",
    "retailer_cta",
    "fun_fact",
    "excerpt_teaser",
)
SLOTS = ("09:00", "14:00", "19:00")
NOW = datetime(2027, 6, 1, 12, tzinfo=UTC)


def seen(post_type: str, days_ago: float, rate: float, slot: str | None = "09:00") -> Observation:
    """A post with 1000 impressions and `rate` engagement per impression."""
    return Observation(
        post_type=post_type,
        slot=slot,
        published_at=NOW - timedelta(days=days_ago),
        interactions=round(rate * 1000),
        impressions=1000,
    )


def fit(observations: list[Observation], now: datetime = NOW) -> learning.Posterior:
    return learning.fit(observations, now, post_types=MIX, slots=SLOTS)


def test_the_score_is_per_impression_else_per_follower_else_the_count() -> None:
    at = NOW - timedelta(days=1)
    per_impression = Observation("fun_fact", None, at, 30, impressions=1000, followers=50)
    per_follower = Observation("fun_fact", None, at, 30, impressions=None, followers=600)
    no_reach = Observation("fun_fact", None, at, 7, impressions=0, followers=None)
    assert (per_impression.basis, per_impression.raw_score) == ("impressions", 0.03)
    assert (per_follower.basis, per_follower.raw_score) == ("followers", 0.05)
    assert (no_reach.basis, no_reach.raw_score) == ("count", 7.0)


def test_a_typical_post_scores_a_half_twice_typical_two_thirds_nothing_zero() -> None:
    posts = [seen("fun_fact", 1, rate) for rate in (0.01, 0.02, 0.03)] + [seen("fun_fact", 1, 0)]
    typical = learning.typical_scores(posts)
    assert typical == {"impressions": 0.02}
    scores = [learning.normalised_score(post, typical) for post in posts]
    assert scores == pytest.approx([1 / 3, 0.5, 0.6, 0.0])
    # A basis where nothing drew any engagement tells nothing: every post is typical.
    assert learning.normalised_score(seen("fun_fact", 1, 0), {}) == 0.5


def test_the_normal_gamma_update_matches_the_hand_computed_posterior() -> None:
    belief = learning.update(Belief(), [(1.0, 0.8), (1.0, 0.6)])
    # prior: mu 0.5, kappa 3, alpha 3, beta 3 · 0.1²; two posts averaging 0.7, spread 0.02.
    assert belief.kappa == pytest.approx(5)
    assert belief.mean == pytest.approx((3 * 0.5 + 0.8 + 0.6) / 5)
    assert belief.alpha == pytest.approx(4)
    assert belief.beta == pytest.approx(0.03 + 0.02 / 2 + 3 * 2 * 0.2**2 / (2 * 5))
    assert (belief.posts, belief.weight) == (2, 2.0)
    low, high = belief.interval(0.9)
    half = quantiles.student_t_quantile(0.95, 8) * math.sqrt(belief.beta / (4 * 5))
    assert (low, high) == pytest.approx((belief.mean - half, belief.mean + half))


def test_quantiles_match_known_values() -> None:
    assert quantiles.beta_quantile(0.25, 2, 1) == pytest.approx(0.5, abs=1e-8)
    assert quantiles.beta_cdf(0.3, 1, 1) == pytest.approx(0.3)
    assert quantiles.student_t_quantile(0.95, 2) == pytest.approx(2.919986, abs=1e-5)
    assert quantiles.student_t_quantile(0.975, 10) == pytest.approx(2.228139, abs=1e-5)


def test_with_no_data_the_choice_is_the_default_mix() -> None:
    posterior = fit([])
    assert not posterior.has_data
    arms = learning.choose(posterior, 12, random.Random(1))
    assert [arm.post_type for arm in arms] == [*MIX, *MIX[:2]]
    assert [arm.slot for arm in arms[:4]] == ["09:00", "14:00", "19:00", "09:00"]
    assert learning.slot_preference(posterior, random.Random(1)) == []
    assert learning.explain(posterior, arms)[0].startswith("No engagement figures yet")


def test_a_clear_winner_takes_over_over_simulated_weeks_while_a_fifth_still_explores() -> None:
    """Eight weeks of two posts a day: author quotes draw three times the engagement."""
    world, policy = random.Random(11), random.Random(12)
    history: list[Observation] = []
    chosen: list[tuple[datetime, Arm]] = []
    weekly_share, weekly_exploring = [], []
    start = NOW - timedelta(days=56)
    for week in range(8):
        week_arms: list[Arm] = []
        for day in range(7):
            now = start + timedelta(days=7 * week + day)
            posterior = fit(history, now)
            recent = [arm for at, arm in chosen if at > now - timedelta(days=learning.RECENT_DAYS)]
            arms = learning.choose(posterior, 2, policy, recent=recent)
            chosen += [(now, arm) for arm in arms]
            week_arms += arms
            for arm in arms:
                rate = 0.03 if arm.post_type == "author_quote" else 0.01
                clicks = sum(world.random() < rate for _ in range(1000))
                history.append(
                    Observation(arm.post_type, arm.slot, now + timedelta(hours=1), clicks, 1000)
                )
        quotes = sum(arm.post_type == "author_quote" for arm in week_arms)
        weekly_share.append(quotes / len(week_arms))
        weekly_exploring.append(1 - quotes / len(week_arms))
    assert weekly_share[0] < sum(weekly_share[-4:]) / 4  # the share grows ...
    assert sum(weekly_share[-4:]) / 4 >= 0.6  # ... until the winner has taken over ...
    assert min(weekly_share[-4:]) >= 0.5
    # ... and a fifth explores: in every window the floor counts (RECENT_DAYS of daily runs),
    # once the winner is the current best, and so over the weeks too.
    days = [[arm for at, arm in chosen if at == start + timedelta(days=d)] for d in range(56)]
    for last in range(14, 56):
        window = [arm for day in days[last - learning.RECENT_DAYS + 1 : last + 1] for arm in day]
        assert sum(arm.post_type != "author_quote" for arm in window) >= 0.2 * len(window)
    assert sum(weekly_exploring[1:]) / 7 >= 0.2
    assert fit(history, start + timedelta(days=56)).best_type == "author_quote"


def test_the_floor_holds_for_a_batch_and_over_the_recent_posts() -> None:
    history = [seen("author_quote", d, 0.08) for d in range(30)]
    history += [seen(t, d, 0.01, slot) for d in range(5) for t in MIX[3:] for slot in SLOTS[1:]]
    posterior = fit(history + [seen(t, 1, 0.01, "14:00") for t in MIX[:2]])
    assert posterior.best_arm == Arm("author_quote", "09:00")
    for seed in range(20):
        arms = learning.choose(posterior, 14, random.Random(seed))
        assert sum(arm.post_type != "author_quote" for arm in arms) >= 3  # ⌈0.2 × 14⌉
        assert sum(arm.slot != "09:00" for arm in arms) >= 3
    # One post a day: every rolling week of posts keeps a fifth off the best.
    rng, history = random.Random(3), []
    for _ in range(60):
        arm = learning.choose(posterior, 1, rng, recent=history[-6:])[0]
        history.append(arm)
        week = history[-7:]
        assert sum(a.post_type != "author_quote" for a in week) >= 0.2 * len(week)
        assert sum(a.slot != "09:00" for a in week) >= 0.2 * len(week)
    # ... but not much more than asked for: the best still gets most of them.
    assert sum(a.post_type == "author_quote" for a in history) >= 0.6 * len(history)
    assert learning.exploration_quota(1, 0.2, recent=6, recent_off_best=2) == 0
    assert learning.exploration_quota(1, 0.2, recent=6, recent_off_best=1) == 1
    assert learning.exploration_quota(14, 0.2) == 3


def test_decay_makes_a_recent_winner_beat_an_old_one() -> None:
    old_winner = [seen("author_quote", 60 + d, 0.05) for d in range(10)]
    old_winner += [seen("fun_fact", 60 + d, 0.01) for d in range(10)]
    recent_winner = [seen("fun_fact", d, 0.05) for d in range(1, 5)]
    recent_winner += [seen("author_quote", d, 0.01) for d in range(1, 5)]
    posterior = fit(old_winner + recent_winner)
    assert posterior.best_type == "fun_fact"
    assert posterior.post_types["author_quote"].weight < 10 * learning.decay_weight(60) + 4
    # Without decay (an endless half-life) the old winner's ten posts would still win.
    undecayed = learning.fit(
        old_winner + recent_winner, NOW, post_types=MIX, slots=SLOTS, half_life_days=1e9
    )
    assert undecayed.best_type == "author_quote"
    assert learning.decay_weight(14) == pytest.approx(0.5)


def test_the_choice_is_the_same_for_a_seed_and_changes_with_it() -> None:
    history = [seen(t, d, 0.01 + 0.002 * i) for d in range(1, 8) for i, t in enumerate(MIX)]
    posterior = fit(history)
    first = learning.choose(posterior, 14, random.Random(42))
    assert learning.choose(posterior, 14, random.Random(42)) == first
    others = {tuple(learning.choose(posterior, 14, random.Random(seed))) for seed in range(5)}
    assert len(others) > 1


def test_posts_of_another_type_or_time_teach_only_what_they_can() -> None:
    posterior = fit(
        [
            seen("read_aloud", 1, 0.05, slot="19:00"),  # not in this mix: teaches its slot
            seen("fun_fact", 1, 0.02, slot=None),  # at no posting time: teaches its type
            seen("fun_fact", 1, 0.0, slot="09:00"),
            Observation("fun_fact", "14:00", NOW + timedelta(days=1), 10, 1000),  # not yet out
        ]
    )
    assert posterior.observations == 3
    assert posterior.post_types["fun_fact"].posts == 2
    assert posterior.slots["19:00"].posts == 1 and posterior.slots["14:00"].posts == 0
    assert "read_aloud" not in posterior.post_types


def test_the_slot_preference_puts_the_chosen_time_first_then_the_rest_by_mean() -> None:
    history = [seen("fun_fact", d, 0.04, slot="19:00") for d in range(1, 20)]
    history += [seen("fun_fact", d, 0.02, slot="09:00") for d in range(1, 20)]
    history += [seen("fun_fact", d, 0.01, slot="14:00") for d in range(1, 20)]
    posterior = fit(history)
    # The last week's posts explored enough: Thompson sampling alone decides, mostly the best.
    explored = [Arm("fun_fact", "19:00")] * 4 + [Arm("fun_fact", "09:00")] * 2
    orders = [
        learning.slot_preference(posterior, random.Random(seed), recent=explored)
        for seed in range(50)
    ]
    assert Counter(order[0] for order in orders)["19:00"] >= 40
    assert all(sorted(order) == list(SLOTS) for order in orders)
    # After the chosen time, the others by mean: 19:00, then 09:00, then 14:00.
    by_mean = ("19:00", "09:00", "14:00")
    assert all(order[1:] == [t for t in by_mean if t != order[0]] for order in orders)
    # A week all at the best time: this post must try another one.
    exploited = [Arm("fun_fact", "19:00")] * 7
    for seed in range(10):
        order = learning.slot_preference(posterior, random.Random(seed), recent=exploited)
        assert order[0] in ("09:00", "14:00") and order[1] == "19:00"


def test_the_summary_says_what_changed_against_the_default_mix_and_why() -> None:
    history = [seen("author_quote", d, 0.06) for d in range(1, 15)]
    history += [seen(t, d, 0.01) for d in range(1, 4) for t in MIX if t != "author_quote"]
    posterior = fit(history)
    plan = learning.choose(posterior, 14, random.Random(5))
    lines = learning.explain(posterior, plan)
    text = " ".join(lines)
    assert lines[0].startswith(f"Learned from {len(history)} published posts")
    assert "measured per impression" in text and "half as much after 14 days" in text
    quotes = sum(arm.post_type == "author_quote" for arm in plan)
    assert f"More author quote posts: {quotes} of 14 next week (1.4 in the default mix)" in text
    assert "the best so far" in text
    assert "Fewer " in text and "against" in text
    trying = sum(arm.post_type != "author_quote" for arm in plan)
    assert f"{trying} of 14 planned posts try a type other than author quote" in text
    assert f"of these, {trying / 14:.0%} try another type" in text
    # With the last week's posts, the share counts them too.
    recent = [Arm("author_quote", "09:00")] * 6
    with_recent = learning.explain(posterior, plan, recent=recent)[-1]
    assert f"of these and the 6 other posts of the last 5 days, {trying / 20:.0%} try" in (
        with_recent
    )


def test_a_settled_winner_takes_every_post_the_floor_leaves_it() -> None:
    history = [seen(t, d, 0.01, s) for d in range(1, 15) for t in MIX for s in SLOTS]
    history += [seen("author_quote", d, 0.05, s) for d in range(1, 15) for s in SLOTS]
    posterior = fit(history)
    assert posterior.best_type == "author_quote"
    for seed in range(10):
        arms = learning.choose(posterior, 14, random.Random(seed))
        # Settled: exactly the floor's ⌈0.2 × 14⌉ = 3 posts explore, no more.
        assert sum(arm.post_type != "author_quote" for arm in arms) == 3
    # In doubt (two types alike), each post is drawn: both get posts.
    close = [seen(t, d, 0.01) for d in range(1, 15) for t in MIX]
    close += [seen(t, d, 0.03) for d in range(1, 4) for t in ("fun_fact", "author_quote")]
    drawn = Counter(arm.post_type for arm in learning.choose(fit(close), 14, random.Random(2)))
    assert drawn["fun_fact"] >= 2 and drawn["author_quote"] >= 2


def test_a_type_the_book_cannot_write_now_is_left_out_until_its_requests_age() -> None:
    requests = [
        ("launch_countdown", "retailer_cta"),
        ("author_quote", "author_quote"),
        ("launch_countdown", "retailer_cta"),
        ("review_highlight", "author_quote"),  # once: may be a bad day
        ("fun_fact", "theme_spotlight"),
        ("fun_fact", "fun_fact"),  # written again since
    ]
    assert learning.unwritable(requests) == {"launch_countdown"}
    posterior = fit([seen(t, d, 0.01) for d in range(1, 5) for t in MIX])
    narrowed = learning.without_types(posterior, {"launch_countdown"})
    assert "launch_countdown" not in narrowed.post_types
    for seed in range(10):
        arms = learning.choose(narrowed, 14, random.Random(seed))
        assert all(arm.post_type != "launch_countdown" for arm in arms)
    # Leaving out every type leaves the posterior as it was: there is nothing else to write.
    assert learning.without_types(posterior, MIX) is posterior
