"""`bookagent metrics import|show` in local mode: the API's import run in process, every bad row
listed on stderr with its line, and a post's history as a table."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select

from bookagent.bootstrap import Services
from bookagent.db.models import MetricReading
from bookagent.db.models import Post
from tests.integration.cli.conftest import Cli
from tests.integration.cli.conftest import assert_one_line_error
from tests.support.factories import seed_due_posts

HEADER = "post,likes,shares,comments,clicks,impressions,at"


@pytest.fixture
def published(services: Services) -> list[str]:
    """Two published posts of alice's, on the database the CLI's local mode uses."""
    ids = seed_due_posts(services, 2, platform="mastodon")
    with services.db.session() as session:
        for post_id in ids:
            post = session.get(Post, post_id)
            assert post is not None
            post.status = "published"
            post.published_at = datetime.now(UTC) - timedelta(days=1)
            post.published_url = f"https://mastodon.example/@author/{post_id[:8]}"
    return ids


def readings(services: Services) -> int:
    with services.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(MetricReading)) or 0)


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "figures.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_stores_the_file_and_show_prints_the_history(
    local: Cli, services: Services, published: list[str], tmp_path: Path
) -> None:
    first, second = published
    path = write(
        tmp_path,
        HEADER,
        f"{first},3,1,0,,,2026-12-01T10:00:00+00:00",
        f"{first},8,2,1,5,400,2026-12-02T10:00:00+00:00",
        f"https://mastodon.example/@author/{second[:8]},4,,,,,",  # by its published_url
    )
    out = local.ok("metrics", "import", str(path)).stdout
    assert f"Imported 3 reading(s) for 2 post(s) from {path}." in out
    assert readings(services) == 3

    table = local.ok("metrics", "show", first).stdout
    lines = table.splitlines()
    assert f"Engagement of post {first}" in table
    assert "Read at" in table and "Impressions" in table
    first_row = next(line for line in lines if "2026-12-01 10:00" in line)
    second_row = next(line for line in lines if "2026-12-02 10:00" in line)
    assert lines.index(first_row) < lines.index(second_row)  # oldest first
    assert first_row.split()[3:6] == ["import", "3", "1"]
    latest = next(line for line in lines if line.strip().startswith("latest"))
    assert latest.split()[1:] == ["-", "8", "2", "1", "5", "400", "-"]
    assert "2 reading(s)." in table

    body = json.loads(local.ok("metrics", "show", second, "--json").stdout)
    assert body["count"] == 1 and body["latest"] == {"likes": 4}


def test_import_lists_every_bad_row_and_exits_non_zero_with_nothing_imported(
    local: Cli, services: Services, published: list[str], tmp_path: Path
) -> None:
    post_id = published[0]
    path = write(
        tmp_path,
        HEADER,
        f"{post_id},3,,,,,",
        f"{post_id},many,,,,,",
        "https://nowhere.example/post/1,2,,,,,",
        f"{post_id},1,,,,,2999-01-01",
    )
    result = local("metrics", "import", str(path))
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[:3] == [
        f"{path}:3: likes: must be a whole number (0 or more)",
        f"{path}:4: post: no published post at that address",
        f"{path}:5: at: is in the future (2999-01-01T00:00:00+00:00)",
    ]
    assert lines[3] == "Error: 3 rows are not valid (line 3, 4, 5); nothing was imported."
    assert "Traceback" not in result.output and result.stdout == ""
    assert readings(services) == 0


def test_import_with_json_prints_the_answer_and_still_fails(
    local: Cli, services: Services, published: list[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "post,likes", f"{published[0]},-1")
    result = local("metrics", "import", str(path), "--json")
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["errors"] == [{"line": 2, "field": "likes", "message": "must be 0 or more"}]


def test_import_explains_a_file_it_cannot_send(local: Cli, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("post,likes\ncafé,1\n".encode("latin-1"))
    assert_one_line_error(local("metrics", "import", str(path)), "is not UTF-8 text")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert_one_line_error(local("metrics", "import", str(empty)), "csv")


def test_show_of_an_unknown_post_is_one_error_line(local: Cli) -> None:
    assert_one_line_error(local("metrics", "show", "no-such-post"), "No post with id")
