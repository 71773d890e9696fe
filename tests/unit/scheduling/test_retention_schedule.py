"""The prune is a registered task, and Celery beat sends it once a day."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bookagent.queue import worker
from bookagent.queue.celery_app import beat_schedule
from bookagent.queue.celery_app import celery_config
from bookagent.settings import Settings
from bookagent.tasks.registry import TASKS
from bookagent.tasks.retention import PRUNE_TASK
from bookagent.tasks.retention import prune_old_rows


def test_the_prune_is_registered() -> None:
    spec = TASKS.get("bookagent.prune_old_rows")
    assert spec.name == PRUNE_TASK
    assert spec.fn is prune_old_rows
    # Sent by beat (the worker records its row) and safe to repeat.
    assert spec.periodic and spec.idempotent


def test_the_retention_defaults() -> None:
    retention = Settings().retention
    assert (retention.task_rows_days, retention.daily_runs_days) == (30, 90)
    assert retention.scheduler_outages_days == 90
    assert retention.interval_s == 86400
    assert retention.batch_size == 5000


def test_beat_schedules_the_tick_and_the_daily_prune() -> None:
    settings = Settings(retention={"interval_s": 3600})
    schedule = beat_schedule(settings)
    assert schedule["prune-old-rows"] == {"task": PRUNE_TASK, "schedule": 3600}
    assert schedule["scheduler-tick"]["task"] == "bookagent.tick_scheduler"
    assert celery_config(settings)["beat_schedule"] == schedule
    # Every scheduled name is a registered task.
    assert all(entry["task"] in TASKS for entry in schedule.values())


def test_run_beat_runs_with_that_schedule(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ran: dict[str, Any] = {}

    class FakeBeat:
        def __init__(self, **options: Any) -> None:
            ran["options"] = options

        def run(self) -> None:
            ran["schedule"] = app.conf.beat_schedule

    app = SimpleNamespace(conf=SimpleNamespace(beat_schedule={}), Beat=FakeBeat)
    lock = SimpleNamespace(release=lambda: None)
    monkeypatch.setattr(worker, "acquire_beat_lock", lambda settings: lock)
    monkeypatch.setattr(worker, "keep_beat_lock", lambda lock, stop: None)
    monkeypatch.setattr(worker, "configure_logging", lambda level: None)
    settings = Settings(data_dir=tmp_path)
    worker.run_beat(settings, lambda _: app, loglevel="info")  # type: ignore[arg-type,return-value]
    assert ran["schedule"]["prune-old-rows"] == {"task": PRUNE_TASK, "schedule": 86400.0}
    assert ran["schedule"]["scheduler-tick"]["task"] == "bookagent.tick_scheduler"
