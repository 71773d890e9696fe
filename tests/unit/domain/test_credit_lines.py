"""A credit line ends at a blank line: "— The Quiet Hours", then a paragraph, credits the title.

The gate read the capitals of the next paragraph as part of the name ("The Quiet Hours⏎⏎Pre-order")
and rejected the template writer's own quote posts (one in fifteen of its typical drafts went
back for another candidate), and any LLM draft laid out the same way.
"""

from __future__ import annotations

import asyncio

import pytest

from bookagent.domain.ports import WriteConstraints
from bookagent.domain.validation import check_draft
from bookagent.platforms import get_rules
from bookagent.writers.template import TemplateWriter
from tests.adversarial.profiles import PROFILES
from tests.adversarial.profiles import THRILLER

FACEBOOK = get_rules("facebook")
QUOTE = THRILLER.quotes[0]
REVIEW = THRILLER.reviews[0]


def codes(text: str) -> tuple[str, ...]:
    return check_draft(THRILLER, FACEBOOK, text).codes


@pytest.mark.parametrize("gap", ["\n\n", "\n \n", "\n\n\n", "\r\n\r\n"])
def test_a_credit_to_the_title_then_a_paragraph_passes(gap: str) -> None:
    assert codes(f"“{QUOTE}”\n— {THRILLER.title}{gap}Pre-order it now.") == ()


def test_a_review_credited_to_its_source_then_a_paragraph_passes() -> None:
    assert codes(f"“{REVIEW.text}”\n— {REVIEW.source}\n\nPre-order The Quiet Hours now.") == ()


def test_an_invented_source_is_named_without_the_next_paragraph() -> None:
    report = check_draft(THRILLER, FACEBOOK, f"“{REVIEW.text}”\n— The Guardian\n\nPre-order now.")
    assert report.codes == ("ungrounded_attribution",)
    assert "Credits “The Guardian”, which" in report.violations[0].message


@pytest.mark.parametrize(
    "split",
    [
        "The\n\nGuardian",
        "The \n\n Guardian",
        "Someone\n\nThe Guardian",
        "Kirkus Reviews and\n\nThe Guardian",
        "Kirkus Reviews &\n\nThe Guardian",
        "Kirkus Reviews\n\nand The Guardian",
        "Kirkus Reviews\n\n& The Guardian",
    ],
)
def test_a_name_broken_by_a_blank_line_is_still_read_whole(split: str) -> None:
    """A part that names nothing, or a name joined over the break, runs on: a real review
    credited to "The⏎⏎Guardian" or to "Kirkus Reviews and⏎⏎The Guardian" is still a
    misattribution."""
    assert "ungrounded_attribution" in codes(f"“{REVIEW.text}”\n— {split} Pre-order now.")


def test_a_source_before_its_quote_is_read_from_its_own_paragraph() -> None:
    text = f"Pre-order Now\n\n{REVIEW.source} says “{REVIEW.text}”"
    assert codes(text) == ()
    assert "ungrounded_attribution" in codes(f"Pre-order Now\n\nThe Guardian says “{REVIEW.text}”")


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_a_pin_puts_its_call_to_action_below_a_credit_line(name: str) -> None:
    """A pin's call to action on the line of a credit ("— The Quiet Hours Pre-order it now.")
    reads as part of the name; after a body of several lines it starts a paragraph."""
    book, writer, rules = PROFILES[name], TemplateWriter(), get_rules("pinterest")
    for seed in range(60):
        for post_type in ("author_quote", "review_highlight"):
            constraints = WriteConstraints.for_platform(rules, post_type, seed=seed)
            text = asyncio.run(writer.write(book, constraints)).content
            for line in text.splitlines():
                if line.startswith("— "):
                    assert line[2:].strip() in (book.title, *(r.source for r in book.reviews)), text


@pytest.mark.parametrize(
    "text",
    [
        f"“{REVIEW.text}”\n— Kirkus Reviews and The Guardian",
        f"“{REVIEW.text}”\n— Kirkus Reviews & The Guardian",
        f"The Guardian and Kirkus Reviews said “{REVIEW.text}”",
        f"As The Guardian & Kirkus Reviews wrote, “{REVIEW.text}”",
        f"The Guardian and Kirkus Reviews called it “{REVIEW.text}”",
        f"The Guardian and Kirkus Reviews say “{REVIEW.text}”",
        f"The Guardian and Kirkus Reviews say: “{REVIEW.text}”",
        f"As Kirkus Reviews and The Guardian write, “{REVIEW.text}”",
        f"The Guardian and Kirkus Reviews call it “{REVIEW.text}”",
    ],
)
def test_a_real_review_credited_to_its_source_and_another_is_refused(text: str) -> None:
    """The second name is credited with the words too; the source alone, with words around it
    that name no one ("Kirkus Reviews, starred review"), is still its source."""
    assert "ungrounded_attribution" in codes(f"{text} Pre-order now.")


@pytest.mark.parametrize(
    "text",
    [
        "Nurses say the night shift is the loneliest. Pre-order The Quiet Hours now.",
        f"Some say “{QUOTE}” Pre-order The Quiet Hours now.",
        f"Many say: “{QUOTE}” Pre-order The Quiet Hours now.",
        f"They say “{QUOTE}” Pre-order The Quiet Hours now.",
        f"Critics say “{REVIEW.text}” Pre-order The Quiet Hours now.",
        f"Kirkus Reviews says “{REVIEW.text}” Pre-order now.",
    ],
)
def test_plural_verbs_name_no_source_where_none_is_credited(text: str) -> None:
    """A plural verb credits a source only right before a quotation, and neither a word that
    names no one ("Some") nor a group ("Critics", the group check's to read) is a source."""
    assert "ungrounded_attribution" not in codes(text)


def test_words_around_the_source_that_name_no_one_pass() -> None:
    assert codes(f"“{REVIEW.text}”\n— Kirkus Reviews, starred review. Pre-order now.") == ()
