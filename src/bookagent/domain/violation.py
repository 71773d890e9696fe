"""What the gate answers: a violation (a code and a sentence for people), and a draft's report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Violation:
    """One reason a draft may not be stored: a stable `code` and a sentence for people."""

    code: str
    message: str


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of `check_draft`; `to_dict()` is stored with the draft as provenance."""

    ok: bool
    measured_length: int
    limit: int
    violations: tuple[Violation, ...] = ()
    unit: str = ""
    measured_bytes: int | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        """The violation codes, in the order they were found."""
        return tuple(v.code for v in self.violations)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the report."""
        return {
            "ok": self.ok,
            "measured_length": self.measured_length,
            "limit": self.limit,
            "unit": self.unit,
            "measured_bytes": self.measured_bytes,
            "violations": [{"code": v.code, "message": v.message} for v in self.violations],
        }
