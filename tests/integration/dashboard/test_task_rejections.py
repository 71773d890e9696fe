"""The tasks page shows a generation's rejected drafts, each with the checks' reasons in words."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from bookagent.bootstrap import build_services
from bookagent.web.app import create_app
from tests.conftest import SettingsFactory
from tests.fakes.llm_server import FakeLLMServer
from tests.fakes.llm_server import fake_llm_servers
from tests.support.polling import wait_until

INVENTED_QUOTE = "“A masterpiece” — The Guardian"


@pytest.fixture
def llm() -> Iterator[FakeLLMServer]:
    with fake_llm_servers() as start:
        yield start(reply=INVENTED_QUOTE)


@pytest.fixture
def llm_client(
    make_settings: SettingsFactory, llm: FakeLLMServer, book_payload: dict[str, Any]
) -> Iterator[FlaskClient]:
    """A local-mode client of an app whose default writer is the fake vendor, with one book."""
    settings = make_settings(
        writers={"default": "openai", "openai_base_url": llm.openai_base_url, "max_retries": 0}
    )
    services = build_services(settings)
    client = create_app(services=services).test_client()
    assert client.post("/api/books", json=book_payload).status_code == 201
    yield client
    services.close(grace_s=5)


def run_generation(client: FlaskClient, **body: Any) -> dict[str, Any]:
    answer = client.post("/api/generate-posts", json={"user_id": "alice", "async": True, **body})
    task_id = answer.get_json()["task_id"]
    return wait_until(
        lambda: (
            (s := client.get(f"/api/task-status/{task_id}").get_json())["status"] == "SUCCESS" and s
        ),
        60,
        what="generation task",
    )


def task_card(page: str, task_id: str) -> str:
    """The HTML of one task's card on the tasks page."""
    start = page.index(f'id="task-{task_id}"')
    ends = [page.find(marker, start) for marker in ('<li class="task card"', "</ul>\n  <p><a")]
    return page[start : min(end for end in ends if end != -1)]


def test_tasks_page_lists_each_rejected_draft_with_its_reasons(llm_client: FlaskClient) -> None:
    status = run_generation(
        llm_client,
        platforms=["facebook", "linkedin"],
        count_per_platform=1,
        post_types=["review_highlight"],
    )
    rejected = status["result"]["rejected"]
    assert len(rejected) == 2

    page = llm_client.get("/tasks").get_data(as_text=True)

    card = task_card(page, status["task_id"])
    assert 'data-role="rejections"' in card
    assert "2 drafts rejected by the checks</strong>; 0 posts kept." in card
    assert "Facebook · review highlight</strong>: not kept because" in card
    assert "Linkedin · review highlight</strong>: not kept because" in card
    assert (
        "<li>Quotation not found in the author&#39;s quotes, reviews, title or blurb: "
        "“A masterpiece”</li>"
    ) in card
    for draft in rejected:
        for violation in draft["violations"]:
            assert violation["code"] not in card  # people read the message, not the code


def test_a_rejection_quoting_markup_is_shown_as_text(
    llm_client: FlaskClient, llm: FakeLLMServer
) -> None:
    llm.reply = "“<img src=x onerror=alert(1)> is the book of the year” — The Guardian"
    status = run_generation(llm_client, platforms=["facebook"], count_per_platform=1)
    assert status["result"]["rejected"]

    page = llm_client.get("/tasks").get_data(as_text=True)

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_task_without_rejections_shows_no_rejection_box(client: FlaskClient) -> None:
    task_id = client.post(
        "/api/tasks/diagnostics", json={"steps": 1, "step_seconds": 0}
    ).get_json()["task_id"]
    wait_until(
        lambda: client.get(f"/api/task-status/{task_id}").get_json()["status"] == "SUCCESS",
        what="the diagnostics task",
    )

    page = client.get("/tasks").get_data(as_text=True)

    assert f'id="task-{task_id}"' in page
    assert 'data-role="rejections"' not in page
