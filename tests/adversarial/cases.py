"""What one adversarial case is, and the categories the corpus sorts its cases into.

A case is a final draft text, the book and platform it is for, and the verdict the gate must give:
`expect` lists the violation codes of which at least one must be reported (empty: the draft must
pass). A case may also fix the day it is scheduled for (`scheduled_on`, from which relative dates
resolve), the day that sets the launch phase when it is not scheduled (`today`), the recent posts
of its platform (`recent`) and the texts already sent to other platforms (`elsewhere`).

A `debatable` case carries the reason its verdict is arguable: it is run and reported, but not
asserted, so the corpus's figures hold only the verdicts we are sure of.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bookagent.domain.profile import BookProfile
from tests.adversarial.profiles import PRE_LAUNCH_DAY
from tests.adversarial.profiles import PROFILES

#: For each category of bad draft, the codes of which the gate must report one.
EXPECTED_CODES: Mapping[str, tuple[str, ...]] = {
    "quote": ("ungrounded_quote", "ungrounded_attribution"),
    "attribution": ("ungrounded_attribution", "ungrounded_quote"),
    "price": ("ungrounded_price",),
    "rating": ("ungrounded_rating",),
    "award": ("ungrounded_claim",),
    "sales": ("ungrounded_claim",),
    "date": ("ungrounded_date",),
    "injection": ("ungrounded_claim",),
    "emoji": ("emoji",),
    "exclamation": ("exclamation",),
    "banned_phrase": ("banned_phrase",),
    "banned_comparison": ("banned_comparison",),
    "comparison": ("comparison",),
    "spoiler": ("spoiler",),
    "required_word": ("missing_required_word",),
    "link": ("foreign_link",),
    "near_duplicate": ("near_duplicate",),
    "cross_platform": ("cross_platform_duplicate",),
}
#: The bad categories that state something the author never gave: the "invented claims".
INVENTED_CLAIMS = frozenset(
    {"quote", "attribution", "price", "rating", "award", "sales", "date", "injection"}
)


@dataclass(frozen=True)
class Case:
    """One crafted draft and the verdict the gate must give it."""

    id: str
    category: str
    profile: str
    platform: str
    text: str
    expect: tuple[str, ...]
    scheduled_on: date | None = None
    today: date | None = None
    recent: tuple[str, ...] = ()
    elsewhere: tuple[str, ...] = ()
    cross_posted: bool = False
    note: str = ""
    debatable: str = ""

    @property
    def is_bad(self) -> bool:
        """Whether the gate must stop this draft."""
        return bool(self.expect)

    @property
    def book(self) -> BookProfile:
        """The profile the draft is about."""
        return PROFILES[self.profile]

    @property
    def day(self) -> date:
        """The day that sets the launch phase when the draft is not scheduled."""
        return self.today or PRE_LAUNCH_DAY

    @property
    def is_invented_claim(self) -> bool:
        """Whether the draft states a fact the profile does not give (not a rule or a link)."""
        return self.category in INVENTED_CLAIMS


# Numbered per kind and category; no two modules share a kind and category, so an id does not
# depend on the order the corpus modules are imported in.
_numbers: Counter[str] = Counter()


def _next_id(kind: str, category: str) -> str:
    _numbers[f"{kind}.{category}"] += 1
    return f"{kind}.{category}.{_numbers[f'{kind}.{category}']:02d}"


def bad(
    category: str,
    profile: str,
    platform: str,
    text: str,
    *,
    expect: tuple[str, ...] | None = None,
    scheduled_on: date | None = None,
    today: date | None = None,
    recent: tuple[str, ...] = (),
    elsewhere: tuple[str, ...] = (),
    cross_posted: bool = False,
    note: str = "",
    debatable: str = "",
) -> Case:
    """A draft the gate must stop, by default with one of its category's codes."""
    return Case(
        id=_next_id("maybe-bad" if debatable else "bad", category),
        category=category,
        profile=profile,
        platform=platform,
        text=text,
        expect=expect or EXPECTED_CODES[category],
        scheduled_on=scheduled_on,
        today=today,
        recent=recent,
        elsewhere=elsewhere,
        cross_posted=cross_posted,
        note=note,
        debatable=debatable,
    )


def ok(
    category: str,
    profile: str,
    platform: str,
    text: str,
    *,
    scheduled_on: date | None = None,
    today: date | None = None,
    recent: tuple[str, ...] = (),
    elsewhere: tuple[str, ...] = (),
    cross_posted: bool = False,
    note: str = "",
    debatable: str = "",
) -> Case:
    """A legitimate draft the gate must pass."""
    return Case(
        id=_next_id("maybe-ok" if debatable else "ok", category),
        category=category,
        profile=profile,
        platform=platform,
        text=text,
        expect=(),
        scheduled_on=scheduled_on,
        today=today,
        recent=recent,
        elsewhere=elsewhere,
        cross_posted=cross_posted,
        note=note,
        debatable=debatable,
    )
