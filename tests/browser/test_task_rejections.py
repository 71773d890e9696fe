"""The tasks page in a real browser shows a generation's rejected drafts with their reasons.

The live server writes with the OpenAI writer against the loopback fake vendor, which answers
every request with an invented review quote, so the gate rejects every draft.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.browser.conftest import Shots
from tests.conftest import BOOK
from tests.fakes.llm_server import FakeLLMServer
from tests.fakes.llm_server import fake_llm_servers
from tests.support.polling import wait_until
from tests.support.processes import BIN
from tests.support.processes import base_env
from tests.support.processes import running
from tests.support.processes import wait_for_http
from tests.support.services import free_port

INVENTED_QUOTE = "“A masterpiece” — The Guardian"


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLMServer]:
    with fake_llm_servers() as start:
        yield start(reply=INVENTED_QUOTE)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, llm: FakeLLMServer) -> Iterator[LiveServer]:
    """`bookagent serve` whose writer is the fake vendor (this module's own live server)."""
    data = tmp_path_factory.mktemp("rejections")
    port = free_port()
    token = secrets.token_urlsafe(32)
    env = base_env(
        data,
        TASK_BACKEND="thread",
        PORT=str(port),
        BOOKAGENT_ADMIN_TOKEN=token,
        BOOKAGENT_QUEUE__SCHEDULER_INTERVAL_S="3600",
        BOOKAGENT_WRITERS__DEFAULT="openai",
        BOOKAGENT_WRITERS__OPENAI_BASE_URL=llm.openai_base_url,
        BOOKAGENT_WRITERS__MAX_RETRIES="0",
    )
    url = f"http://127.0.0.1:{port}"
    with running([str(BIN / "bookagent"), "serve"], env, data / "serve.log") as proc:
        wait_for_http(f"{url}/api/health", proc=proc)
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as api:
            created = api.post("/api/books", json=BOOK)
            assert created.status_code == 201, created.text
            yield LiveServer(url=url, admin_token=token, data_dir=data, api=api)


def start_generation(server: LiveServer, platforms: list[str]) -> str:
    """Queue a generation of one post per platform for the server's one book; its task id."""
    [book] = server.api.get("/api/books").json()["books"]
    answer = server.api.post(
        "/api/generate-posts",
        json={
            "book_id": book["id"],
            "platforms": platforms,
            "count_per_platform": 1,
            "async": True,
        },
    )
    assert answer.status_code == 202, answer.text
    return str(answer.json()["task_id"])


def wait_for_task(server: LiveServer, task_id: str) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        body = server.api.get(f"/api/task-status/{task_id}").json()
        return dict(body) if body["status"] in ("SUCCESS", "FAILURE", "REVOKED") else None

    return wait_until(finished, timeout_s=60, every_s=0.1, what=f"task {task_id}")


def test_finished_task_lists_rejected_drafts_with_reasons(
    signed_in: Page, server: LiveServer, shots: Shots
) -> None:
    task_id = start_generation(server, ["facebook", "linkedin"])
    assert wait_for_task(server, task_id)["status"] == "SUCCESS"
    page = signed_in

    page.goto("/tasks")

    box = page.locator(f"#task-{task_id} [data-role='rejections']")
    expect(box).to_be_visible()
    expect(box).to_contain_text("2 drafts rejected by the checks; 0 posts kept.")
    expect(box).to_contain_text("Facebook ·")
    expect(box).to_contain_text("Linkedin ·")
    expect(box).to_contain_text(
        "Quotation not found in the author's quotes, reviews, title or blurb: “A masterpiece”"
    )
    box.scroll_into_view_if_needed()
    shots.take(page, "tasks-rejections", full_page=False)


def test_a_task_that_ends_while_the_page_is_open_shows_its_rejections(
    signed_in: Page, server: LiveServer, llm: FakeLLMServer, shots: Shots
) -> None:
    page = signed_in
    page.goto("/tasks")
    llm.latency_s = 1.5  # three attempts: the task stays active across a few polls
    try:
        task_id = start_generation(server, ["threads"])
        row = page.locator(f"#active-tasks #task-{task_id}")
        expect(row).to_be_visible(timeout=10_000)
        box = row.locator("[data-role='rejections']")
        expect(box).to_contain_text("1 draft rejected by the checks", timeout=30_000)
    finally:
        llm.latency_s = 0.0
    expect(box).to_contain_text("Threads ·")
    expect(box).to_contain_text("not kept because")
    expect(row.locator("[data-action='revoke']")).to_have_count(0)
    shots.take(page, "tasks-rejections-live", full_page=False)
