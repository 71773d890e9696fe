"""Voice choices in plain words: who posts speak as (`person`), how formal they are
(`formality`) and the content warning of Mastodon posts (`content_warning`), recognised in the
tone and guidelines only when stated as a rule."""

from __future__ import annotations

import time

import pytest

from bookagent.domain.books import RulesIn
from bookagent.domain.profile import MAX_WARNING_CHARS
from bookagent.domain.profile import AuthorRules
from bookagent.domain.voice_rules import StatedRule
from bookagent.domain.voice_rules import holds
from bookagent.domain.voice_rules import infer_rules
from bookagent.domain.voice_rules import merge_stated

CHOICES = ("person", "formality", "content_warning")

STATES = [
    # person: the author, in the first person
    ("Write in the first person.", ("person", "i")),
    ("Always write in first person.", ("person", "i")),
    ("Use I.", ("person", "i")),
    ("Use 'I', not 'we'.", ("person", "i")),
    ("Speak as the author.", ("person", "i")),
    ("Posts should be written in the first person.", ("person", "i")),
    ("Voice: first person, warm, wry.", ("person", "i")),
    ("Write in first person and keep it light.", ("person", "i")),
    # person: a team or press
    ("Use we.", ("person", "we")),
    ("Say we, not I.", ("person", "we")),
    ("First person plural.", ("person", "we")),
    ("Use the first-person plural.", ("person", "we")),
    ("Write as the press.", ("person", "we")),
    ("Posts speak as the team.", ("person", "we")),
    # person: of the author by name
    ("Third person.", ("person", "author")),
    ("Write in the third person only.", ("person", "author")),
    ("Refer to the author by name.", ("person", "author")),
    ("Always refer to her by her full name.", ("person", "author")),
    # formality
    ("Formal tone.", ("formality", "formal")),
    ("Keep it formal.", ("formality", "formal")),
    ("Keep it formal and warm.", ("formality", "formal")),
    ("Use a formal tone of voice.", ("formality", "formal")),
    ("No contractions.", ("formality", "formal")),
    ("Never use contractions.", ("formality", "formal")),
    ("Avoid contractions, please.", ("formality", "formal")),
    ("Casual.", ("formality", "casual")),
    ("Warm and conversational.", ("formality", "casual")),
    ("Tone: casual but professional.", ("formality", "casual")),
    ("Keep it conversational.", ("formality", "casual")),
    ("An informal voice.", ("formality", "casual")),
    ("Neutral tone.", ("formality", "neutral")),
    # content warning
    ('Content warning: "grief and loss".', ("content_warning", "grief and loss")),
    ("Content warning: grief and loss.", ("content_warning", "grief and loss")),
    ("CW: death of a parent", ("content_warning", "death of a parent")),
    ("Use a CW for violence.", ("content_warning", "violence")),
    ("Add a content warning for grief on Mastodon.", ("content_warning", "grief")),
    ("On Mastodon, use a CW for violence.", ("content_warning", "violence")),
    (
        "Add a content warning “Spoilers: The Keeper's Light book one”.",
        ("content_warning", "Spoilers: The Keeper's Light book one"),
    ),
    ('Always add the following content warning: "mentions of grief"', ("content_warning",
     "mentions of grief")),
]  # fmt: skip

STATES_NOTHING = [
    # a sentence that only says "I" or "we" is no rule
    "I love emoji.",
    "I write every morning.",
    "We never say bestselling because it isn't one.",
    "We use no emoji.",
    "The novel is written in the first person.",
    "Our posts tend to use I.",
    # measures, negations, choices between two, questions, conditions
    "Use I sparingly.",
    "Use we when the press posts.",
    "Write in the first person or the third person.",
    "Use I and we.",
    "Should we write in the first person?",
    "Not too formal.",
    "Semi-formal tone.",
    "Formal or casual?",
    "Keep it casual. Keep it formal.",
    "Casual readers will love it.",
    "Never use contractions in headlines.",
    "Contractions are fine.",
    "Gender-neutral language.",
    "Formal.",  # formal is enforced: it needs more than one word
    "Keep it formal on LinkedIn.",
    # content warnings need their words
    "No content warnings.",
    "Add a content warning.",
    "Content warning: none.",
    "Use a CW for posts about violence.",
    "Add a CW for violence when needed.",
    "Don't add a content warning for grief.",
    "Content warnings are optional.",
    # quotations are not statements
    "Readers wrote 'keep it formal' on the forum.",
    "",
]


def found(text: str) -> set[tuple[str, bool | str]]:
    return {(s.rule, s.value) for s in infer_rules(text, None) if s.rule in CHOICES}


@pytest.mark.parametrize(("text", "expected"), STATES, ids=[text for text, _ in STATES])
def test_a_choice_in_plain_words_is_recognised(text: str, expected: tuple[str, str]) -> None:
    assert found(text) == {expected}


@pytest.mark.parametrize("text", STATES_NOTHING)
def test_words_that_state_no_choice_give_none(text: str) -> None:
    assert found(text) == set()


def test_two_values_of_one_choice_in_the_tone_and_guidelines_state_neither() -> None:
    assert found("Casual.") == {("formality", "casual")}
    stated = infer_rules("Casual and warm.", "No contractions. Write in the first person.")
    assert [(s.rule, s.value) for s in stated] == [("person", "i")]


def test_each_choice_carries_the_words_that_stated_it() -> None:
    stated = infer_rules(
        "Quiet and wry. Keep it formal.",
        "Write in the first person. Use a CW for grief and loss.",
    )
    assert [one.as_json() for one in stated] == [
        {"rule": "formality", "value": "formal", "from": "Keep it formal"},
        {"rule": "person", "value": "i", "from": "Write in the first person"},
        {
            "rule": "content_warning",
            "value": "grief and loss",
            "from": "Use a CW for grief and loss",
        },
    ]


def test_a_recognised_choice_is_set_but_never_replaces_the_authors_own() -> None:
    stated = infer_rules("Keep it formal. Write in the first person.", "Use a CW for grief.")
    merged, added = merge_stated({"person": "we", "formality": None}, stated)
    assert merged["person"] == "we"  # the author's own choice stands
    assert merged["formality"] == "formal" and merged["content_warning"] == "grief"
    assert [s.rule for s in added] == ["formality", "content_warning"]
    assert not holds(merged, next(s for s in stated if s.rule == "person"))
    # What is recognised validates as the API's rules and reads back as the gate's.
    rules = AuthorRules.of(RulesIn.model_validate(merged).model_dump(mode="json"))
    assert (rules.person, rules.formality, rules.content_warning) == ("we", "formal", "grief")


def test_the_json_form_of_a_choice_round_trips_and_refuses_anything_else() -> None:
    for one in (
        StatedRule("person", "author", "third person"),
        StatedRule("formality", "casual", "casual"),
        StatedRule("content_warning", "grief", "CW: grief"),
    ):
        assert StatedRule.from_json(one.as_json()) == one
    for bad in (
        {"rule": "person", "value": "they"},
        {"rule": "formality", "value": True},
        {"rule": "content_warning", "value": "x" * (MAX_WARNING_CHARS + 1)},
        {"rule": "content_warning", "value": "  "},
    ):
        assert StatedRule.from_json(bad) is None, bad


def test_a_warning_longer_than_the_rule_allows_is_not_recognised() -> None:
    long = "x" * (MAX_WARNING_CHARS + 1)
    assert found(f'Content warning: "{long}"') == set()
    assert found(f'Content warning: "{long[:-1]}"') == {("content_warning", long[:-1])}


@pytest.mark.parametrize(
    "text",
    [
        ("Write in the first person, " * 200)[:5000],
        ("Content warning: " * 300)[:5000],
        ("keep it formal and " * 300)[:5000],
        "use a CW for " + "x " * 2400,
    ],
)
def test_the_largest_texts_are_read_quickly(text: str) -> None:
    started = time.perf_counter()
    infer_rules(text, text)
    assert time.perf_counter() - started < 1.0
