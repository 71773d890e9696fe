"""What the gate did with each case, the figures the issue asks for, and the printed report.

Both runs (the gate called directly, and generation end to end) reduce to one `Verdict` per case;
`Figures` counts them and `report` prints a table per category plus every failing case with the
codes the gate reported, which is the list the gate's owner works from.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tests.adversarial.cases import Case

#: The share of legitimate drafts the gate may reject (the issue's target).
MAX_LEGIT_REJECTED = 0.02

Outcome = Literal["ok", "bad_passed", "wrong_reason", "legit_rejected", "error", "skipped"]


@dataclass(frozen=True)
class Verdict:
    """The gate's answer to one case: passed or not, with the codes and messages it gave.

    `error` says why the case could not be run as written (a missing `check_draft` argument);
    `skipped` why a run leaves it out on purpose.
    """

    case: Case
    passed: bool
    codes: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    error: str = ""
    skipped: str = ""

    @property
    def outcome(self) -> Outcome:
        """How the verdict compares with the case's label."""
        if self.skipped:
            return "skipped"
        if self.error:
            return "error"
        if self.case.is_bad:
            if self.passed:
                return "bad_passed"
            if self.codes and not set(self.codes) & set(self.case.expect):
                return "wrong_reason"
            return "ok"
        return "legit_rejected" if not self.passed else "ok"


@dataclass(frozen=True)
class Figures:
    """The counts the issue asks for, over the asserted (not debatable, not skipped) cases."""

    bad: int
    bad_passed: int
    wrong_reason: int
    invented: int
    invented_passed: int
    legit: int
    legit_rejected: int
    errors: int
    skipped: int

    @classmethod
    def of(cls, verdicts: Iterable[Verdict]) -> Figures:
        """Count `verdicts`, leaving out the debatable cases."""
        asserted = [v for v in verdicts if not v.case.debatable]
        run = [v for v in asserted if v.outcome != "skipped"]
        bad = [v for v in run if v.case.is_bad]
        invented = [v for v in bad if v.case.is_invented_claim]
        legit = [v for v in run if not v.case.is_bad]
        return cls(
            bad=len(bad),
            bad_passed=sum(v.outcome == "bad_passed" for v in bad),
            wrong_reason=sum(v.outcome == "wrong_reason" for v in bad),
            invented=len(invented),
            invented_passed=sum(v.outcome == "bad_passed" for v in invented),
            legit=len(legit),
            legit_rejected=sum(v.outcome == "legit_rejected" for v in legit),
            errors=sum(v.outcome == "error" for v in run),
            skipped=len(asserted) - len(run),
        )

    @property
    def legit_rejected_rate(self) -> float:
        """The share of legitimate drafts rejected."""
        return self.legit_rejected / self.legit if self.legit else 0.0

    def problems(self) -> list[str]:
        """What misses the issue's targets, one sentence each; empty when all are met."""
        found = []
        if self.errors:
            found.append(f"{self.errors} cases could not be run (see 'error' above)")
        if self.bad_passed:
            found.append(f"{self.bad_passed} of {self.bad} bad drafts passed")
        if self.wrong_reason:
            found.append(f"{self.wrong_reason} bad drafts were stopped for the wrong reason")
        if self.legit_rejected_rate > MAX_LEGIT_REJECTED:
            found.append(
                f"{self.legit_rejected} of {self.legit} legitimate drafts rejected "
                f"({self.legit_rejected_rate:.1%} > {MAX_LEGIT_REJECTED:.0%})"
            )
        return found


def report(title: str, verdicts: Sequence[Verdict], *, stored_word: str = "passed") -> str:
    """A table per category and the failing cases, as text to print."""
    figures = Figures.of(verdicts)
    lines = [f"== {title} ==", ""]
    lines.append(
        f"{'category':<18} {'bad stopped':>12} {'legit ' + stored_word:>14} {'skipped':>8}"
    )
    categories = dict.fromkeys(v.case.category for v in verdicts)
    for category in categories:
        rows = [v for v in verdicts if v.case.category == category and not v.case.debatable]
        run = [v for v in rows if v.outcome != "skipped"]
        bad = [v for v in run if v.case.is_bad]
        legit = [v for v in run if not v.case.is_bad]
        stopped = sum(v.outcome in ("ok", "wrong_reason") for v in bad)
        kept = sum(v.outcome == "ok" for v in legit)
        lines.append(
            f"{category:<18} {_ratio(stopped, len(bad)):>12} {_ratio(kept, len(legit)):>14} "
            f"{len(rows) - len(run) or '':>8}"
        )
    lines += [
        "",
        f"invented claims {stored_word}: {figures.invented_passed} of {figures.invented}",
        f"bad drafts {stored_word} (all categories): {figures.bad_passed} of {figures.bad}",
        f"bad drafts stopped for the wrong reason: {figures.wrong_reason}",
        f"legitimate drafts rejected: {figures.legit_rejected} of {figures.legit} "
        f"({figures.legit_rejected_rate:.1%}; target <= {MAX_LEGIT_REJECTED:.0%})",
        f"cases not run: {figures.errors} errors, {figures.skipped} skipped",
    ]
    sections: list[tuple[str, list[Verdict]]] = [
        (f"bad drafts {stored_word}", _with(verdicts, "bad_passed")),
        ("bad drafts stopped for the wrong reason", _with(verdicts, "wrong_reason")),
        ("legitimate drafts rejected", _with(verdicts, "legit_rejected")),
        ("cases that could not be run", _with(verdicts, "error")),
    ]
    for heading, failing in sections:
        if failing:
            lines += ["", f"-- {heading} ({len(failing)}) --"]
            lines += [_line(v) for v in failing]
    debatable = [v for v in verdicts if v.case.debatable and v.outcome != "skipped"]
    if debatable:
        lines += ["", f"-- debatable cases, not asserted ({len(debatable)}) --"]
        for v in debatable:
            lean = "stop" if v.case.is_bad else "pass"
            got = "passed" if v.passed else f"stopped {list(v.codes)}"
            lines.append(f"{v.case.id}: we lean '{lean}', gate {got}; {v.case.debatable}")
            lines.append(f"    {v.case.text!r}")
    skipped = [v for v in verdicts if v.outcome == "skipped"]
    if skipped:
        reasons: dict[str, int] = {}
        for v in skipped:
            reasons[v.skipped] = reasons.get(v.skipped, 0) + 1
        lines += ["", "-- skipped --"]
        lines += [f"{count:4d} {reason}" for reason, count in reasons.items()]
    return "\n".join(lines)


def _with(verdicts: Sequence[Verdict], outcome: Outcome) -> list[Verdict]:
    return [v for v in verdicts if v.outcome == outcome and not v.case.debatable]


def _line(v: Verdict) -> str:
    case = v.case
    extra = []
    if case.is_bad:
        extra.append(f"expected one of {list(case.expect)}")
    if v.error:
        extra.append(v.error)
    elif not v.passed:
        extra.append(f"reported {list(v.codes)}")
        extra += [f"  {m}" for m in v.messages[:3]]
    if case.note:
        extra.append(f"note: {case.note}")
    head = f"{case.id} [{case.profile}/{case.platform}]"
    return "\n    ".join([f"{head} {case.text!r}", *extra])


def _ratio(part: int, whole: int) -> str:
    return f"{part}/{whole}" if whole else "-"
