"""`run_task` when a queue's time-limit signal lands outside the task function.

Celery's soft time limit is a signal from the pool, timed from when the task started; the task's
own deadline (its cancellation token) is timed from its claim. The signal can therefore land
while `run_task` records the outcome the deadline already decided. These tests make it land
there, deterministically, by raising it from the store's recording call once.
"""

from __future__ import annotations

from typing import Any

import pytest

from bookagent.bootstrap import Services
from bookagent.domain.tasks import TaskContext
from bookagent.domain.tasks import TaskSpec
from bookagent.queue.execution import run_task
from bookagent.queue.records import TaskStore
from bookagent.queue.signals import TimeLimitExceeded


class SoftLimit(BaseException):
    """Stands in for Celery's `SoftTimeLimitExceeded` (a signal raised into the task)."""


def new_task(services: Services, task_id: str) -> None:
    TaskStore(services.db).create(
        task_id,
        "test.task",
        {},
        user_id=None,
        backend="celery",
        time_limit_s=1.5,
        idempotent=False,
    )


def signal_once(monkeypatch: pytest.MonkeyPatch, method: str) -> list[str]:
    """Make `TaskStore.<method>` raise `SoftLimit` on its first call, as the signal would."""
    real = getattr(TaskStore, method)
    calls: list[str] = []

    def interrupted(self: TaskStore, *args: Any, **kwargs: Any) -> Any:
        calls.append(method)
        if len(calls) == 1:
            raise SoftLimit
        return real(self, *args, **kwargs)

    monkeypatch.setattr(TaskStore, method, interrupted)
    return calls


def test_a_limit_landing_while_the_deadline_is_recorded_is_still_recorded(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def past_deadline(_ctx: TaskContext[Any]) -> dict[str, Any]:
        raise TimeLimitExceeded

    new_task(services, "late-signal")
    calls = signal_once(monkeypatch, "fail")
    spec = TaskSpec("test.task", past_deadline, idempotent=False)
    outcome = run_task(
        services, spec, "late-signal", {}, worker="w/1", time_limit_errors=(SoftLimit,)
    )
    row = TaskStore(services.db).get("late-signal")
    assert calls == ["fail", "fail"]
    assert (outcome.status, outcome.reason) == ("FAILURE", "TimeLimitExceeded")
    assert (row.status, row.error_type) == ("FAILURE", "TimeLimitExceeded")
    assert row.error_message == "The task exceeded its time limit of 1.5 s."


def test_a_limit_landing_while_success_is_recorded_ends_the_row(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_task(services, "edge")
    signal_once(monkeypatch, "succeed")
    spec = TaskSpec("test.task", lambda _ctx: {"done": True}, idempotent=False)
    outcome = run_task(services, spec, "edge", {}, worker="w/1", time_limit_errors=(SoftLimit,))
    row = TaskStore(services.db).get("edge")
    assert outcome.status == "FAILURE"
    assert (row.status, row.error_type) == ("FAILURE", "TimeLimitExceeded")


def test_without_time_limit_errors_a_signal_is_not_swallowed(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_task(services, "other")
    signal_once(monkeypatch, "succeed")
    spec = TaskSpec("test.task", lambda _ctx: {}, idempotent=False)
    with pytest.raises(SoftLimit):
        run_task(services, spec, "other", {}, worker="w/1")
