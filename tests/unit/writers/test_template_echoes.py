"""A template post never says the same words twice in a row: an opener the body starts with
("Coming up. Coming up on 6 March: …"), or a link label that repeats the call to action above it
("Get your copy." then "Get your copy: <link>")."""

from __future__ import annotations

import itertools
import re

import pytest

from bookagent.domain import generation
from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.writers.template import TemplateWriter
from tests.adversarial.profiles import PROFILES
from tests.support.batches import write_batch

PLATFORMS = [p for p in SUPPORTED_PLATFORMS if p != "x"]


def posts(name: str) -> list[str]:
    texts = []
    for seed in range(6):
        slots = generation.plan_slots(PLATFORMS, 3, None, seed=seed)
        for outcome in write_batch(TemplateWriter(), PROFILES[name], slots, concurrency=1):
            assert isinstance(outcome, generation.Accepted), outcome
            texts.append(outcome.draft.content)
    return texts


def words(text: str, count: int) -> list[str]:
    return re.findall(r"\w+", text.casefold())[:count]


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_no_opener_is_echoed_by_the_sentence_after_it(name: str) -> None:
    for text in posts(name):
        first, _, rest = text.lstrip("🧸🎈🎨✨📚📖🔖☕ ").partition(". ")
        if rest and len(words(first, 3)) <= 2:  # a short opener: "Coming up."
            assert words(rest, len(words(first, 3))) != words(first, 3), text


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_no_link_label_repeats_the_call_to_action_above_it(name: str) -> None:
    for text in posts(name):
        paragraphs = text.split("\n\n")
        for above, line in itertools.pairwise(paragraphs):
            label, _, link = line.partition(": http")
            if link:
                assert words(label, 3) != words(above, 3), text
