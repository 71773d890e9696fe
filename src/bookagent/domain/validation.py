"""The gate every draft passes before it is stored: platform limits, grounding and dedupe.

Limits are measured on the final text with `bookagent.platforms`. Grounding means a post states
only facts the author gave: verbatim author material (title, blurb, quotes, reviews, themes,
links...) is masked first, being grounded by construction; in what remains, a quotation of 4+
words must fuzzy-match the author's quotes, reviews, title or blurb, and every price, calendar
date, star rating and marketing claim ("bestseller", "#1") must match the profile. Near-duplicates
of recent posts, by wording or reworded, are found by `bookagent.domain.near_duplicates`.

The CPU a check costs is bounded whatever the profile (see `Grounding.from_book`,
`Grounding.masked` and `_QuoteIndex`): the facts of a profile are indexed once per profile version
and kept in a small per-process cache, the mask is compiled (as a trie) from the sources a draft
contains, and the fuzzy quotation check is filtered and runs on an estimated CPU budget per draft
(`QUOTE_CHECK_BUDGET_NS`), past which a quotation is reported as not checked rather than passed.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import Generic
from typing import TypeVar
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from rapidfuzz import fuzz
from rapidfuzz import process
from rapidfuzz.distance import LCSseq

from bookagent.domain import offers
from bookagent.domain import relative_dates
from bookagent.domain.attributions import Speakers
from bookagent.domain.attributions import misattributions
from bookagent.domain.attributions import quotation_matches
from bookagent.domain.author_rules import rule_violations
from bookagent.domain.claims import MORE_CLAIM_PATTERNS
from bookagent.domain.claims import Evidence
from bookagent.domain.claims import evidence_of
from bookagent.domain.claims import ungrounded_claims
from bookagent.domain.gram_filter import SourceGrams
from bookagent.domain.gram_filter import may_occur
from bookagent.domain.gram_filter import sampled_grams
from bookagent.domain.gram_filter import source_grams
from bookagent.domain.link_hosts import foreign_link_reason
from bookagent.domain.link_hosts import host_of
from bookagent.domain.link_hosts import link_hosts
from bookagent.domain.link_hosts import userinfo_reason
from bookagent.domain.link_hosts import with_scheme
from bookagent.domain.match_starts import Scan
from bookagent.domain.match_starts import find_all
from bookagent.domain.match_starts import find_words
from bookagent.domain.match_starts import matches_at
from bookagent.domain.match_starts import space_before
from bookagent.domain.near_duplicates import _sorted_dedupe_key as _sorted_dedupe_key
from bookagent.domain.near_duplicates import dedupe_key as dedupe_key
from bookagent.domain.near_duplicates import find_near_duplicate as find_near_duplicate
from bookagent.domain.near_duplicates import find_same_wording
from bookagent.domain.near_duplicates import find_similar_post
from bookagent.domain.profile import AuthorRules
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Phase
from bookagent.domain.profile import launch_phase
from bookagent.domain.violation import ValidationReport
from bookagent.domain.violation import Violation
from bookagent.platforms import PlatformRules
from bookagent.platforms import extract_hashtags
from bookagent.platforms import extract_urls
from bookagent.platforms.preview import platform_label
from bookagent.platforms.threads import MAX_THREAD_POSTS
from bookagent.platforms.threads import PostSize
from bookagent.platforms.threads import post_size

QUOTE_MATCH_THRESHOLD = 90.0
#: A quotation of any length is checked: "A masterpiece." is as invented as a paragraph.
QUOTE_MIN_WORDS = 1
#: Profile versions whose `Grounding` each process keeps (the largest profile's is ~10 MB).
GROUNDING_CACHE_SIZE = 16
#: Estimated CPU (ns) the fuzzy quotation check may spend on one draft (a post with a few short
#: quotations needs ~1 ms). Past it, the remaining quotations are reported as not checked.
QUOTE_CHECK_BUDGET_NS = 15_000_000
#: A quotation of up to this many distinct words must use only words of one quote source.
FAITHFUL_WORDS = 25
_MASK = "\ufffc"
#: Foreign hosts a report names one by one; past them, one line says there are more.
MAX_FOREIGN_LINKS = 10

_RATED = re.compile(
    r"\brated\s+(?P<v1>\d(?:\.\d{1,2})?)(?![\d.]\d|\s*(?:/|out\s+of|[\s-]*stars?))"
    r"|(?P<v2>\d\.\d{1,2})\s+(?:average|avg)\b"
    r"|\baverage\s+(?:rating\s*)?(?:of|:|is)?\s*(?P<v3>\d(?:\.\d{1,2})?)"
    r"|\b(?P<v4>10|ten)[\s-]out[\s-]of[\s-](?:10|ten)\b"
    r"|(?P<v5>\d(?:[.,]\d)?)\s+(?:von|sur|su)\s+5\b",
    re.IGNORECASE,
)
_AMOUNT = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CURRENCY_WORDS = r"usd|eur|gbp|cad|aud|jpy|inr|dollars?|euros?|pounds?"
_PRICE = re.compile(
    rf"(?P<sym>[$€£¥₹])\s?(?P<a1>{_AMOUNT})"
    rf"|(?<![\w.,])(?P<a2>{_AMOUNT})\s?(?:(?P<word>{_CURRENCY_WORDS})\b|(?P<sym2>[€£]))"
    r"|(?P<free>(?-i:\bFREE\b)|\b(?:for|it's|now)\s+free\b|\bfree\s+(?:today|tomorrow|now|on|at"
    r"|until|through|this\s+week(?:end)?|for\s+a\s+limited\s+time|e-?books?|downloads?"
    r"|cop(?:y|ies)|to\s+(?:read|download))\b)",
    re.IGNORECASE,
)
_CURRENCIES = {
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "dollar": "USD",
    "euro": "EUR",
    "pound": "GBP",
}
_MONTH = (
    r"(?P<month>(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?"
    r"|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)|May|MAY)"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4})\b)?"
_DATES = (
    re.compile(rf"\b{_MONTH}\.?\s+{_DAY}\b{_YEAR}"),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b\.?{_YEAR}"),
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b"),
    re.compile(r"\b(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>\d{4})\b"),
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_STAR_GLYPHS = re.compile(r"[★⭐]+[☆✩]*")
_RATING_FRACTION = re.compile(
    r"(?<![\d./])(\d{1,2}(?:\.\d)?)\s*(?:/|out\s+of)\s*(5|10)(?![\d/])", re.IGNORECASE
)
_RATING_STARS = re.compile(r"\b(\d(?:\.\d)?|one|two|three|four|five)[\s-]*stars?\b", re.IGNORECASE)
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}
_CLAIMS = {
    "bestseller": r"\bbest[\s-]?sell(?:er|ing)s?\b",
    "award": r"\b(?:award|prize)[\s-]?winn(?:er|ing)\b|\bwinner\s+of\b",
    "shortlisted": r"\b(?:short|long)[\s-]?listed\b|\bfinalist\b",
    "number one": r"(?<![\w#&])#\s?1(?!\d)|\bno\.\s?1\b|\bnumber[\s-]one\b",
    "acclaimed": r"\bacclaimed\b",
    "copies sold": r"\b(?:millions?|thousands?|\d[\d,.]*\s?[km]?)\s+(?:of\s+)?copies\b",
    "bestseller list": r"\b(?:new\s+york\s+times|nyt|usa\s+today|sunday\s+times)\b",
    "viral": r"\bviral\b",
}
_CLAIM_PATTERNS = {name: re.compile(p, re.IGNORECASE) for name, p in _CLAIMS.items()}
_ALL_CLAIM_PATTERNS = {**_CLAIM_PATTERNS, **MORE_CLAIM_PATTERNS}
# Cheap pre-checks, each necessary for a match of the patterns it guards: an alternation matches
# somewhere iff one of its branches does; every amount, numeric date and rating fraction has a
# digit (`Scan.has_digit`); the other prices say "free"; worded ratings say "star".
_ANY_CLAIM = re.compile("|".join(f"(?:{p})" for p in _CLAIMS.values()), re.IGNORECASE)
_NOT_QUOTE_WORD = re.compile(r"[^\w\s']|_")
_HAS_WORD = re.compile(r"[^\W_]")
_FREE = re.compile("free", re.IGNORECASE)
_RATED_WORD = re.compile("rated|average|avg|out.of| von | sur | su ", re.IGNORECASE)
_STAR_WORD = re.compile("star", re.IGNORECASE)
# Where a claim's match can start, for `Scan`: (words one of which every match holds, words one
# of which every match starts with; True if a match may also start with a digit). The words are
# ASCII and lowercase, as `Scan.folded` holds them.
_CLAIM_STARTS: dict[str, tuple[tuple[bytes, ...], tuple[bytes, ...], bool]] = {
    "bestseller": ((b"sell",), (b"best",), False),
    "award": ((b"winn",), (b"award", b"prize", b"winner"), False),
    "shortlisted": ((b"list",), (b"short", b"long", b"finalist"), False),
    "number one": ((b"1", b"number"), (b"#", b"no.", b"number"), False),
    "acclaimed": ((b"acclaimed",), (b"acclaimed",), False),
    "copies sold": ((b"copies",), (b"million", b"thousand"), True),
    "bestseller list": ((b"times", b"nyt", b"today"), (b"new", b"nyt", b"usa", b"sunday"), False),
    "viral": ((b"viral",), (b"viral",), False),
}


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _LRU(Generic[K, V]):
    """A thread-safe least-recently-used map, bounded by its entries and their summed weight."""

    def __init__(self, max_entries: int, max_weight: int | None = None) -> None:
        self._data: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._max_weight = max_weight
        self._weight = 0

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: K) -> V | None:
        """The value stored under `key` (now the most recently used), or None."""
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            self._data.move_to_end(key)
            return item[0]

    def put(self, key: K, value: V, weight: int = 1) -> V:
        """Store `value` unless `key` has one already; answer the stored one.

        A value heavier than `max_weight` is answered but not kept.
        """
        with self._lock:
            item = self._data.get(key)
            if item is not None:
                self._data.move_to_end(key)
                return item[0]
            if self._max_weight is not None and weight > self._max_weight:
                return value
            self._data[key] = (value, weight)
            self._weight += weight
            while len(self._data) > self._max_entries or (
                self._max_weight is not None and self._weight > self._max_weight
            ):
                _, (_, dropped) = self._data.popitem(last=False)
                self._weight -= dropped
            return value

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._data.clear()
            self._weight = 0


@dataclass(frozen=True)
class Grounding:
    """The facts a post may state about one book, precomputed once from its profile.

    Besides the facts it holds the quote sources' index and what it already found: the
    violations of the last drafts checked (a draft is checked by its writer, then by the gate;
    the live counter checks one edit after another) and the verdicts of their quotations.
    """

    mask_sources: tuple[str, ...]
    quote_sources: tuple[str, ...]
    prices: frozenset[tuple[Decimal, str | None]]
    price_is_free: bool
    launch_date: date | None
    ratings: frozenset[tuple[Decimal, int]]
    claims: frozenset[str]
    link_hosts: frozenset[str]
    #: The days a post may name besides the one it goes out on: the launch and the events.
    book_days: frozenset[date] = frozenset()
    #: Awards and reviews: the only texts a claim may rest on.
    evidence: tuple[Evidence, ...] = ()
    speakers: Speakers = field(default_factory=lambda: Speakers((), "", "", frozenset()))
    discount_stated: bool = False
    discount_percents: frozenset[int] = frozenset()
    rules: AuthorRules = field(default_factory=AuthorRules)
    #: The mask sources that are free text: they mask, but do not ground a claim.
    free_sources: frozenset[str] = frozenset()
    _quotes: _QuoteIndex = field(init=False, repr=False, compare=False)
    _vocabularies: tuple[frozenset[str], ...] = field(init=False, repr=False, compare=False)
    _mask_grams: tuple[SourceGrams | None, ...] = field(init=False, repr=False, compare=False)
    #: The mask sources too short for grams (by index), and by each first gram of the others,
    #: the sources (by index) that start with it at some offset: `masked_twice` tests only
    #: those the text may hold, not every source of a large profile.
    _mask_index: tuple[tuple[int, ...], dict[int, tuple[int, ...]]] = field(
        init=False, repr=False, compare=False
    )
    _reports: _LRU[tuple[str, date | None, Phase], tuple[Violation, ...]] = field(
        init=False, repr=False, compare=False
    )
    _verdicts: _LRU[str, tuple[bool, float]] = field(init=False, repr=False, compare=False)

    def masked(self, text: str) -> str:
        """`text` (NFC) with the author's verbatim material masked (see `masked_twice`)."""
        return self.masked_twice(text)[0]

    def masked_twice(self, text: str) -> tuple[str, str]:
        """`text` (NFC) with the author's verbatim material in it replaced by a mask character.

        Only the sources that occur in `text` are masked (a substring test per source, in C,
        which `sampled_grams` spares most long sources in a long text; see
        `bookagent.domain.gram_filter`), and found where they occur (`_mask_present`): an absent
        source can match nowhere, so this masks exactly what one pattern of every source would,
        and compiles none (a pattern of the largest profile takes a quarter of a second).

        The second text masks the structured material alone, not the free text (the blurb, the
        audience): claims are looked for in it, so a claim pasted into the blurb grounds nothing.
        """
        sampled = sampled_grams(text)
        sources, grams = self.mask_sources, self._mask_grams
        if len(sampled) < _INDEX_GRAMS * len(sources):
            # Only the sources one of whose first grams the text holds, and the short ones, may
            # occur (`may_occur`): found through the index, in the sources' order (a lookup a
            # gram costs an eighth of a `may_occur` call).
            short, by_gram = self._mask_index
            candidates = set(short)
            for gram in sampled:
                found = by_gram.get(gram)
                if found is not None:
                    candidates.update(found)
            indices: Iterable[int] = sorted(candidates)
        else:  # a text far longer than the profile's sources are many: each source in turn
            indices = range(len(sources))
        if len(text) <= _SEARCHED_OUTRIGHT:
            # A post's substring test costs less than `may_occur`, which only ever rules out
            # sources that do not occur: the same sources, tested once.
            present = tuple(sources[i] for i in indices if sources[i] in text)
        else:
            present = tuple(
                sources[i] for i in indices if may_occur(grams[i], sampled) and sources[i] in text
            )
        if not present:
            return text, text
        masked = _mask_present(text, present)
        trusted = tuple(s for s in present if s not in self.free_sources)
        if len(trusted) == len(present):
            return masked, masked
        return masked, _mask_present(text, trusted) if trusted else text

    def faithful(self, needle: str) -> bool:
        """Whether every word of a short quotation (normalized) is a word of one quote source:
        the fuzzy match lets one word in ten differ, and "a ghost nobody talks about" is not
        "a floor nobody talks about". A long quotation is left to the fuzzy match."""
        words = needle.split()
        if len(set(words)) > FAITHFUL_WORDS:
            return True
        return any(_uses_only(words, vocabulary) for vocabulary in self._vocabularies)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_vocabularies", tuple(frozenset(s.split()) for s in self.quote_sources)
        )
        object.__setattr__(self, "_quotes", _QuoteIndex.of(self.quote_sources))
        object.__setattr__(self, "_mask_grams", tuple(map(source_grams, self.mask_sources)))
        object.__setattr__(self, "_mask_index", _gram_index(self._mask_grams))
        # Bounded by count and by characters held (a draft may be 70,000 characters long).
        object.__setattr__(self, "_reports", _LRU(1024, max_weight=1_000_000))
        object.__setattr__(self, "_verdicts", _LRU(4096, max_weight=1_000_000))

    @classmethod
    def from_book(cls, book: BookProfile) -> Grounding:
        """The grounding of `book`, built once per profile version and then shared.

        Kept per process (at most `GROUNDING_CACHE_SIZE`, least recently used dropped) under a
        digest of every field `build` reads, so an edited profile gets a new one and profiles
        with equal facts share one.
        """
        key = _profile_key(book)
        grounding = _GROUNDINGS.get(key)
        if grounding is None:
            # Built outside the cache's lock: two threads may build one profile at once, and
            # then both use the first one stored.
            grounding = _GROUNDINGS.put(key, cls.build(book))
        return grounding

    @classmethod
    def build(cls, book: BookProfile) -> Grounding:
        """Collect the verbatim material and the checkable facts of `book` (not cached)."""
        reviews = [r.text for r in book.reviews]
        sentences = split_sentences(book.blurb)
        quote_sources = [
            *book.quotes,
            *reviews,
            book.title,
            book.subtitle or "",
            book.blurb,
            *sentences,
        ]
        verbatim = [
            *quote_sources,
            book.author,
            book.genre,
            book.target_audience or "",
            *book.key_themes,
            *(r.source or "" for r in book.reviews),
            *book.hashtags,
            *book.link_urls().values(),
            book.price or "",
            *book.awards,
        ]
        # Free text masks (repeating it invents nothing) but grounds no claim.
        free = {book.blurb, *sentences, book.target_audience or "", book.genre, *book.key_themes}
        price = book.price or ""
        amounts = set(_prices(Scan(price)))
        amounts |= {(a, c) for a, c, _ in offers.amounts(price)}
        amounts = amounts or {(_decimal(m), None) for m in re.findall(_AMOUNT, price)}
        # Claims rest on structured evidence alone: never the blurb, the guidelines or the tone,
        # which may say anything (a pasted "New York Times bestseller" grounds nothing).
        evidence = evidence_of([*book.awards, *reviews], _ALL_CLAIM_PATTERNS)
        discount_stated, discount_percents = offers.stated_discounts(price)
        return cls(
            mask_sources=_mask_sources(verbatim),
            quote_sources=tuple({_normalize(s) for s in quote_sources if s.strip()}),
            prices=frozenset(amounts),
            price_is_free="free" in price.casefold() or any(a[0] == 0 for a in amounts),
            launch_date=book.launch_date,
            ratings=frozenset(
                r for text in [*reviews, *book.awards] for r in _ratings(Scan(_nfc(text)))
            ),
            claims=frozenset(kind for e in evidence for kind in e.kinds),
            link_hosts=link_hosts(book.link_urls().values()),
            book_days=frozenset(
                [*([book.launch_date] if book.launch_date else []), *(e.on for e in book.events)]
            ),
            evidence=evidence,
            speakers=Speakers.of(
                [(r.text, r.source, r.kind or "critic") for r in book.reviews],
                book.author,
                " ".join([book.blurb, *book.quotes]),
                book.title,
            ),
            discount_stated=discount_stated,
            discount_percents=discount_percents,
            rules=book.rules,
            free_sources=frozenset(_mask_sources(list(free)))
            - frozenset(_mask_sources([s for s in verbatim if s not in free])),
        )


_GROUNDINGS: _LRU[bytes, Grounding] = _LRU(GROUNDING_CACHE_SIZE)
#: `masked_twice` looks a text's grams up in the index while they are fewer than this many per
#: source, else it tests each source.
_INDEX_GRAMS = 8
#: Up to this many characters, `masked_twice` tests a source's presence by the substring test
#: alone: it takes well under a microsecond there, less than a `may_occur` call.
_SEARCHED_OUTRIGHT = 4096


def _gram_index(
    grams: Sequence[SourceGrams | None],
) -> tuple[tuple[int, ...], dict[int, tuple[int, ...]]]:
    """The sources without grams, and the sources by each of their first grams (see
    `Grounding._mask_index`)."""
    short = tuple(i for i, g in enumerate(grams) if g is None)
    by_gram: dict[int, list[int]] = {}
    for i, g in enumerate(grams):
        if g is not None:
            for gram in g[0]:
                by_gram.setdefault(gram, []).append(i)
    return short, {gram: tuple(found) for gram, found in by_gram.items()}


def _profile_key(book: BookProfile) -> bytes:
    """A digest of every profile field `Grounding.build` reads (the id is not one of them)."""
    digest = hashlib.blake2b(digest_size=20)
    groups = (
        (
            book.title,
            book.subtitle or "",
            book.author,
            book.genre,
            book.blurb,
            book.target_audience or "",
            book.tone or "",
            book.content_guidelines or "",
            book.price or "",
            book.launch_date.isoformat() if book.launch_date else "",
        ),
        book.quotes,
        tuple(r.text for r in book.reviews),
        tuple(r.source or "" for r in book.reviews),
        book.key_themes,
        book.hashtags,
        tuple(book.link_urls().values()),
        tuple(r.kind or "" for r in book.reviews),
        book.awards,
        tuple(f"{e.on.isoformat()} {e.name}" for e in book.events),
        (repr(book.rules),),
    )
    for group in groups:
        digest.update(b"[%d" % len(group))
        for text in group:
            data = text.encode("utf-8", "surrogatepass")
            digest.update(b":%d:" % len(data))
            digest.update(data)
    return digest.digest()


def split_sentences(text: str) -> list[str]:
    """`text` split after `.`, `!`, `?` or `…`; writers quote blurb sentences from this list."""
    return [s.strip() for s in re.split(r"(?<=[.!?…])\s+", text.strip()) if s.strip()]


def check_draft(
    book: BookProfile,
    rules: PlatformRules,
    content: str,
    *,
    recent: Sequence[str] = (),
    elsewhere: Sequence[str] = (),
    cross_posted: bool = False,
    dedupe_threshold: float = 85.0,
    grounding: Grounding | None = None,
    scheduled_on: date | None = None,
    today: date | None = None,
) -> ValidationReport:
    """Check the final `content` of a draft against platform rules, the profile and `recent`.

    Pass a precomputed `grounding` when checking many drafts of one book. `scheduled_on` is the
    (book-local) day the post goes out, if known: relative dates count from it, and it sets the
    launch phase; else the phase is that of `today` (by default, today in the book's timezone).
    `elsewhere` holds the book's recent posts on other platforms: the draft may repeat one of
    them (see `bookagent.domain.near_duplicates`) only if the author marked it `cross_posted`.

    Each part is cached by what it depends on, so a draft checked again against the same posts
    (a writer checks its draft as the gate will, then `write_one` checks it) costs little.
    """
    length, size, found = _form(rules, content)
    day = scheduled_on or today or book_today(book.timezone)
    ungrounded = find_ungrounded(
        grounding or Grounding.from_book(book),
        content,
        scheduled_on=scheduled_on,
        phase=launch_phase(book.launch_date, day),
    )
    repeats = _repeats(content, tuple(recent), tuple(elsewhere), cross_posted, dedupe_threshold)
    violations = (*found, *ungrounded, *repeats)
    return ValidationReport(not violations, length, rules.max_length, violations, rules.unit, size)


@lru_cache(maxsize=4096)
def _form(rules: PlatformRules, content: str) -> tuple[int, int | None, tuple[Violation, ...]]:
    """The length and bytes of `content` on `rules`' platform (a thread's longest post), and
    what breaks its limits."""
    size = post_size(rules, content)
    tags = len(extract_hashtags(content))
    links = len(extract_urls(content, bare_domains=True)) if rules.max_links is not None else 0
    name = rules.name
    checks = [
        ("too_many_hashtags", tags > rules.hashtags_max,
         f"{tags} hashtags; {name} allows at most {rules.hashtags_max}."),
        ("too_few_hashtags", tags < rules.hashtags_min,
         f"{tags} hashtags; {name} needs at least {rules.hashtags_min}."),
        ("too_many_links", rules.max_links is not None and links > rules.max_links,
         f"{links} links; {name} allows at most {rules.max_links}."),
    ]  # fmt: skip
    found = limit_violations(rules, content, size)
    found.extend(Violation(code, message) for code, failed, message in checks if failed)
    return size.length, size.size, tuple(found)


def limit_violations(rules: PlatformRules, content: str, size: PostSize) -> list[Violation]:
    """What breaks the platform's length and byte limits; a thread's posts each on its own."""
    name, count = rules.name, size.posts
    found = [Violation("empty", "The post is empty.")] if not content.strip() else []
    if count > MAX_THREAD_POSTS:
        found.append(
            Violation(
                "too_many_posts",
                f"{count} posts in the thread; a thread on {platform_label(name)} holds at most "
                f"{MAX_THREAD_POSTS} here.",
            )
        )
    for i, length in enumerate(size.lengths):
        where = f"Post {i + 1} of the thread: " if count > 1 else ""
        if count > 1 and length == 0:
            found.append(Violation("empty", f"Post {i + 1} of the thread is empty."))
        if length > rules.max_length:
            found.append(
                Violation(
                    "too_long",
                    f"{where}{length} {rules.unit} is over the {name} limit of {rules.max_length}.",
                )
            )
        bytes_ = size.sizes[i] if size.sizes is not None else 0
        if rules.max_bytes is not None and bytes_ > rules.max_bytes:
            found.append(
                Violation(
                    "too_many_bytes",
                    f"{where}{bytes_} bytes is over the {name} limit of {rules.max_bytes}.",
                )
            )
    return found


@lru_cache(maxsize=128)  # the texts are the caller's: each entry holds references, not copies
def _repeats(
    content: str,
    recent: tuple[str, ...],
    elsewhere: tuple[str, ...],
    cross_posted: bool,
    threshold: float,
) -> tuple[Violation, ...]:
    """A `near_duplicate` of a recent post of the platform, and a `cross_platform_duplicate` of
    one on another platform unless the post is cross-posted."""
    found = []
    similar = find_similar_post(content, recent, threshold)
    if similar is not None:
        if similar.measure == "wording":
            message = f"{similar.score:.0f}% similar to a recent post: {_excerpt(similar.text)}"
        else:
            message = (
                f"Says what a recent post says, in other words ({similar.score:.0f}% of the "
                f"same content words): “{_excerpt(similar.text)}”"
            )
        found.append(Violation("near_duplicate", message))
    if elsewhere and not cross_posted:
        repeated = find_same_wording(content, elsewhere, threshold)
        if repeated is not None:
            found.append(
                Violation(
                    "cross_platform_duplicate",
                    f"Same text as a recent post on another platform: “{_excerpt(repeated[0])}”. "
                    "Mark the post as cross-posted to allow it.",
                )
            )
    return tuple(found)


def find_ungrounded(
    grounding: Grounding,
    content: str,
    *,
    scheduled_on: date | None = None,
    phase: Phase = "post_launch",
) -> list[Violation]:
    """What in `content` the profile does not support, or the author's rules forbid.

    Links, quotations and attributions, prices, dates, ratings and claims; relative dates count
    from `scheduled_on`, and the rules' required words are those of `phase`.
    """
    key = (content, scheduled_on, phase)
    found = grounding._reports.get(key)
    if found is None:
        found = grounding._reports.put(
            key, _ungrounded(grounding, content, scheduled_on, phase), len(content)
        )
    return list(found)


def book_today(timezone: str) -> date:
    """Today's date where the book's author lives (UTC if the zone is unknown)."""
    return book_day(datetime.now(UTC), timezone)


def book_day(moment: datetime, timezone: str) -> date:
    """The date of the aware `moment` where the book's author lives (UTC if the zone is
    unknown): the day a post scheduled then goes out, as its text would name it."""
    try:
        zone: tzinfo = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return moment.astimezone(zone).date()


def _ungrounded(
    grounding: Grounding, content: str, scheduled_on: date | None, phase: Phase
) -> tuple[Violation, ...]:
    plain = _nfc(content)
    text, claim_text = grounding.masked_twice(plain)
    found: dict[str, Violation] = {}

    def add(code: str, message: str) -> None:
        found.setdefault(f"{code}:{message}", Violation(code, message))

    # Links are read from the text before masking: a mask inside a host ("grief.help", where
    # grief is a theme) would hide the link from the extraction.
    # One reason per foreign host, the first MAX_FOREIGN_LINKS of them: a post of thousands of
    # domains gets a bounded answer, at a bounded cost.
    seen: set[str] = set()
    for url in dict.fromkeys([*extract_urls(plain, bare_domains=True), *with_scheme(plain)]):
        host = host_of(url)
        if "@" in url and (userinfo := userinfo_reason(url)) is not None:
            add("foreign_link", userinfo)
        if host in seen or host in grounding.link_hosts:
            continue
        seen.add(host)
        if len(seen) > MAX_FOREIGN_LINKS:
            add("foreign_link", f"More links that are not the book's (over {MAX_FOREIGN_LINKS}).")
            break
        reason = foreign_link_reason(url, grounding.link_hosts)
        if reason is not None:
            add("foreign_link", reason)

    budget = _Budget(QUOTE_CHECK_BUDGET_NS)
    verdicts: dict[str, bool | None] = {}
    for quotation in _quotations(text):
        needle = _normalize(quotation)
        if needle not in verdicts:
            verdicts[needle] = grounding._quotes.check(needle, grounding._verdicts, budget)
        quoted = verdicts[needle]
        if quoted and not grounding.faithful(needle):
            quoted = False
        if quoted is None:
            add(
                "ungrounded_quote",
                f"Quotation not checked (the post quotes more than one check can compare): "
                f"“{_excerpt(quotation)}”",
            )
        elif not quoted:
            add(
                "ungrounded_quote",
                f"Quotation not found in the author's quotes, reviews, "
                f"title or blurb: “{_excerpt(quotation)}”",
            )
    for problem in misattributions(grounding.speakers, plain):
        add("ungrounded_attribution", problem)
    scan = Scan(text)
    for amount, currency in _prices(scan):
        if not _is_known_price(grounding, amount, currency):
            shown = "free" if amount == 0 and currency is None else f"{amount} {currency or ''}"
            add("ungrounded_price", f"Price {shown.strip()} does not match the book's price.")
    if scan.has_digit or "%" in text:
        for amount, currency, words in offers.amounts(text, scan.digit_starts):
            if not _is_known_price(grounding, amount, currency):
                add("ungrounded_price", f"Price “{words}” does not match the book's price.")
    for percent, words in offers.discounts(text):
        if "free" in words.casefold():  # "read it free": the price said "free"
            if not grounding.price_is_free:
                add("ungrounded_price", "Price free does not match the book's price.")
            continue
        if not grounding.discount_stated or (
            percent is not None and percent not in grounding.discount_percents
        ):
            add("ungrounded_price", f"Discount “{words}” is not one the book's price states.")
    own_days = grounding.book_days | {scheduled_on} if scheduled_on else grounding.book_days
    for year, month, day in _dates(scan):
        if not any((d.month, d.day) == (month, day) and year in (None, d.year) for d in own_days):
            add(
                "ungrounded_date",
                f"Date {year or '?'}-{month}-{day} is not the launch date, an event's date or "
                "the day the post goes out.",
            )
    mentions = relative_dates.mentions(text, scheduled_on, scan.digit_starts)
    for problem in relative_dates.unsupported(mentions, grounding.book_days, scheduled_on):
        add("ungrounded_date", problem)
    for value, scale in itertools.chain(_ratings(scan), _rated(scan)):
        if (value, scale) not in grounding.ratings:
            add("ungrounded_rating", f"Rating {value}/{scale} does not appear in any review.")
    claim_scan = scan if claim_text is text else Scan(claim_text)
    claimed = [*_claims(claim_scan, frozenset()), *_more_claims(claim_text)]
    for kind, words in ungrounded_claims(
        claim_text, claimed, _ALL_CLAIM_PATTERNS, grounding.evidence
    ):
        add(
            "ungrounded_claim",
            f"Claim '{kind}' (“{_excerpt(words)}”) is not in the book's awards or reviews.",
        )
    for violation in rule_violations(grounding.rules, plain, phase):
        add(violation.code, violation.message)
    return tuple(found.values())


def _more_claims(text: str) -> Iterator[str]:
    """The kinds of `MORE_CLAIM_PATTERNS` claim that `text` makes.

    Each claim holds one of its kind's words, and starts at most `_CLAIM_BEFORE` characters
    before it: a kind none of whose words occur is not searched for. In a post longer than one
    such window, the pattern is searched from there (to `_CLAIM_AFTER` past it) around the
    words' places, at most `MAX_STARTS` of them, windows that overlap searched as one, not
    through the whole of a long post.
    """
    folded = text.casefold()
    aligned = len(folded) == len(text)  # else casefolding moved the places ("ß" is "ss")
    short = len(text) <= _CLAIM_BEFORE + _CLAIM_AFTER
    for kind, pattern in MORE_CLAIM_PATTERNS.items():
        words = _MORE_CLAIM_WORDS[kind]
        if aligned and not any(word in folded for word in words):
            continue
        hint = _MORE_CLAIM_HINTS.get(kind)
        if hint is not None and not hint.search(text):
            continue
        places: list[int] = []
        if short or not aligned or not all(find_all(folded, word, places) for word in words):
            if pattern.search(text):
                yield kind
            continue
        if any(pattern.search(text, start, end) for start, end in _windows(sorted(places))):
            yield kind


def _windows(places: list[int]) -> Iterator[tuple[int, int]]:
    """The spans `_CLAIM_BEFORE` before to `_CLAIM_AFTER` after each place, overlaps merged."""
    start, end = -1, -1
    for at in places:
        low, high = max(0, at - _CLAIM_BEFORE), at + _CLAIM_AFTER
        if low > end:
            if end >= 0:
                yield start, end
            start = low
        end = max(end, high)
    if end >= 0:
        yield start, end


_CLAIM_BEFORE = 80
_CLAIM_AFTER = 120
# For a kind whose words occur in most posts: a pattern every claim of the kind holds a match of
# (with the same flags, so the same letters match), which `re` finds quickly (each branch starts
# with a literal). Every post has a "#" (its hashtags), but a ranking "#" is followed by a digit.
# A count is a number: digits, or a number word (most posts have none).
_MORE_CLAIM_HINTS = {
    "ranking": re.compile(r"top|rank|chart|[#＃]\s?\d", re.IGNORECASE),
    "reader count": re.compile(r"\d|hundred|thousand|million", re.IGNORECASE),
}
# Words one of which each claim of `MORE_CLAIM_PATTERNS` holds (a cheap test before the pattern).
_MORE_CLAIM_WORDS = {
    "nominated": ("nomin",),
    "named award": ("award", "prize", "medal", "won ", "honor", "honour"),
    "pick": ("pick", "selection", "choice", "of the", "book club"),
    "ranking": ("top", "rank", "chart", "#", "＃"),
    "success": ("sold", "printing", "translated", "netflix", "optioned", "rights", "deal",
                "adaptation", "anticipated"),
    "reader count": (
        "order", "famil", "classroom", "school", "teacher", "parent", "kid", "children",
        "student", "founder", "leader", "ceo", "member", "page", "language", "countr",
        "translation",
        "reader", "fan", "review", "rating", "download", "listener", "subscriber", "follower",
        "cop", "sold",
    ),
}  # fmt: skip


def _quotations(text: str) -> Iterator[str]:
    """The quoted spans of `text` that hold a word besides the author's masked material."""
    for match in quotation_matches(text):
        words = next(g for g in match.groups() if g is not None).replace(_MASK, " ").split()
        # The first QUOTE_MIN_WORDS words with a letter or digit settle it (`filter` in C).
        wordy = itertools.islice(filter(_HAS_WORD.search, words), QUOTE_MIN_WORDS)
        if sum(1 for _ in wordy) >= QUOTE_MIN_WORDS:
            yield " ".join(words)


# -- the fuzzy quotation check ------------------------------------------------------------------

_WORD = 64  # rapidfuzz compares a text of up to 64 characters in one machine word


def _below(threshold: float) -> float:
    """A rapidfuzz `score_cutoff` for scores >= `threshold`, which the caller then compares.

    rapidfuzz may drop a score a little above its cutoff (`process.extractOne` rounds it to
    single precision: 85.714285 drops 85.7142857...), so the cutoff sits below the threshold by
    far more than that rounding; the scores it keeps are exact.
    """
    return max(0.0, threshold - 0.01)


_QUOTE_CUTOFF = _below(QUOTE_MATCH_THRESHOLD)
_PIECE_CUTOFF = 77.0  # see `_QuoteIndex._check_long`
# Estimated CPU (ns) of each step, measured on a 2-core x86 server with unrelated texts (a near
# match costs less): a rapidfuzz call; per character of the sources searched for a substring; per
# source character for a needle of up to 64 characters; per source character and 64 needle
# characters for an LCS or `ratio`; `_exact_ns` for `partial_ratio` with a longer needle.
_NS_CALL = 300.0
_NS_SCAN = 0.5
_NS_SHORT = 5.0
_NS_LCS = 1.2


class _Budget:
    """The estimated CPU (ns) one draft's quotation check may still spend.

    Once a step does not fit, the budget is spent for good: that quotation and every later one
    are reported as not checked. What fits depends only on the draft and the grounding (a
    quotation's verdict, cached or not, costs what checking it cost), so the report does too.
    """

    def __init__(self, ns: float) -> None:
        self.left = ns
        self.exhausted = False

    def spend(self, ns: float) -> bool:
        """Take `ns` (rounded up to whole ns: sums are exact) if it fits and nothing failed yet."""
        cost = math.ceil(ns)
        if self.exhausted or cost > self.left:
            self.exhausted = True
            return False
        self.left -= cost
        return True


@dataclass(frozen=True)
class _QuoteIndex:
    """A grounding's normalized quote sources, ordered by length, for `check`.

    `check(needle)` answers what `any(scorer(needle, s) >= QUOTE_MATCH_THRESHOLD)` answers over
    the sources (`partial_ratio` for a source at least as long as the needle, `ratio` for a
    shorter one), skipping only comparisons that cannot reach the threshold:

    - a needle inside a source scores 100 (one substring search of all sources);
    - `ratio` reaches 90 only with a source of at least 9/11 of the needle's length;
    - a `partial_ratio` of 90 aligns the needle with a window `w` of the source (or, at equal
      lengths, the source with a window of the needle) with an LCS of at least
      0.45 * (n + |w|) >= 9n/11 characters, so the LCS of needle and source is at least that;
    - cut the needle into pieces of at most 64 characters. The alignment's indel distance
      d <= 0.1 * (n + |w|) is the sum of the pieces' distances to consecutive parts of `w`, so
      some piece `p` is within 0.1 * (|p| + |y|) of a substring `y` of the source; then a window
      of |p| characters is within 2d' <= 0.444 |p| of it, and `partial_ratio(p, source)` is at
      least 77.8 (the filter asks for 77);
    - `partial_ratio` is the best `ratio` over the source's windows, so one window of n
      characters (where the piece that passed aligns) scoring 90 settles it: a near-verbatim
      quotation never needs the full comparison.

    The filters are cheap next to `partial_ratio` with a long needle (up to ~30 ms a source for
    a 2,000-character one); what is left runs on the draft's `_Budget`. rapidfuzz's score
    cutoffs only skip work (`_below`). tests/unit/domain/test_grounding_bounds.py checks the
    answers against the plain loop.
    """

    sources: tuple[str, ...]
    lengths: tuple[int, ...]
    sums: tuple[int, ...]  # sums[i]: the length of sources[:i]
    joined: str  # the sources joined by NUL, which `_normalize` never leaves in a text

    @classmethod
    def of(cls, sources: Iterable[str]) -> _QuoteIndex:
        """The index of these normalized sources."""
        ordered = tuple(sorted(sources, key=lambda s: (len(s), s)))
        lengths = tuple(len(s) for s in ordered)
        sums = tuple(itertools.accumulate(lengths, initial=0))
        return cls(ordered, lengths, sums, "\0".join(ordered))

    def check(
        self, needle: str, verdicts: _LRU[str, tuple[bool, float]], budget: _Budget
    ) -> bool | None:
        """Whether the normalized `needle` matches a source; None when `budget` runs out."""
        if budget.exhausted:
            return None
        known = verdicts.get(needle)
        if known is not None:
            quoted, cost = known
            return quoted if budget.spend(cost) else None
        before = budget.left
        found = self._check(needle, budget)
        if found is not None:
            verdicts.put(needle, (found, before - budget.left), len(needle) + 64)
        return found

    def _check(self, needle: str, budget: _Budget) -> bool | None:
        n, sources, count = len(needle), self.sources, len(self.sources)
        if not n:  # partial_ratio("", s) is 100 for s == "" only
            if not budget.spend(_NS_CALL * count):
                return None
            return any(fuzz.partial_ratio(needle, s) >= QUOTE_MATCH_THRESHOLD for s in sources)
        if not budget.spend(_NS_CALL + _NS_SCAN * len(self.joined)):
            return None
        if needle in self.joined:
            return True
        words = -(-n // _WORD)
        lo = bisect.bisect_left(self.lengths, 9 * n // 11 - 1)
        hi = bisect.bisect_left(self.lengths, n)
        if lo < hi:
            scanned = self.sums[hi] - self.sums[lo]
            if not budget.spend(_NS_CALL * (hi - lo) + _NS_LCS * words * scanned):
                return None
            shorter = sources[lo:hi]
            best = process.extractOne(
                needle, shorter, scorer=fuzz.ratio, score_cutoff=_QUOTE_CUTOFF
            )
            if best is not None and best[1] >= QUOTE_MATCH_THRESHOLD:
                return True
        if hi == count:
            return False
        if n <= _WORD:
            scanned = self.sums[count] - self.sums[hi]
            if not budget.spend(_NS_CALL * (count - hi) + _NS_SHORT * scanned):
                return None
            best = process.extractOne(
                needle, sources[hi:], scorer=fuzz.partial_ratio, score_cutoff=_QUOTE_CUTOFF
            )
            return best is not None and best[1] >= QUOTE_MATCH_THRESHOLD
        return self._check_long(needle, hi, budget)

    def _check_long(self, needle: str, start: int, budget: _Budget) -> bool | None:
        """`partial_ratio` of a needle over 64 characters with the sources from `start` on."""
        n = len(needle)
        words = -(-n // _WORD)
        pieces = _pieces(needle, _WORD)
        offsets = list(itertools.accumulate((len(p) for p in pieces), initial=0))
        min_lcs = 9 * n // 11 - 1
        unsure: list[tuple[float, int]] = []
        for i in range(start, len(self.sources)):
            source = self.sources[i]
            m = len(source)
            promise = 1.0
            if m <= 2 * n:  # beyond, a needle's LCS with an unrelated source is near n anyway
                if not budget.spend(_NS_CALL + _NS_LCS * words * m):
                    return None
                lcs = LCSseq.similarity(needle, source, score_cutoff=min_lcs)
                if lcs < min_lcs:
                    continue
                promise = lcs / n
            at = 0
            if m > n:
                for k, piece in enumerate(pieces):
                    if not budget.spend(_NS_CALL + _NS_SHORT * m):
                        return None
                    aligned = fuzz.partial_ratio_alignment(
                        piece, source, score_cutoff=_PIECE_CUTOFF
                    )
                    if aligned is not None:
                        at = min(max(aligned.dest_start - offsets[k], 0), m - n)
                        break
                else:
                    continue
            # The window of n characters where that piece aligns: partial_ratio is at least its
            # ratio, and for a near-verbatim quotation that is enough.
            if not budget.spend(_NS_CALL + _NS_LCS * words * n):
                return None
            if fuzz.ratio(needle, source[at : at + n]) >= QUOTE_MATCH_THRESHOLD:
                return True
            unsure.append((-promise, i))
        for _, i in sorted(unsure):  # the likeliest match first
            source = self.sources[i]
            if not budget.spend(_exact_ns(n, len(source))):
                return None
            score = fuzz.partial_ratio(needle, source, score_cutoff=_QUOTE_CUTOFF)
            if score >= QUOTE_MATCH_THRESHOLD:
                return True
        return False


def _exact_ns(n: int, m: int) -> float:
    """The estimated CPU of `partial_ratio` for a needle of n > 64 characters in m >= n."""
    return _NS_CALL + (0.06 + 0.05 * n / m) * (m + n) * n * -(-n // _WORD)


def _pieces(text: str, size: int) -> list[str]:
    """`text` cut into the fewest consecutive pieces of at most `size` characters, near-equal."""
    count = -(-len(text) // size)
    cuts = [len(text) * i // count for i in range(count + 1)]
    return [text[a:b] for a, b in itertools.pairwise(cuts)]


def _prices(scan: Scan) -> Iterator[tuple[Decimal, str | None]]:
    text = scan.text
    starts = _price_starts(scan)
    if starts is not None:
        matches = matches_at(_PRICE, text, starts)
    elif scan.has_digit or _FREE.search(text):
        matches = _PRICE.finditer(text)
    else:
        return
    for m in matches:
        if m["free"]:
            yield Decimal(0), None
            continue
        symbol = m["sym"] or m["sym2"] or (m["word"] or "").lower().rstrip("s")
        yield _decimal(m["a1"] or m["a2"]), _CURRENCIES.get(symbol, symbol.upper() or None)


def _is_known_price(grounding: Grounding, amount: Decimal, currency: str | None) -> bool:
    if amount == 0 and grounding.price_is_free:
        return True
    return any(
        amount == known and (currency is None or known_currency in (None, currency))
        for known, known_currency in grounding.prices
    )


def _dates(scan: Scan) -> Iterator[tuple[int | None, int, int]]:
    if not scan.has_digit:
        return
    text, digits = scan.text, scan.digit_starts
    for pattern in _DATES:
        if digits is None:
            matches = pattern.finditer(text)
        else:
            starts = _month_starts(text, digits) if pattern is _DATES[0] else digits
            matches = matches_at(pattern, text, starts)
        for m in matches:
            month_text, day, year = m["month"], int(m["day"]), m["year"]
            if month_text.isdigit():
                month = int(month_text)
            else:
                month = _MONTHS.index(month_text[:3].casefold()) + 1
            yield (int(year) if year else None), month, day
            if pattern is _DATES[3]:  # 03/01/2027 may be month-first too
                yield (int(year) if year else None), day, month


def _ratings(scan: Scan) -> Iterator[tuple[Decimal, int]]:
    text = scan.text
    if "★" in scan.nonascii or "⭐" in scan.nonascii:
        for m in _STAR_GLYPHS.finditer(text):
            yield Decimal(sum(1 for c in m.group() if c in "★⭐")), 5
    if scan.has_digit:
        digits = scan.digit_starts
        fractions = (
            _RATING_FRACTION.finditer(text)
            if digits is None
            else matches_at(_RATING_FRACTION, text, digits)
        )
        for m in fractions:
            yield Decimal(m[1]), int(m[2])
    starts = _star_starts(scan)
    if starts is not None:
        stars = matches_at(_RATING_STARS, text, starts)
    elif _STAR_WORD.search(text):
        stars = _RATING_STARS.finditer(text)
    else:
        return
    for m in stars:
        yield Decimal(_NUMBER_WORDS.get(m[1].lower(), m[1])), 5


def _rated(scan: Scan) -> Iterator[tuple[Decimal, int]]:
    """Ratings said in words: "rated 4.8", "a 4.6 average", "an average rating of 4.5"."""
    if _RATED_WORD.search(scan.text):
        for m in _RATED.finditer(scan.text):
            if m["v4"]:
                yield Decimal(10), 10
                continue
            yield Decimal((m["v1"] or m["v2"] or m["v3"] or m["v5"]).replace(",", ".")), 5


def _claims(scan: Scan, skip: frozenset[str]) -> Iterator[str]:
    """The claims `scan.text` makes, but those in `skip`, in the order of `_CLAIMS`."""
    text, folded = scan.text, scan.folded
    if folded is None:
        if _ANY_CLAIM.search(text):
            yield from (n for n, p in _CLAIM_PATTERNS.items() if n not in skip and p.search(text))
        return
    for name, pattern in _CLAIM_PATTERNS.items():
        needs, begins, digit = _CLAIM_STARTS[name]
        if name in skip or not any(word in folded for word in needs):
            continue
        starts = find_words(folded, begins)
        if starts is not None and digit:
            starts = None if scan.digit_starts is None else starts + scan.digit_starts
        if starts is None:
            found = pattern.search(text) is not None
        else:
            found = any(pattern.match(text, start) for start in starts)
        if found:
            yield name


# -- the fact patterns on long texts -------------------------------------------------------------
# Every price, date, rating and claim match starts at a digit, a currency sign or one of a few
# words, or a few characters before one (a month name before a day, a number before "stars"):
# these say where, and `matches_at` tries the pattern there alone (see
# `bookagent.domain.match_starts`); None where a pattern must scan the whole text.


def _price_starts(scan: Scan) -> list[int] | None:
    """Where a `_PRICE` match may start: a currency sign, a digit, or "free" or a word before it."""
    text, folded, digits = scan.text, scan.folded, scan.digit_starts
    if folded is None or digits is None:
        return None
    starts = list(digits)
    if not find_all(folded, b"$", starts):
        return None
    for sign in "€£¥₹":
        if sign in scan.nonascii and not find_all(text, sign, starts):
            return None
    free = find_words(folded, (b"free",))
    if free is None:
        return None
    for at in free:  # "FREE", "free today"..., or "for", "now" or "it's" before it
        word_end = space_before(text, at)
        starts += (at, word_end - 3, word_end - 4) if word_end < at else (at,)
    return sorted(starts)


def _month_starts(text: str, digits: list[int]) -> list[int]:
    """Where a `_DATES[0]` match may start: the word before a day (after whitespace, a dot)."""
    starts: set[int] = set()
    for at in digits:
        space = space_before(text, at)
        if space == at:
            continue
        for end in (space, space - 1) if text[space - 1 : space] == "." else (space,):
            start = end  # a month name follows `\b`: it is the whole run of word characters
            while start and end - start < 10 and _is_word(text[start - 1]):
                start -= 1
            starts.add(start)
    return sorted(starts)


def _star_starts(scan: Scan) -> list[int] | None:
    """Where a `_RATING_STARS` match may start: up to 5 characters before `[\\s-]*star`."""
    found = None if scan.folded is None else find_words(scan.folded, (b"star",))
    if found is None:
        return None
    starts: set[int] = set()
    for at in found:
        end = space_before(scan.text, at, dash=True)
        starts.update(range(end - 5, end))
    return sorted(starts)


_MASK_NESTING = 100  # trie levels the mask nests (`re` parses recursively); deeper: one alternation
_MASK_FANOUT = 16  # branches tried in turn; more are split by a lookahead on their first letters


def _mask_sources(sources: Sequence[str]) -> tuple[str, ...]:
    """The distinct verbatim sources a mask is made of (NFC, outer quote marks stripped)."""
    return tuple(sorted({s for raw in sources if (s := _strip_quote_marks(_nfc(raw)))}))


#: Occurrences of the present sources `_mask_present` places itself; with more, the trie does.
_FOUND_MASK_HITS = 256


def _mask_present(text: str, sources: tuple[str, ...]) -> str:
    """`text` with `sources` (which occur in it) masked as `_mask_pattern(sources)` masks them.

    A draft holds a few sources a few times each: their occurrences are found with `str.find`
    and placed as the pattern's scan would (leftmost first, the longest at a position, each
    bounded at word edges as `_mask_pattern` bounds it), so the usual draft compiles no pattern:
    the sources present differ from draft to draft, and a compile costs a millisecond or more.
    A text with more occurrences (a hostile one) is masked by the compiled pattern, cached.
    """
    found: list[tuple[int, int]] = []
    size = len(text)
    for source in sources:
        starts_word, ends_word, length = _is_word(source[0]), _is_word(source[-1]), len(source)
        at = text.find(source)
        while at >= 0:
            end = at + length
            if not (starts_word and at and _is_word(text[at - 1])) and not (
                ends_word and end < size and _is_word(text[end])
            ):
                found.append((at, -length))
                if len(found) > _FOUND_MASK_HITS:
                    mask = _present_mask(sources)
                    return mask.sub(_MASK, text) if mask is not None else text
            at = text.find(source, at + 1)
    if not found:
        return text
    found.sort()
    parts: list[str] = []
    done = 0
    for at, negative_length in found:
        if at >= done:
            parts += (text[done:at], _MASK)
            done = at - negative_length
    parts.append(text[done:])
    return "".join(parts)


@lru_cache(maxsize=1024)  # keyed by the sources a hostile draft contains (all, or structured)
def _present_mask(sources: tuple[str, ...]) -> re.Pattern[str] | None:
    return _mask_pattern(sources)


def _mask_pattern(sources: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern matching, where it can, the longest verbatim source, bounded at word edges.

    What it matches is what one alternation of the sources, longest first, would match: a
    source starting with a word character must not follow one, and one ending with a word
    character must not be followed by one. It is written as a trie of the sources, so that `re`
    does work in proportion to how far the text agrees with some source rather than to how many
    sources there are: sources that share a prefix share its branch; a node's children (each
    starting with its own character, so at most one can match) come before the source ending at
    it, so the longest source that matches wins; a node with many children tries them through
    lookaheads on their first characters, `_MASK_FANOUT` at a time. The start test comes after the
    first character, `T(?<!\\wT)he` rather than `(?<!\\w)The`, so that every branch starts with a
    literal and `re` skips ahead to where one can match.
    """
    unique = sorted({s for raw in sources if (s := _strip_quote_marks(_nfc(raw)))})
    return _compile_uncached(_mask_node(unique, 0, 0)) if unique else None


def _compile_uncached(pattern: str) -> re.Pattern[str]:
    """`re.compile` without `re`'s module cache, which keeps 512 patterns: a mask can take
    megabytes, and must go when its grounding leaves `Grounding.from_book`'s cache."""
    compiler = getattr(re, "_compiler", None)  # CPython 3.11+
    if compiler is None:  # pragma: no cover
        return re.compile(pattern)
    compiled: re.Pattern[str] = compiler.compile(pattern, 0)
    return compiled


def _mask_node(texts: list[str], offset: int, depth: int) -> str:
    """The pattern for the rest of `texts` (sorted, unique) after their common `offset` chars."""
    ends_here = len(texts[0]) == offset  # the shared prefix itself sorts first
    longer = texts[1:] if ends_here else texts
    if depth >= _MASK_NESTING:
        parts = [
            re.escape(t[offset:]) + _end_test(t) for t in sorted(longer, key=lambda t: (-len(t), t))
        ]
    else:
        branches = []
        for first, group in itertools.groupby(longer, key=lambda t: t[offset]):
            texts_ = list(group)
            stop = _common_prefix_end(texts_[0], texts_[-1], offset + 1)
            head = re.escape(first)
            if offset == 0 and _is_word(first):
                head += f"(?<!\\w{head})"
            head += re.escape(texts_[0][offset + 1 : stop])
            tail = _end_test(texts_[0]) if len(texts_) == 1 else _mask_node(texts_, stop, depth + 1)
            branches.append((first, head + tail))
        parts = _dispatch(branches)
    if ends_here:
        parts.append(_end_test(texts[0]))
    return parts[0] if len(parts) == 1 else f"(?:{'|'.join(parts)})"


def _dispatch(branches: list[tuple[str, str]]) -> list[str]:
    """Branches (first character, pattern), grouped behind lookaheads if there are many."""
    size = max(2, _MASK_FANOUT)
    while len(branches) > size:
        groups = [branches[i : i + size] for i in range(0, len(branches), size)]
        branches = [
            (
                "".join(first for first, _ in group),
                "(?=[{}])(?:{})".format(
                    "".join(re.escape(c) for first, _ in group for c in first),
                    "|".join(pattern for _, pattern in group),
                ),
            )
            for group in groups
        ]
    return [pattern for _, pattern in branches]


def _common_prefix_end(a: str, b: str, start: int) -> int:
    """Where the common prefix of `a` and `b` ends, given that it is at least `start` long."""
    low, high = start, min(len(a), len(b))
    while low < high:  # binary search: slices compare in C
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _end_test(text: str) -> str:
    return r"(?!\w)" if _is_word(text[-1]) else ""


def _is_word(char: str) -> bool:
    """Whether `re` counts `char` as `\\w` (str patterns: alphanumeric or the underscore)."""
    return char.isalnum() or char == "_"


def _uses_only(words: list[str], vocabulary: frozenset[str]) -> bool:
    """Whether each word is in `vocabulary`, or joined to the next one is ("foot-step")."""
    i = 0
    while i < len(words):
        if words[i] in vocabulary:
            i += 1
        elif i + 1 < len(words) and words[i] + words[i + 1] in vocabulary:
            i += 2
        else:
            return False
    return True


def _strip_quote_marks(text: str) -> str:
    return text.strip().strip("\"'“”‘’«»„").strip()


def _decimal(amount: str) -> Decimal:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", amount):
        amount = amount.replace(",", "")
    return Decimal(amount.replace(",", "."))


def _normalize(text: str) -> str:
    text = _nfc(text).casefold().replace("’", "'")
    if not text.replace(" ", "").replace("'", "").isalnum():  # else there is nothing to drop
        text = _NOT_QUOTE_WORD.sub(" ", text)
    return " ".join(text.split())


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
