"""What the template writer plans before it writes: the book's category, its words in the forms a
sentence needs, and each platform's layout."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from datetime import date

import pytest

from bookagent.domain.categories import book_category
from bookagent.domain.categories import default_post_types
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import BookProfile
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import find_ungrounded
from bookagent.platforms import get_rules
from bookagent.platforms import measure
from bookagent.writers.template import TemplateWriter
from bookagent.writers.template_formats import Parts
from bookagent.writers.template_formats import format_of
from bookagent.writers.template_formats import variants
from bookagent.writers.template_words import GenreWords
from bookagent.writers.template_words import ages
from bookagent.writers.template_words import human_date
from bookagent.writers.template_words import opening
from tests.adversarial.profiles import BUSINESS
from tests.adversarial.profiles import PICTURE_BOOK
from tests.adversarial.profiles import THRILLER


@pytest.mark.parametrize(
    ("genre", "audience", "category"),
    [
        ("psychological thriller", "adult readers of dark suspense", "fiction"),
        ("science fiction", None, "fiction"),
        ("historical fiction", None, "fiction"),
        ("young adult fantasy", "young adult readers", "fiction"),
        ("children's picture book", None, "children"),
        ("children’s picture book", None, "children"),
        ("middle grade fantasy", None, "children"),
        ("adventure", "children aged 3 to 6 and the grown-ups who read to them", "children"),
        ("literary fiction", "adults who loved children's classics", "fiction"),
        ("business nonfiction", None, "nonfiction"),
        ("memoir", None, "nonfiction"),
        ("self-help", None, "nonfiction"),
        ("true crime", None, "nonfiction"),
        ("history of science", None, "nonfiction"),
    ],
)
def test_the_category_is_read_from_the_genre_and_audience(
    genre: str, audience: str | None, category: str
) -> None:
    book = replace(THRILLER, genre=genre, target_audience=audience)
    assert book_category(book) == category


def test_each_category_has_its_own_mix() -> None:
    assert default_post_types(THRILLER)[0] == "hook_question"
    assert {"read_aloud", "parent_teacher", "activity_idea"} <= set(
        default_post_types(PICTURE_BOOK)
    )
    assert {"key_idea", "framework", "myth_vs_fact", "chapter_takeaway"} <= set(
        default_post_types(BUSINESS)
    )


@pytest.mark.parametrize("book", [THRILLER, PICTURE_BOOK, BUSINESS], ids=lambda b: b.genre)
def test_the_default_mix_counts_down_only_while_a_launch_is_ahead(book: BookProfile) -> None:
    launch = date(2027, 3, 1)
    dated = replace(book, launch_date=launch)

    def counts_down(profile: BookProfile, on: date) -> bool:
        return "launch_countdown" in default_post_types(profile, on)

    assert counts_down(dated, date(2027, 2, 1))  # before the launch
    assert counts_down(dated, date(2027, 3, 7))  # its launch week
    assert not counts_down(dated, date(2027, 3, 8))  # after it
    assert not counts_down(replace(book, launch_date=None), date(2027, 2, 1))  # no launch date
    assert "launch_countdown" in default_post_types(replace(book, launch_date=None))  # no day
    assert set(default_post_types(dated, date(2027, 4, 1))) == set(default_post_types(dated)) - {
        "launch_countdown"
    }


@pytest.mark.parametrize(
    ("genre", "category", "one", "many"),
    [
        (
            "psychological thriller",
            "fiction",
            "a psychological thriller",
            "psychological thrillers",
        ),
        ("Cozy Mystery", "fiction", "a cozy mystery", "cozy mysteries"),
        ("literary fiction", "fiction", "a literary fiction novel", "literary fiction"),
        ("epic fantasy", "fiction", "an epic fantasy novel", "epic fantasy"),
        ("children's picture book", "children", "a picture book", "picture books"),
        ("picture books", "children", "a picture book", "picture books"),
        ("business nonfiction", "nonfiction", "a business book", "business books"),
        ("nonfiction", "nonfiction", "a nonfiction book", "nonfiction books"),
        ("memoir", "nonfiction", "a memoir", "memoirs"),
        ("YA romance", "fiction", "a YA romance", "YA romances"),
    ],
)
def test_a_genre_becomes_noun_phrases(genre: str, category: str, one: str, many: str) -> None:
    assert GenreWords.of(genre, category) == GenreWords(one, many)


@pytest.mark.parametrize("genre", [None, "", "G", "  ", "12"])
def test_a_genre_too_short_to_read_gives_none(genre: str | None) -> None:
    assert GenreWords.of(genre, "fiction") is None


@pytest.mark.parametrize(
    ("day", "zone", "today", "expected"),
    [
        (date(2027, 3, 3), "America/New_York", date(2027, 1, 10), "March 3"),
        (date(2027, 3, 3), "Europe/Berlin", date(2027, 1, 10), "3 March"),
        (date(2027, 3, 3), "UTC", date(2027, 2, 28), "Wednesday 3 March"),
        (date(2027, 3, 3), "America/Chicago", date(2027, 2, 28), "Wednesday, March 3"),
        (date(2027, 3, 3), "America/Chicago", date(2027, 3, 9), "March 3, 2027"),
        (date(2028, 3, 3), "Asia/Tokyo", date(2027, 1, 10), "3 March 2028"),
    ],
)
def test_dates_read_as_people_write_them(day: date, zone: str, today: date, expected: str) -> None:
    assert human_date(day, zone, today) == expected


@pytest.mark.parametrize("written", ["March 3", "3 March", "Wednesday, March 3", "3 March 2027"])
def test_the_gate_reads_each_date_form_as_the_launch(written: str) -> None:
    book = replace(THRILLER, rules=replace(THRILLER.rules, required_words={}))
    grounding = Grounding.from_book(book)
    assert find_ungrounded(grounding, f"Out on {written}.") == []
    assert [v.code for v in find_ungrounded(grounding, "Out on March 4.")] == ["ungrounded_date"]


def test_ages_come_only_from_a_stated_range() -> None:
    assert ages("children aged 3 to 6 and the grown-ups who read to them") == "ages 3 to 6"
    assert ages("for 4-8 year olds") == "ages 4 to 8"
    assert ages("parents of toddlers") is None
    assert ages("ages 9 to 3") is None


def test_an_opening_is_three_words_after_any_emoji() -> None:
    assert opening("📚 Quick question. What now?") == "quick question what"
    assert opening("“Some silences are louder”") == "some silences are"
    assert opening("") == ""


def test_layouts_shrink_by_leaving_out_what_matters_least() -> None:
    parts = Parts(
        head="Quick question.",
        body="What is on your nightstand?",
        cta="Pre-order it now.",
        link="Pre-order: https://example.com/b",
        tags=("Books", "AmReading"),
        sep=" ",
        hook="A good book is company.",
        support=("“Lovely.”\n— Someone", "Winner of a prize."),
        closer="What are you reading?",
    )
    long = variants("long", parts, kept_cta="", min_tags=0)
    assert long[0].split("\n\n") == [
        "A good book is company.",
        "What is on your nightstand?",
        "“Lovely.”\n— Someone",
        "Winner of a prize.",
        "Pre-order it now.",
        "Pre-order: https://example.com/b",
        "What are you reading?",
        "#Books #AmReading",
    ]
    assert all(len(a) >= len(b) for a, b in itertools.pairwise(long))
    assert "https://" not in variants("long", parts, kept_cta="", min_tags=0)[-1]
    kept = variants("short", parts, kept_cta="Pre-order it now.", min_tags=1)
    assert all("Pre-order it now." in text for text in kept)


def _write(book: BookProfile, platform: str, post_type: str, seed: int, day: date) -> str:
    constraints = WriteConstraints.for_platform(get_rules(platform), post_type, seed=seed, on=day)
    return asyncio.run(TemplateWriter().write(book, constraints)).content


def test_linkedin_posts_are_long_form() -> None:
    for seed in range(10):
        text = _write(BUSINESS, "linkedin", "key_idea", seed, date(2026, 12, 6))
        paragraphs = text.split("\n\n")
        assert len(paragraphs) >= 4, text
        assert measure("linkedin", text) >= 200, text


def test_a_pin_has_a_title_line_a_description_and_its_link_beside_the_text() -> None:
    constraints = WriteConstraints.for_platform(
        get_rules("pinterest"), "parent_teacher", seed=4, on=date(2026, 12, 6)
    )
    draft = asyncio.run(TemplateWriter().write(PICTURE_BOOK, constraints))
    pin = draft.metadata["pin"]
    assert format_of("pinterest") == "pin"
    assert pin["title"] and len(pin["title"]) <= 100
    assert draft.content.startswith(pin["title"] + "\n\n")
    assert pin["description"] == draft.content.split("\n\n", 1)[1]
    assert pin["link"] == "https://www.amazon.com/dp/B0MOONBEAM"  # a shop, not the landing page
    assert "http" not in draft.content and "bio" not in draft.content.casefold()


def test_before_the_launch_a_retailer_link_is_a_pre_order_link() -> None:
    for seed in range(12):
        text = _write(BUSINESS, "twitter", "retailer_cta", seed, date(2026, 8, 1))
        assert "http" in text, text
        assert "pre-order" in text.casefold() or "preorder" in text.casefold(), text


@pytest.mark.parametrize("book", [PICTURE_BOOK, BUSINESS], ids=lambda b: b.id)
def test_no_fiction_lines_outside_fiction(book: BookProfile) -> None:
    fiction_only = ("what happens next", "past midnight", "lose a weekend", "the plot or")
    for seed in range(40):
        for post_type in ("hook_question", "excerpt_teaser", "reader_question", "theme_spotlight"):
            text = _write(book, "facebook", post_type, seed, date(2026, 12, 6)).casefold()
            if book is BUSINESS:
                assert not any(line in text for line in fiction_only), text
            else:
                assert "past midnight" not in text and "lose a weekend" not in text, text


@pytest.mark.parametrize("person", ["i", "we", "author"])
def test_the_writer_speaks_as_the_author_asks(person: str) -> None:
    book = replace(BUSINESS, rules=replace(BUSINESS.rules, person=person))  # type: ignore[arg-type]
    for seed in range(24):
        for platform in ("twitter", "facebook", "linkedin"):
            post_type = default_post_types(book)[seed % 10]
            text = _write(book, platform, post_type, seed, date(2026, 12, 6))
            found = [v for v in find_ungrounded(Grounding.from_book(book), text)]
            assert not [v for v in found if v.code == "person"], text
