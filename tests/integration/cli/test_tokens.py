"""The client commands against a live server that requires tokens."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.cli.conftest import Cli
from tests.integration.cli.conftest import assert_one_line_error
from tests.integration.cli.conftest import recording_browser
from tests.support.processes import BIN
from tests.support.processes import base_env
from tests.support.processes import running
from tests.support.processes import wait_for_http
from tests.support.services import free_port


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A live server with one user token (for alice); yields its URL and the token."""
    data = tmp_path_factory.mktemp("secured")
    port = free_port()
    env = base_env(data, TASK_BACKEND="thread", PORT=str(port))
    created = subprocess.run(
        [str(BIN / "bookagent"), "tokens", "create", "--user", "alice"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    token = created.stdout.strip()
    with running([str(BIN / "bookagent"), "serve"], env, data / "serve.log") as proc:
        wait_for_http(f"http://127.0.0.1:{port}/api/health", proc=proc)
        yield f"http://127.0.0.1:{port}", token


def test_without_a_token_the_error_says_how_to_give_one(secured: tuple[str, str]) -> None:
    url, _ = secured
    result = Cli({"BOOKAGENT_URL": url})("posts", "list")
    assert_one_line_error(result, "A bearer token is required", "BOOKAGENT_TOKEN")


def test_a_user_token_names_the_user(secured: tuple[str, str], book_file: Path) -> None:
    url, token = secured
    alice = Cli({"BOOKAGENT_URL": url, "BOOKAGENT_TOKEN": token})
    created = alice.ok("book", "set", "--file", str(book_file))
    assert "for alice" in created.stderr
    assert (
        "3 post(s) generated"
        in alice.ok("generate", "--platform", "bluesky", "--count", "3").stdout
    )
    assert_one_line_error(alice("--user", "mallory", "posts", "list"), "does not belong")
    wrong = Cli({"BOOKAGENT_URL": url})("--token", "x" * 43, "tasks", "stats")
    assert_one_line_error(wrong, "The bearer token is not valid.")


def test_open_gives_the_browser_a_saved_copy(
    secured: tuple[str, str], book_file: Path, tmp_path: Path
) -> None:
    url, token = secured
    Cli({"BOOKAGENT_URL": url, "BOOKAGENT_TOKEN": token}).ok(
        "book", "set", "--file", str(book_file)
    )
    opened = tmp_path / "opened.txt"
    browser = recording_browser(opened)
    env = base_env(tmp_path, BOOKAGENT_URL=url, BOOKAGENT_TOKEN=token, BROWSER=browser)
    result = subprocess.run(
        [str(BIN / "bookagent"), "report", "weekly", "--open"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    target = opened.read_text()
    # The browser cannot send the token: it gets a copy of the page, not the API URL.
    assert target.startswith("file://") and target.endswith(".html")
    assert "The Lighthouse Keeper" in Path(target.removeprefix("file://")).read_text()
