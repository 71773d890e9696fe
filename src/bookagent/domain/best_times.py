"""The best time to post on each platform: learned from the book's own engagement, or defaults.

Pure (no I/O): `bookagent.domain.learning_store.best_times` loads the observations. The learning
plan (`bookagent.domain.learning`) only ranks the posting times the author configured; this
module looks at the whole day, so it can say when a time the author does not use does better.

- **Windows.** A post belongs to the 3-hour window of the local day (in the book's timezone,
  daylight saving included) in which it went out, split into weekdays (Monday to Friday) and
  weekends, as people read social media differently on working days: 16 windows in all. Three
  hours is close to the spread of the default posting times (09:00, 14:00, 19:00), so each
  usually holds one of them, and wide enough to fill with a few posts a day.
- **Scores.** The learning plan's model, reused as it is: each window is a "slot" of
  `learning.fit` (scores normalised against a typical post of the platform, type and window
  effects backfitted so that a window which happened to get the best post type is not credited
  with it, a 14-day half-life, the Normal-Gamma posterior with its 90% credible interval).
  Windows rank by posterior mean.
- **Threshold.** Learned times are shown once the platform has at least `MIN_POSTS` (20)
  published posts with readings within the last `LOOKBACK` (8 weeks), and a window ranks only
  with at least `MIN_WINDOW_POSTS` (3) posts. Why these numbers: with the prior's spread (±0.1
  on the score) three posts narrow a window's 90% interval to about ±0.1, the distance between
  a typical post (0.5) and one drawing 1.5× its engagement (0.6), so fewer would rank noise; 20
  posts spread over the 6 windows (3 times × weekdays/weekends) of an author posting at three
  times a day give those windows about three posts each; and eight weeks, at the 14-day
  half-life, is where a post weighs 1/16 and adds little. Below the threshold (or when no window
  has enough posts) the platform gets `DEFAULTS` with a note of how many more readings are
  needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import Literal
from zoneinfo import ZoneInfo

from bookagent.domain import learning
from bookagent.domain.scheduling import parse_slot

#: Posts published longer ago than this do not count (see the module doc).
LOOKBACK = timedelta(weeks=8)
#: Posts with readings within LOOKBACK a platform needs before its times are learned.
MIN_POSTS = 20
#: Posts a window needs to rank.
MIN_WINDOW_POSTS = 3
#: The width of a window, in hours (divides 24).
WINDOW_HOURS = 3
#: How many windows a learned answer lists, best first.
TOP_WINDOWS = 3

Days = Literal["weekdays", "weekends", "every day"]
Source = Literal["learned", "default"]


@dataclass(frozen=True)
class Window:
    """A stretch of the local day, `start_hour` to `end_hour` (24: midnight), on some days."""

    days: Days
    start_hour: int
    end_hour: int

    @property
    def key(self) -> str:
        """The window's name as a slot of the learning model."""
        return f"{self.days} {self.start:s}"

    @property
    def start(self) -> str:
        return f"{self.start_hour:02d}:00"

    @property
    def end(self) -> str:
        return f"{self.end_hour:02d}:00"

    @property
    def label(self) -> str:
        """In plain words: "18:00–21:00 on weekdays", "20:00–23:00 every day"."""
        when = "every day" if self.days == "every day" else f"on {self.days}"
        return f"{self.start}–{self.end} {when}"

    def holds(self, slot: str) -> bool:
        """Whether a posting time ("HH:MM") falls in this window (on its days)."""
        at = parse_slot(slot)
        minute = at.hour * 60 + at.minute
        return self.start_hour * 60 <= minute < self.end_hour * 60

    @property
    def middle(self) -> str:
        """A posting time in the middle of the window (its middle hour, on the hour)."""
        return f"{(self.start_hour + self.end_hour) // 2:02d}:00"


# Starting points where the book has no engagement of its own yet, in the book's timezone.
# Basis: the yearly "best time to post" studies published by social-media tool vendors (Sprout
# Social, Hootsuite, Buffer), which measure mostly business accounts in US time zones and
# disagree in detail; what they broadly share is weekday mid-mornings to midday, and evenings
# for Pinterest. There is little published data for Mastodon and Bluesky, so they get the same
# general weekday morning (and, for Bluesky, an early-evening window as well). These are guesses
# to start from, replaced by the book's own figures as soon as there are enough of them.
DEFAULTS: Mapping[str, tuple[tuple[Window, ...], str]] = {
    "twitter": ((Window("weekdays", 9, 12),), "weekday mornings, common industry guidance"),
    "facebook": ((Window("weekdays", 9, 12),), "weekday mornings, common industry guidance"),
    "instagram": ((Window("weekdays", 11, 14),), "weekday middays, common industry guidance"),
    "linkedin": ((Window("weekdays", 8, 11),), "working-day mornings, common industry guidance"),
    "threads": ((Window("weekdays", 9, 12),), "weekday mornings, common industry guidance"),
    "pinterest": ((Window("every day", 20, 23),), "evenings, common industry guidance"),
    "mastodon": (
        (Window("weekdays", 9, 12),),
        "general weekday-morning guidance; little published data",
    ),
    "bluesky": (
        (Window("weekdays", 9, 12), Window("every day", 18, 21)),
        "general weekday-morning and evening guidance; little published data",
    ),
}
GENERAL_DEFAULT: tuple[tuple[Window, ...], str] = (
    (Window("weekdays", 9, 12),),
    "weekday mornings, common industry guidance",
)


@dataclass(frozen=True)
class RankedWindow:
    """A window and what the book's posts in it drew (None for a default window)."""

    window: Window
    belief: learning.Belief | None = None

    def evidence(self) -> str:
        """What the window's posts drew, in plain words: "about 1.6× a typical post's
        engagement (90% credible: 1.3×–2.0×; 9 posts)" ("" for a default window)."""
        if self.belief is None:
            return ""
        low, high = (learning.ratio_to_typical(bound) for bound in self.belief.interval())
        return (
            f"about {_times(self.belief.vs_typical)} a typical post's engagement "
            f"({learning.CREDIBLE_LEVEL:.0%} credible: {_times(low)}–{_times(high)}; "
            f"{_posts(self.belief.posts)})"
        )

    def to_json(self) -> dict[str, Any]:
        belief = self.belief
        low, high = belief.interval() if belief else (None, None)
        return {
            "days": self.window.days,
            "start": self.window.start,
            "end": self.window.end,
            "label": self.window.label,
            "score": round(belief.mean, 4) if belief else None,
            "low": round(low, 4) if low is not None else None,
            "high": round(high, 4) if high is not None else None,
            "vs_typical": round(belief.vs_typical, 3) if belief else None,
            "posts": belief.posts if belief else 0,
            "weight": round(belief.weight, 3) if belief else 0.0,
        }


@dataclass(frozen=True)
class BestTimes:
    """The best times to post on one platform: learned windows (best first) or the defaults.

    `readings` counts the platform's posts with readings within LOOKBACK; `slots` are the
    author's posting times there, against which `suggested_slot` is worked out.
    """

    platform: str
    source: Source
    windows: tuple[RankedWindow, ...]
    readings: int
    slots: tuple[str, ...] = ()
    basis: str = ""

    @property
    def threshold(self) -> int:
        return MIN_POSTS

    @property
    def lookback_weeks(self) -> int:
        return LOOKBACK.days // 7

    @property
    def needed(self) -> int:
        """How many more posts with readings the platform needs before its times are learned."""
        return max(0, MIN_POSTS - self.readings)

    @property
    def best(self) -> RankedWindow:
        return self.windows[0]

    @property
    def suggested_slot(self) -> str | None:
        """A posting time to add when the learned best window holds none of the author's."""
        if self.source != "learned" or any(self.best.window.holds(s) for s in self.slots):
            return None
        return self.best.window.middle

    def summary(self) -> str:
        """In plain words, without the platform's name: "best 18:00–21:00 on weekdays (learned
        from 34 posts)", "09:00–12:00 on weekdays (default until 20 posts have engagement; 7
        so far)"."""
        labels = " and ".join(ranked.window.label for ranked in self.windows)
        if self.source == "learned":
            return f"best {self.best.window.label} (learned from {_posts(self.readings)})"
        if self.needed:
            return (
                f"{labels} (default until {MIN_POSTS} posts have engagement; "
                f"{self.readings} so far)"
            )
        return (
            f"{labels} (default: {_posts(self.readings)} have engagement, but no time window "
            f"has {MIN_WINDOW_POSTS} yet)"
        )

    def note(self) -> str:
        """Where the answer comes from: "learned: …" or "default: …"."""
        if self.source == "learned":
            return (
                f"learned: from {_posts(self.readings)} with engagement in the last "
                f"{self.lookback_weeks} weeks"
            )
        if self.needed:
            more = f"{self.needed} more post{'s' if self.needed != 1 else ''} with engagement"
            return f"default: {self.basis}; {more} needed to learn this book's own times"
        return (
            f"default: {self.basis}; no time window has {MIN_WINDOW_POSTS} posts with "
            "engagement yet"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "note": self.note(),
            "summary": self.summary(),
            "windows": [ranked.to_json() for ranked in self.windows],
            "readings": self.readings,
            "threshold": MIN_POSTS,
            "needed": self.needed,
            "slots": list(self.slots),
            "suggested_slot": self.suggested_slot,
        }


def window_of(moment: datetime, zone: ZoneInfo) -> Window:
    """The learning window a post published at `moment` (aware) belongs to, in `zone`."""
    local = moment.astimezone(zone)
    start = local.hour - local.hour % WINDOW_HOURS
    days: Days = "weekends" if local.weekday() >= 5 else "weekdays"
    return Window(days, start, start + WINDOW_HOURS)


def all_windows() -> list[Window]:
    """Every learning window, weekdays first, in the order of the day."""
    return [
        Window(days, start, start + WINDOW_HOURS)
        for days in ("weekdays", "weekends")
        for start in range(0, 24, WINDOW_HOURS)
    ]


def default_times(platform: str, readings: int = 0, slots: Sequence[str] = ()) -> BestTimes:
    """The platform's default windows (GENERAL_DEFAULT for one not in DEFAULTS)."""
    windows, basis = DEFAULTS.get(platform, GENERAL_DEFAULT)
    return BestTimes(
        platform=platform,
        source="default",
        windows=tuple(RankedWindow(window) for window in windows),
        readings=readings,
        slots=tuple(slots),
        basis=basis,
    )


def best_times(
    platform: str,
    observations: Sequence[learning.Observation],
    *,
    zone: ZoneInfo,
    now: datetime,
    slots: Sequence[str] = (),
) -> BestTimes:
    """The best windows to post on `platform` from its published posts' `observations` (their
    slots are ignored), as of `now`: learned once there are enough readings, else the defaults.
    `slots` are the author's posting times on the platform (for `suggested_slot`)."""
    recent = [
        replace(obs, slot=window_of(obs.published_at, zone).key)
        for obs in observations
        if now - LOOKBACK <= obs.published_at <= now
    ]
    if len(recent) < MIN_POSTS:
        return default_times(platform, len(recent), slots)
    windows = {window.key: window for window in all_windows()}
    posterior = learning.fit(
        recent,
        now,
        post_types=sorted({obs.post_type for obs in recent}),
        slots=list(windows),
    )
    ranked = sorted(
        (
            RankedWindow(windows[key], belief)
            for key, belief in posterior.slots.items()
            if belief.posts >= MIN_WINDOW_POSTS
        ),
        key=lambda r: -r.belief.mean if r.belief else 0.0,
    )
    if not ranked:
        return default_times(platform, len(recent), slots)
    return BestTimes(
        platform=platform,
        source="learned",
        windows=tuple(ranked[:TOP_WINDOWS]),
        readings=len(recent),
        slots=tuple(slots),
    )


def _posts(count: int) -> str:
    return f"{count} post{'s' if count != 1 else ''}"


def _times(ratio: float) -> str:
    """A multiple of a typical post's engagement ("1.4×"; a score of 1 is unbounded)."""
    return f"{ratio:.1f}×" if ratio < 100 else "over 100×"
