"""check_draft: every violation code, and clean posts passing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from rapidfuzz import fuzz
from rapidfuzz import process

from bookagent.domain.match_starts import DIGIT
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Review
from bookagent.domain.validation import _ANY_CLAIM
from bookagent.domain.validation import _CLAIM_PATTERNS
from bookagent.domain.validation import _DATES
from bookagent.domain.validation import _FREE
from bookagent.domain.validation import _MASK
from bookagent.domain.validation import _PRICE
from bookagent.domain.validation import _RATING_FRACTION
from bookagent.domain.validation import _RATING_STARS
from bookagent.domain.validation import _STAR_WORD
from bookagent.domain.validation import MAX_FOREIGN_LINKS
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import _mask_pattern
from bookagent.domain.validation import check_draft
from bookagent.domain.validation import dedupe_key
from bookagent.domain.validation import find_near_duplicate
from bookagent.domain.validation import find_ungrounded
from bookagent.domain.validation import split_sentences
from bookagent.domain.violation import ValidationReport
from bookagent.platforms import get_rules
from tests.support.masks import reference_mask

BOOK = BookProfile(
    id="book-1",
    user_id="user-1",
    title="The Salt Road",
    subtitle="A Novel of the Dry Sea",
    author="Mara Quell",
    genre="literary fantasy",
    blurb="A smuggler crosses a desert of salt to pay a debt she never owed. The desert has "
    "other plans.",
    key_themes=("found family", "grief"),
    content_guidelines="Mention that it was shortlisted for the Ember Prize.",
    links={"amazon": "https://www.amazon.com/dp/B0SALT", "kobo": None},
    launch_date=date(2027, 3, 1),
    price="$4.99",
    quotes=("The desert remembers every footstep you take.",),
    reviews=(Review("A stunning debut, lyrical and fierce. Five stars.", "Kirkus"),),
    hashtags=("#SaltRoad",),
    awards=("Shortlisted for the Ember Prize 2026",),
)
TWITTER = get_rules("twitter")
FACEBOOK = get_rules("facebook")


def codes(
    content: str, book: BookProfile = BOOK, platform: str = "twitter", recent: Sequence[str] = ()
) -> list[str]:
    report = check_draft(book, get_rules(platform), content, recent=recent)
    return list(report.codes)


@pytest.mark.parametrize(
    "content",
    [
        "Meet The Salt Road by Mara Quell. #SaltRoad",
        "“The desert remembers every footstep you take.” — Mara Quell #SaltRoad",
        'Kirkus: "A stunning debut, lyrical and fierce." #Books',
        "Launch day: March 1, 2027. Get it for $4.99 https://www.amazon.com/dp/B0SALT #SaltRoad",
        "Out 1 March 2027 (2027-03-01), only 4.99 USD. #SaltRoad",
        "Rated ★★★★★ and 5/5. Shortlisted for the Ember Prize, too. #SaltRoad",
        "He said “every footstep” and left. #SaltRoad",
    ],
)
def test_grounded_posts_pass(content: str) -> None:
    report = check_draft(BOOK, TWITTER, content)
    assert report.ok, report.violations
    assert report.violations == ()


def test_the_report_measures_the_final_text_and_serializes() -> None:
    draft = "A line 日本 https://www.amazon.com/very/long/path #SaltRoad"
    report = check_draft(BOOK, TWITTER, draft)
    assert report == ValidationReport(True, 7 + 4 + 1 + 23 + 10, 280, (), "weighted", None)
    assert report.to_dict() == {
        "ok": True,
        "measured_length": 45,
        "limit": 280,
        "unit": "weighted",
        "measured_bytes": None,
        "violations": [],
    }


def test_a_month_written_with_a_long_s_is_read_not_a_crash() -> None:
    # `re`'s IGNORECASE matches "ſept" as "sept"; the month is looked up casefolded.
    assert "ungrounded_date" in codes("Out ſept 3, 2027! #SaltRoad")
    assert "ungrounded_date" not in codes("Out ſept 3, 2027! #SaltRoad".replace("ſept 3", "Mar 1"))


@pytest.mark.parametrize(
    "link",
    [
        "https://bit.ly/3SaltRd",
        "https://t.co/abc123",
        "http://amaz0n-login.example/verify",
        "https://www.amazon.com.evil.example/dp/B0SALT",
        "https://amazon.co.uk/dp/B0SALT",
        "amaz0n-login.com",
        "evil.shop/free",
        "grief.help",  # a host made of a theme the mask would hide
        "https://smile.amazon.com/dp/B0SALT",
    ],
)
def test_a_link_that_is_not_the_books_is_rejected_with_a_reason(link: str) -> None:
    report = check_draft(BOOK, TWITTER, f"Out now: {link} #SaltRoad")
    foreign = [v.message for v in report.violations if v.code == "foreign_link"]
    assert len(foreign) == 1, report.violations
    assert foreign[0].startswith(f"Link {link} ")
    assert "amazon.com" in foreign[0] or "shortener" in foreign[0]


@pytest.mark.parametrize(
    "link",
    [
        "https://www.amazon.com/dp/B0SALT",
        "https://www.amazon.com/dp/B0SALT?tag=mara-20",
        "https://amazon.com/gp/product/B0SALT",  # the same retailer's site, another page
        "www.amazon.com/dp/B0SALT",
        "amazon.com",
        "HTTPS://WWW.AMAZON.COM/dp/B0SALT",
    ],
)
def test_the_books_own_links_pass(link: str) -> None:
    assert "foreign_link" not in codes(f"Out now: {link}. #SaltRoad")


def test_foreign_links_are_reported_once_a_host_and_at_most_a_bounded_number() -> None:
    twice = check_draft(BOOK, FACEBOOK, "evil.shop/a evil.shop/b #SaltRoad").violations
    assert [v.code for v in twice].count("foreign_link") == 1
    many = " ".join(f"h{i}.com" for i in range(5000))
    found = [v for v in check_draft(BOOK, FACEBOOK, many).violations if v.code == "foreign_link"]
    assert len(found) == MAX_FOREIGN_LINKS + 1
    assert found[-1].message.startswith("More links that are not the book's")


def test_a_shortener_the_author_added_passes() -> None:
    book = replace(BOOK, links={**BOOK.links, "short": "https://bit.ly/3SaltRd"})
    assert "foreign_link" not in codes("Out now: https://bit.ly/3SaltRd #SaltRoad", book=book)
    assert "foreign_link" in codes("Out now: https://tinyurl.com/x #SaltRoad", book=book)


def test_without_links_in_the_profile_every_link_is_foreign() -> None:
    book = replace(BOOK, links={})
    [message] = [
        v.message
        for v in check_draft(book, TWITTER, "See amazon.com #SaltRoad").violations
        if v.code == "foreign_link"
    ]
    assert "add them to the book's profile" in message


def test_empty_post() -> None:
    assert "empty" in codes("   \n ", platform="facebook")


def test_too_long_counts_hashtags_and_links() -> None:
    body = "word " * 50  # 250
    assert codes(body + "#SaltRoad") == []
    assert codes(body + "https://www.amazon.com/dp/B0SALT #SaltRoad") == ["too_long"]


def test_too_many_bytes_on_bluesky() -> None:
    report = check_draft(BOOK, get_rules("bluesky"), "👨‍👩‍👧‍👦" * 150)
    assert report.codes == ("too_many_bytes",)
    assert report.measured_length == 150
    assert report.measured_bytes == 3750
    assert report.to_dict()["violations"][0]["code"] == "too_many_bytes"


def test_hashtag_counts() -> None:
    assert codes("Meet The Salt Road.") == ["too_few_hashtags"]
    assert codes("Meet it. #A #B #C #D #E #F") == ["too_many_hashtags"]
    assert codes("Meet it. #SaltRoad #Books", platform="threads") == ["too_many_hashtags"]
    assert codes("Meet it. #SaltRoad #Books C# #2024", platform="threads") == ["too_many_hashtags"]
    assert codes("Meet it. #SaltRoad C# #2024", platform="threads") == []


def test_too_many_links_on_threads() -> None:
    links = " ".join(f"https://www.amazon.com/{i}" for i in range(6))
    assert codes(links, platform="threads") == ["too_many_links"]
    assert codes(links, platform="facebook") == []


@pytest.mark.parametrize(
    "content",
    [
        "“The desert forgets every single footstep.” #SaltRoad",
        '"An instant classic of the genre" says everyone. #SaltRoad',
        "«Nothing ever grows in the salt» #SaltRoad",
        "He said “go now” and left. #SaltRoad",
        "“A masterpiece.” #SaltRoad",
        "It's ‘a quiet triumph’, the author's best. #SaltRoad",
        "'Unputdownable' #SaltRoad",
        "“The desert remembers every footstep you take, and then it eats you.” #SaltRoad",
    ],
)
def test_invented_quotations_are_ungrounded(content: str) -> None:
    assert codes(content) == ["ungrounded_quote"]


def test_near_verbatim_quotation_passes() -> None:
    assert codes("“The desert remembers every footstep you take” #SaltRoad") == []
    assert codes("“the desert remembers every foot-step you take...” #SaltRoad") == []


@pytest.mark.parametrize(
    "content", ["Now $3.99! #SaltRoad", "Only €4.99 #SaltRoad", "Get it for free today #SaltRoad"]
)
def test_prices_must_match_the_profile(content: str) -> None:
    assert codes(content) == ["ungrounded_price"]


def test_any_price_is_ungrounded_without_a_profile_price() -> None:
    assert codes("Just $4.99. #SaltRoad", book=replace(BOOK, price=None)) == ["ungrounded_price"]


def test_free_is_grounded_when_the_book_is_free() -> None:
    free = replace(BOOK, price="Free on launch week")
    assert codes("FREE this week! #SaltRoad", book=free) == []
    assert codes("Feel free to share. #SaltRoad") == []


@pytest.mark.parametrize(
    "content",
    ["Out March 2! #SaltRoad", "Out 2026-03-01 #SaltRoad", "Out 1st April 2027 #SaltRoad"],
)
def test_dates_must_be_the_launch_date(content: str) -> None:
    assert codes(content) == ["ungrounded_date"]


def test_any_date_is_ungrounded_without_a_launch_date() -> None:
    book = replace(BOOK, launch_date=None)
    assert codes("Out March 1. #SaltRoad", book=book) == ["ungrounded_date"]


@pytest.mark.parametrize("content", ["★★★★ says Kirkus #SaltRoad", "4/5 #SaltRoad", "10/10 #A"])
def test_ratings_must_appear_in_a_review(content: str) -> None:
    assert codes(content) == ["ungrounded_rating"]


@pytest.mark.parametrize(
    "content",
    [
        "Shortlisted for the Booker Prize. #SaltRoad",
        "Longlisted for the Ember Prize 2025. #SaltRoad",
        "The bestselling debut. #SaltRoad",
        "An award-winning novel. #SaltRoad",
        "The #1 fantasy of the year. #SaltRoad",
        "A New York Times pick. #SaltRoad",
    ],
)
def test_marketing_claims_must_appear_in_the_profile(content: str) -> None:
    assert set(codes(content)) == {"ungrounded_claim"}


def test_claims_in_the_profile_are_grounded() -> None:
    book = replace(BOOK, awards=("The award-winning bestseller.",))
    assert codes("Award winning and a best-seller. #SaltRoad", book=book) == []


def test_free_text_of_the_profile_grounds_no_claim() -> None:
    book = replace(
        BOOK,
        blurb="A New York Times bestseller. The award-winning saga.",
        content_guidelines="Say it is a #1 bestseller.",
        awards=(),
    )
    for content in ("A New York Times bestseller. #SaltRoad", "The #1 bestseller. #SaltRoad"):
        assert "ungrounded_claim" in codes(content, book=book)


def test_verbatim_author_material_is_grounded_even_with_numbers() -> None:
    book = replace(
        BOOK, title="The $5 Bride of May 3", quotes=('He was 6" tall, "not a day less"',)
    )
    content = 'Meet The $5 Bride of May 3: “He was 6" tall, "not a day less"” #SaltRoad'
    assert codes(content, book=book) == []


def test_near_duplicate_of_a_recent_post() -> None:
    recent = ["Meet The Salt Road by Mara Quell, out now! https://a.example.com #SaltRoad #Books"]
    assert codes("meet the salt road by mara quell - out now #Fantasy", recent=recent) == [
        "near_duplicate"
    ]
    assert codes("What would you risk for grief? #SaltRoad", recent=recent) == []


def test_dedupe_threshold_is_inclusive() -> None:
    match = find_near_duplicate("a b c d", ["a b c e"], threshold=0)
    assert match is not None
    assert find_near_duplicate("a b c d", ["a b c e"], threshold=match[1]) == ("a b c e", match[1])
    assert find_near_duplicate("a b c d", ["a b c e"], threshold=match[1] + 0.01) is None


def test_dedupe_key_strips_urls_hashtags_and_punctuation() -> None:
    assert dedupe_key("Hello, World! https://x.example.com/a #Tag") == "hello world"


def test_split_sentences() -> None:
    assert split_sentences("One. Two!  Three? Four… five") == ["One.", "Two!", "Three?", "Four…",
                                                                 "five"]  # fmt: skip


def test_a_precomputed_grounding_gives_the_same_report() -> None:
    content = "Now $3.99, out March 2, a bestseller. #SaltRoad"
    grounding = Grounding.from_book(BOOK)
    assert check_draft(BOOK, TWITTER, content, grounding=grounding) == check_draft(
        BOOK, TWITTER, content
    )


# -- the fast paths give what the plain algorithms give ----------------------------------------

_GATE_PIECES = [
    " ", "\n", "free", "FREE", "Free", "for free", "star", "stars", "ſtar", "★", "⭐", "☆", "5/5",
    "4 out of 10", "4.99", "$", "€", "£", "usd", "euros", "March", "May", "1st", "2027-03-01",
    "1/3/2027", "٣", "best-seller", "bestselling", "award-winning", "winner of", "shortlisted",
    "finalist", "#1", "no. 1", "number one", "acclaimed", "millions of copies", "New York Times",
    "NYT", "viral", "“", "”", '"', "The Salt Road", "Mara Quell", "grief", "found family",
    "The desert remembers every footstep you take.", "https://www.amazon.com/dp/B0SALT",
    "#SaltRoad", "SaltRoad", "literary fantasy", "A stunning debut, lyrical and fierce.",
    BOOK.blurb, BOOK.reviews[0].text, "Five", "5", "one", "STARS", "Stars", "3.5", "½",
    "٢٠٢٧-٠٣-٠١", "١ March", "٤/٥",
]  # fmt: skip
_GATE_TEXT = st.lists(st.sampled_from(_GATE_PIECES) | st.text(max_size=6), max_size=24).map("".join)


def _reference_near_duplicate(
    content: str, recent: Sequence[str], threshold: float = 85.0
) -> tuple[str, float] | None:
    """find_near_duplicate as first written: token_sort_ratio on the dedupe keys."""
    key = dedupe_key(content)
    choices = {i: k for i, text in enumerate(recent) if (k := dedupe_key(text))}
    if not key or not choices:
        return None
    best = process.extractOne(key, choices, scorer=fuzz.token_sort_ratio)
    if best is None or best[1] < threshold:
        return None
    return recent[best[2]], float(best[1])


_WORDS = st.lists(st.sampled_from(["salt", "road", "the", "Über", "日本", "a", "b", "#x", "!"]))


@settings(max_examples=300, deadline=None)
@given(
    content=_WORDS.map(" ".join) | st.text(max_size=30),
    recent=st.lists(_WORDS.map(" ".join) | st.text(max_size=30), max_size=6),
    threshold=st.sampled_from([0.0, 50.0, 85.0, 100.0]),
)
def test_near_duplicate_equals_token_sort_ratio(
    content: str, recent: list[str], threshold: float
) -> None:
    expected = _reference_near_duplicate(content, recent, threshold)
    assert find_near_duplicate(content, recent, threshold) == expected


@settings(max_examples=300, deadline=None)
@given(text=_GATE_TEXT)
@example(text="Out ٢٠٢٧-٠٣-٠١")
@example(text="Five STARS, or one ſtar")
@example(text="Now FREE!")
@example(text="A #1 bestseller")
def test_pre_checks_never_skip_a_match(text: str) -> None:
    digit, free, star = (p.search(text) is not None for p in (DIGIT, _FREE, _STAR_WORD))
    assert digit or free or not _PRICE.search(text)
    assert digit or not any(p.search(text) for p in _DATES)
    assert digit or not _RATING_FRACTION.search(text)
    assert star or not _RATING_STARS.search(text)
    claims = any(p.search(text) for p in _CLAIM_PATTERNS.values())
    assert (_ANY_CLAIM.search(text) is not None) == claims


_MASK_SOURCES = [BOOK.title, BOOK.blurb, *split_sentences(BOOK.blurb), "grief", "_x", "9 lives",
                 "1", "#SaltRoad", "“Mara Quell”", "é", "e\u0301t\u00e9"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(
        st.sampled_from([*_GATE_PIECES, *_MASK_SOURCES, "a", "_", "é", "9", "x", "\n"]),
        max_size=20,
    ).map("".join)
)
@example(text="The Salt Roads, aThe Salt Road, _x_x x_x 19 lives 9 lives1 1 éé été")
def test_the_mask_masks_what_the_plain_pattern_masks(text: str) -> None:
    mask = _mask_pattern(_MASK_SOURCES)
    assert mask is not None
    assert mask.sub(_MASK, text) == reference_mask(_MASK_SOURCES).sub(_MASK, text)


def test_find_ungrounded_answers_a_new_list_each_time() -> None:
    grounding = Grounding.from_book(BOOK)
    first = find_ungrounded(grounding, "Now $3.99! #SaltRoad")
    first.clear()
    assert [v.code for v in find_ungrounded(grounding, "Now $3.99! #SaltRoad")] == [
        "ungrounded_price"
    ]
