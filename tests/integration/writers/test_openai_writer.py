"""OpenAIWriter through the real openai SDK against a loopback server speaking the OpenAI API."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import httpx2
import pytest

from bookagent.domain.ports import Draft
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Review
from bookagent.errors import ConfigurationError
from bookagent.errors import ProviderRejected
from bookagent.errors import ProviderUnavailable
from bookagent.errors import RateLimited
from bookagent.writers.openai import OpenAIWriter
from bookagent.writers.pricing import cost_usd
from bookagent.writers.prompts import build_prompt
from tests.fakes.llm_server import FakeLLMServer
from tests.fakes.llm_server import fake_llm_servers
from tests.fakes.llm_server import openai_chat_completion

BOOK = BookProfile(
    id="book-1",
    user_id="user-1",
    title="The Lighthouse Keeper's Daughter",
    author="Mara Quill",
    genre="literary fiction",
    blurb="When her father vanishes in a storm, Ada must keep the light burning alone.",
    target_audience="readers of quiet, sea-soaked literary fiction",
    key_themes=("grief", "duty", "the sea"),
    tone="warm, wry, never salesy",
    content_guidelines="No spoilers past chapter three.",
    links={"amazon": "https://www.amazon.com/dp/B0TEST1234", "website": None},
    launch_date=date(2025, 3, 14),
    price="$4.99",
    quotes=("The sea keeps what it is given.",),
    reviews=(Review("A luminous, aching debut.", "Kirkus Reviews"),),
    hashtags=("#BookTok", "LiteraryFiction"),
)
RULES = WriteConstraints(
    platform="twitter",
    post_type="hook_question",
    max_length=280,
    length_unit="weighted",
    hashtags_min=1,
    hashtags_max=3,
)
REPLY = (
    "What would you keep if the sea took everything else? Ada's answer arrives March 14, 2025. "
    "https://www.amazon.com/dp/B0TEST1234 #BookTok #LiteraryFiction"
)


@pytest.fixture
def start_server() -> Iterator[Callable[..., FakeLLMServer]]:
    with fake_llm_servers() as start:
        yield start


def make_writer(server: FakeLLMServer, **overrides: Any) -> OpenAIWriter:
    options: dict[str, Any] = {
        "api_key": "sk-test-key-123456",
        "base_url": server.openai_base_url,
        "model": "gpt-4o-mini",
        "timeout_s": 5.0,
        "max_retries": 2,
    }
    return OpenAIWriter(**(options | overrides))


def write(writer: OpenAIWriter, constraints: WriteConstraints = RULES) -> Draft:
    async def run() -> Draft:
        async with writer:
            return await writer.write(BOOK, constraints)

    return asyncio.run(run())


def test_write_returns_draft_with_usage_cost_and_provenance(start_server):
    server = start_server(
        reply=REPLY, model="gpt-4o-mini-2024-07-18", input_tokens=1200, output_tokens=60
    )

    draft = write(make_writer(server))

    assert draft.content == REPLY
    assert (draft.platform, draft.post_type) == ("twitter", "hook_question")
    assert draft.provider == "openai"
    assert draft.model == "gpt-4o-mini-2024-07-18"  # the model the response names
    assert draft.prompt_hash == build_prompt(BOOK, RULES).hash
    assert len(draft.prompt_hash) == 16
    assert (draft.input_tokens, draft.output_tokens) == (1200, 60)
    assert draft.cost_usd == pytest.approx(cost_usd("gpt-4o-mini", 1200, 60))
    assert draft.cost_usd > 0
    assert draft.hashtags == ("#BookTok", "#LiteraryFiction")
    assert draft.links == ("https://www.amazon.com/dp/B0TEST1234",)
    assert draft.metadata["finish_reason"] == "stop"
    [request] = server.requests
    assert request.headers["authorization"] == "Bearer sk-test-key-123456"
    assert request.body["model"] == "gpt-4o-mini"
    assert [message["role"] for message in request.body["messages"]] == ["system", "user"]
    assert request.body["max_tokens"] == 1024  # compatible servers get the classic parameter


def test_reply_wrapped_in_a_code_fence_and_quotes_is_cleaned(start_server):
    server = start_server(reply=f'```text\n"{REPLY}"\n```')

    draft = write(make_writer(server))

    assert draft.content == REPLY


def test_unpriced_model_costs_nothing(start_server):
    server = start_server(model="llama3.1:8b")

    draft = write(make_writer(server, model="llama3.1:8b"))

    assert draft.model == "llama3.1:8b"
    assert draft.cost_usd == 0.0


def test_rate_limited_request_is_retried_by_the_sdk_after_retry_after(start_server):
    server = start_server(reply=REPLY, rate_limited=1, retry_after="1")

    started = time.monotonic()
    draft = write(make_writer(server))
    elapsed = time.monotonic() - started

    assert draft.content == REPLY
    assert len(server.requests) == 2
    assert elapsed >= 0.9  # the SDK waited as `retry-after` asked


def test_persistent_rate_limit_raises_rate_limited(start_server):
    server = start_server(rate_limited=100, retry_after="0")

    with pytest.raises(RateLimited) as caught:
        write(make_writer(server, max_retries=1))

    assert len(server.requests) == 2  # the first try and one retry
    assert caught.value.retry_after_s == 0.0


def test_rate_limited_carries_the_retry_after_header(start_server):
    server = start_server(rate_limited=100, retry_after="7")

    with pytest.raises(RateLimited) as caught:
        write(make_writer(server, max_retries=0))

    assert caught.value.retry_after_s == 7.0
    assert "429" in str(caught.value)


def test_server_errors_exhausted_raise_provider_unavailable(start_server):
    server = start_server(server_errors=100)

    with pytest.raises(ProviderUnavailable, match="HTTP 500"):
        write(make_writer(server, max_retries=1))

    assert len(server.requests) == 2


def test_wrong_api_key_raises_provider_rejected_without_the_key(start_server):
    server = start_server(api_key="sk-right-key-999999")

    with pytest.raises(ProviderRejected) as caught:
        write(make_writer(server, api_key="sk-wrong-key-123456"))

    message = str(caught.value)
    assert "401" in message
    assert "invalid_api_key" in message
    assert "Incorrect API key provided" in message  # the vendor's own words reach the author
    assert "sk-wr" not in message  # neither our key nor the vendor's masked echo of it
    assert len(server.requests) == 1  # a 401 is not retried


def test_slow_server_raises_provider_unavailable(start_server):
    server = start_server(latency_s=3.0)

    started = time.monotonic()
    with pytest.raises(ProviderUnavailable, match="in time"):
        write(make_writer(server, timeout_s=0.3, max_retries=0))

    assert time.monotonic() - started < 2.5


def test_prompt_carries_profile_rules_post_type_avoid_list_and_feedback(start_server):
    server = start_server(reply=REPLY)
    retry = replace(
        RULES,
        post_type="review_highlight",
        attempt=1,
        feedback=("shorten to 250", "remove the unverified quote"),
        avoid=("Storms, secrets and a light that must not go out.",),
    )

    write(make_writer(server), retry)

    [request] = server.requests
    system, user = (message["content"] for message in request.body["messages"])
    assert "ONLY the final post text" in system
    for expected in (
        "The Lighthouse Keeper's Daughter",
        "Mara Quill",
        "literary fiction",
        "warm, wry, never salesy",
        "No spoilers past chapter three.",
        "https://www.amazon.com/dp/B0TEST1234",
        "$4.99",
        "2025-03-14",
        "The sea keeps what it is given.",
        "A luminous, aching debut.",
        "Kirkus Reviews",
        "Platform: twitter",
        "280 weighted characters",
        "between 1 and 3",
        "review_highlight",
        "Storms, secrets and a light that must not go out.",
        "shorten to 250",
        "remove the unverified quote",
    ):
        assert expected in user, expected


def test_first_attempt_prompt_has_no_feedback_section(start_server):
    server = start_server()

    write(make_writer(server))

    assert "previous draft was rejected" not in server.requests[0].prompt_text


def test_writes_run_concurrently(start_server):
    latency_s, count = 0.5, 10
    server = start_server(latency_s=latency_s)
    writer = make_writer(server)

    async def run() -> list[Draft]:
        async with writer:
            return await asyncio.gather(*(writer.write(BOOK, RULES) for _ in range(count)))

    started = time.monotonic()
    drafts = asyncio.run(run())
    elapsed = time.monotonic() - started

    assert len(drafts) == count
    assert len(server.requests) == count
    assert elapsed < 0.5 * latency_s * count  # generous: sequential would take ~5 s


def test_official_endpoint_without_a_key_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="API key"):
        OpenAIWriter(api_key=None, model="gpt-4o-mini")


def test_compatible_server_needs_no_key(start_server):
    server = start_server(reply=REPLY)

    draft = write(make_writer(server, api_key=None, model="llama3.1"))

    assert draft.content == REPLY
    assert server.requests[0].headers["authorization"] == "Bearer not-needed"


def test_official_endpoint_gets_max_completion_tokens_and_an_injected_client_stays_open():
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json=openai_chat_completion(REPLY, model="gpt-4.1-mini"))

    async def run() -> tuple[Draft, bool]:
        async with httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as client:
            writer = OpenAIWriter(
                api_key="sk-test-key-123456",
                model="gpt-4.1-mini",
                temperature=None,
                http_client=client,
            )
            async with writer:
                draft = await writer.write(BOOK, RULES)
            return draft, client.is_closed

    draft, closed_by_writer = asyncio.run(run())

    assert draft.content == REPLY
    assert not closed_by_writer  # the caller owns an injected client
    [request] = seen
    assert request.url == "https://api.openai.com/v1/chat/completions"
    body = json.loads(request.content)
    assert body["max_completion_tokens"] == 1024
    assert "max_tokens" not in body
    assert "temperature" not in body  # None leaves the model's default
