"""The fast paths of the grounding check find what the plain patterns and loops find.

`match_starts.Scan` lets the price, date, rating and claim patterns be tried only where a match
may start, `Grounding.masked` skips the substring test of sources whose sampled grams are absent
(`gram_filter`), and the dedupe key and quotation normalization skip work they can. Each is
compared here with the code as first written (kept below as the reference, pattern texts
included) on tricky inputs: case variants, word boundaries, Unicode letters and digits next to
the keywords, and every form of price, date, rating and claim.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bookagent.domain import match_starts
from bookagent.domain import offers
from bookagent.domain import validation as v
from bookagent.domain.attributions import QUOTATION
from bookagent.domain.gram_filter import GRAM
from bookagent.domain.gram_filter import may_occur
from bookagent.domain.gram_filter import sampled_grams
from bookagent.domain.gram_filter import source_grams
from bookagent.domain.match_starts import MAX_STARTS
from bookagent.domain.match_starts import UNFOLDABLE
from bookagent.domain.match_starts import Scan
from bookagent.domain.match_starts import matches_at
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Review
from bookagent.platforms import extract_urls

# -- the reference: the patterns and loops as first written -------------------------------------

_AMOUNT = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CURRENCY_WORDS = r"usd|eur|gbp|cad|aud|jpy|inr|dollars?|euros?|pounds?"
PRICE = re.compile(
    rf"(?P<sym>[$€£¥₹])\s?(?P<a1>{_AMOUNT})"
    rf"|(?<![\w.,])(?P<a2>{_AMOUNT})\s?(?:(?P<word>{_CURRENCY_WORDS})\b|(?P<sym2>[€£]))"
    r"|(?P<free>(?-i:\bFREE\b)|\b(?:for|it's|now)\s+free\b|\bfree\s+(?:today|tomorrow|now|on|at"
    r"|until|through|this\s+week(?:end)?|for\s+a\s+limited\s+time|e-?books?|downloads?"
    r"|cop(?:y|ies)|to\s+(?:read|download))\b)",
    re.IGNORECASE,
)
_MONTH = (
    r"(?P<month>(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?"
    r"|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)|May|MAY)"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4})\b)?"
DATES = (
    re.compile(rf"\b{_MONTH}\.?\s+{_DAY}\b{_YEAR}"),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b\.?{_YEAR}"),
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b"),
    re.compile(r"\b(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>\d{4})\b"),
)
STAR_GLYPHS = re.compile(r"[★⭐]+[☆✩]*")
RATING_FRACTION = re.compile(
    r"(?<![\d./])(\d{1,2}(?:\.\d)?)\s*(?:/|out\s+of)\s*(5|10)(?![\d/])", re.IGNORECASE
)
RATING_STARS = re.compile(r"\b(\d(?:\.\d)?|one|two|three|four|five)[\s-]*stars?\b", re.IGNORECASE)
CLAIMS = {
    "bestseller": r"\bbest[\s-]?sell(?:er|ing)s?\b",
    "award": r"\b(?:award|prize)[\s-]?winn(?:er|ing)\b|\bwinner\s+of\b",
    "shortlisted": r"\b(?:short|long)[\s-]?listed\b|\bfinalist\b",
    "number one": r"(?<![\w#&])#\s?1(?!\d)|\bno\.\s?1\b|\bnumber[\s-]one\b",
    "acclaimed": r"\bacclaimed\b",
    "copies sold": r"\b(?:millions?|thousands?|\d[\d,.]*\s?[km]?)\s+(?:of\s+)?copies\b",
    "bestseller list": r"\b(?:new\s+york\s+times|nyt|usa\s+today|sunday\s+times)\b",
    "viral": r"\bviral\b",
}
CLAIM_PATTERNS = {name: re.compile(p, re.IGNORECASE) for name, p in CLAIMS.items()}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}
CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
CURRENCIES |= {"dollar": "USD", "euro": "EUR", "pound": "GBP"}


def ref_prices(text: str) -> list[tuple[Decimal, str | None]]:
    found: list[tuple[Decimal, str | None]] = []
    for m in PRICE.finditer(text):
        if m["free"]:
            found.append((Decimal(0), None))
            continue
        symbol = m["sym"] or m["sym2"] or (m["word"] or "").lower().rstrip("s")
        amount = v._decimal(m["a1"] or m["a2"])
        found.append((amount, CURRENCIES.get(symbol, symbol.upper() or None)))
    return found


def ref_dates(text: str) -> list[tuple[int | None, int, int]]:
    found: list[tuple[int | None, int, int]] = []
    for pattern in DATES:
        for m in pattern.finditer(text):
            month_text, day, year = m["month"], int(m["day"]), m["year"]
            if month_text.isdigit():
                month = int(month_text)
            else:
                month = MONTHS.index(month_text[:3].casefold()) + 1
            found.append(((int(year) if year else None), month, day))
            if pattern is DATES[3]:
                found.append(((int(year) if year else None), day, month))
    return found


def ref_ratings(text: str) -> list[tuple[Decimal, int]]:
    found = [
        (Decimal(sum(1 for c in m.group() if c in "★⭐")), 5) for m in STAR_GLYPHS.finditer(text)
    ]
    found += [(Decimal(m[1]), int(m[2])) for m in RATING_FRACTION.finditer(text)]
    found += [
        (Decimal(NUMBER_WORDS.get(m[1].lower(), m[1])), 5) for m in RATING_STARS.finditer(text)
    ]
    return found


def ref_claims(text: str, skip: frozenset[str] = frozenset()) -> list[str]:
    return [n for n, p in CLAIM_PATTERNS.items() if n not in skip and p.search(text)]


def ref_normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().replace("’", "'")
    return " ".join(re.sub(r"[^\w\s']|_", " ", text).split())


def ref_dedupe_key(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    for url in extract_urls(text, bare_domains=True):
        text = text.replace(url, " ")
    text = re.sub(r"[#＃]\w+", " ", text).casefold()
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


def ref_quotations(text: str) -> Iterator[str]:
    for match in QUOTATION.finditer(text):
        body = next(g for g in match.groups() if g is not None).replace(v._MASK, " ")
        if len(re.findall(r"\S*[^\W_]\S*", body)) >= v.QUOTE_MIN_WORDS:
            yield " ".join(body.split())


# -- tricky inputs -------------------------------------------------------------------------------

PIECES = [
    # prices
    "$4.99", "$ 4.99", "$4,99", "€5", "£3,000.50", "¥500", "₹99", "4.99 USD", "5 dollars",
    "10euros", "3,50€", "3,50 £", "1,000,000.99 usd", ".5 usd", "x5 usd", "5.5.5 eur", "12,3456",
    "FREE", "Free", "free", "fReE", "for free", "FOR FREE", "it's free", "It’s free", "now  free",
    "now\nfree", "now\u00a0free", "for\u2003free", "free today", "free e-book", "free ebooks",
    "free this weekend", "free to read", "freedom", "carefree", "FREE!", "FREEdom",
    # dates
    "March 1", "march 1st, 2027", "Mar. 1 2027", "MAY 3", "May 3", "may 3", "Sept 3",
    "sept. 30", "SEPTEMBER 9th", "1 March", "1st of March 2027", "12 december.", "2027-03-01",
    "1/3/2027", "01.03.2027", "12/12/2027", "January\n\n5", "xMarch 1", "March1", "Decembers 5",
    "June  31", "jul 4", "Aug.\t15, 2027", "31st of May", "3 MAY", "3 may",
    # ratings
    "5/5", "4.5/5", "4 out of 10", "10/10", "4.5 / 5", "3/5/2027", "1.2/5", "4 OUT OF 5",
    "5 stars", "five-stars", "Five Stars", "4.5 stars", "one star", "1-star", "3 - - stars",
    "★★★★☆", "⭐⭐", "★☆✩", "starry", "5\u00a0stars", "TWO STARS", "fivestar", "44 stars",
    "three stars", "Three-Stars", "4.5-star",
    # claims
    "bestseller", "best-selling", "Best Sellers", "bestsellers", "BEST SELLING", "award-winning",
    "prize winner", "Prize-Winning", "winner of", "WINNER  OF", "shortlisted", "long-listed",
    "Long listed", "finalist", "#1", "# 1", "#10", "C#1", "&#1", "##1", "No. 1", "no.1", "NO. 12",
    "number one", "Number-One", "acclaimed", "ACCLAIMED", "millions of copies", "10k copies",
    "1,000 copies", "thousands copies", "2.5M copies", "New York Times", "new  york\ttimes",
    "NYT", "nyt", "USA Today", "Sunday Times", "viral", "virality", "VIRAL", "winn", "sell",
    # Unicode next to the keywords, and the characters the shortcuts step aside for
    "éfree", "freeé", "ébestseller", "日本free", "Übest seller", "_free", "free_", "İt's free",
    "ıt's free", "beſtseller", "ſept 3", "\u212aELVIN", "\u212aelvin", "sto\u212aer",
    "for fr\u212aee", "٢٠٢٧-٠٣-٠١", "١ March",
    "٤/٥", "5٣ stars", "½", "²", "µ", v._MASK, "“", "”", '"', "’", "'", "\t", "\n", "\r\n",
    "\u2028", "\x1c", "\ud800",
]  # fmt: skip
GLUE = ["", " ", " ", "\n", ".", ",", "-", "/", "é", "x", "1", "12", "#", "&", "_", "日"]

TEXT = st.lists(st.sampled_from(PIECES) | st.sampled_from(GLUE) | st.text(max_size=4), max_size=30)
TEXTS = TEXT.map("".join)

EXAMPLES = [
    "",
    " ".join(PIECES),
    "".join(PIECES),
    " ".join(p for p in PIECES if p.isascii()),
    "\n".join(p for p in PIECES if p.isascii() or p in "“”’€£¥₹★⭐☆✩"),
    "Now only $1.99 until March 2! Rated 3/5. The #1 bestselling, award-winning novel.",
    "It's FREE for a limited time: free e-books now, 4.5 stars, 10k copies sold, NYT.",
    "1 2 3 4 5 6 7 8 9 10 " * 30 + "March 1 $5 5 stars",
    "free " * 50 + "star " * 50 + "best " * 50,
]


def fast_prices(text: str) -> list[tuple[Decimal, str | None]]:
    return list(v._prices(Scan(text)))


def fast_dates(text: str) -> list[tuple[int | None, int, int]]:
    return list(v._dates(Scan(text)))


def fast_ratings(text: str) -> list[tuple[Decimal, int]]:
    return list(v._ratings(Scan(text)))


def fast_claims(text: str, skip: frozenset[str] = frozenset()) -> list[str]:
    return list(v._claims(Scan(text), skip))


def outcome(function: Callable[[str], object], text: str) -> object:
    """What `function(text)` answers, or the type of what it raises (nothing should raise:
    "ſept 3", a month `re` matches under IGNORECASE, is looked up casefolded)."""
    try:
        return function(text)
    except ValueError as error:
        return type(error)


def spans(matches: Iterator[re.Match[str]]) -> list[tuple[object, ...]]:
    return [(m.span(), m.groups()) for m in matches]


# -- the reference is what the module uses ----------------------------------------------------


def test_the_module_uses_the_reference_patterns() -> None:
    assert v._PRICE.pattern == PRICE.pattern and v._PRICE.flags == PRICE.flags
    assert [p.pattern for p in v._DATES] == [p.pattern for p in DATES]
    assert [p.flags for p in v._DATES] == [p.flags for p in DATES]
    for ours, reference in (
        (v._STAR_GLYPHS, STAR_GLYPHS),
        (v._RATING_FRACTION, RATING_FRACTION),
        (v._RATING_STARS, RATING_STARS),
    ):
        assert (ours.pattern, ours.flags) == (reference.pattern, reference.flags)
    assert v._CLAIMS == CLAIMS
    assert list(v._CLAIM_STARTS) == list(CLAIMS)


# -- what the shortcuts rely on, over every code point -------------------------------------------

ALL = "".join(map(chr, range(sys.maxunicode + 1)))


def test_unfoldable_holds_every_non_ascii_character_ignorecase_matches_to_an_ascii_one() -> None:
    for code in range(128):
        char = chr(code)
        matched = set(re.findall(re.escape(char), ALL, re.IGNORECASE))
        ascii_matched = {c for c in matched if c.isascii()}
        # Among ASCII characters, IGNORECASE is what bytes.lower() folds together.
        assert ascii_matched == {
            c for c in map(chr, range(128)) if c.encode().lower() == char.encode().lower()
        }
        for other in matched - ascii_matched:
            assert UNFOLDABLE.search(other), (char, other)
    assert set(re.findall(r"\d", ALL)) - set("0123456789") <= set(UNFOLDABLE.findall(ALL))
    assert set(re.findall("[$€£¥₹]", ALL, re.IGNORECASE)) == set("$€£¥₹")


def test_whitespace_and_word_characters_are_what_str_methods_say() -> None:
    spaces = set(re.findall(r"\s", ALL))
    assert spaces == {c for c in ALL if c.isspace()}
    words = set(re.findall(r"\w", ALL))
    assert words == {c for c in ALL if v._is_word(c)}


def test_the_claim_keywords_are_lowercase_ascii_and_necessary() -> None:
    for name, (needs, begins, _) in v._CLAIM_STARTS.items():
        for word in (*needs, *begins):
            assert word == word.lower() and word.isascii(), (name, word)


# -- the fast scans find what the plain patterns find ------------------------------------------


def check_scans(text: str) -> None:
    scan = Scan(text)
    if scan.folded is not None:
        assert len(scan.folded) == len(text)
        starts = v._price_starts(scan)
        if starts is not None:
            assert spans(matches_at(PRICE, text, starts)) == spans(PRICE.finditer(text))
        digits = scan.digit_starts
        if digits is not None:
            months = v._month_starts(text, digits)
            assert spans(matches_at(DATES[0], text, months)) == spans(DATES[0].finditer(text))
            for pattern in (*DATES[1:], RATING_FRACTION):
                assert spans(matches_at(pattern, text, digits)) == spans(pattern.finditer(text))
        stars = v._star_starts(scan)
        if stars is not None:
            assert spans(matches_at(RATING_STARS, text, stars)) == spans(
                RATING_STARS.finditer(text)
            )
    else:
        assert UNFOLDABLE.search(text)
    assert scan.has_digit == bool(re.search(r"\d", text))
    assert fast_prices(text) == ref_prices(text)
    assert outcome(fast_dates, text) == outcome(ref_dates, text)
    assert fast_ratings(text) == ref_ratings(text)
    assert fast_claims(text) == ref_claims(text)
    for name in CLAIMS:
        skip = frozenset(CLAIMS) - {name}
        assert fast_claims(text, skip) == ref_claims(text, skip)


@pytest.mark.parametrize("piece", PIECES)
def test_each_piece_alone_and_in_context(piece: str) -> None:
    for text in (piece, f" {piece} ", f"x{piece}x", f"é{piece}1", f"1{piece}.", f"{piece}{piece}"):
        check_scans(text)


@pytest.mark.parametrize("text", EXAMPLES)
def test_examples(text: str) -> None:
    check_scans(text)


@settings(max_examples=1500, deadline=None)
@given(text=TEXTS)
@example(text="Out March 1, 2027 for $4.99. Five stars. #1 bestseller")
@example(text="March\u00a0\u00a01st")
@example(text="x  March. 1")
@example(text="for  free now free")
@example(text="4.5--stars, one - star")
def test_the_scans_find_what_the_patterns_find(text: str) -> None:
    check_scans(text)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, limit=st.integers(min_value=0, max_value=4))
def test_past_max_starts_the_patterns_scan_the_text(text: str, limit: int) -> None:
    with mock.patch.object(match_starts, "MAX_STARTS", limit):
        check_scans(text)


def test_many_digits_and_keywords_scan_the_whole_text() -> None:
    text = "1 " * (MAX_STARTS + 1) + "March 2, 2027 costs $3 — 5 stars, free now, #1 bestseller"
    assert Scan(text).digit_starts is None
    check_scans(text)
    text = "free star best #" * (MAX_STARTS + 1) + " it's free, five stars, best-selling #1"
    check_scans(text)


# -- the mask looks for the sources the plain loop finds -------------------------------------------


@settings(max_examples=500, deadline=None)
@given(
    before=st.text(max_size=20),
    source=st.text(min_size=1, max_size=60),
    after=st.text(max_size=20),
)
@example(before="", source="abcdefghijklmno", after="")
@example(before="x" * 7, source="日本語のテキストの中のソース", after="€")
def test_a_source_in_a_text_may_occur(before: str, source: str, after: str) -> None:
    grams = source_grams(source)
    assert (grams is None) == (len(source) < 2 * GRAM - 1)
    assert may_occur(grams, sampled_grams(before + source + after))


BOOK = BookProfile(
    id="book-1",
    user_id="user-1",
    title="The Salt Road",
    subtitle="A Novel of the Dry Sea",
    author="Mara Quell",
    genre="literary fantasy",
    blurb="A smuggler crosses a desert of salt to pay a debt she never owed. The desert has "
    "other plans. “Go,” it says; she does not. Wüstensalz über alles.",
    key_themes=("found family", "grief", "_x", "日本の砂漠"),
    content_guidelines="Mention that it was shortlisted for the Ember Prize.",
    links={"amazon": "https://www.amazon.com/dp/B0SALT"},
    launch_date=date(2027, 3, 1),
    price="$4.99",
    quotes=("The desert remembers every footstep you take.", "Salt is a kind of memory, too."),
    reviews=(Review("A stunning debut, lyrical and fierce. Five stars.", "Kirkus Reviews"),),
    hashtags=("#SaltRoad",),
)
SOURCES = v.Grounding.build(BOOK).mask_sources
SOURCE_PIECES = [s[a:b] for s in SOURCES for a, b in ((0, None), (0, 9), (3, None), (1, -1))]


@settings(max_examples=500, deadline=None)
@given(
    parts=st.lists(
        st.sampled_from(SOURCE_PIECES) | st.sampled_from(GLUE) | st.text(max_size=3), max_size=12
    )
)
def test_the_mask_masks_what_a_mask_of_the_present_sources_masks(parts: list[str]) -> None:
    grounding = v.Grounding.build(BOOK)
    text = unicodedata.normalize("NFC", "".join(parts))
    present = tuple(s for s in grounding.mask_sources if s in text)
    mask = v._mask_pattern(present)
    expected = mask.sub(v._MASK, text) if mask is not None else text
    assert grounding.masked(text) == expected


# -- the other shortcuts -----------------------------------------------------------------------

WORDY = st.lists(
    st.sampled_from(["salt", "Road", "the", "Über", "日本", "a_b", "it's", "it’s", "don't", "!",
                     "#x", "＃tag", "https://x.example.com/a", "example.org", "\t", "\n", " ", "ß",
                     "ﬁ"])
    | st.text(max_size=5),
    max_size=40,
).map(" ".join)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(text=WORDY | st.text())
@example(text="")
@example(text="   ")
@example(text="it's  Salt\tROAD")
@example(text="a_b c")
@example(text="ﬁne")
def test_normalize_dedupe_and_quotations_are_unchanged(text: str) -> None:
    assert v._normalize(text) == ref_normalize(text)
    v.dedupe_key.cache_clear()
    v._sorted_dedupe_key.cache_clear()
    key = ref_dedupe_key(text)
    assert v.dedupe_key(text) == key
    assert v._sorted_dedupe_key(text) == " ".join(sorted(key.split()))
    quoted = f'"{text}" “{text}” «{text}» „{text}“ {v._MASK}"{text} {v._MASK} x y z"'
    assert list(v._quotations(quoted)) == list(ref_quotations(quoted))


def test_the_sorted_key_of_a_repetitive_text() -> None:
    text = "salt road the salt ROAD, the the b a " * 200 + "zeta alpha"
    v._sorted_dedupe_key.cache_clear()
    assert v._sorted_dedupe_key(text) == " ".join(sorted(ref_dedupe_key(text).split()))


# -- and the whole check reports the same ----------------------------------------------------


def ref_facts(grounding: v.Grounding, content: str) -> list[object]:
    """The prices, dates, ratings and claims of a draft, as `_ungrounded` first found them."""
    text = grounding.masked(unicodedata.normalize("NFC", content))
    return [
        list(ref_prices(text)),
        list(ref_dates(text)),
        list(ref_ratings(text)),
        list(ref_claims(text, frozenset())),
    ]


def facts(grounding: v.Grounding, content: str) -> list[object]:
    """The same, as the shortcuts find them."""
    scan = Scan(grounding.masked(unicodedata.normalize("NFC", content)))
    return [
        list(v._prices(scan)),
        list(v._dates(scan)),
        list(v._ratings(scan)),
        list(v._claims(scan, frozenset())),
    ]


@settings(max_examples=400, deadline=None)
@given(text=TEXTS | st.lists(st.sampled_from(SOURCE_PIECES) | TEXTS, max_size=6).map(" ".join))
@example(text="Out March 1, 2027 for $4.99! Five stars. Shortlisted for the Ember Prize. #1 NYT")
def test_find_ungrounded_reports_the_same_facts(text: str) -> None:
    grounding = v.Grounding.build(BOOK)
    assert outcome(lambda t: facts(grounding, t), text) == outcome(
        lambda t: ref_facts(grounding, t), text
    )
    assert grounding.prices == {(Decimal("4.99"), "USD")}
    assert grounding.ratings == {(Decimal(5), 5)}
    # Claims rest on awards and reviews alone: the guidelines naming a prize ground nothing.
    assert grounding.claims == frozenset()


# -- the further claims ------------------------------------------------------------------------

CLAIM_PIECES = st.sampled_from(
    ["10,000 readers", "2k fans", "one million copies", "Thousands of", "hundreds of schools",
     "a hundred", "MILLIONS", "pre-order", "pre-orders", "reviews", "5 languages", "#1 in",
     "＃2 on", "top 10", "Top", "ranked", "charts", "chart-topping", "nominee", "Nominated",
     "award", "prize", "won the", "honour book", "book club pick", "editors' choice",
     "Book of the Month", "Oprah's book club", "sold out", "second printing", "translated into",
     "Netflix", "optioned", "film rights", "most-anticipated", "٣ readers", "ſold out", "İ",
     "K", ".", ",", " ", "\n", "of the", "readers", "12"]
)  # fmt: skip


def every_claim_pattern(text: str) -> list[str]:
    """The kinds `_more_claims` reports, by each pattern searched over the whole text."""
    return [kind for kind, pattern in v.MORE_CLAIM_PATTERNS.items() if pattern.search(text)]


@settings(max_examples=600, deadline=None)
@given(
    text=st.lists(CLAIM_PIECES | st.text(max_size=6), max_size=14).map(" ".join)
    | st.lists(CLAIM_PIECES, max_size=8).map(lambda parts: ("x " * 120).join(parts))
)
@example(text="Loved by 10,000 readers")
@example(text=("word " * 60) + "a million fans" + (" word" * 60))
def test_the_further_claims_are_those_every_pattern_finds(text: str) -> None:
    assert list(v._more_claims(text)) == every_claim_pattern(text)


# -- prices with a code first, pence and cents --------------------------------------------------

PRICE_PIECES = st.sampled_from(
    ["USD 4.99", "usd4.99", "US$ 3", "us$3", "ca$12", "C$ 7", "A$5", "AU$ 1,234.50", "EUR 2,99",
     "ſ", "İnr 40", "inr 40", "99p", "99 cents", "50¢", "1 penny", "3 pence", "12c", "4,99 $",
     "12$", "x99p", "$", ".5", ",", " ", "\n", "٣", "K", "chf", "jpy 500", "nzd", "0", "1,000",
     "x"]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(text=st.lists(PRICE_PIECES | st.text(max_size=4), max_size=14).map("".join) | st.text())
@example(text="Only USD 4.99 or 99p, or 4,99 $")
def test_prices_with_a_code_or_in_cents_are_found_at_the_digits(text: str) -> None:
    assert list(offers.amounts(text, Scan(text).digit_starts)) == list(offers.amounts(text))


def test_a_code_in_letters_ignorecase_matches_is_read() -> None:
    """ "İNR 40" and "UſD 5" match the code pattern (IGNORECASE), and are read as INR and USD,
    not a KeyError from the casefolded "i̇nr"."""
    assert [(a, c) for a, c, _ in offers.amounts("İNR 40 or UſD 5")] == [
        (Decimal(40), "INR"),
        (Decimal(5), "USD"),
    ]
