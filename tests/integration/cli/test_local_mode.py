"""`--local`: every client command on a SQLite database and the thread pool, no server."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from tests.integration.cli.conftest import Cli
from tests.integration.cli.conftest import assert_one_line_error


def this_monday() -> str:
    today = datetime.now(UTC).date()
    return (today - timedelta(days=today.weekday())).isoformat()


def pending_ids(cli: Cli) -> list[str]:
    body = json.loads(cli.ok("posts", "list", "--status", "pending_approval", "--json").stdout)
    return [post["id"] for post in body["posts"]]


def test_book_set_creates_then_updates_the_users_book(local: Cli, book_file: Path) -> None:
    created = local.ok("book", "set", "--file", str(book_file))
    assert "Created book" in created.stderr and "for alice" in created.stderr
    assert "The Lighthouse Keeper" in created.stdout

    fields = yaml.safe_load(book_file.read_text())
    book_file.write_text(yaml.safe_dump({**fields, "title": "The Second Light"}))
    updated = local.ok("book", "set", "--file", str(book_file))
    assert "Updated book" in updated.stderr

    shown = json.loads(local.ok("book", "show", "--json").stdout)
    assert shown["count"] == 1
    book = shown["books"][0]
    assert (book["title"], book["user_id"]) == ("The Second Light", "alice")
    assert book["hashtags"] == ["#BookTok", "#LiteraryFiction"]
    human = local.ok("book", "show").stdout
    assert "The Second Light" in human and "Europe/Berlin" in human


def test_a_json_book_file_works_too(local: Cli, tmp_path: Path, book_payload: Any) -> None:
    path = tmp_path / "book.json"
    path.write_text(json.dumps({**book_payload, "user_id": "bob"}))
    result = local.ok("book", "set", "--file", str(path), BOOKAGENT_USER="")
    assert "for bob" in result.stderr


def test_book_show_without_a_book_says_how_to_create_one(local: Cli) -> None:
    assert_one_line_error(local("book", "show"), "User alice has no book yet", "book set --file")


def test_a_bad_book_file_names_the_field(local: Cli, book_file: Path, tmp_path: Path) -> None:
    fields = yaml.safe_load(book_file.read_text())
    del fields["title"]
    fields["links"] = {"amazon": "not a url"}
    book_file.write_text(yaml.safe_dump(fields))
    line = assert_one_line_error(local("book", "set", "--file", str(book_file)), "book.yaml")
    assert "title: Field required" in line and "links.amazon:" in line

    broken = tmp_path / "broken.yaml"
    broken.write_text("title: The Lighthouse Keeper\nkey_themes: [grief, the sea\n")
    assert_one_line_error(local("book", "set", "--file", str(broken)), "not valid YAML", "line")

    listed = tmp_path / "list.yaml"
    listed.write_text("- title\n- author\n")
    assert_one_line_error(local("book", "set", "--file", str(listed)), "expected a mapping")


def test_generate_a_small_batch_prints_the_posts_at_once(local: Cli, book_file: Path) -> None:
    local.ok("book", "set", "--file", str(book_file))
    result = local.ok("generate", "--platform", "twitter", "--platform", "mastodon", "--count", "2")
    assert "4 post(s) generated, 0 rejected." in result.stdout
    assert "pending_approval" in result.stdout
    assert len(pending_ids(local)) == 4


def test_generate_wait_follows_the_progress_to_the_total(local: Cli, book_file: Path) -> None:
    local.ok("book", "set", "--file", str(book_file))
    result = local.ok(
        "generate", "--platform", "twitter", "--platform", "instagram", "--count", "3", "--wait"
    )
    assert "Generating posts" in result.stderr and "6/6" in result.stderr
    assert "6 post(s) generated" in result.stdout
    as_json = json.loads(local.ok("generate", "--count", "1", "--wait", "--json").stdout)
    assert as_json["status"] == "SUCCESS"
    assert as_json["result"]["count"] == 2
    assert as_json["progress"]["percent"] == 100.0


def test_a_queued_batch_is_waited_for_in_local_mode(local: Cli, book_file: Path) -> None:
    local.ok("book", "set", "--file", str(book_file))
    result = local.ok("generate", "--platform", "twitter", "--count", "6", "--type", "fun_fact")
    assert "the task runs in this process" in result.stderr
    assert "6/6" in result.stderr
    assert "6 post(s) generated" in result.stdout
    posts = json.loads(local.ok("posts", "list", "--json").stdout)["posts"]
    assert {p["post_type"] for p in posts} == {"fun_fact"}


def test_approve_and_reject_pending_posts(local: Cli, book_file: Path) -> None:
    local.ok("book", "set", "--file", str(book_file))
    local.ok("generate", "--platform", "twitter", "--count", "3")
    first, second, third = pending_ids(local)

    approved = local.ok("posts", "approve", first)
    assert f"Approved post {first} (twitter); scheduled for" in approved.stdout
    at = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    body = json.loads(local.ok("posts", "approve", second, "--at", at.isoformat(), "--json").stdout)
    assert body["status"] == "approved_and_scheduled"
    assert datetime.fromisoformat(body["scheduled_time"]) == at
    rejected = local.ok("posts", "reject", third, "--reason", "too salesy")
    assert f"Rejected post {third} (twitter): too salesy." in rejected.stdout

    assert pending_ids(local) == []
    scheduled = json.loads(local.ok("posts", "list", "--status", "scheduled", "--json").stdout)
    assert {p["id"] for p in scheduled["posts"]} == {first, second}
    assert_one_line_error(local("posts", "approve", first), "only a pending post can be approved")
    assert_one_line_error(local("posts", "reject", third), f"Post {third} is rejected")


def test_unknown_post_id_is_one_line(local: Cli, book_file: Path) -> None:
    assert_one_line_error(
        local("posts", "approve", "no-such-post"), "No post with id no-such-post."
    )
    assert_one_line_error(local("posts", "reject", "no-such-post"), "No post with id no-such-post.")


def test_tasks_list_show_and_stats(local: Cli, book_file: Path) -> None:
    local.ok("book", "set", "--file", str(book_file))
    done = json.loads(local.ok("generate", "--count", "1", "--wait", "--json").stdout)
    task_id = done["task_id"]

    assert "0 active task(s)." in local.ok("tasks", "list").stdout
    shown = local.ok("tasks", "show", task_id).stdout
    assert "SUCCESS" in shown and "2 post(s), 0 rejected" in shown
    stats = json.loads(local.ok("tasks", "stats", "--json").stdout)
    assert stats["backend"] == "thread_pool"
    assert stats["tasks"]["by_name"]["bookagent.generate_posts"]["succeeded"] == 1
    assert "generate_posts" in local.ok("tasks", "stats").stdout
    assert_one_line_error(local("tasks", "revoke", task_id), "has already finished (SUCCESS)")
    assert_one_line_error(local("tasks", "show", "nope"), "No task with id nope.")


def test_autonomous_start_status_stop(local: Cli, book_file: Path) -> None:
    local.ok("book", "set", "--file", str(book_file))
    assert "started." in local.ok("autonomous", "start").stdout
    assert "was already running." in local.ok("autonomous", "start").stdout
    status = json.loads(local.ok("autonomous", "status", "--json").stdout)["autonomous_status"]
    assert status["running"] is True and status["next_daily_run_at"]
    assert "stopped." in local.ok("autonomous", "stop").stdout
    assert "running             no" in local.ok("autonomous", "status").stdout


def test_report_weekly_writes_the_html_into_the_data_dir(
    local: Cli, book_file: Path, local_env: dict[str, str]
) -> None:
    local.ok("book", "set", "--file", str(book_file))
    local.ok("generate", "--platform", "twitter", "--count", "2")
    result = local.ok("report", "weekly", "--week", this_monday())
    assert "Writing the weekly report" in result.stderr and "2/2" in result.stderr
    assert "Weekly report for The Lighthouse Keeper" in result.stdout
    assert "twitter" in result.stdout
    html = Path(result.stdout.split("HTML report: ")[1].strip())
    assert html.parent == (Path(local_env["BOOKAGENT_DATA_DIR"]) / "reports").resolve()
    assert "<html" in html.read_text().lower()
    assert_one_line_error(
        local("report", "weekly", "--week", "2026-11-24"), "week_start: must be a Monday"
    )


def test_without_a_user_local_mode_asks_for_one(local: Cli, book_file: Path) -> None:
    local.ok("book", "set", "--file", str(book_file))
    result = local("autonomous", "status", BOOKAGENT_USER="")
    assert_one_line_error(result, "user_id: is required (pass --user or set BOOKAGENT_USER)")
    assert "running" in local.ok("--user", "alice", "autonomous", "status").stdout
