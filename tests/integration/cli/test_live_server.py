"""The client commands against a live `bookagent serve` (gunicorn, thread pool, SQLite)."""

from __future__ import annotations

import json
import signal
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from tests.integration.cli.conftest import Cli
from tests.integration.cli.conftest import assert_one_line_error
from tests.integration.cli.conftest import recording_browser
from tests.integration.cli.test_local_mode import this_monday
from tests.support.processes import BIN
from tests.support.processes import base_env


@pytest.fixture
def author(live_server: str, book_file: Path) -> Cli:
    """A fresh user with a book on the live server; the CLI acts for them."""
    bookagent = Cli({"BOOKAGENT_URL": live_server, "BOOKAGENT_USER": f"u{uuid.uuid4().hex[:8]}"})
    bookagent.ok("book", "set", "--file", str(book_file))
    return bookagent


def pending_ids(bookagent: Cli) -> list[str]:
    body = json.loads(
        bookagent.ok("--json", "posts", "list", "--status", "pending_approval").stdout
    )
    return [post["id"] for post in body["posts"]]


def test_book_set_and_show(author: Cli, book_file: Path) -> None:
    shown = json.loads(author.ok("book", "show", "--json").stdout)["books"]
    assert len(shown) == 1 and shown[0]["title"] == "The Lighthouse Keeper"
    book_file.write_text(book_file.read_text().replace("warm, wry", "dry, tender"))
    updated = author.ok("book", "set", "--file", str(book_file))
    assert f"Updated book {shown[0]['id']}" in updated.stderr
    assert "dry, tender" in author.ok("book", "show").stdout
    by_id = json.loads(author.ok("book", "show", "--book", shown[0]["id"], "--json").stdout)
    assert by_id["book"]["tone"] == "dry, tender"


def test_generate_wait_shows_progress_to_the_total_then_the_posts(author: Cli) -> None:
    result = author.ok(
        "generate", "--platform", "twitter", "--platform", "instagram", "--count", "6", "--wait"
    )
    assert "Generating posts" in result.stderr
    assert "12/12" in result.stderr
    assert "12 post(s) generated, 0 rejected." in result.stdout
    assert result.stdout.count("pending_approval") == 12
    assert len(pending_ids(author)) == 12


def test_generate_without_wait(author: Cli) -> None:
    small = author.ok("generate", "--platform", "mastodon", "--count", "2")
    assert "2 post(s) generated" in small.stdout
    queued = author.ok("generate", "--platform", "twitter", "--count", "8")
    task_id = queued.stdout.strip()
    assert len(task_id) == 32 and f"bookagent tasks show {task_id} --wait" in queued.stderr
    followed = author.ok("tasks", "show", task_id, "--wait")
    assert "8/8" in followed.stderr
    assert "SUCCESS" in followed.stdout and "8 post(s), 0 rejected" in followed.stdout


def test_posts_list_approve_reject(author: Cli) -> None:
    author.ok("generate", "--platform", "twitter", "--count", "3")
    first, second, third = pending_ids(author)
    listed = author.ok("posts", "list", "--platform", "twitter")
    assert all(post_id in listed.stdout for post_id in (first, second, third))
    assert "3 post(s)." in listed.stdout

    assert f"Approved post {first}" in author.ok("posts", "approve", first).stdout
    assert "too long" in author.ok("posts", "reject", second, "--reason", "too long").stdout
    assert_one_line_error(author("posts", "approve", second), f"Post {second} is rejected")
    assert_one_line_error(author("posts", "approve", "nope"), "No post with id nope.")
    assert pending_ids(author) == [third]


def test_tasks_stats_and_list(author: Cli) -> None:
    author.ok("generate", "--count", "1", "--wait")
    stats = json.loads(author.ok("tasks", "stats", "--json").stdout)
    assert stats["backend"] == "thread_pool"
    assert stats["tasks"]["by_name"]["bookagent.generate_posts"]["succeeded"] >= 1
    human = author.ok("tasks", "stats").stdout
    assert "thread_pool" in human and "generate_posts" in human
    assert "active task(s)." in author.ok("tasks", "list").stdout


def test_autonomous_start_status_stop(author: Cli) -> None:
    assert "started." in author.ok("autonomous", "start").stdout
    status = json.loads(author.ok("autonomous", "status", "--json").stdout)["autonomous_status"]
    assert status["running"] is True
    assert status["scheduler"]["backend"] == "thread_pool"
    assert "Autonomous agent" in author.ok("autonomous", "status").stdout
    assert "stopped." in author.ok("autonomous", "stop").stdout
    assert "was not running." in author.ok("autonomous", "stop").stdout


def test_report_weekly_prints_the_summary_and_the_url(author: Cli, live_server: str) -> None:
    author.ok("generate", "--platform", "twitter", "--count", "2")
    result = author.ok("report", "weekly", "--week", this_monday())
    assert "2/2" in result.stderr
    assert "Weekly report for The Lighthouse Keeper" in result.stdout
    url = result.stdout.split("HTML report: ")[1].strip()
    assert url.startswith(f"{live_server}/api/reports/") and url.endswith(".html")
    page = httpx.get(url)
    assert page.status_code == 200 and "The Lighthouse Keeper" in page.text


def test_report_weekly_open_hands_the_url_to_the_browser(
    author: Cli, live_server: str, tmp_path: Path
) -> None:
    opened = tmp_path / "opened.txt"
    browser = recording_browser(opened)
    env = base_env(tmp_path, BOOKAGENT_URL=live_server, BOOKAGENT_USER=author.env["BOOKAGENT_USER"])
    result = subprocess.run(
        [str(BIN / "bookagent"), "report", "weekly", "--open"],
        env={**env, "BROWSER": browser},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    location = result.stdout.split("HTML report: ")[1].strip()
    assert opened.read_text() == location


def test_errors_from_the_server_are_one_line(author: Cli, live_server: str) -> None:
    assert_one_line_error(author("tasks", "show", "nope"), "No task with id nope.")
    assert_one_line_error(author("--book", "nope", "autonomous", "status"), "No book with id nope")
    result = author("generate", "--platform", "myspace")
    assert_one_line_error(result, "platforms")


def test_a_process_exits_with_one_line_when_the_server_is_gone(tmp_path: Path) -> None:
    env = base_env(tmp_path, BOOKAGENT_URL="http://127.0.0.1:1")
    result = subprocess.run(
        [str(BIN / "bookagent"), "tasks", "stats"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "Error: cannot reach http://127.0.0.1:1: is `bookagent serve` running?\n"
    )
    assert result.stdout == ""


def test_ctrl_c_while_waiting_exits_130(live_server: str, tmp_path: Path) -> None:
    queued = httpx.post(
        f"{live_server}/api/tasks/diagnostics", json={"steps": 200, "step_seconds": 0.1}
    ).json()
    task_id = queued["task_id"]
    env = base_env(tmp_path, BOOKAGENT_URL=live_server)
    proc = subprocess.Popen(
        [str(BIN / "bookagent"), "tasks", "show", task_id, "--wait"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        # The first line says the command is waiting: its Ctrl-C handling is in place.
        assert f"Waiting for task {task_id}" in proc.stderr.readline()
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        httpx.post(f"{live_server}/api/tasks/revoke/{task_id}", json={"terminate": True})
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    assert stderr.rstrip().endswith("Interrupted.")
    assert f"bookagent tasks show {task_id} --wait" in stderr


@pytest.mark.parametrize(
    "args",
    [
        ("generate", "--platform", "myspace"),
        ("posts", "list", "--platform", "myspace"),
        ("report", "weekly", "--week", "2026-11-24"),
    ],
)
def test_a_route_error_reads_the_same_in_local_mode(
    author: Cli, local: Cli, book_file: Path, args: tuple[str, ...]
) -> None:
    # Local mode runs the same routes in process: the same 422, naming the same field.
    local.ok("book", "set", "--file", str(book_file))
    over_http = assert_one_line_error(author(*args))
    in_process = assert_one_line_error(local(*args))
    assert in_process == over_http
    assert over_http.startswith("Error: Invalid input: ")
