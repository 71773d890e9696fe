"""Diagnostics: a task of N steps that reports progress after each, to check a deployment."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from bookagent.tasks.context import TaskContext


class DiagnosticsFailure(Exception):
    """Raised on purpose at the end of a diagnostics run with `fail=true`."""


def run_diagnostics(
    ctx: TaskContext, *, steps: int = 5, step_seconds: float = 0.5, fail: bool = False
) -> dict[str, Any]:
    """Sleep `steps` times, reporting progress after each; raise at the end when `fail`."""
    for step in range(1, steps + 1):
        ctx.token.sleep(step_seconds)
        ctx.progress(step, steps, f"step {step} of {steps}")
    if fail:
        raise DiagnosticsFailure(f"diagnostics failed on purpose after {steps} steps")
    return {"steps": steps, "step_seconds": step_seconds, "attempt": ctx.attempt}


def run_noop(ctx: TaskContext) -> dict[str, Any]:
    """Do nothing; the benchmark's submit-to-SUCCESS latency probe."""
    return {}
