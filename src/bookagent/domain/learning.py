"""What the agent learns from engagement: which post types and posting times work, per platform.

Pure (no I/O): `bookagent.domain.learning_store` reads the posts and their readings and hands
them here as `Observation`s. The policy is Thompson sampling over arms = post type × slot (a slot
is one of the author's posting times), with these choices:

- **Score.** A post's engagement is likes + shares + comments + clicks (a figure no reading gave
  counts 0). Its raw score is that per impression when impressions are known (and not 0), else
  per follower of the account at the time, else the bare count (the fallback: a reading without
  reach, e.g. clicks counted on bookagent's own short links). Each basis is then made scale-free
  against the platform's *typical post* (`typical_scores`: per basis, the median over post types
  of each type's median raw score, among posts that drew any engagement): `s = raw / (raw +
  typical)`, so a typical post scores 0.5, twice typical 0.67, nothing at all 0. If no post of
  a basis drew anything, its posts score 0.5.
- **Prior and posterior.** Each post type and each slot has an unknown mean score μ, and a
  post's score is μ plus noise of unknown precision τ: a Normal-Gamma model, whose prior is
  μ | τ ~ N(0.5, 1/(κ₀τ)), τ ~ Gamma(α₀, β₀) with κ₀ = 3 (three pseudo-posts at a typical
  0.5), α₀ = 3 and β₀ = 3 · 0.1² (a post's score spreads about ±0.1 around its arm's mean). An
  untried type or time is assumed typical and uncertain, but not wildly so: with κ₀ = α₀ = 1 its
  draws had the heavy tails of a Student t with 2 degrees of freedom, and with ten post types one
  of the untried ones out-drew a clear winner in a third of the posts, well above the floor
  below (`benchmarks/learning.py` measured 74–76% of the oracle's engagement then, 79–80% now).
  Unlike a Beta on the score read as a coin
  flip, it learns how much posts of an arm really vary (engagement rates vary far less than a
  coin), so a clear winner stands out within weeks (tests/unit/domain/test_learning.py
  simulates it). The posterior of μ is a Student t with 2αₙ degrees of freedom; the report shows
  its mean and central 90% interval.
- **Decay.** A post's weight `w` halves every `HALF_LIFE_DAYS` (14) days after it went out, so
  last month's winner has to keep winning.
- **Factored arms.** A few posts a day cannot fill 30 type × slot cells, so the value of an arm is
  its type's plus its time's: each post teaches the posterior of its type and of its slot, each
  fitted to the scores with the other's effect taken out (two rounds of backfitting, so a time
  that happened to get more of the best type is not credited with it), and a Thompson draw
  picks the best type and the best slot independently.
- **Exploration floor.** Of the new posts together with those chosen over the last days (the
  four daily runs before: `RECENT_DAYS`), at least 20% have a type other than the current
  best (the measured type with the highest posterior mean), and at least 20% a slot other than
  the best slot; when Thompson
  sampling did not explore that much by itself, new posts are moved off the best, each to the
  other with the highest Thompson draw (exploration goes where the data still leaves hope). A
  batch chosen with no history (a week's plan) explores in at least ⌈0.2·n⌉ posts.
- **Settled.** Once the current best wins at least `SETTLED` (95%) of `SETTLED_DRAWS` joint
  draws from the posterior, drawing each post anew only spends posts on what the data has all
  but ruled out (with ten post types Thompson sampling kept a quarter of the posts off a clear
  winner, against the floor's fifth: `benchmarks/learning.py`). Then every new post takes the
  best, and the floor alone explores; while the best is in doubt, each post is a Thompson draw.
- **Randomness** comes from the `random.Random` passed in: a seed gives the same choice again.

With no observation the policy is the default mix, as before any learning.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from datetime import timedelta
from statistics import median
from typing import Literal

from bookagent.domain.quantiles import student_t_quantile

#: Days after which a post counts half as much.
HALF_LIFE_DAYS = 14.0
#: The Normal-Gamma prior of every type and slot (see the module doc).
PRIOR_MEAN = 0.5
PRIOR_POSTS = 3.0
PRIOR_SHAPE = 3.0
PRIOR_SPREAD = 0.1
#: Rounds of backfitting the type and slot effects (see `fit`).
BACKFIT_ROUNDS = 2
#: The share of chosen posts that try a type (and a slot) outside the current best ...
EXPLORATION_FLOOR = 0.2
#: ... counting the new posts with those chosen over the rest of this many days: five daily
#: runs, the new ones and the four before. Five days of posts are a whole multiple of five posts
#: at any posts per day, so a fifth of them is a whole number of posts and the floor holds at
#: exactly 20%; over a week it was rounded up (3 of 14 posts at two a day, 2 of 7 at one: 21%
#: and 29%, each extra post spent on a type the data already ranks lower). The window starts
#: half a day after the fifth run back (`recent_since`), so that a run a little later or
#: earlier than usual counts the same posts; counting six runs' posts would hold the floor at
#: ⌈0.2 × 12⌉ = 3 of 12, a quarter, not a fifth.
RECENT_DAYS = 5
#: The best is settled when it wins this share of this many joint draws (see the module doc).
SETTLED = 0.95
SETTLED_DRAWS = 200
#: The probability mass of the credible intervals the report shows (central).
CREDIBLE_LEVEL = 0.9
#: A post type is left out of a plan while the last this many posts asked of it (within
#: `UNWRITABLE_DAYS`) were all written as another type: the book lacks what it needs just now
#: (a countdown after the launch, a quote post when every quote went out lately). Its requests
#: age out, so it is asked again once they have.
UNWRITABLE_AFTER = 2
UNWRITABLE_DAYS = 14

Basis = Literal["impressions", "followers", "count"]
BASES: tuple[Basis, ...] = ("impressions", "followers", "count")


@dataclass(frozen=True)
class Observation:
    """One published post's latest engagement: its type, its slot (None: not at a posting time),
    when it went out, and its figures (impressions and followers None when unknown)."""

    post_type: str
    slot: str | None
    published_at: datetime
    interactions: int
    impressions: int | None = None
    followers: int | None = None

    @property
    def basis(self) -> Basis:
        """What the engagement is measured against: impressions, else followers, else nothing."""
        if self.impressions:
            return "impressions"
        if self.followers:
            return "followers"
        return "count"

    @property
    def raw_score(self) -> float:
        """Engagement per impression, per follower, or the bare count (see `basis`)."""
        reach = {"impressions": self.impressions, "followers": self.followers}.get(self.basis)
        return self.interactions / reach if reach else float(self.interactions)


@dataclass(frozen=True)
class Arm:
    """What one post tries: a post type at a posting time (None when no time is known)."""

    post_type: str
    slot: str | None


@dataclass(frozen=True)
class Belief:
    """The Normal-Gamma posterior of one post type or slot, and the evidence behind it."""

    mu: float = PRIOR_MEAN
    kappa: float = PRIOR_POSTS
    alpha: float = PRIOR_SHAPE
    beta: float = PRIOR_SHAPE * PRIOR_SPREAD**2
    #: Posts that counted, and their total decayed weight.
    posts: int = 0
    weight: float = 0.0

    @property
    def mean(self) -> float:
        """The expected score (0.5 = a typical post)."""
        return self.mu

    @property
    def vs_typical(self) -> float:
        """The mean as a multiple of a typical post's engagement (`s / (1 - s)`)."""
        return ratio_to_typical(self.mean)

    def interval(self, level: float = CREDIBLE_LEVEL) -> tuple[float, float]:
        """The central credible interval of the mean score holding `level` of the probability,
        within [0, 1] (the range of a score)."""
        half = student_t_quantile(0.5 + level / 2, 2 * self.alpha) * self._scale
        return max(0.0, self.mu - half), min(1.0, self.mu + half)

    def draw(self, rng: random.Random) -> float:
        """One Thompson sample of the mean score: a precision, then a mean given it."""
        precision = rng.gammavariate(self.alpha, 1 / self.beta)
        return rng.gauss(self.mu, 1 / math.sqrt(self.kappa * precision))

    @property
    def _scale(self) -> float:
        return math.sqrt(self.beta / (self.alpha * self.kappa))


@dataclass(frozen=True)
class Posterior:
    """What the agent believes about one book on one platform, per post type and per slot.

    `post_types` keeps the default mix's order (duplicates removed) and `slots` the posting
    times' order; ties go to the first. `default_mix` is the mix written without data.
    """

    post_types: Mapping[str, Belief]
    slots: Mapping[str, Belief]
    default_mix: tuple[str, ...]
    observations: int = 0
    bases: Mapping[Basis, int] | None = None
    half_life_days: float = HALF_LIFE_DAYS

    @property
    def has_data(self) -> bool:
        """Whether any post taught a type or a slot something."""
        return self.observations > 0

    @property
    def knows_slots(self) -> bool:
        """Whether any post went out at one of the posting times."""
        return any(b.posts for b in self.slots.values())

    @property
    def best_type(self) -> str:
        """The measured post type with the highest posterior mean."""
        return _best(self.post_types)

    @property
    def best_slot(self) -> str | None:
        """The measured posting time with the highest posterior mean (None without times)."""
        return _best(self.slots) if self.slots else None

    @property
    def best_arm(self) -> Arm:
        """The current best: best type at the best time."""
        return Arm(self.best_type, self.best_slot)


def ratio_to_typical(score: float) -> float:
    """A score in [0, 1] as a multiple of a typical post's engagement (inverse of
    `raw / (raw + typical)`)."""
    return score / (1 - score) if score < 1 else math.inf


def decay_weight(age_days: float, half_life_days: float = HALF_LIFE_DAYS) -> float:
    """How much a post `age_days` old counts: 1 today, 0.5 after one half-life."""
    return float(0.5 ** (max(age_days, 0.0) / half_life_days))


def typical_scores(observations: Iterable[Observation]) -> dict[Basis, float]:
    """Per basis, a typical post's raw score: the median over post types of each type's median
    among its posts that drew any engagement. Taking each type once keeps the type the agent
    writes most from becoming the yardstick it is measured by."""
    positive: dict[Basis, dict[str, list[float]]] = {}
    for obs in observations:
        if obs.raw_score > 0:
            by_type = positive.setdefault(obs.basis, {})
            by_type.setdefault(obs.post_type, []).append(obs.raw_score)
    return {
        basis: median(median(scores) for scores in by_type.values())
        for basis, by_type in positive.items()
    }


def normalised_score(obs: Observation, typical: Mapping[Basis, float]) -> float:
    """The post's score in [0, 1]: `raw / (raw + typical)` (0.5 when nothing is typical)."""
    reference = typical.get(obs.basis)
    if not reference:
        return 0.5
    return obs.raw_score / (obs.raw_score + reference)


def fit(
    observations: Sequence[Observation],
    now: datetime,
    *,
    post_types: Sequence[str],
    slots: Sequence[str],
    half_life_days: float = HALF_LIFE_DAYS,
) -> Posterior:
    """The posterior per post type and per slot from `observations` as of `now`.

    `post_types` is the default mix (the arms' types, in order) and `slots` the posting times.
    A post of another type still teaches its slot, and a post at no posting time its type; a post
    published after `now` is left out.
    """
    counted = [obs for obs in observations if obs.published_at <= now]
    typical = typical_scores(counted)
    known_types, known_slots = set(post_types), set(slots)
    scored = [
        (
            obs,
            decay_weight((now - obs.published_at).total_seconds() / 86400, half_life_days),
            normalised_score(obs, typical),
        )
        for obs in counted
        if obs.post_type in known_types or obs.slot in known_slots
    ]
    # Backfitting the additive model: each side is fitted to the scores with the other side's
    # effect (its mean's distance from typical) taken out.
    slot_effect: dict[str, float] = {}
    for _ in range(BACKFIT_ROUNDS):
        types = _fit_side(scored, post_types, lambda o: o.post_type, lambda o: o.slot, slot_effect)
        type_effect = {name: b.mean - PRIOR_MEAN for name, b in types.items() if b.posts}
        times = _fit_side(scored, slots, lambda o: o.slot, lambda o: o.post_type, type_effect)
        slot_effect = {name: b.mean - PRIOR_MEAN for name, b in times.items() if b.posts}
    bases = Counter(obs.basis for obs, _, _ in scored)
    used = len(scored)
    return Posterior(
        post_types=types,
        slots=times,
        default_mix=tuple(post_types),
        observations=used,
        bases={basis: bases[basis] for basis in BASES},
        half_life_days=half_life_days,
    )


def update(prior: Belief, points: Sequence[tuple[float, float]]) -> Belief:
    """The posterior after `points` (weight, score): the Normal-Gamma update with each post
    counting as `weight` observations."""
    total = sum(weight for weight, _ in points)
    if total <= 0:
        return replace(prior, posts=prior.posts + len(points))
    average = sum(weight * score for weight, score in points) / total
    spread = sum(weight * (score - average) ** 2 for weight, score in points)
    kappa = prior.kappa + total
    return Belief(
        mu=(prior.kappa * prior.mu + total * average) / kappa,
        kappa=kappa,
        alpha=prior.alpha + total / 2,
        beta=prior.beta
        + spread / 2
        + prior.kappa * total * (average - prior.mu) ** 2 / (2 * kappa),
        posts=prior.posts + len(points),
        weight=prior.weight + total,
    )


def unwritable(requests: Sequence[tuple[str, str]], after: int = UNWRITABLE_AFTER) -> set[str]:
    """The post types whose last `after` requests were all written as another type; `requests`
    are (asked, written) pairs, oldest first."""
    by_type: dict[str, list[bool]] = {}
    for asked, written in requests:
        by_type.setdefault(asked, []).append(asked == written)
    return {t for t, kept in by_type.items() if len(kept) >= after and not any(kept[-after:])}


def without_types(posterior: Posterior, left_out: Iterable[str]) -> Posterior:
    """`posterior` choosing among its post types but `left_out` (all of them, if none is left).

    An arm the writer cannot write now would otherwise keep its prior's wide draw, win the
    Thompson draw often and be written as some other type every time."""
    kept = {t: b for t, b in posterior.post_types.items() if t not in set(left_out)}
    return replace(posterior, post_types=kept) if kept else posterior


def default_arms(posterior: Posterior, n: int) -> list[Arm]:
    """The default mix for `n` posts: the types in turn, the posting times in turn."""
    mix = posterior.default_mix or tuple(posterior.post_types)
    times = list(posterior.slots)
    return [Arm(mix[i % len(mix)], times[i % len(times)] if times else None) for i in range(n)]


def recent_since(now: datetime) -> datetime:
    """Where the exploration floor's window of recent posts starts (see `RECENT_DAYS`)."""
    return now - timedelta(days=RECENT_DAYS - 0.5)


def exploration_quota(n: int, floor: float, recent: int = 0, recent_off_best: int = 0) -> int:
    """How many of `n` new posts must be off the best so that, with the `recent` posts (of which
    `recent_off_best` are off it), at least `floor` of them all are."""
    needed = math.ceil(round(floor * (recent + n), 9)) - recent_off_best
    return min(n, max(0, needed))


def choose(
    posterior: Posterior,
    n: int,
    rng: random.Random,
    floor: float = EXPLORATION_FLOOR,
    recent: Sequence[Arm] = (),
) -> list[Arm]:
    """The arms of the next `n` posts: a Thompson draw each, then enough of them moved off the
    current best type (and best slot) that, counting the `recent` posts already chosen (the
    last RECENT_DAYS'), at least `floor` of them are off it. No data: the default mix."""
    if n <= 0:
        return []
    if not posterior.has_data or not posterior.post_types:
        return default_arms(posterior, n)
    best_type, best_slot = posterior.best_type, posterior.best_slot
    type_settled = _settled(posterior.post_types, best_type, rng)
    slot_settled = best_slot is not None and _settled(posterior.slots, best_slot, rng)
    arms = [
        Arm(
            best_type if type_settled else _thompson(posterior.post_types, rng),
            best_slot if slot_settled else (_thompson(posterior.slots, rng) or None),
        )
        for _ in range(n)
    ]
    typed = [arm for arm in recent if arm.post_type in posterior.post_types]
    quota = exploration_quota(
        n, floor, len(typed), sum(arm.post_type != best_type for arm in typed)
    )
    arms = _explore(arms, "post_type", best_type, posterior.post_types, quota, rng)
    if best_slot is not None:
        timed = [arm for arm in recent if arm.slot in posterior.slots]
        quota = exploration_quota(n, floor, len(timed), sum(arm.slot != best_slot for arm in timed))
        arms = _explore(arms, "slot", best_slot, posterior.slots, quota, rng)
    return arms


def slot_preference(
    posterior: Posterior,
    rng: random.Random,
    floor: float = EXPLORATION_FLOOR,
    recent: Sequence[Arm] = (),
) -> list[str]:
    """Posting times in the order to take them when several are free: one post's chosen slot
    first (`choose`, with the `recent` posts), then the others by posterior mean. Empty when no
    post went out at a posting time (the scheduler then keeps its chronological order)."""
    if not posterior.knows_slots:
        return []
    chosen = choose(posterior, 1, rng, floor, recent)[0].slot
    rest = sorted(
        (s for s in posterior.slots if s != chosen),
        key=lambda s: -posterior.slots[s].mean,
    )
    return [chosen, *rest] if chosen is not None else rest


def explores(arm: Arm, posterior: Posterior) -> bool:
    """Whether `arm` tries a type or a slot outside the current best."""
    return posterior.has_data and arm != posterior.best_arm


def explain(
    posterior: Posterior, plan: Sequence[Arm], *, recent: Sequence[Arm] = (), limit: int = 3
) -> list[str]:
    """What the plan changes against the default mix, and why, in plain words (`recent`: the
    posts chosen over the last RECENT_DAYS, which the exploration floor counts too)."""
    n = len(plan)
    if not posterior.has_data:
        return [
            "No engagement figures yet: the agent writes the default mix of post types and "
            "takes posting times in order."
        ]
    lines = [_evidence(posterior)]
    planned = Counter(arm.post_type for arm in plan)
    names = list(posterior.post_types)
    mix = posterior.default_mix or tuple(names)
    by_default = {t: n * mix.count(t) / len(mix) for t in names}
    beliefs = posterior.post_types
    # The biggest changes first; among equal ones, the best (for more) or the worst (fewer).
    more = sorted(
        (t for t in names if planned[t] - by_default[t] >= 1),
        key=lambda t: (by_default[t] - planned[t], -beliefs[t].mean),
    )[:limit]
    fewer = sorted(
        (t for t in names if planned[t] - by_default[t] <= -1),
        key=lambda t: (planned[t] - by_default[t], beliefs[t].mean),
    )[:limit]
    best_type = posterior.best_type
    best = beliefs[best_type]
    for word, changes in (("More", more), ("Fewer", fewer)):
        for name in changes:
            belief = beliefs[name]
            if word == "More" and name == best_type:
                why = f"the best so far, {_vs_typical(belief)}"
            elif word == "More":
                why = f"{_range(belief)}, so the agent tries it again"
            elif belief.posts:
                why = (
                    f"{_vs_typical(belief)}, against {best.vs_typical:.1f}× for {_words(best_type)}"
                )
            else:
                why = "not measured yet; it gets its turn as the agent explores"
            lines.append(
                f"{word} {_words(name)} posts: {planned[name]} of {n} next week "
                f"({_count(by_default[name])} in the default mix); {why}."
            )
    if not more and not fewer:
        lines.append("The mix stays close to the default: no post type stands out yet.")
    if posterior.knows_slots:
        lines.append(slot_summary(posterior))
    if n:
        lines.append(_exploring(posterior, plan, recent))
    return lines


def slot_summary(posterior: Posterior) -> str:
    """Which posting time does best so far, against the others, in plain words."""
    best = posterior.best_slot
    assert best is not None  # knows_slots: there are posting times
    belief = posterior.slots[best]
    others = [b for name, b in posterior.slots.items() if name != best and b.posts]
    weight = sum(b.weight for b in others)
    if not others or weight <= 0:
        return f"Best posting time so far: {best} ({_posts(belief)}; the others are untried)."
    rest = sum(b.vs_typical * b.weight for b in others) / weight
    lead = belief.vs_typical / rest if rest > 0 else math.inf
    if lead < 1.1:
        return f"Posting times make little difference so far ({best} leads by a hair)."
    return (
        f"Best posting time so far: {best}, about {lead:.1f}× the engagement of posts at the "
        f"other times ({_posts(belief)}); when several times are free, it is taken first."
    )


# -- internals ------------------------------------------------------------------------------


def _fit_side(
    scored: Sequence[tuple[Observation, float, float]],
    names: Sequence[str],
    key: Callable[[Observation], str | None],
    other: Callable[[Observation], str | None],
    other_effect: Mapping[str, float],
) -> dict[str, Belief]:
    """The posterior of each of `names` (types or slots) from the posts whose `key` it is, each
    score less the effect of the post's `other` side (kept within [0, 1])."""
    points: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for obs, weight, score in scored:
        name = key(obs)
        if name is not None and name in points:
            effect = other_effect.get(other(obs) or "", 0.0)
            points[name].append((weight, min(max(score - effect, 0.0), 1.0)))
    return {name: update(Belief(), group) for name, group in points.items()}


def _best(beliefs: Mapping[str, Belief]) -> str:
    """The measured key with the highest mean (an untried one only when none is measured)."""
    names = list(beliefs)
    return max(
        names, key=lambda name: (beliefs[name].posts > 0, beliefs[name].mean, -names.index(name))
    )


def _thompson(beliefs: Mapping[str, Belief], rng: random.Random) -> str:
    """The key with the highest draw ('' for no keys); every key draws once, in order."""
    best, top = "", -math.inf
    for name, belief in beliefs.items():
        value = belief.draw(rng)
        if value > top:
            best, top = name, value
    return best


def _settled(beliefs: Mapping[str, Belief], best: str, rng: random.Random) -> bool:
    """Whether `best` wins at least SETTLED of SETTLED_DRAWS joint draws of `beliefs`."""
    if len(beliefs) < 2 or not beliefs[best].posts:
        return len(beliefs) == 1
    wins = sum(_thompson(beliefs, rng) == best for _ in range(SETTLED_DRAWS))
    return wins >= SETTLED * SETTLED_DRAWS


def _explore(
    arms: list[Arm],
    field: Literal["post_type", "slot"],
    best: str | None,
    beliefs: Mapping[str, Belief],
    quota: int,
    rng: random.Random,
) -> list[Arm]:
    """Move arms off `best` in `field` until `quota` of them are elsewhere, each to the other
    with the highest Thompson draw."""
    others = {name: belief for name, belief in beliefs.items() if name != best}
    on_best = [i for i, arm in enumerate(arms) if getattr(arm, field) == best]
    missing = quota - (len(arms) - len(on_best))
    if missing <= 0 or not others:
        return arms
    moved = list(arms)
    for index in sorted(rng.sample(on_best, min(missing, len(on_best)))):
        moved[index] = replace(moved[index], **{field: _thompson(others, rng)})
    return moved


def _evidence(posterior: Posterior) -> str:
    bases = posterior.bases or {}
    labels: dict[Basis, str] = {
        "impressions": "per impression",
        "followers": "per follower",
        "count": "by their bare count",
    }
    used = [(label, bases[basis]) for basis, label in labels.items() if bases.get(basis)]
    measured = (
        used[0][0] if len(used) == 1 else ", ".join(f"{label} ({count})" for label, count in used)
    )
    half_life = f"{posterior.half_life_days:g}"
    return (
        f"Learned from {posterior.observations} published post"
        f"{'s' if posterior.observations != 1 else ''} with engagement figures, measured "
        f"{measured}; a post counts half as much after {half_life} days."
    )


def _exploring(posterior: Posterior, plan: Sequence[Arm], recent: Sequence[Arm]) -> str:
    """How many planned posts try another type (and time) than the best, and, with the recent
    posts, what share of them all does."""
    n, best_type, best_slot = len(plan), posterior.best_type, posterior.best_slot
    off_type = sum(arm.post_type != best_type for arm in plan)
    tries = f"{off_type} of {n} planned posts try a type other than {_words(best_type)}"
    typed = [arm for arm in recent if arm.post_type in posterior.post_types]
    off = off_type + sum(arm.post_type != best_type for arm in typed)
    shares = [f"{off / (n + len(typed)):.0%} try another type"]
    if posterior.knows_slots and best_slot is not None:
        off_slot = sum(arm.slot != best_slot for arm in plan)
        tries += f" and {off_slot} a time other than {best_slot}"
        timed = [arm for arm in recent if arm.slot in posterior.slots]
        off = off_slot + sum(arm.slot != best_slot for arm in timed)
        shares.append(f"{off / (n + len(timed)):.0%} another time")
    with_recent = (
        f" and the {len(recent)} other posts of the last {RECENT_DAYS} days" if recent else ""
    )
    return (
        f"{tries}: of these{with_recent}, {' and '.join(shares)} (at least "
        f"{EXPLORATION_FLOOR:.0%} do), so the agent keeps checking what it knows less about."
    )


def _posts(belief: Belief) -> str:
    return f"{belief.posts} post{'s' if belief.posts != 1 else ''}"


def _vs_typical(belief: Belief) -> str:
    if not belief.posts:
        return "not measured yet"
    return f"about {belief.vs_typical:.1f}× the engagement of a typical post ({_posts(belief)})"


def _range(belief: Belief) -> str:
    if not belief.posts:
        return "not measured yet"
    low, high = belief.interval()
    return (
        f"still uncertain ({_posts(belief)}: between {ratio_to_typical(low):.1f}× and "
        f"{ratio_to_typical(high):.1f}× a typical post)"
    )


def _words(post_type: str) -> str:
    return post_type.replace("_", " ")


def _count(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"
