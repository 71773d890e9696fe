"""The author's `person` rule: who a post speaks as, checked outside its quotations."""

from __future__ import annotations

import pytest

from bookagent.domain.author_rules import rule_violations
from bookagent.domain.profile import AuthorRules


def codes(person: str, text: str) -> list[str]:
    rules = AuthorRules.of({"person": person})
    return [v.code for v in rule_violations(rules, text, "post_launch")]


@pytest.mark.parametrize(
    ("person", "text"),
    [
        ("i", "We are thrilled to share it."),
        ("i", "Let's talk about grief."),
        ("i", "Our new book is out."),
        ("we", "Tell me in the replies."),
        ("we", "I'm so glad you are here."),
        ("we", "My favourite line is this one."),
        ("author", "I wrote this one for you."),
        ("author", "We are reading it tonight."),
        ("author", "Tell us what you think."),
    ],
)
def test_a_post_that_speaks_as_another_is_refused(person: str, text: str) -> None:
    assert codes(person, text) == ["person"]


@pytest.mark.parametrize(
    ("person", "text"),
    [
        ("i", "I wrote this one for you. Tell me what you think."),
        ("we", "We are thrilled. Tell us what you think."),
        ("author", "Nora Vale wrote it. One reader: “I read it in one sitting.”"),
        ("author", "Out now for US readers."),
        ("we", "A reader wrote: “My four-year-old asks for it every night.”"),
    ],
)
def test_its_own_voice_and_quotations_pass(person: str, text: str) -> None:
    assert codes(person, text) == []


def test_an_unknown_person_in_storage_is_no_rule() -> None:
    assert AuthorRules.of({"person": "they"}).person is None
    assert codes("", "We and I and me.") == []
