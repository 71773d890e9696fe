"""Grounding on the largest profile: still correct, indexed once per profile version, bounded.

The CPU figures are in `benchmarks/grounding.py`; these tests check only results (no clocks).
"""

from __future__ import annotations

import math
import random
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from unittest import mock

import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from pydantic import ValidationError
from rapidfuzz import fuzz

from bookagent.domain import validation
from bookagent.domain.books import MAX_LINKS
from bookagent.domain.books import BookFields
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Review
from bookagent.domain.validation import _LRU
from bookagent.domain.validation import _MASK
from bookagent.domain.validation import GROUNDING_CACHE_SIZE
from bookagent.domain.validation import QUOTE_MATCH_THRESHOLD
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import _Budget
from bookagent.domain.validation import _mask_pattern
from bookagent.domain.validation import _normalize
from bookagent.domain.validation import _quotations
from bookagent.domain.validation import _QuoteIndex
from bookagent.domain.validation import _strip_quote_marks
from bookagent.domain.validation import check_draft
from bookagent.domain.validation import find_ungrounded
from bookagent.platforms import get_rules
from tests.support.masks import reference_mask
from tests.support.worst_profile import UNGROUNDED_CODES
from tests.support.worst_profile import UNGROUNDED_DRAFT
from tests.support.worst_profile import grounded_draft
from tests.support.worst_profile import worst_payload
from tests.support.worst_profile import worst_profile

SMALL = BookProfile(
    id="book-1",
    user_id="user-1",
    title="The Salt Road",
    author="Mara Quell",
    genre="literary fantasy",
    blurb="A smuggler crosses a desert of salt. The desert has other plans.",
    price="$4.99",
    launch_date=date(2027, 3, 1),
    quotes=("The desert remembers every footstep you take.",),
    reviews=(Review("A stunning debut, lyrical and fierce. Five stars.", "Kirkus"),),
)


@pytest.fixture
def fresh_cache() -> None:
    validation._GROUNDINGS.clear()


def reference_quoted(sources: Sequence[str], needle: str) -> bool:
    """`_is_quoted_from` as first written: every source, the plain scorers."""
    for source in sources:
        scorer = fuzz.partial_ratio if len(needle) <= len(source) else fuzz.ratio
        if scorer(needle, source) >= QUOTE_MATCH_THRESHOLD:
            return True
    return False


def unbounded_check(index: _QuoteIndex, needle: str) -> bool | None:
    return index.check(needle, _LRU(16), _Budget(math.inf))


# -- the largest profile ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def payload() -> dict[str, object]:
    return worst_payload()


@pytest.fixture(scope="module")
def worst() -> BookProfile:
    return worst_profile()


def test_the_worst_profile_is_as_large_as_the_api_allows(payload: dict[str, object]) -> None:
    assert len(payload["quotes"]) == 50  # type: ignore[arg-type]
    assert len(payload["reviews"]) == 50  # type: ignore[arg-type]
    links = dict(payload["links"])  # type: ignore[call-overload]
    assert len(links) + 2 == MAX_LINKS  # audible and landing_page are the two left unset
    links["one_more"] = "https://example.com/one-more"
    with pytest.raises(ValidationError, match=f"at most {MAX_LINKS} links"):
        BookFields.model_validate({**payload, "links": links})


def test_the_worst_profile_still_grounds_what_it_should(
    payload: dict[str, object], worst: BookProfile
) -> None:
    grounding = Grounding.from_book(worst)
    draft = grounded_draft(payload)
    assert find_ungrounded(grounding, draft) == []
    report = check_draft(worst, get_rules("facebook"), draft, grounding=grounding)
    assert report.ok, report.violations
    assert [v.code for v in find_ungrounded(grounding, UNGROUNDED_DRAFT)] == UNGROUNDED_CODES


def test_the_worst_profile_gives_what_the_plain_algorithm_gives(worst: BookProfile) -> None:
    """Each quotation of a few drafts, checked as first written (the slow way) and as now."""
    grounding = Grounding.from_book(worst)
    rng = random.Random(5)
    reviews = [r.text for r in worst.reviews]
    drafts = [
        UNGROUNDED_DRAFT,
        f"“{' '.join(worst.quotes[2].split()[3:15])}” and “{worst.blurb[40:160]}”",
        f"“{reviews[9][500:700].replace('e', 'a', 4)}”",  # near-verbatim, inside a review
        f"“{reviews[9][500:700].replace('e', 'a', 30)}”",  # too far from it
        f"“{worst.title.upper()}” “{worst.quotes[1][:60]} nonsense words here”",
        " ".join(f"“{' '.join(rng.sample(worst.quotes[0].split(), 6))}”" for _ in range(5)),
    ]
    for draft in drafts:
        text = grounding.masked(unicodedata.normalize("NFC", draft))
        for quotation in _quotations(text):
            needle = _normalize(quotation)
            expected = reference_quoted(grounding.quote_sources, needle)
            assert unbounded_check(grounding._quotes, needle) is expected, needle


def test_a_long_near_verbatim_quotation_is_found_and_an_invented_one_is_not(
    worst: BookProfile,
) -> None:
    grounding = Grounding.from_book(worst)
    review = worst.reviews[20].text
    near = review.replace("e", "a", 12)
    invented = " ".join(reversed(review.split()))
    assert find_ungrounded(grounding, f"“{near}”") == []
    found = find_ungrounded(grounding, f"“{invented}”")
    assert [v.code for v in found] == ["ungrounded_quote"]
    assert found[0].message.startswith("Quotation not found")


# -- once per profile version ------------------------------------------------------------------


def test_an_equal_profile_gets_the_same_grounding_and_a_changed_one_a_new_one(
    fresh_cache: None,
) -> None:
    first = Grounding.from_book(SMALL)
    assert Grounding.from_book(replace(SMALL, id="other-id", user_id="bob")) is first
    assert Grounding.from_book(replace(SMALL, subtitle="")) is first  # read as ""
    changes = [
        {"title": "The Salt Roads"},
        {"subtitle": "A Novel"},
        {"blurb": SMALL.blurb + " More."},
        {"quotes": (*SMALL.quotes, "Another quote here.")},
        {"reviews": (Review(SMALL.reviews[0].text, "Booklist"),)},
        {"reviews": (Review("Different text entirely.", "Kirkus"),)},
        {"links": {"amazon": "https://example.com/dp/1"}},
        {"launch_date": date(2027, 3, 2)},
        {"price": "$5.99"},
        {"hashtags": ("#SaltRoad",)},
        {"key_themes": ("grief",)},
        {"tone": "wry"},
        {"content_guidelines": "Say it is a bestseller."},
        {"target_audience": "adults"},
        {"author": "M. Quell"},
        {"genre": "fantasy"},
    ]
    for change in changes:
        changed = replace(SMALL, **change)  # type: ignore[arg-type]
        grounding = Grounding.from_book(changed)
        assert grounding is not first, change
        assert grounding == Grounding.build(changed), change
    assert Grounding.from_book(replace(SMALL, awards=("A bestseller.",))).claims


def test_the_cache_is_bounded_and_drops_the_least_recently_used(fresh_cache: None) -> None:
    first = Grounding.from_book(SMALL)
    for i in range(GROUNDING_CACHE_SIZE - 1):
        Grounding.from_book(replace(SMALL, title=f"Title {i}"))
    assert Grounding.from_book(SMALL) is first  # now the most recently used
    for i in range(GROUNDING_CACHE_SIZE):
        Grounding.from_book(replace(SMALL, title=f"Other {i}"))
    assert len(validation._GROUNDINGS) == GROUNDING_CACHE_SIZE
    again = Grounding.from_book(SMALL)
    assert again is not first and again == first


def test_threads_building_one_profile_share_one_grounding(fresh_cache: None) -> None:
    barrier = threading.Barrier(8)
    got: list[Grounding] = []

    def build() -> None:
        barrier.wait()
        got.append(Grounding.from_book(replace(SMALL, title="Raced")))

    threads = [threading.Thread(target=build) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 8
    # Some may have built it at once; each got the one stored first.
    assert all(g is got[0] for g in got)
    assert Grounding.from_book(replace(SMALL, title="Raced")) is got[0]


def test_the_lru_bounds_entries_and_weight() -> None:
    lru: _LRU[str, int] = _LRU(3, max_weight=10)
    assert lru.put("a", 1, 4) == 1
    assert lru.put("a", 2, 4) == 1  # the first one stored stays
    lru.put("b", 2, 4)
    lru.put("c", 3, 4)  # weight 12 > 10: "a" goes
    assert lru.get("a") is None and lru.get("b") == 2
    assert lru.put("huge", 9, 11) == 9 and lru.get("huge") is None
    lru.put("d", 4, 1)
    lru.put("e", 5, 1)
    assert len(lru) == 3 and lru.get("c") is None


# -- the budget --------------------------------------------------------------------------------


def test_past_the_budget_quotations_are_reported_as_not_checked(worst: BookProfile) -> None:
    rng = random.Random(3)
    words = " ".join(worst.quotes[4].split())
    quotations = [" ".join(rng.sample(words.split(), 20)) for _ in range(400)]
    draft = " ".join(f"“{q}”" for q in quotations)
    fresh = find_ungrounded(Grounding.build(worst), draft)
    assert {v.code for v in fresh} == {"ungrounded_quote"}
    unchecked = [v for v in fresh if v.message.startswith("Quotation not checked")]
    assert unchecked and len(unchecked) < len(fresh)
    # The same report with every verdict cached already: what fits does not depend on it.
    warm = Grounding.build(worst)
    for q in quotations[::-1]:
        find_ungrounded(warm, f"“{q}”")
    assert find_ungrounded(warm, draft) == fresh


def test_a_draft_within_the_budget_gets_every_quotation_checked(worst: BookProfile) -> None:
    grounding = Grounding.from_book(worst)
    # Ten near misses of ~90 characters, each against every long source: a few ms in all.
    draft = " ".join(f"“{' '.join(q.split()[:12])} and more words here”" for q in worst.quotes[:10])
    found = find_ungrounded(grounding, draft)
    assert found and all(v.message.startswith("Quotation not found") for v in found)


# -- the filters never change a verdict --------------------------------------------------------


def _mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    for kind, at, char in edits:
        if not text:
            return char
        at %= len(text)
        if kind == 0:
            text = text[:at] + text[at + 1 :]
        elif kind == 1:
            text = text[:at] + char + text[at:]
        else:
            text = text[:at] + char + text[at + 1 :]
    return text


_EDITS = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 10_000), st.sampled_from("abc d")), max_size=40
)


@settings(max_examples=300, deadline=None)
@given(
    alphabet=st.sampled_from(["ab ", "abcd ", "abcdefghij klmnop"]),
    sizes=st.lists(st.integers(0, 700), min_size=1, max_size=6),
    seed=st.integers(0, 2**32),
    cut=st.tuples(st.integers(0, 10_000), st.integers(0, 700)),
    edits=_EDITS,
    whole=st.booleans(),
)
@example(alphabet="ab ", sizes=[100], seed=1, cut=(0, 100), edits=[], whole=True)
@example(alphabet="ab ", sizes=[0, 5], seed=1, cut=(0, 0), edits=[], whole=False)
def test_the_quote_index_answers_what_the_plain_loop_answers(
    alphabet: str,
    sizes: list[int],
    seed: int,
    cut: tuple[int, int],
    edits: list[tuple[int, int, str]],
    whole: bool,
) -> None:
    rng = random.Random(seed)
    sources = ["".join(rng.choice(alphabet) for _ in range(size)) for size in sizes]
    base = sources[cut[0] % len(sources)]
    start = cut[0] % (len(base) + 1)
    needle = _mutate(base if whole else base[start : start + cut[1]], edits)
    assert unbounded_check(_QuoteIndex.of(sources), needle) is reference_quoted(sources, needle)


_NEAR_MISS_WORDS = "salt road desert keeper tide stone the a of and her lantern"


def test_the_quote_index_on_long_near_misses() -> None:
    """Needles of 65-3,000 characters around the threshold, against long sources."""
    rng = random.Random(11)
    words = _NEAR_MISS_WORDS.split()
    for _ in range(60):
        sources = [" ".join(rng.choice(words) for _ in range(rng.randint(20, 500))) for _ in "xyz"]
        base = rng.choice(sources)
        size = rng.randint(65, len(base))
        start = rng.randint(0, len(base) - size)
        needle = list(base[start : start + size])
        for _ in range(rng.randint(0, size // 8)):
            needle[rng.randrange(len(needle))] = rng.choice("aeiou ")
        text = "".join(needle)
        assert unbounded_check(_QuoteIndex.of(sources), text) is reference_quoted(sources, text)


# -- the mask trie -----------------------------------------------------------------------------


_PIECES = st.sampled_from(
    ["a", "b", "ab", "-", " ", "é", "_", "1", ".", "x y", "[", "]", "\\", "^"]
)
_SOURCE = st.lists(_PIECES, min_size=1, max_size=8).map("".join)


@settings(max_examples=400, deadline=None)
@given(
    sources=st.lists(_SOURCE, min_size=1, max_size=12),
    text=st.lists(_PIECES, max_size=40).map("".join),
    limits=st.sampled_from([(100, 16), (2, 2), (1, 3), (3, 2)]),
)
@example(sources=["a", "ab", "abb", "abbb", "b"], text="abbb abb ab a b", limits=(1, 2))
@example(sources=["-", "--", "---", "-a"], text="---- -a -", limits=(2, 2))
def test_the_mask_trie_masks_what_the_flat_alternation_masks(
    sources: list[str], text: str, limits: tuple[int, int]
) -> None:
    if not any(_strip_quote_marks(s) for s in sources):
        return
    nesting, fanout = limits
    with (
        mock.patch.object(validation, "_MASK_NESTING", nesting),
        mock.patch.object(validation, "_MASK_FANOUT", fanout),
    ):
        mask = _mask_pattern(sources)
    assert mask is not None
    assert mask.sub(_MASK, text) == reference_mask(sources).sub(_MASK, text)


def test_the_mask_of_many_nested_sources_compiles_and_matches() -> None:
    sources = ["-" * k + "x" for k in range(1, 400)] + [f"{chr(0x4E00 + i)}x" for i in range(300)]
    mask = _mask_pattern(sources)
    assert mask is not None
    text = "-" * 500 + "x " + "".join(f"{chr(0x4E00 + i)}x" for i in range(0, 300, 7))
    assert mask.sub(_MASK, text) == reference_mask(sources).sub(_MASK, text)
