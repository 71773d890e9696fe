"""The corpus itself: big enough, uniquely named, and each bad draft wrong in one way only.

These checks need no gate: they keep the labels honest (a bad draft must not also break a
platform limit or an author rule outside its category, a legitimate one must respect them all).
"""

from __future__ import annotations

import regex  # type: ignore[import-untyped]  # no stubs, as in bookagent.platforms

from bookagent.domain.profile import launch_phase
from bookagent.platforms import count_bytes
from bookagent.platforms import extract_hashtags
from bookagent.platforms import extract_urls
from bookagent.platforms import get_rules
from bookagent.platforms import measure
from tests.adversarial.cases import EXPECTED_CODES
from tests.adversarial.cases import Case
from tests.adversarial.corpus import BAD
from tests.adversarial.corpus import CORPUS
from tests.adversarial.corpus import LEGIT

_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}]")
_KNOWN_CODES = frozenset(code for codes in EXPECTED_CODES.values() for code in codes)


def test_the_corpus_has_150_bad_and_150_legitimate_drafts() -> None:
    assert len(BAD) >= 150
    assert len(LEGIT) >= 150
    assert len({c.id for c in CORPUS}) == len(CORPUS)


def test_every_bad_draft_expects_known_codes() -> None:
    unknown = {c.id: c.expect for c in BAD if not set(c.expect) <= _KNOWN_CODES}
    assert not unknown


def test_every_draft_respects_its_platform() -> None:
    problems = [f"{c.id}: {p}" for c in CORPUS for p in _platform_problems(c)]
    assert not problems


def test_limit_drafts_end_exactly_at_the_limit() -> None:
    for case in (c for c in CORPUS if c.category == "limit"):
        rules = get_rules(case.platform)
        assert measure(case.platform, case.text, rules) == rules.max_length, case.id


def test_drafts_break_no_author_rule_outside_their_category() -> None:
    problems = [f"{c.id}: {p}" for c in CORPUS for p in _rule_problems(c)]
    assert not problems


def _platform_problems(case: Case) -> list[str]:
    rules = get_rules(case.platform)
    found = []
    length = measure(case.platform, case.text, rules)
    if length > rules.max_length:
        found.append(f"{length} {rules.unit} > {rules.max_length}")
    tags = len(extract_hashtags(case.text))
    if not rules.hashtags_min <= tags <= rules.hashtags_max:
        found.append(f"{tags} hashtags")
    if rules.max_bytes is not None and count_bytes(case.text) > rules.max_bytes:
        found.append("too many bytes")
    links = len(extract_urls(case.text, bare_domains=True))
    if rules.max_links is not None and links > rules.max_links:
        found.append(f"{links} links")
    return found


def _rule_problems(case: Case) -> list[str]:
    """The author rules `case` breaks that its expected codes do not account for."""
    book, text, expected = case.book, case.text, set(case.expect)
    rules, found = book.rules, []
    folded = text.casefold()
    if rules.no_emoji and "emoji" not in expected and _EMOJI.search(text):
        found.append("emoji")
    if rules.no_exclamation and "exclamation" not in expected and ("!" in text or "！" in text):
        found.append("exclamation")
    if "banned_phrase" not in expected:
        found += [p for p in rules.banned_phrases if p.casefold() in folded]
    if "banned_comparison" not in expected:
        found += [p for p in rules.banned_comparisons if p.casefold() in folded]
    if "spoiler" not in expected:
        found += [p for p in rules.spoilers if p.casefold() in folded]
    phase = launch_phase(book.launch_date, case.scheduled_on or case.day)
    required = rules.required_words.get(phase, ())
    if (
        required
        and "missing_required_word" not in expected
        and not any(w.casefold() in folded for w in required)
    ):
        found.append(f"no required word for {phase}")
    return found
