"""The writer's plan for a post's picture: which card, with which of the author's words."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bookagent.domain.media_plan import CardPlan
from bookagent.domain.media_plan import plan_card
from bookagent.domain.profile import BookProfile
from bookagent.platforms import get_rules
from tests.adversarial.profiles import BUSINESS
from tests.adversarial.profiles import PICTURE_BOOK
from tests.adversarial.profiles import THRILLER


def test_a_review_post_shows_the_review_it_quotes() -> None:
    review = THRILLER.reviews[-1]
    content = f"What critics say: “{review.text}” — {review.source}"
    plan = plan_card(THRILLER, get_rules("bluesky"), "review_highlight", content, 0)
    assert plan == CardPlan("quote_card", review.text.strip(), review.source)


def test_a_launch_post_gets_a_launch_card_and_a_key_idea_a_key_idea_card() -> None:
    rules = get_rules("twitter")
    assert plan_card(BUSINESS, rules, "launch_countdown", "x", 0) == CardPlan("launch_card")
    idea = plan_card(BUSINESS, rules, "key_idea", "x", 0)
    assert idea is not None and idea.kind == "key_idea_card" and idea.text in BUSINESS.blurb
    # A key-idea card is for nonfiction only; a plain post elsewhere has no picture.
    assert plan_card(THRILLER, rules, "key_idea", "x", 0) is None
    assert plan_card(THRILLER, rules, "hook_question", "x", 0) is None


@pytest.mark.parametrize("platform", ["instagram", "pinterest"])
@pytest.mark.parametrize("book", [THRILLER, PICTURE_BOOK, BUSINESS], ids=lambda b: b.id)
def test_a_platform_that_needs_an_image_always_gets_one(platform: str, book: BookProfile) -> None:
    for post_type in ("hook_question", "fun_fact", "reader_question"):
        plan = plan_card(book, get_rules(platform), post_type, "text", 3)
        assert plan is not None


def test_without_quotes_or_a_launch_date_the_card_shows_the_blurb() -> None:
    bare = replace(THRILLER, quotes=(), reviews=(), launch_date=None)
    plan = plan_card(bare, get_rules("instagram"), "hook_question", "text", 0)
    assert plan is not None and plan.kind == "key_idea_card" and plan.text in bare.blurb


def test_the_card_shows_what_the_post_quotes_first() -> None:
    review, line = THRILLER.reviews[0], THRILLER.quotes[0]
    content = f"“{review.text}” — {review.source}\n\nA line from the book: “{line}”"
    plan = plan_card(THRILLER, get_rules("mastodon"), "review_highlight", content, 0)
    assert plan == CardPlan("quote_card", review.text.strip(), review.source)


def test_a_key_idea_card_shows_the_line_the_post_quotes() -> None:
    line = BUSINESS.quotes[-1]
    content = f"A takeaway from {BUSINESS.title}: “{line}”"
    plan = plan_card(BUSINESS, get_rules("mastodon"), "chapter_takeaway", content, 0)
    assert plan == CardPlan("key_idea_card", line.strip())
    # Quoting none, the blurb's sentences take turns.
    ideas = {plan_card(BUSINESS, get_rules("x"), "key_idea", "x", seed) for seed in range(6)}
    assert len(ideas) > 1
