"""Fixtures for the CLI tests: a CliRunner, the local-mode environment, a book file, and a live
`bookagent serve` on a free port."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from click.testing import Result

from bookagent.cli import cli
from tests.support.processes import BIN
from tests.support.processes import base_env
from tests.support.processes import running
from tests.support.processes import wait_for_http
from tests.support.services import free_port

#: Variables a developer's shell may hold that would change what the CLI talks to.
CLEARED_ENV = (
    "BOOKAGENT_URL",
    "BOOKAGENT_TOKEN",
    "BOOKAGENT_USER",
    "BOOKAGENT_BOOK",
    "BOOKAGENT_DATA_DIR",
    "BOOKAGENT_ADMIN_TOKEN",
    "DATABASE_URL",
    "TASK_BACKEND",
    "CELERY_BROKER_URL",
)


class Cli:
    """Runs `bookagent` in-process with a fixed environment (CliRunner keeps stderr apart)."""

    def __init__(self, env: dict[str, str], prefix: tuple[str, ...] = ()) -> None:
        self.env = env
        self.prefix = prefix
        self.runner = CliRunner()

    def __call__(self, *args: str, **env: str) -> Result:
        merged: dict[str, str | None] = dict.fromkeys(CLEARED_ENV)
        merged.update({"COLUMNS": "120", **self.env, **env})
        return self.runner.invoke(cli, [*self.prefix, *args], env=merged, catch_exceptions=False)

    def ok(self, *args: str, **env: str) -> Result:
        """Run and require exit status 0."""
        result = self(*args, **env)
        assert result.exit_code == 0, f"{args}: {result.output}"
        return result


def assert_one_line_error(result: Result, *fragments: str) -> str:
    """Exit 1 with a single `Error: ...` line on stderr and no traceback; returns the line."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def recording_browser(record: Path) -> str:
    """A `BROWSER` command for `webbrowser`: a tiny program that writes the URL it is given."""
    program = f"import sys; open({str(record)!r}, 'w').write(sys.argv[1])"
    return f'{sys.executable} -c "{program}" %s'


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Local mode configures logging for its process; give the next test the logging it had."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def book_file(tmp_path: Path, book_payload: dict[str, Any]) -> Path:
    """The test book as a YAML file (without `user_id`: the CLI's --user names the owner)."""
    path = tmp_path / "book.yaml"
    fields = {k: v for k, v in book_payload.items() if k != "user_id"}
    path.write_text(yaml.safe_dump(fields, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def local_env(tmp_path: Path, sqlite_url: str) -> dict[str, str]:
    """Local mode on this test's SQLite database and the thread pool, acting for alice."""
    return {
        "BOOKAGENT_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": sqlite_url,
        "TASK_BACKEND": "thread",
        "BOOKAGENT_USER": "alice",
    }


@pytest.fixture
def local(local_env: dict[str, str]) -> Cli:
    """`bookagent --local ...` on the test's own database (and no server to fall back on)."""
    return Cli({**local_env, "BOOKAGENT_URL": "http://127.0.0.1:1"}, prefix=("--local",))


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `bookagent serve` (gunicorn, thread-pool backend, SQLite) on a free port."""
    data = tmp_path_factory.mktemp("live")
    port = free_port()
    env = base_env(data, TASK_BACKEND="thread", PORT=str(port))
    with running([str(BIN / "bookagent"), "serve"], env, data / "serve.log") as proc:
        wait_for_http(f"http://127.0.0.1:{port}/api/health", proc=proc)
        yield f"http://127.0.0.1:{port}"
