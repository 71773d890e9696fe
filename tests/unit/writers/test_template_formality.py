"""A formal voice in both writers: the template writer writes no contraction and no emoji yet
still writes a post that passes for every category and platform; the prompt states the voice."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date

import pytest

from bookagent.domain.attributions import QUOTATION
from bookagent.domain.author_rules import rule_violations
from bookagent.domain.categories import default_post_types
from bookagent.domain.contractions import contractions
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import AuthorRules
from bookagent.domain.profile import BookProfile
from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.platforms import get_rules
from bookagent.writers.prompts import build_prompt
from bookagent.writers.template import TemplateWriter
from tests.adversarial.profiles import BUSINESS
from tests.adversarial.profiles import PICTURE_BOOK
from tests.adversarial.profiles import POST_LAUNCH_DAY
from tests.adversarial.profiles import PRE_LAUNCH_DAY
from tests.adversarial.profiles import THRILLER

EMOJI = AuthorRules(no_emoji=True)


def formal(book: BookProfile) -> BookProfile:
    """`book` with a formal voice, emoji allowed by its other rules, and material that holds
    contractions: a title, a blurb sentence and a theme."""
    return replace(
        book,
        title="Don't Look Back",
        blurb=f"She can't go home. {book.blurb} It's the last night.",
        key_themes=("what we don't say", *book.key_themes),
        rules=replace(book.rules, formality="formal", no_emoji=False),
    )


@pytest.mark.parametrize("book", [THRILLER, PICTURE_BOOK, BUSINESS], ids=lambda b: b.id)
def test_a_formal_book_gets_posts_that_pass_on_every_platform(book: BookProfile) -> None:
    book = formal(book)
    writer = TemplateWriter()
    types = default_post_types(book)
    written = 0
    for seed in range(8):
        for platform in SUPPORTED_PLATFORMS:
            for day in (PRE_LAUNCH_DAY, POST_LAUNCH_DAY):
                constraints = WriteConstraints.for_platform(
                    get_rules(platform), types[seed % len(types)], seed=seed, on=day
                )
                draft = asyncio.run(writer.write(book, constraints))
                written += 1
                assert draft.metadata["validation"]["ok"], (draft.content, draft.metadata)
                outside = QUOTATION.sub(" ", draft.content)
                # The title's words are a name ("Don't Look Back"), not the post's voice.
                assert [c.word for c in contractions(outside)] == [], draft.content
                assert not rule_violations(EMOJI, draft.content, "post_launch"), draft.content
    assert written == 8 * len(SUPPORTED_PLATFORMS) * 2


def test_a_casual_book_may_use_emoji() -> None:
    book = replace(PICTURE_BOOK, rules=replace(PICTURE_BOOK.rules, formality="casual"))
    texts = [
        asyncio.run(
            TemplateWriter().write(
                book,
                WriteConstraints.for_platform(
                    get_rules("instagram"), "reader_question", seed=seed, on=date(2026, 12, 6)
                ),
            )
        ).content
        for seed in range(12)
    ]
    assert any(rule_violations(EMOJI, text, "post_launch") for text in texts)


@pytest.mark.parametrize(
    ("formality", "order"),
    [
        ("formal", 'no contractions outside quotations (write "do not"'),
        ("neutral", "Write in a neutral, plain voice"),
        ("casual", "Write in a casual, conversational voice"),
    ],
)
def test_the_prompt_states_the_voice(formality: str, order: str) -> None:
    book = replace(THRILLER, rules=replace(THRILLER.rules, formality=formality))
    constraints = WriteConstraints.for_platform(get_rules("mastodon"), "hook_question")
    assert order in build_prompt(book, constraints, today=PRE_LAUNCH_DAY).system
    plain = replace(THRILLER, rules=replace(THRILLER.rules, formality=None))
    assert order not in build_prompt(plain, constraints, today=PRE_LAUNCH_DAY).system
