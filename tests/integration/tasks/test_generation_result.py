"""A generation's result names every rejected draft, with its reasons by code and in words.

The writer is the real OpenAI writer against the loopback fake vendor, told to answer with an
invented review quote every time: the gate rejects each attempt, the rewrite loop hears why, and
after the last attempt the draft is dropped with its reasons.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from bookagent.bootstrap import build_services
from bookagent.domain.generation import MAX_ATTEMPTS
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
    """A client of an app whose default writer is the fake vendor, with one book."""
    settings = make_settings(
        writers={"default": "openai", "openai_base_url": llm.openai_base_url, "max_retries": 0}
    )
    services = build_services(settings)
    client = create_app(services=services).test_client()
    assert client.post("/api/books", json=book_payload).status_code == 201
    yield client
    services.close(grace_s=5)


def finished_task(client: FlaskClient, **body: Any) -> dict[str, Any]:
    """Run a generation as a task; its status document once it has finished."""
    answer = client.post("/api/generate-posts", json={"user_id": "alice", "async": True, **body})
    assert answer.status_code == 202, answer.get_json()
    task_id = answer.get_json()["task_id"]
    return wait_until(
        lambda: (
            (s := client.get(f"/api/task-status/{task_id}").get_json())["status"]
            in ("SUCCESS", "FAILURE", "REVOKED")
            and s
        ),
        60,
        what="generation task",
    )


def test_a_draft_rejected_every_time_is_listed_with_its_reasons(
    llm_client: FlaskClient, llm: FakeLLMServer
) -> None:
    status = finished_task(
        llm_client, platforms=["facebook"], count_per_platform=1, post_types=["review_highlight"]
    )

    assert status["status"] == "SUCCESS"
    result = status["result"]
    assert result["posts"] == [] and result["count"] == 0
    [rejected] = result["rejected"]
    assert rejected["platform"] == "facebook"
    assert rejected["post_type"] == "review_highlight"
    assert rejected["index"] == 0
    codes = [v["code"] for v in rejected["violations"]]
    assert "ungrounded_quote" in codes
    for violation in rejected["violations"]:
        assert set(violation) == {"code", "message"} and violation["message"].strip()
        assert violation["message"] in rejected["reason"]  # the old key keeps every reason
    quote = next(v for v in rejected["violations"] if v["code"] == "ungrounded_quote")
    assert "A masterpiece" in quote["message"]


def test_the_rewrite_loop_hears_why_the_previous_draft_was_rejected(
    llm_client: FlaskClient, llm: FakeLLMServer
) -> None:
    status = finished_task(llm_client, platforms=["facebook"], count_per_platform=1)

    [rejected] = status["result"]["rejected"]
    prompts = [request.prompt_text for request in llm.requests]
    assert len(prompts) == MAX_ATTEMPTS
    assert "previous draft was rejected" not in prompts[0]
    for prompt in prompts[1:]:
        assert "## Your previous draft was rejected because:\n" in prompt
        for violation in rejected["violations"]:
            assert f"- {violation['message']}" in prompt


def test_a_writer_failure_is_a_rejection_with_the_providers_code(
    llm_client: FlaskClient, llm: FakeLLMServer
) -> None:
    llm.server_errors = 100

    status = finished_task(llm_client, platforms=["twitter"], count_per_platform=1)

    assert status["status"] == "SUCCESS"
    [rejected] = status["result"]["rejected"]
    assert rejected["platform"] == "twitter"
    [violation] = rejected["violations"]
    assert violation["code"] == "provider_unavailable"
    assert "unavailable" in violation["message"]
    assert rejected["reason"].startswith("ProviderUnavailable: ")


def test_a_synchronous_generation_answers_the_same_rejections(llm_client: FlaskClient) -> None:
    answer = llm_client.post(
        "/api/generate-posts",
        json={"user_id": "alice", "platforms": ["facebook"], "count_per_platform": 1},
    )

    assert answer.status_code == 200
    body = answer.get_json()
    assert body["posts_generated"] == 0
    [rejected] = body["rejected"]
    assert "ungrounded_quote" in [v["code"] for v in rejected["violations"]]
    assert rejected["platform"] == "facebook" and rejected["post_type"] and rejected["reason"]
