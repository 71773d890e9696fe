"""`bookagent doctor`: a verdict per item, and a non-zero exit when something fails."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bookagent.db import migrate
from tests.support.processes import BIN
from tests.support.processes import base_env
from tests.support.services import free_port


def doctor(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "bookagent"), "doctor"], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_healthy_embedded_setup_passes(tmp_path: Path) -> None:
    migrate.upgrade(f"sqlite:///{tmp_path / 'bookagent.db'}")
    result = doctor(base_env(tmp_path, TASK_BACKEND="thread"))
    assert result.returncode == 0, result.stdout + result.stderr
    for item in ("configuration", "database", "broker", "workers", "scheduler", "publishers"):
        assert item in result.stdout
    assert f"schema at {migrate.HEAD_REVISION}" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_misspelt_variable_is_a_warning_that_names_the_setting(tmp_path: Path) -> None:
    migrate.upgrade(f"sqlite:///{tmp_path / 'bookagent.db'}")
    env = base_env(tmp_path, TASK_BACKEND="thread", BOOKAGENT_WRITERS__DEFUALT="openai")
    result = doctor(env)
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if "configuration" in line)
    assert "WARN" in line
    text = " ".join(result.stdout.replace("│", " ").split())  # the table's cells, unwrapped
    assert "BOOKAGENT_WRITERS__DEFUALT (did you mean BOOKAGENT_WRITERS__DEFAULT?)" in text


def test_missing_schema_and_broker_fail_with_one_line(tmp_path: Path) -> None:
    env = base_env(
        tmp_path, TASK_BACKEND="celery", CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0"
    )
    result = doctor(env)
    assert result.returncode == 1
    assert "run `bookagent db upgrade`" in result.stdout
    assert "unreachable" in result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ")
    assert "Traceback" not in result.stderr
