"""The book profile as the writers and validators see it: a frozen value, not a database row."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from typing import Literal

ReviewKind = Literal["critic", "reader"]
Phase = Literal["pre_launch", "launch_week", "post_launch"]
#: Who a post speaks as (see `AuthorRules.person`).
Person = Literal["i", "we", "author"]
PERSONS: tuple[Person, ...] = ("i", "we", "author")
#: How formal the posts' voice is (see `AuthorRules.formality`).
Formality = Literal["casual", "neutral", "formal"]
FORMALITIES: tuple[Formality, ...] = ("casual", "neutral", "formal")
#: The longest content warning a book's Mastodon posts may carry (`AuthorRules.content_warning`).
MAX_WARNING_CHARS = 100
PHASES: tuple[Phase, ...] = ("pre_launch", "launch_week", "post_launch")
#: A review whose kind the author left out is a reader's when its source says so (or is absent).
_READER_SOURCE = re.compile(
    r"reader|goodreads|amazon|customer|verified|storygraph|librarything|bookstagram|booktok|fan",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Review:
    """A review the author is allowed to quote, with where it came from.

    `kind` says who wrote it: a critic (a publication or a named reviewer) or a reader; only a
    reader's review may be presented as what "readers say".
    """

    text: str
    source: str | None = None
    #: Left out (None), it is inferred from the source.
    kind: ReviewKind | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("critic", "reader"):
            source = self.source
            kind = "reader" if not source or _READER_SOURCE.search(source) else "critic"
            object.__setattr__(self, "kind", kind)

    @classmethod
    def of(cls, text: str, source: str | None, kind: str | None = None) -> Review:
        """A review from stored values, its kind inferred from its source when not given."""
        return cls(text, source, kind if kind in ("critic", "reader") else None)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Event:
    """A dated event of the book (a signing, a reading, a sale): a date a post may name."""

    on: date
    name: str


@dataclass(frozen=True)
class AuthorRules:
    """The author's rules that the gate enforces on every writer's output.

    Free-text guidelines stay in `BookProfile.content_guidelines`, for the prompt only.
    """

    no_emoji: bool = False
    no_exclamation: bool = False
    #: No "the next <title>", "X meets Y", "for fans of X" comparison, whatever it names.
    no_comparisons: bool = False
    banned_phrases: tuple[str, ...] = ()
    #: Books or authors the post must not compare the book to (any mention is refused).
    banned_comparisons: tuple[str, ...] = ()
    #: Words or phrases that give the plot away.
    spoilers: tuple[str, ...] = ()
    #: Per launch phase, words of which each post of that phase must hold at least one.
    required_words: Mapping[Phase, tuple[str, ...]] = field(default_factory=dict)
    #: Who the posts speak as: "i" (the author), "we" (a team or a press), "author" (of the
    #: author, by name); None lets a post speak either way.
    person: Person | None = None
    #: "formal": no contractions outside quotations (the gate checks it) and no emoji from the
    #: template writer; "casual" and "neutral" only steer the prompt. None: no preference.
    formality: Formality | None = None
    #: The content warning every Mastodon post of the book carries (its `spoiler_text`), or None.
    content_warning: str | None = None

    @classmethod
    def of(cls, data: Mapping[str, object] | None) -> AuthorRules:
        """Rules from their stored JSON form (missing keys take their defaults)."""
        data = data or {}

        def words(key: str) -> tuple[str, ...]:
            value = data.get(key) or ()
            return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()

        required = data.get("required_words") or {}
        return cls(
            no_emoji=bool(data.get("no_emoji")),
            no_exclamation=bool(data.get("no_exclamation")),
            no_comparisons=bool(data.get("no_comparisons")),
            banned_phrases=words("banned_phrases"),
            banned_comparisons=words("banned_comparisons"),
            spoilers=words("spoilers"),
            required_words={
                phase: tuple(str(w) for w in required.get(phase) or ())
                for phase in PHASES
                if isinstance(required, Mapping) and required.get(phase)
            },
            person=next((p for p in PERSONS if p == data.get("person")), None),
            formality=next((f for f in FORMALITIES if f == data.get("formality")), None),
            content_warning=_warning(data.get("content_warning")),
        )


def _warning(value: object) -> str | None:
    """A stored content warning: stripped and bounded; empty (or not text) means none."""
    text = value.strip()[:MAX_WARNING_CHARS].strip() if isinstance(value, str) else ""
    return text or None


#: Days from the launch date (included) that count as launch week.
LAUNCH_WEEK_DAYS = 7


def launch_phase(launch: date | None, on: date) -> Phase:
    """The launch phase on day `on`: before the launch date, its first week, or after."""
    if launch is None or on >= launch + timedelta(days=LAUNCH_WEEK_DAYS):
        return "post_launch"
    return "pre_launch" if on < launch else "launch_week"


@dataclass(frozen=True)
class BookProfile:
    """Everything the author told us about one book; the only facts a post may state."""

    id: str
    user_id: str
    title: str
    author: str
    genre: str
    blurb: str
    subtitle: str | None = None
    target_audience: str | None = None
    key_themes: tuple[str, ...] = ()
    tone: str | None = None
    content_guidelines: str | None = None
    links: Mapping[str, str | None] = field(default_factory=dict)
    launch_date: date | None = None
    price: str | None = None
    quotes: tuple[str, ...] = ()
    reviews: tuple[Review, ...] = ()
    hashtags: tuple[str, ...] = ()
    #: Awards, nominations, list placements, picks and sales or reader counts the author may state.
    awards: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()
    rules: AuthorRules = field(default_factory=AuthorRules)
    cover_image_url: str | None = None
    timezone: str = "UTC"
    #: The language of the posts (BCP 47).
    language: str = "en"
    human_in_loop: bool = True

    def link_urls(self) -> dict[str, str]:
        """The retailer and landing-page links that are set, by name."""
        return {name: url for name, url in self.links.items() if url}
