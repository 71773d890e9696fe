"""The attribution check skips a pattern when the text holds none of its words, and tries the
quotation pattern only at quote marks: it must find exactly what running every pattern finds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bookagent.domain import attributions
from bookagent.domain.attributions import Speakers
from bookagent.domain.attributions import misattributions
from bookagent.domain.validation import Grounding
from tests.adversarial.profiles import PROFILES

PIECES = (
    "Readers are raving", "readers say", "Critics called it", "The reviews agree", "fans RAVED:",
    "Praised by", "according to", "As seen in", "featured on", "Loved by", "ſaid", "İstanbul",
    "The Guardian", "Kirkus Reviews", "Tana French", "Booksellers describe it as", "“a gem”",
    '"unputdownable"', "says", "writes", "—", ",", ".", "\n", "Pre-order now", "Everyone is saying",
    "KELVIN", "hailed by", "recommended by", "endorsed by", "reviewed in",
    "Kirkus Reviews:", "As The New Yorker put it,", "Booklist wrote", "The Guardian reader —",
    "Tana French calls it:", "SAYS,", "ſaid", "«", "»", "„", "“", "”", "‘", "’", "'", "「", "」",
    "it's", "the '90s", "rock 'n' roll", "(‘a gem’)", "'a quiet storm'", "« Un chef-d'œuvre »",
)  # fmt: skip


def speakers_of(name: str) -> Speakers:
    return Grounding.from_book(PROFILES[name]).speakers


class _Everywhere:
    """A pattern that matches wherever it is searched: no window is ruled out."""

    @staticmethod
    def search(text: str) -> bool:
        return True


def everything_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attributions, "_has_any", lambda folded, words: True)
    monkeypatch.setattr(attributions, "_CREDIT_AT_END", _Everywhere())
    monkeypatch.setattr(
        attributions, "quotation_matches", lambda text: attributions.QUOTATION.finditer(text)
    )


@pytest.mark.parametrize("name", sorted(PROFILES))
@settings(max_examples=150, deadline=None)
@given(parts=st.lists(st.sampled_from(PIECES), max_size=14))
def test_the_prefilter_finds_what_every_pattern_finds(name: str, parts: list[str]) -> None:
    speakers = speakers_of(name)
    text = " ".join(parts)
    filtered = list(misattributions(speakers, text))
    with pytest.MonkeyPatch.context() as patch:
        everything_runs(patch)
        full = list(misattributions(speakers, text))
    assert filtered == full


def test_a_group_raving_is_still_read() -> None:
    speakers = speakers_of("thriller")
    found = list(misattributions(speakers, "Readers are raving: “the best book of the decade”."))
    assert found, "a group credited with words no review says is a misattribution"


MARKS = "\"“”«»„‹›「」『』‘’‚' ab\n-(—"
QUOTY = st.lists(st.sampled_from(PIECES) | st.text(alphabet=MARKS, max_size=8), max_size=12).map(
    "".join
)


@settings(max_examples=600, deadline=None)
@given(text=QUOTY | st.text())
def test_quotations_are_found_where_finditer_finds_them(text: str) -> None:
    found = [(m.span(), m.groups()) for m in attributions.quotation_matches(text)]
    assert found == [(m.span(), m.groups()) for m in attributions.QUOTATION.finditer(text)]
    assert attributions.without_quotations(text) == attributions.QUOTATION.sub(" ", text)
