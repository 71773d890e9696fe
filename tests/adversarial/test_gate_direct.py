"""The adversarial corpus through `check_draft` itself: the issue's figures for the gate alone.

Every case runs with the arguments it needs (`recent`, `elsewhere`, `cross_posted`,
`scheduled_on`, and `today` for the launch phase). A case needing an argument `check_draft`
does not take fails as an error that names it, rather than running without it.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from bookagent.domain.validation import check_draft
from bookagent.platforms import get_rules
from tests.adversarial.cases import Case
from tests.adversarial.corpus import CORPUS
from tests.adversarial.verdicts import Figures
from tests.adversarial.verdicts import Verdict
from tests.adversarial.verdicts import report

_PARAMETERS = frozenset(inspect.signature(check_draft).parameters)


def gate_arguments(case: Case) -> tuple[dict[str, Any], list[str]]:
    """The keyword arguments `case` needs, and those of them `check_draft` does not take."""
    wanted: dict[str, Any] = {"recent": case.recent}
    needed: set[str] = set()
    wanted["today"] = case.day
    if case.book.rules.required_words:
        needed.add("today")  # the phase decides which words are required
    if case.scheduled_on is not None:
        wanted["scheduled_on"] = case.scheduled_on
        needed.add("scheduled_on")
    if case.elsewhere or case.cross_posted:
        wanted["elsewhere"] = case.elsewhere
        wanted["cross_posted"] = case.cross_posted
        needed |= {"elsewhere", "cross_posted"}
    missing = sorted(n for n in needed if n not in _PARAMETERS)
    return {k: v for k, v in wanted.items() if k in _PARAMETERS}, missing


def judge(case: Case) -> Verdict:
    """Run `case` through the gate."""
    kwargs, missing = gate_arguments(case)
    if missing:
        return Verdict(
            case, passed=False, error=f"check_draft takes no {', '.join(missing)} argument"
        )
    result = check_draft(case.book, get_rules(case.platform), case.text, **kwargs)
    return Verdict(case, result.ok, result.codes, tuple(v.message for v in result.violations))


def test_gate_stops_invented_claims_and_passes_legitimate_drafts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    verdicts = [judge(case) for case in CORPUS]
    figures = Figures.of(verdicts)
    with capsys.disabled():
        print("\n" + report("adversarial corpus, check_draft directly", verdicts))
    assert not figures.problems(), "; ".join(figures.problems())
