"""The learning plan of a book on each platform, from its published posts' engagement readings.

This module reads (`metric_readings` joined to `posts`) and hands `bookagent.domain.learning`
its observations; it answers the three places that act on what was learned: the daily top-up
(which post types to write next), the scheduler (which free posting time to take first) and the
week's plan the report and the dashboard show. The author's settings decide the mode of each
platform: a pinned mix is written as pinned, learning off keeps the default mix and the
chronological order of posting times, and with no readings yet the default mix is kept too.
"""

from __future__ import annotations

import random
import zlib
from collections import Counter
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bookagent.db.models import Book
from bookagent.db.models import MetricReading
from bookagent.db.models import Post
from bookagent.domain import best_times as timing
from bookagent.domain import learning
from bookagent.domain.books import book_to_profile
from bookagent.domain.categories import OWN_TYPES
from bookagent.domain.categories import SHARED_TYPES
from bookagent.domain.categories import book_category
from bookagent.domain.categories import default_post_types
from bookagent.domain.categories import suits
from bookagent.domain.scheduling import parse_slot
from bookagent.domain.validation import book_day
from bookagent.errors import InvalidInputError
from bookagent.states import PostStatus

if TYPE_CHECKING:  # autonomous imports this module; the settings are only passed through
    from bookagent.domain.autonomous import AgentSettings

#: Posts older than this no longer count: at a 14-day half-life they weigh under 0.3%.
WINDOW = timedelta(days=120)
#: A post counts for a posting time when it went out within this many minutes of it.
SLOT_TOLERANCE_MIN = 60
#: learned: the policy's plan; default: no readings yet; pinned: the author's mix; off: learning
#: is off for the book (the default mix).
Mode = Literal["learned", "default", "pinned", "off"]


@dataclass(frozen=True)
class MixPlan:
    """The posts a platform will get: their arms, why, and from what posterior (None when off)."""

    platform: str
    mode: Mode
    arms: tuple[learning.Arm, ...]
    posterior: learning.Posterior | None
    pinned: tuple[str, ...] = ()
    #: The posts of the last RECENT_DAYS, which the exploration floor counted (learned plans).
    recent: tuple[learning.Arm, ...] = ()
    #: Post types left out for now: their last requests were written as other types.
    left_out: tuple[str, ...] = ()

    @property
    def type_counts(self) -> dict[str, int]:
        """Planned posts per type, most first."""
        return dict(Counter(arm.post_type for arm in self.arms).most_common())

    @property
    def slot_counts(self) -> dict[str, int]:
        """Planned posts per posting time (learned plans only), in time order."""
        if self.mode != "learned":
            return {}
        counts = Counter(arm.slot for arm in self.arms if arm.slot is not None)
        return {slot: counts[slot] for slot in sorted(counts)}

    def generation_types(self) -> list[str] | None:
        """The `post_types` to ask the writer for: None keeps the default mix, as before."""
        if self.mode == "pinned":
            return list(self.pinned)
        if self.mode == "learned":
            return [arm.post_type for arm in self.arms]
        return None

    def summary(self) -> list[str]:
        """What this plan changes and why, in plain words."""
        if self.mode == "pinned":
            names = ", ".join(name.replace("_", " ") for name in self.pinned)
            lines = [f"Pinned by the author: {names}, written in turn."]
            if self.posterior is not None and self.posterior.knows_slots:
                lines.append(learning.slot_summary(self.posterior))
            return lines
        if self.mode == "off":
            return [
                "Learning is off for this book: the agent writes the default mix of post types "
                "and takes posting times in order."
            ]
        assert self.posterior is not None  # learned and default plans have one
        lines = learning.explain(self.posterior, self.arms, recent=self.recent)
        if self.left_out and self.mode == "learned":
            names = ", ".join(name.replace("_", " ") for name in self.left_out)
            lines.append(
                f"Left out for now: {names}. The last {learning.UNWRITABLE_AFTER} posts asked "
                "of it were written as another type, as the book lacks what it needs just now "
                f"(it is asked again after {learning.UNWRITABLE_DAYS} days)."
            )
        return lines


def plan_seed(book_id: str, platform: str, label: str) -> int:
    """A stable seed for one book, platform and day or week (the top-up uses the same one)."""
    return zlib.crc32(f"{book_id}|{platform}|{label}".encode())


def nearest_slot(moment: datetime, zone: ZoneInfo, slot_times: Sequence[str]) -> str | None:
    """The posting time `moment` is within SLOT_TOLERANCE_MIN minutes of (local wall time,
    across midnight), or None."""
    local = moment.astimezone(zone)
    minute = local.hour * 60 + local.minute
    best: tuple[int, str] | None = None
    for slot in slot_times:
        at = parse_slot(slot)
        gap = abs(minute - (at.hour * 60 + at.minute))
        gap = min(gap, 24 * 60 - gap)
        if gap <= SLOT_TOLERANCE_MIN and (best is None or gap < best[0]):
            best = (gap, slot)
    return best[1] if best else None


def load_observations(
    session: Session,
    *,
    book_id: str,
    platform: str,
    zone: ZoneInfo,
    slot_times: Sequence[str],
    now: datetime,
) -> list[learning.Observation]:
    """The book's posts published on `platform` within WINDOW before `now` that have readings
    (read by `now`), each with its latest figures.

    Each figure is the latest reading that gave it (a NULL says nothing); followers are the
    earliest reading's that gave them, the closest to the time the post went out. A post
    without any reading is left out: no reading is not zero engagement.
    """
    rows = session.execute(
        select(
            Post.id,
            Post.post_type,
            Post.scheduled_time,
            Post.published_at,
            MetricReading.likes,
            MetricReading.shares,
            MetricReading.comments,
            MetricReading.clicks,
            MetricReading.impressions,
            MetricReading.followers,
        )
        .join(MetricReading, MetricReading.post_id == Post.id)
        .where(
            Post.book_id == book_id,
            Post.platform == platform,
            Post.status == PostStatus.PUBLISHED,
            Post.published_at.is_not(None),
            Post.published_at >= now - WINDOW,
            Post.published_at <= now,
            MetricReading.read_at <= now,
        )
        .order_by(Post.id, MetricReading.read_at, MetricReading.id)
    )
    posts: dict[str, dict[str, Any]] = {}
    for post_id, post_type, scheduled, published, *figures in rows:
        post = posts.setdefault(
            post_id,
            {"post_type": post_type, "at": scheduled or published, "published_at": published},
        )
        likes, shares, comments, clicks, impressions, followers = figures
        for name, value in (
            ("likes", likes),
            ("shares", shares),
            ("comments", comments),
            ("clicks", clicks),
            ("impressions", impressions),
        ):
            if value is not None:
                post[name] = int(value)
        if followers is not None:
            post.setdefault("followers", int(followers))
    return [
        learning.Observation(
            post_type=post["post_type"],
            slot=nearest_slot(post["at"], zone, slot_times),
            published_at=post["published_at"],
            interactions=sum(post.get(k, 0) for k in ("likes", "shares", "comments", "clicks")),
            impressions=post.get("impressions"),
            followers=post.get("followers"),
        )
        for post in posts.values()
    ]


def recent_arms(
    session: Session,
    *,
    book_id: str,
    platform: str,
    zone: ZoneInfo,
    slot_times: Sequence[str],
    now: datetime,
) -> list[learning.Arm]:
    """What the book's posts on `platform` written over the last days tried (since
    `learning.recent_since(now)`; the slot of those scheduled), for the exploration floor."""
    rows = session.execute(
        select(Post.post_type, Post.scheduled_time).where(
            Post.book_id == book_id,
            Post.platform == platform,
            Post.created_at >= learning.recent_since(now),
            Post.created_at <= now,
        )
    )
    return [
        learning.Arm(post_type, nearest_slot(at, zone, slot_times) if at else None)
        for post_type, at in rows
    ]


def fit_platform(
    session: Session, book: Book, platform: str, slot_times: Sequence[str], now: datetime
) -> learning.Posterior:
    """The posterior of a book on a platform as of `now`, over its category's default mix of
    that day (no countdown once the launch is behind it: generation would not write one)."""
    observations = load_observations(
        session,
        book_id=book.id,
        platform=platform,
        zone=ZoneInfo(book.timezone),
        slot_times=slot_times,
        now=now,
    )
    profile = book_to_profile(book)
    return learning.fit(
        observations,
        now,
        post_types=default_post_types(profile, book_day(now, profile.timezone)),
        slots=sorted(slot_times),
    )


def plan_mix(
    session: Session,
    book: Book,
    platform: str,
    settings: AgentSettings,
    *,
    now: datetime,
    n: int,
    seed: int,
) -> MixPlan:
    """The next `n` posts of `platform`: the pinned mix, the default mix (learning off or no
    readings yet) or the policy's choice, drawn with `random.Random(seed)`."""
    pinned = tuple(settings.pinned_mix.get(platform, ()))
    if pinned:
        arms = tuple(learning.Arm(pinned[i % len(pinned)], None) for i in range(n))
        posterior = (
            fit_platform(session, book, platform, settings.slot_times(platform), now)
            if settings.learning
            else None
        )
        return MixPlan(platform, "pinned", arms, posterior, pinned)
    profile = book_to_profile(book)
    mix = default_post_types(profile, book_day(now, profile.timezone))  # what generation writes
    if not settings.learning:
        arms = tuple(learning.Arm(mix[i % len(mix)], None) for i in range(n))
        return MixPlan(platform, "off", arms, None)
    posterior = fit_platform(session, book, platform, settings.slot_times(platform), now)
    recent = tuple(_recent(session, book, platform, settings, now))
    left_out = learning.unwritable(recent_requests(session, book.id, platform, now))
    chosen = tuple(
        learning.choose(
            learning.without_types(posterior, left_out),
            n,
            random.Random(seed),
            learning.EXPLORATION_FLOOR,
            recent,
        )
    )
    mode: Mode = "learned" if posterior.has_data else "default"
    return MixPlan(
        platform, mode, chosen, posterior, recent=recent, left_out=tuple(sorted(left_out))
    )


def recent_requests(
    session: Session, book_id: str, platform: str, now: datetime
) -> list[tuple[str, str]]:
    """(asked, written) post types of the book's posts on `platform` written in the last
    `UNWRITABLE_DAYS`, oldest first (a post with no request on record asked for its own type).

    A post the writer wrote as another type only because every post of the asked type failed
    the gate that day (`fallback_cause` "gate": its material went out lately) counts as written:
    the type is writable, just not today, and leaving a winner out for two weeks over it would
    cost more than the stand-ins do."""
    rows = session.execute(
        select(Post.post_type, Post.generation_metadata)
        .where(
            Post.book_id == book_id,
            Post.platform == platform,
            Post.created_at >= now - timedelta(days=learning.UNWRITABLE_DAYS),
            Post.created_at <= now,
        )
        .order_by(Post.created_at, Post.id)
    )
    pairs = []
    for written, metadata in rows:
        asked = (metadata or {}).get("requested_post_type")
        asked = asked if isinstance(asked, str) and asked else written
        gated = (metadata or {}).get("fallback_cause") == "gate"
        pairs.append((asked, asked if gated else written))
    return pairs


def slot_preference(
    session: Session,
    book: Book,
    platform: str,
    settings: AgentSettings,
    *,
    now: datetime,
    seed: int,
) -> list[str]:
    """Posting times in the order the scheduler should take them when several are free; empty
    (keep the chronological order) when learning is off or no post went out at one yet."""
    if not settings.learning:
        return []
    posterior = fit_platform(session, book, platform, settings.slot_times(platform), now)
    if not posterior.knows_slots:
        return []
    recent = _recent(session, book, platform, settings, now)
    return learning.slot_preference(
        posterior, random.Random(seed), learning.EXPLORATION_FLOOR, recent
    )


def week_plans(
    session: Session, book: Book, settings: AgentSettings, now: datetime
) -> list[MixPlan]:
    """A week's plan for each platform the agent posts to, as of `now` (seeded by the week)."""
    week = now.astimezone(ZoneInfo(book.timezone)).strftime("%G-W%V")
    return [
        plan_mix(
            session,
            book,
            platform,
            settings,
            now=now,
            n=7 * per_day,
            seed=plan_seed(book.id, platform, week),
        )
        for platform, per_day in sorted(settings.posts_per_day.items())
        if per_day > 0
    ]


def report_section(
    session: Session, book: Book, settings: AgentSettings, now: datetime
) -> dict[str, Any]:
    """The report's "What the agent learned": per platform, each type's and slot's posterior
    mean with its credible interval, next week's plan, and what changed and why."""
    return {
        "model": {
            "score": "(likes + shares + comments + clicks) per impression, else per follower, "
            "else the count; as raw / (raw + typical), typical being the median over post "
            "types of each type's median",
            "prior": f"Normal-Gamma: mean {learning.PRIOR_MEAN}, {learning.PRIOR_POSTS:g} "
            f"pseudo-posts, spread {learning.PRIOR_SPREAD}",
            "half_life_days": learning.HALF_LIFE_DAYS,
            "exploration_floor": learning.EXPLORATION_FLOOR,
            "credible_level": learning.CREDIBLE_LEVEL,
        },
        "platforms": {
            plan.platform: _plan_json(plan, settings.posts_per_day.get(plan.platform, 0))
            for plan in week_plans(session, book, settings, now)
        },
    }


def best_times_by_platform(
    session: Session, book: Book, settings: AgentSettings, now: datetime
) -> list[timing.BestTimes]:
    """The best times to post (`bookagent.domain.best_times`) on each platform the agent posts
    to or the book has posts with readings on within its lookback, as of `now`, by name."""
    zone = ZoneInfo(book.timezone)
    read = session.scalars(
        select(Post.platform)
        .distinct()
        .join(MetricReading, MetricReading.post_id == Post.id)
        .where(
            Post.book_id == book.id,
            Post.status == PostStatus.PUBLISHED,
            Post.published_at >= now - timing.LOOKBACK,
            Post.published_at <= now,
        )
    )
    posting = {platform for platform, per_day in settings.posts_per_day.items() if per_day > 0}
    return [
        timing.best_times(
            platform,
            load_observations(
                session, book_id=book.id, platform=platform, zone=zone, slot_times=(), now=now
            ),
            zone=zone,
            now=now,
            slots=settings.slot_times(platform),
        )
        for platform in sorted(posting | set(read))
    ]


def check_pinned_mix(book: Book, pinned: Mapping[str, Sequence[str]]) -> None:
    """Refuse a pinned post type the book's category does not write (InvalidInputError)."""
    category = book_category(book_to_profile(book))
    for platform, types in pinned.items():
        wrong = [t for t in dict.fromkeys(types) if not suits(t, category)]
        if wrong:
            own = ", ".join((*SHARED_TYPES, *OWN_TYPES[category]))
            raise InvalidInputError.for_field(
                f"pinned_mix.{platform}",
                f"{', '.join(wrong)} {'is not a' if len(wrong) == 1 else 'are not'} "
                f"{category} post type{'s' if len(wrong) > 1 else ''}; this book writes {own}",
            )


def _recent(
    session: Session, book: Book, platform: str, settings: AgentSettings, now: datetime
) -> list[learning.Arm]:
    return recent_arms(
        session,
        book_id=book.id,
        platform=platform,
        zone=ZoneInfo(book.timezone),
        slot_times=settings.slot_times(platform),
        now=now,
    )


def _belief_json(belief: learning.Belief) -> dict[str, Any]:
    low, high = belief.interval()
    return {
        "posts": belief.posts,
        "weight": round(belief.weight, 3),
        "mean": round(belief.mean, 4),
        "low": round(low, 4),
        "high": round(high, 4),
        "vs_typical": round(belief.vs_typical, 3),
    }


def _plan_json(plan: MixPlan, per_day: int) -> dict[str, Any]:
    posterior = plan.posterior
    return {
        "mode": plan.mode,
        "posts_per_day": per_day,
        "observations": posterior.observations if posterior else 0,
        "bases": dict(posterior.bases or {}) if posterior else {},
        "post_types": [
            {"post_type": name, **_belief_json(belief)}
            for name, belief in (posterior.post_types.items() if posterior else ())
        ],
        "slots": [
            {"slot": name, **_belief_json(belief)}
            for name, belief in (posterior.slots.items() if posterior else ())
        ],
        "pinned": list(plan.pinned) or None,
        "plan": {
            "posts": len(plan.arms),
            "post_types": plan.type_counts,
            "slots": plan.slot_counts,
        },
        "summary": plan.summary(),
    }
