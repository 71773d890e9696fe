"""The author's `formality` rule: a formal post has no contraction outside its quotations; a
casual or neutral one is not checked."""

from __future__ import annotations

import pytest

from bookagent.domain.author_rules import rule_violations
from bookagent.domain.contractions import contractions
from bookagent.domain.profile import AuthorRules


def violations(formality: str, text: str) -> list[tuple[str, str]]:
    rules = AuthorRules.of({"formality": formality})
    return [(v.code, v.message) for v in rule_violations(rules, text, "post_launch")]


@pytest.mark.parametrize(
    ("text", "word", "instead"),
    [
        ("Don't miss it.", "Don't", "“Do not”"),
        ("We can't wait.", "can't", "“cannot”"),
        ("It won’t wait.", "won’t", "“will not”"),
        ("You'll see why.", "You'll", "“You will”"),
        ("I'm proud of it.", "I'm", "“I am”"),
        ("It's out now.", "It's", "“It is” or “It has”"),
        ("She'd read it twice.", "She'd", "“She would” or “She had”"),
        ("Let's talk.", "Let's", "“Let us”"),
        ("They've waited.", "They've", "“They have”"),
        ("DON'T WAIT.", "DON'T", "“DO NOT”"),
    ],
)
def test_a_contraction_in_a_formal_post_is_refused_with_what_to_write(
    text: str, word: str, instead: str
) -> None:
    message = f"“{word}”: the author's rules ask for a formal voice; write {instead}."
    assert violations("formal", text) == [("formality", message)]


@pytest.mark.parametrize(
    "text",
    [
        "It is out now. Do not miss it.",
        "The author's new novel, and the keeper's last night.",  # possessives
        "A reader wrote: “I couldn't put it down.”",  # a quotation is the author's material
        "She said 'it's the last night' and left.",
        "Don't Look Back is out now.",  # a title's words
        "Where'd You Go, Bernadette? A new edition.",
        "Rock 'n' roll and the '90s.",
    ],
)
def test_a_formal_post_passes(text: str) -> None:
    assert violations("formal", text) == []


@pytest.mark.parametrize("formality", ["casual", "neutral", "", "stiff"])
def test_only_a_formal_voice_is_checked(formality: str) -> None:
    assert violations(formality, "Don't miss it, it's out now.") == []


def test_only_the_first_contraction_is_named() -> None:
    found = violations("formal", "Don't wait. It's here. You'll love it.")
    assert [code for code, _ in found] == ["formality"]
    assert [c.word for c in contractions("Don't wait. It's here. You'll love it.")] == [
        "Don't",
        "It's",
        "You'll",
    ]


def test_an_unknown_formality_in_storage_is_no_rule() -> None:
    assert AuthorRules.of({"formality": "stiff"}).formality is None
    assert AuthorRules.of({"formality": "formal"}).formality == "formal"
