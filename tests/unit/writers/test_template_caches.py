"""The template writer's and the gate's per-profile and per-text caches: reused while nothing
they were made from changes, made anew when it does, and never a change of what is written."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from datetime import date

import pytest

from bookagent.domain.gram_filter import may_occur
from bookagent.domain.gram_filter import sampled_grams
from bookagent.domain.near_duplicates import _words
from bookagent.domain.near_duplicates import content_words
from bookagent.domain.near_duplicates import find_reworded
from bookagent.domain.near_duplicates import find_same_wording
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import AuthorRules
from bookagent.domain.profile import BookProfile
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import _mask_present
from bookagent.platforms import get_rules
from bookagent.writers.template import TemplateWriter
from tests.support.worst_profile import worst_profile

DAY = date(2027, 1, 15)  # before the launch: the pre-launch required word applies
BOOK = BookProfile(
    id="cache-book",
    user_id="user-1",
    title="The Salt Road",
    author="Mara Quell",
    genre="literary fantasy",
    blurb="A smuggler crosses a desert of salt to pay a debt she never owed.",
    key_themes=("found family", "grief"),
    links={"amazon": "https://www.amazon.com/dp/B0SALTROAD"},
    launch_date=date(2027, 3, 1),
    quotes=("The desert remembers every footstep you take.",),
    rules=AuthorRules(required_words={"pre_launch": ("pre-order",)}),
)


def _write(writer: TemplateWriter, book: BookProfile, post_type: str = "retailer_cta") -> str:
    constraints = WriteConstraints.for_platform(get_rules("mastodon"), post_type, seed=3, on=DAY)
    return asyncio.run(writer.write(book, constraints)).content


def test_one_profile_object_keeps_its_material() -> None:
    writer = TemplateWriter()
    _write(writer, BOOK)
    first = writer._material_for(BOOK)
    _write(writer, BOOK)
    assert writer._material_for(BOOK) is first
    # An equal profile (another object) finds it under its repr.
    assert writer._material_for(replace(BOOK)) is first


def test_an_edited_profile_gets_new_material() -> None:
    writer = TemplateWriter()
    before = writer._material_for(BOOK)
    edited = replace(BOOK, title="The Glass Road")
    after = writer._material_for(edited)
    assert after is not before
    assert after.facts.base["title"] == "The Glass Road"
    assert writer._material_for(BOOK) is before  # the first one is still kept


def test_a_link_changed_in_place_is_seen() -> None:
    """The profile is frozen, but its links mapping is the caller's: a change made in place to
    the same object is a new profile for the writer."""
    links = {"amazon": "https://www.amazon.com/dp/B0SALTROAD"}
    book = replace(BOOK, links=links)
    writer = TemplateWriter()
    before = writer._material_for(book)
    links["amazon"] = "https://www.amazon.com/dp/B0GLASSROAD"
    after = writer._material_for(book)
    assert after is not before
    assert after.facts.links == ("https://www.amazon.com/dp/B0GLASSROAD",)
    assert "B0GLASSROAD" in _write(writer, book)


def test_required_words_changed_in_place_are_seen() -> None:
    required = {"pre_launch": ("pre-order",)}
    book = replace(BOOK, rules=AuthorRules(required_words=required))  # type: ignore[arg-type]
    writer = TemplateWriter()
    _write(writer, book)
    before = writer._material_for(book)
    assert any("Pre-order" in cta for cta in before.required_ctas["pre_launch"])
    required["pre_launch"] = ("reserve",)
    after = writer._material_for(book)
    assert after is not before
    _write(writer, book)
    assert after.required_ctas["pre_launch"]
    assert all("Pre-order" not in cta for cta in after.required_ctas["pre_launch"])
    assert any("Reserve" in cta for cta in after.required_ctas["pre_launch"])


def test_the_calls_to_action_of_a_phase_are_made_once() -> None:
    writer = TemplateWriter()
    _write(writer, BOOK)
    material = writer._material_for(BOOK)
    kept = material.required_ctas["pre_launch"]
    _write(writer, BOOK, "hook_question")
    assert material.required_ctas["pre_launch"] is kept
    # A new profile version starts with none.
    assert not writer._material_for(replace(BOOK, title="Other")).required_ctas


def test_a_cached_writer_writes_what_a_fresh_one_writes() -> None:
    warm = TemplateWriter()
    for seed in range(12):
        constraints = WriteConstraints.for_platform(
            get_rules("bluesky"), "hook_question", seed=seed, on=DAY
        )
        cached = asyncio.run(warm.write(BOOK, constraints)).content
        fresh = asyncio.run(TemplateWriter().write(BOOK, constraints)).content
        assert cached == fresh


def test_dedupe_answers_follow_the_recent_posts() -> None:
    """The near-duplicate answers are kept per recent posts' contents: a list changed in
    place (a batch appends its accepted posts) is asked anew."""
    post = "The Salt Road by Mara Quell is about found family and grief in a desert of salt."
    recent = ["A different post about cooking pasta on a weeknight."]
    assert find_same_wording(post, recent) is None
    assert find_reworded(post, recent) is None
    recent.append("Found family and grief in a desert of salt: The Salt Road by Mara Quell.")
    assert find_same_wording(post, recent) is not None
    assert find_reworded(post, recent) is not None
    assert find_same_wording(post, recent[:1]) is None


@pytest.mark.parametrize("padding", [0, 40, 4000])  # index lookups, then each source in turn
@pytest.mark.parametrize("largest", [True, False])
def test_the_mask_index_finds_the_sources_the_plain_loop_finds(largest: bool, padding: int) -> None:
    grounding = Grounding.from_book(worst_profile() if largest else BOOK)
    sources = grounding.mask_sources
    rng = random.Random(5)
    for _ in range(200):
        picked = rng.sample(sources, rng.randint(0, min(4, len(sources))))
        text = " ".join([*picked, "and some words of a post", *(["word"] * padding)])
        rng.shuffle(picked)
        sampled = sampled_grams(text)
        plain = tuple(
            s
            for s, grams in zip(sources, grounding._mask_grams, strict=True)
            if may_occur(grams, sampled) and s in text
        )
        assert set(picked) <= set(plain)
        expected = _mask_present(text, plain) if plain else text
        assert grounding.masked_twice(text)[0] == expected


def test_content_words_are_those_of_the_lines_together() -> None:
    """`content_words` unites its lines' words: the same as the whole text's, made at once."""
    pieces = [
        "The", "salt", "road", "pre-order", "it's", "#SaltRoad", "https://example.com/x",
        "example.com", "Café", "e\u0301", "\u0301", "—", "“Quote”", " ", " ", "\n", "\n\n",
        "\r\n", "loyalty", "families", "x.y", "#", "://", "crossed", "ﬁne", "Straße",
    ]  # fmt: skip
    rng = random.Random(11)
    for _ in range(3000):
        text = "".join(rng.choices(pieces, k=rng.randint(0, 20)))
        assert content_words(text) == _words(text), repr(text)
