"""OutboxPublisher on the real filesystem."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest

from bookagent.errors import ProviderUnavailable
from bookagent.publishers.outbox import OutboxPublisher
from bookagent.publishers.outbox import outbox_file
from tests.integration.publishers.conftest import RequestFactory


def test_publish_writes_json_and_markdown_under_platform_and_date(
    tmp_path: Path, make_request: RequestFactory
) -> None:
    outbox = OutboxPublisher(tmp_path, "mastodon")
    request = make_request()
    result = asyncio.run(outbox.publish(request, "key-1"))

    folder = tmp_path / "mastodon" / datetime.now(UTC).date().isoformat()
    record = json.loads((folder / "post-1.json").read_text("utf-8"))
    assert record["post_id"] == "post-1" and record["book_id"] == "book-1"
    assert record["content"] == request.content and record["content_hash"] == "sha256:abc123"
    assert record["hashtags"] == ["BookTok"] and record["links"] == ["https://example.com/book"]
    assert record["scheduled_time"] == "2026-03-14T09:00:00+00:00"
    assert record["metadata"] == {"post_type": "hook_question"}
    assert record["idempotency_key"] == "key-1"
    assert datetime.fromisoformat(record["published_at"]).tzinfo is not None
    markdown = (folder / "post-1.md").read_text("utf-8")
    assert request.content in markdown and "key-1" in markdown

    assert result.remote_id == "outbox:post-1"
    # The url is the Markdown file's path relative to the outbox: it never shows where the
    # server keeps its data.
    assert result.url == f"mastodon/{folder.name}/post-1.md"
    assert outbox_file(tmp_path, result.url) == (folder / "post-1.md").resolve()
    assert sorted(p.name for p in folder.iterdir()) == ["post-1.json", "post-1.md"]  # no temps


def test_a_second_publish_with_the_same_key_returns_the_first_result_unwritten(
    tmp_path: Path, make_request: RequestFactory
) -> None:
    outbox = OutboxPublisher(tmp_path, "mastodon")
    first = asyncio.run(outbox.publish(make_request(), "key-1"))
    [written] = tmp_path.glob("mastodon/*/post-1.json")
    before = written.stat().st_mtime_ns, written.read_bytes()

    again = asyncio.run(outbox.publish(make_request(content="changed"), "key-1"))

    assert again == first
    assert (written.stat().st_mtime_ns, written.read_bytes()) == before
    assert asyncio.run(outbox.find_published(make_request(), "key-1")) == first
    assert asyncio.run(outbox.find_published(make_request(), "key-2")) is None
    assert asyncio.run(outbox.find_published(make_request(post_id="post-9"), "key-1")) is None


def test_the_x_alias_writes_to_twitter_and_linkedin_gets_the_escaped_text(
    tmp_path: Path, make_request: RequestFactory
) -> None:
    asyncio.run(OutboxPublisher(tmp_path, "x").publish(make_request(platform="x"), "k"))
    linkedin = OutboxPublisher(tmp_path, "LinkedIn")
    asyncio.run(linkedin.publish(make_request(platform="linkedin", content="Hi (all)"), "k"))

    assert list(tmp_path.glob("twitter/*/post-1.json"))
    [record_path] = tmp_path.glob("linkedin/*/post-1.json")
    assert json.loads(record_path.read_text())["content_linkedin_little"] == r"Hi \(all\)"
    assert linkedin.account == "outbox:linkedin"


def test_an_unsafe_post_id_cannot_escape_the_folder(
    tmp_path: Path, make_request: RequestFactory
) -> None:
    outbox = OutboxPublisher(tmp_path / "out", "facebook")
    result = asyncio.run(outbox.publish(make_request(post_id="../../etc/passwd"), "k"))
    assert result.remote_id == "outbox:../../etc/passwd"
    assert [p.name for p in (tmp_path / "out").rglob("*.json")] == ["_.._etc_passwd.json"]


def test_check_reports_whether_the_folder_is_writable(tmp_path: Path) -> None:
    assert asyncio.run(OutboxPublisher(tmp_path / "new" / "outbox", "facebook").check()).ok
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    check = asyncio.run(OutboxPublisher(blocker, "facebook").check())
    assert not check.ok and "not writable" in check.message


def test_a_disk_error_is_unavailable(tmp_path: Path, make_request: RequestFactory) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ProviderUnavailable, match="cannot write"):
        asyncio.run(OutboxPublisher(blocker, "facebook").publish(make_request(), "k"))


def test_the_url_is_relative_and_names_no_part_of_the_data_dir(
    tmp_path: Path, make_request: RequestFactory
) -> None:
    directory = tmp_path / "private-data-dir-7f3a" / "outbox"
    result = asyncio.run(OutboxPublisher(directory, "mastodon").publish(make_request(), "k"))

    assert result.url is not None
    assert not Path(result.url).is_absolute() and "://" not in result.url
    assert not any(part in result.url for part in directory.resolve().parts if part != "/")
    assert result.url.startswith("mastodon/") and result.url.endswith("/post-1.md")
    assert outbox_file(directory, result.url).read_text("utf-8").startswith("# mastodon post")
    [record] = directory.glob("mastodon/*/post-1.json")
    assert json.loads(record.read_text("utf-8"))["url"] == result.url


def test_a_record_from_before_relative_urls_is_found_with_the_relative_url(
    tmp_path: Path, make_request: RequestFactory
) -> None:
    outbox = OutboxPublisher(tmp_path, "mastodon")
    first = asyncio.run(outbox.publish(make_request(), "key-1"))
    [written] = tmp_path.glob("mastodon/*/post-1.json")
    record = json.loads(written.read_text("utf-8"))
    record["url"] = written.with_suffix(".md").resolve().as_uri()  # the old, absolute form
    written.write_text(json.dumps(record), "utf-8")

    again = asyncio.run(outbox.publish(make_request(), "key-1"))
    assert again.url == first.url and again.url is not None
    assert "://" not in again.url and not Path(again.url).is_absolute()


@pytest.mark.parametrize("url", ["", "/etc/passwd", "../outside.md", "mastodon/../../x.md"])
def test_outbox_file_refuses_a_path_that_leaves_the_outbox(tmp_path: Path, url: str) -> None:
    with pytest.raises(ValueError, match="not an outbox path"):
        outbox_file(tmp_path / "outbox", url)
