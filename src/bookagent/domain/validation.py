"""The gate every draft passes before it is stored: platform limits, grounding and dedupe.

Limits are measured on the final text with `bookagent.platforms`. Grounding means a post states
only facts the author gave: verbatim author material (title, blurb, quotes, reviews, themes,
links...) is masked first, being grounded by construction; in what remains, a quotation of 4+
words must fuzzy-match the author's quotes, reviews, title or blurb, and every price, calendar
date, star rating and marketing claim ("bestseller", "#1") must match the profile. Near-duplicates
are found with rapidfuzz on normalized text (URLs and hashtags stripped) against recent posts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz import process

from bookagent.domain.profile import BookProfile
from bookagent.platforms import PlatformRules
from bookagent.platforms import count_bytes
from bookagent.platforms import extract_hashtags
from bookagent.platforms import extract_urls
from bookagent.platforms import measure

QUOTE_MATCH_THRESHOLD = 90.0
QUOTE_MIN_WORDS = 4
_MASK = "\ufffc"

_QUOTATION = re.compile(r'"([^"]+)"|“([^“”]+)”|«([^«»]+)»|„([^„“”]+)[“”]')
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
# Cheap pre-checks, each necessary for a match of the patterns it guards: an alternation
# matches somewhere iff one of its branches does; every amount, numeric date and rating
# fraction has a digit; the other prices say "free"; worded ratings say "star".
_ANY_CLAIM = re.compile("|".join(f"(?:{p})" for p in _CLAIMS.values()), re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_FREE = re.compile("free", re.IGNORECASE)
_STAR_WORD = re.compile("star", re.IGNORECASE)


@dataclass(frozen=True)
class Violation:
    """One reason a draft may not be stored: a stable `code` and a sentence for people."""

    code: str
    message: str


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of `check_draft`; `to_dict()` is stored with the draft as provenance."""

    ok: bool
    measured_length: int
    limit: int
    violations: tuple[Violation, ...] = ()
    unit: str = ""
    measured_bytes: int | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        """The violation codes, in the order they were found."""
        return tuple(v.code for v in self.violations)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the report."""
        return {
            "ok": self.ok,
            "measured_length": self.measured_length,
            "limit": self.limit,
            "unit": self.unit,
            "measured_bytes": self.measured_bytes,
            "violations": [{"code": v.code, "message": v.message} for v in self.violations],
        }


@dataclass(frozen=True)
class Grounding:
    """The facts a post may state about one book, precomputed once from its profile."""

    mask: re.Pattern[str] | None
    quote_sources: tuple[str, ...]
    prices: frozenset[tuple[Decimal, str | None]]
    price_is_free: bool
    launch_date: date | None
    ratings: frozenset[tuple[Decimal, int]]
    claims: frozenset[str]

    @classmethod
    def from_book(cls, book: BookProfile) -> Grounding:
        """Collect the verbatim material and the checkable facts of `book`."""
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
        ]
        corpus = " ".join([*verbatim, book.content_guidelines or "", book.tone or ""])
        price = book.price or ""
        amounts = set(_prices(price)) or {(_decimal(m), None) for m in re.findall(_AMOUNT, price)}
        return cls(
            mask=_mask_pattern(verbatim),
            quote_sources=tuple({_normalize(s) for s in quote_sources if s.strip()}),
            prices=frozenset(amounts),
            price_is_free="free" in price.casefold() or any(a[0] == 0 for a in amounts),
            launch_date=book.launch_date,
            ratings=frozenset(r for text in reviews for r in _ratings(_nfc(text))),
            claims=frozenset(n for n, p in _CLAIM_PATTERNS.items() if p.search(_nfc(corpus))),
        )


def split_sentences(text: str) -> list[str]:
    """`text` split after `.`, `!`, `?` or `…`; writers quote blurb sentences from this list."""
    return [s.strip() for s in re.split(r"(?<=[.!?…])\s+", text.strip()) if s.strip()]


def check_draft(
    book: BookProfile,
    rules: PlatformRules,
    content: str,
    *,
    recent: Sequence[str] = (),
    dedupe_threshold: float = 85.0,
    grounding: Grounding | None = None,
) -> ValidationReport:
    """Check the final `content` of a draft against platform rules, the profile and `recent`.

    Pass a precomputed `grounding` when checking many drafts of one book.
    """
    length = measure(rules.name, content, rules)
    size = count_bytes(content) if rules.max_bytes is not None else None
    tags = len(extract_hashtags(content))
    links = len(extract_urls(content, bare_domains=True)) if rules.max_links is not None else 0
    name = rules.name
    checks = [
        ("empty", not content.strip(), "The post is empty."),
        ("too_long", length > rules.max_length,
         f"{length} {rules.unit} is over the {name} limit of {rules.max_length}."),
        ("too_many_bytes", size is not None and size > (rules.max_bytes or 0),
         f"{size} bytes is over the {name} limit of {rules.max_bytes}."),
        ("too_many_hashtags", tags > rules.hashtags_max,
         f"{tags} hashtags; {name} allows at most {rules.hashtags_max}."),
        ("too_few_hashtags", tags < rules.hashtags_min,
         f"{tags} hashtags; {name} needs at least {rules.hashtags_min}."),
        ("too_many_links", rules.max_links is not None and links > rules.max_links,
         f"{links} links; {name} allows at most {rules.max_links}."),
    ]  # fmt: skip
    found = [Violation(code, message) for code, failed, message in checks if failed]
    found.extend(find_ungrounded(grounding or Grounding.from_book(book), content))
    duplicate = find_near_duplicate(content, recent, dedupe_threshold)
    if duplicate is not None:
        similar = f"{duplicate[1]:.0f}% similar to a recent post: {_excerpt(duplicate[0])}"
        found.append(Violation("near_duplicate", similar))
    return ValidationReport(not found, length, rules.max_length, tuple(found), rules.unit, size)


def find_ungrounded(grounding: Grounding, content: str) -> list[Violation]:
    """Quotations, prices, dates, ratings and claims in `content` the profile does not support."""
    return list(_ungrounded(grounding, content))


# Cached because a draft is checked twice with one grounding: by its writer, then by the gate.
@lru_cache(maxsize=4096)
def _ungrounded(grounding: Grounding, content: str) -> tuple[Violation, ...]:
    text = _nfc(content)
    if grounding.mask is not None:
        text = grounding.mask.sub(_MASK, text)
    found: dict[str, Violation] = {}

    def add(code: str, message: str) -> None:
        found.setdefault(f"{code}:{message}", Violation(code, message))

    for quotation in _quotations(text):
        if not _is_quoted_from(grounding, quotation):
            add(
                "ungrounded_quote",
                f"Quotation not found in the author's quotes, reviews, "
                f"title or blurb: “{_excerpt(quotation)}”",
            )
    for amount, currency in _prices(text):
        if not _is_known_price(grounding, amount, currency):
            shown = "free" if amount == 0 and currency is None else f"{amount} {currency or ''}"
            add("ungrounded_price", f"Price {shown.strip()} does not match the book's price.")
    for year, month, day in _dates(text):
        launch = grounding.launch_date
        if (
            not launch
            or (month, day) != (launch.month, launch.day)
            or year not in {None, launch.year}
        ):
            add("ungrounded_date", f"Date {year or '?'}-{month}-{day} is not the launch date.")
    for value, scale in _ratings(text):
        if (value, scale) not in grounding.ratings:
            add("ungrounded_rating", f"Rating {value}/{scale} does not appear in any review.")
    for name, pattern in _CLAIM_PATTERNS.items() if _ANY_CLAIM.search(text) else ():
        if name not in grounding.claims and pattern.search(text):
            add("ungrounded_claim", f"Claim '{name}' does not appear in the book's profile.")
    return tuple(found.values())


def find_near_duplicate(
    content: str, recent: Sequence[str], threshold: float = 85.0
) -> tuple[str, float] | None:
    """The most similar recent post and its score (0-100) if at or above `threshold`."""
    key = _sorted_dedupe_key(content)
    indexes, choices = [], []
    for i, text in enumerate(recent):
        if choice := _sorted_dedupe_key(text):
            indexes.append(i)
            choices.append(choice)
    if not key or not choices:
        return None
    # token_sort_ratio is ratio on the words sorted; the recent posts' sorted keys are cached.
    best = process.extractOne(key, choices, scorer=fuzz.ratio)
    if best is None or best[1] < threshold:
        return None
    return recent[indexes[best[2]]], float(best[1])


@lru_cache(maxsize=4096)
def dedupe_key(text: str) -> str:
    """`text` reduced for similarity: NFC, casefolded, without URLs, hashtags or punctuation."""
    text = _nfc(text)
    for url in extract_urls(text, bare_domains=True):
        text = text.replace(url, " ")
    text = re.sub(r"[#＃]\w+", " ", text).casefold()
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


@lru_cache(maxsize=4096)
def _sorted_dedupe_key(text: str) -> str:
    """`dedupe_key(text)` with its words sorted, as `fuzz.token_sort_ratio` compares them."""
    return " ".join(sorted(dedupe_key(text).split()))


def _quotations(text: str) -> Iterator[str]:
    for match in _QUOTATION.finditer(text):
        body = next(g for g in match.groups() if g is not None).replace(_MASK, " ")
        if len(body.split()) >= QUOTE_MIN_WORDS:
            yield " ".join(body.split())


def _is_quoted_from(grounding: Grounding, quotation: str) -> bool:
    needle = _normalize(quotation)
    for source in grounding.quote_sources:
        # partial_ratio finds the quote inside a longer source; a quote longer than its
        # source must match as a whole, so extra invented words are not waved through.
        scorer = fuzz.partial_ratio if len(needle) <= len(source) else fuzz.ratio
        if scorer(needle, source) >= QUOTE_MATCH_THRESHOLD:
            return True
    return False


def _prices(text: str) -> Iterator[tuple[Decimal, str | None]]:
    if not (_DIGIT.search(text) or _FREE.search(text)):
        return
    for m in _PRICE.finditer(text):
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


def _dates(text: str) -> Iterator[tuple[int | None, int, int]]:
    if not _DIGIT.search(text):
        return
    for pattern in _DATES:
        for m in pattern.finditer(text):
            month_text, day, year = m["month"], int(m["day"]), m["year"]
            if month_text.isdigit():
                month = int(month_text)
            else:
                month = _MONTHS.index(month_text[:3].lower()) + 1
            yield (int(year) if year else None), month, day
            if pattern is _DATES[3]:  # 03/01/2027 may be month-first too
                yield (int(year) if year else None), day, month


def _ratings(text: str) -> Iterator[tuple[Decimal, int]]:
    for m in _STAR_GLYPHS.finditer(text):
        yield Decimal(sum(1 for c in m.group() if c in "★⭐")), 5
    if _DIGIT.search(text):
        for m in _RATING_FRACTION.finditer(text):
            yield Decimal(m[1]), int(m[2])
    if _STAR_WORD.search(text):
        for m in _RATING_STARS.finditer(text):
            yield Decimal(_NUMBER_WORDS.get(m[1].lower(), m[1])), 5


def _mask_pattern(sources: Sequence[str]) -> re.Pattern[str] | None:
    """One alternation of the verbatim sources, longest first, bounded at word edges.

    A source starting with a word character must not follow one: `T(?<!\\wT)he` rather than
    `(?<!\\w)The`, the same test made after the first character, so that every branch starts
    with a literal and `re` skips ahead to where one can match (about 10x faster).
    """
    unique = {s for raw in sources if (s := _strip_quote_marks(_nfc(raw)))}
    parts = [
        (
            f"{re.escape(s[0])}(?<!\\w{re.escape(s[0])}){re.escape(s[1:])}"
            if s[0].isalnum() or s[0] == "_"
            else re.escape(s)
        )
        + (r"(?!\w)" if s[-1].isalnum() or s[-1] == "_" else "")
        for s in sorted(unique, key=lambda s: (-len(s), s))
    ]
    return re.compile("|".join(parts)) if parts else None


def _strip_quote_marks(text: str) -> str:
    return text.strip().strip("\"'“”‘’«»„").strip()


def _decimal(amount: str) -> Decimal:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", amount):
        amount = amount.replace(",", "")
    return Decimal(amount.replace(",", "."))


def _normalize(text: str) -> str:
    text = _nfc(text).casefold().replace("’", "'")
    return " ".join(re.sub(r"[^\w\s']|_", " ", text).split())


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
