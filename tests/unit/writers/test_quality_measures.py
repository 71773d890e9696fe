"""The content-quality measures (benchmarks/content_measures.py) detect what they claim to."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pytest
from benchmarks.content_measures import carries_retailer_link
from benchmarks.content_measures import find_pastes
from benchmarks.content_measures import median_length
from benchmarks.content_measures import opening
from benchmarks.content_measures import paste_candidates
from benchmarks.content_measures import pre_order_share
from benchmarks.content_measures import says_pre_order
from benchmarks.content_measures import skeleton
from benchmarks.content_measures import variety
from benchmarks.content_measures import voice_violations

from bookagent.domain.profile import AuthorRules
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Event
from bookagent.domain.profile import Review

# The issue's thriller, as its examples show it: a raw audience, a capitalised genre.
BOOK = BookProfile(
    id="measures",
    user_id="alice",
    title="The Quiet Hours",
    author="Nora Vale",
    genre="Psychological thriller",
    blurb=(
        "Night-shift nurse Iris Cole starts to hear her dead sister's voice on the hospital "
        "intercom. Everyone insists it is a prank. Then the voice begins to name the patients "
        "who will not survive the night."
    ),
    target_audience="Adult readers of domestic and psychological suspense",
    key_themes=("grief", "guilt", "the cost of keeping secrets"),
    tone="tense, restrained, literary",
    content_guidelines="Keep it understated. Never give away the ending.",
    links={
        "amazon": "https://www.amazon.com/dp/B0QUIET123",
        "bookshop": "https://bookshop.org/p/books/the-quiet-hours/12345",
        "landing_page": "https://noravale.com/the-quiet-hours",
    },
    launch_date=date(2027, 3, 3),
    price="$4.99",
    quotes=("Grief is a house with no doors.",),
    reviews=(Review("A chilling, elegant descent into grief and guilt.", "Kirkus Reviews"),),
    awards=("Edgar Award nominee 2026",),
    events=(Event(date(2027, 3, 6), "Launch reading at Riverside Books"),),
    rules=AuthorRules(
        no_emoji=True, no_exclamation=True, required_words={"pre_launch": ("pre-order",)}
    ),
)
BEFORE = date(2027, 2, 1)
AFTER = date(2027, 4, 2)


# -- skeleton ----------------------------------------------------------------------------------


def test_skeleton_masks_every_slot_value_with_its_type() -> None:
    post = (
        "📚 Mark your calendar: Wednesday, March 3 is launch day for The Quiet Hours by Nora Vale, "
        "a psychological thriller about grief.   Only $4.99.\n\n"
        "Kirkus Reviews says: “A chilling, elegant descent into grief and guilt.”\n"
        "Join me at Launch reading at Riverside Books on 6 March 2027 (Edgar Award nominee 2026). "
        "“Grief is a house with no doors.” Everyone insists it is a prank. 12 chapters. "
        "Pre-order: https://www.amazon.com/dp/B0QUIET123\n\n#TheQuietHours #Grief\n#Thriller"
    )

    assert skeleton(post, BOOK) == (
        "Mark your calendar: {date} is launch day for {title} by {author}, a {genre} about "
        "{theme}. Only {price}. {source} says: “{review}.” Join me at {event} on {date} "
        "({award}). “{quote}.” {blurb}. {number} chapters. Pre-order: {link} {hashtags}"
    )


@pytest.mark.parametrize(
    "written",
    [
        "March 3",
        "3 March 2027",
        "Wednesday, March 3",
        "Wed, Mar. 3rd, 2027",
        "March 3, 2027",
        "2027-03-03",
        "Saturday",
        "March 2027",
    ],
)
def test_skeleton_masks_human_and_iso_dates(written: str) -> None:
    assert skeleton(f"Out on {written}, in stores.", BOOK) == "Out on {date}, in stores."


def test_skeleton_leaves_words_that_only_look_like_dates() -> None:
    assert skeleton("You may march on.", BOOK) == "You may march on."


def test_skeleton_prefers_the_longest_profile_string() -> None:
    # The review holds two themes; the blurb sentence holds nothing shorter that could win.
    assert skeleton("A chilling, elegant descent into grief and guilt", BOOK) == "{review}"
    assert skeleton("the cost of keeping secrets", BOOK) == "{theme}"


def test_skeleton_masks_the_author_s_name_parts_only_as_capitalised() -> None:
    assert skeleton("Vale writes at night.", BOOK) == "{author} writes at night."
    assert skeleton("A vale at night.", BOOK) == "A vale at night."


def test_posts_that_differ_only_in_slot_values_share_a_skeleton() -> None:
    first = "✨ A book about grief, out March 3.\n\n#Grief #TheQuietHours"
    second = "A book about guilt, out 6 March.   #Guilt"

    assert (
        skeleton(first, BOOK)
        == skeleton(second, BOOK)
        == "A book about {theme}, out {date}. {hashtags}"
    )


def test_skeleton_masks_bare_domains_and_keeps_the_link_label() -> None:
    assert skeleton("Find it here: bookshop.org/p/books/the-quiet-hours/12345", BOOK) == (
        "Find it here: {link}"
    )


# -- opening -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("post", "expected"),
    [
        ("📖 Quick question. What keeps you up at night?", "quick question what"),
        ("✨✨ Night-shift nurse Iris Cole starts", "night-shift nurse iris"),
        ("“Grief is a house with no doors.”", "grief is a"),
        ("The Quiet Hours", "the quiet hours"),
        ("Out now", "out now"),
        ("Don't miss it, friends", "don't miss it"),
    ],
)
def test_opening_is_the_first_three_words_lowercased_after_a_leading_emoji(
    post: str, expected: str
) -> None:
    assert opening(post) == expected


def test_variety_counts_distinct_skeletons_and_the_most_used_skeleton_and_opening() -> None:
    posts = [
        "A book about grief. #Grief",
        "A book about guilt.",
        "A book about the cost of keeping secrets.",
        "Quick question: who reads at night?",
        "Quick question: where do you read?",
    ]

    measured = variety(posts, BOOK)

    assert measured.posts == 5
    assert measured.distinct_skeletons == 4  # the first has hashtags
    assert (measured.max_skeleton_uses, measured.top_skeleton) == (2, "A book about {theme}.")
    assert (measured.max_opening_uses, measured.top_opening) == (3, "a book about")


# -- voice -------------------------------------------------------------------------------------


def test_voice_violations_are_the_gate_s_author_rules_for_the_day_s_phase() -> None:
    post = "📚 The Quiet Hours is out soon!"

    before = {v.code for v in voice_violations(post, BOOK, BEFORE)}
    after = {v.code for v in voice_violations(post, BOOK, AFTER)}

    assert before == {"emoji", "exclamation", "missing_required_word"}
    assert after == {"emoji", "exclamation"}
    assert voice_violations("Pre-order The Quiet Hours.", BOOK, BEFORE) == []


# -- raw-field pastes --------------------------------------------------------------------------


def test_the_issue_s_audience_paste_is_found() -> None:
    post = (
        "Nora Vale wrote The Quiet Hours with Adult readers of domestic and psychological "
        "suspense who loved a twist in mind."
    )

    pastes = find_pastes(post, BOOK)

    assert [(p.field, p.words) for p in pastes] == [
        ("audience", "Adult readers of domestic and psychological suspense")
    ]
    assert pastes[0].sentence == post


def test_the_issue_s_genre_paste_is_found_when_the_genre_is_longer_than_three_words() -> None:
    book = replace(BOOK, genre="Psychological thriller and domestic noir")

    pastes = find_pastes(
        "Series or standalone: what do you prefer in Psychological thriller and domestic noir?",
        book,
    )

    assert [p.field for p in pastes] == ["genre"]


def test_a_genre_of_three_words_or_fewer_is_not_counted_as_a_paste() -> None:
    # The acceptance counts profile strings longer than 3 words: the issue's own example, with a
    # two-word genre, is out of this measure's reach.
    assert (
        find_pastes("Series or standalone: what do you prefer in Psychological thriller?", BOOK)
        == []
    )
    assert ("genre", "Psychological thriller") not in paste_candidates(BOOK)


@pytest.mark.parametrize(
    ("post", "field"),
    [
        ("What would you risk for the cost of keeping secrets?", "theme"),
        ("For adult readers of domestic and psychological suspense everywhere.", "audience"),
        ("Written to never give away the ending, promise.", "guidelines"),
        ("I love how everyone insists it is a prank here.", "blurb"),
        (
            "Our audience: adult readers, of domestic and psychological suspense, mostly.",
            "audience",
        ),
    ],
)
def test_a_long_profile_string_inside_a_generated_sentence_is_a_paste(
    post: str, field: str
) -> None:
    assert [p.field for p in find_pastes(post, BOOK)] == [field]


@pytest.mark.parametrize(
    "post",
    [
        # A blurb sentence quoted as an excerpt, in any quotation marks.
        "From the book: “Everyone insists it is a prank.” Would you believe it?",
        'Straight quotes: "Adult readers of domestic and psychological suspense" is who it is for.',
        "« Then the voice begins to name the patients who will not survive the night. »",
        # A blurb sentence standing as a line, or a sentence, of its own, or after a label.
        "Everyone insists it is a prank.",
        "Night-shift nurse Iris Cole starts to hear her dead sister's voice on the hospital "
        "intercom. Would you keep turning the pages?",
        "The premise of The Quiet Hours: Everyone insists it is a prank.",
        "In short — Everyone insists it is a prank.",
        # Inside a link or a hashtag, not a sentence.
        "More: https://example.com/adult-readers-of-domestic-and-psychological-suspense",
        "#AdultReadersOfDomesticAndPsychologicalSuspense",
        # The words split across two sentences.
        "We love adult readers. Of domestic and psychological suspense we write.",
        # Three words of a longer string.
        "A book for adult readers.",
    ],
)
def test_quotes_links_and_standalone_blurb_sentences_are_not_pastes(post: str) -> None:
    assert find_pastes(post, BOOK) == []


def test_paste_candidates_are_the_free_text_strings_longer_than_three_words() -> None:
    assert paste_candidates(BOOK) == [
        ("audience", "Adult readers of domestic and psychological suspense"),
        ("guidelines", "Never give away the ending"),
        (
            "blurb",
            "Night-shift nurse Iris Cole starts to hear her dead sister's voice on the hospital "
            "intercom",
        ),
        ("blurb", "Everyone insists it is a prank"),
        ("blurb", "Then the voice begins to name the patients who will not survive the night"),
        ("theme", "the cost of keeping secrets"),
    ]


# -- launch wording ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("post", "expected"),
    [
        ("Pre-order it now.", True),
        ("PREORDER yours", True),
        ("pre order today", True),
        ("Pre‑ordering is open", True),  # a non-breaking hyphen
        ("Order it now.", False),
        ("Get it here.", False),
    ],
)
def test_says_pre_order_in_any_spelling(post: str, expected: bool) -> None:
    assert says_pre_order(post) is expected


def test_a_retailer_link_is_a_profile_link_other_than_the_landing_page() -> None:
    assert carries_retailer_link("Get it: https://www.amazon.com/dp/B0QUIET123", BOOK)
    assert carries_retailer_link("Get it: http://amazon.com/dp/B0QUIET123/?tag=x", BOOK)
    assert carries_retailer_link("bookshop.org/p/books/the-quiet-hours/12345", BOOK)
    assert not carries_retailer_link("More: https://noravale.com/the-quiet-hours", BOOK)
    assert not carries_retailer_link("Get it: https://www.amazon.com/dp/B0OTHER999", BOOK)
    # A pin's destination link goes with the draft, not in its text.
    assert carries_retailer_link("A pin.", BOOK, links=("https://www.amazon.com/dp/B0QUIET123",))


def test_pre_order_share_counts_only_posts_with_a_retailer_link() -> None:
    posts = [
        ("Pre-order: https://www.amazon.com/dp/B0QUIET123", ()),
        ("Get it here: https://www.amazon.com/dp/B0QUIET123", ()),
        ("Pre-order at https://noravale.com/the-quiet-hours", ()),
        ("Pre-order now.", ()),
    ]

    share = pre_order_share(posts, BOOK)

    assert (share.with_retailer_link, share.saying_pre_order, share.share) == (2, 1, 0.5)
    assert math.isnan(pre_order_share([("No link.", ())], BOOK).share)


# -- length ------------------------------------------------------------------------------------


def test_median_length_is_in_the_platform_s_unit() -> None:
    url = "https://www.amazon.com/dp/B0QUIET123?" + "x" * 60
    posts = [f"Short {url}", f"A little longer {url}", f"The longest one of all {url}"]

    # X counts every URL as 23.
    assert median_length("twitter", posts) == len("A little longer ") + 23
    assert median_length("facebook", posts) == len(posts[1])
    assert math.isnan(median_length("twitter", []))
