"""AnthropicWriter through the real anthropic SDK against a loopback server speaking its API."""

from __future__ import annotations

import asyncio
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
from bookagent.writers.anthropic import AnthropicWriter
from bookagent.writers.pricing import cost_usd
from bookagent.writers.prompts import build_prompt
from tests.fakes.llm_server import FakeLLMServer
from tests.fakes.llm_server import fake_llm_servers

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


def make_writer(server: FakeLLMServer, **overrides: Any) -> AnthropicWriter:
    options: dict[str, Any] = {
        "api_key": "sk-ant-test-key-123456",
        "base_url": server.url,
        "model": "claude-3-5-haiku-latest",
        "timeout_s": 5.0,
        "max_retries": 2,
    }
    return AnthropicWriter(**(options | overrides))


def write(writer: AnthropicWriter, constraints: WriteConstraints = RULES) -> Draft:
    async def run() -> Draft:
        async with writer:
            return await writer.write(BOOK, constraints)

    return asyncio.run(run())


def test_write_returns_draft_with_usage_cost_and_provenance(start_server):
    server = start_server(
        reply=REPLY, model="claude-3-5-haiku-20241022", input_tokens=1500, output_tokens=80
    )

    draft = write(make_writer(server))

    assert draft.content == REPLY
    assert (draft.platform, draft.post_type) == ("twitter", "hook_question")
    assert draft.provider == "anthropic"
    assert draft.model == "claude-3-5-haiku-20241022"  # the model the response names
    assert draft.prompt_hash == build_prompt(BOOK, RULES).hash
    assert (draft.input_tokens, draft.output_tokens) == (1500, 80)
    assert draft.cost_usd == pytest.approx(cost_usd("claude-3-5-haiku", 1500, 80))
    assert draft.cost_usd > 0
    assert draft.hashtags == ("#BookTok", "#LiteraryFiction")
    assert draft.links == ("https://www.amazon.com/dp/B0TEST1234",)
    assert draft.metadata["stop_reason"] == "end_turn"
    [request] = server.requests
    assert request.api_key == "sk-ant-test-key-123456"
    assert "anthropic-version" in request.headers
    assert request.body["model"] == "claude-3-5-haiku-latest"
    assert request.body["max_tokens"] == 1024
    assert request.body["system"] == build_prompt(BOOK, RULES).system
    assert [message["role"] for message in request.body["messages"]] == ["user"]


def test_reply_wrapped_in_a_code_fence_and_quotes_is_cleaned(start_server):
    server = start_server(reply=f"```\n“{REPLY}”\n```")

    draft = write(make_writer(server))

    assert draft.content == REPLY


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
    assert "rate_limit_error" in str(caught.value)


def test_overloaded_errors_exhausted_raise_provider_unavailable(start_server):
    server = start_server(server_errors=100, server_error_status=529)

    with pytest.raises(ProviderUnavailable, match="HTTP 529"):
        write(make_writer(server, max_retries=1))

    assert len(server.requests) == 2


def test_server_errors_exhausted_raise_provider_unavailable(start_server):
    server = start_server(server_errors=100)

    with pytest.raises(ProviderUnavailable, match="HTTP 500"):
        write(make_writer(server, max_retries=1))

    assert len(server.requests) == 2


def test_wrong_api_key_raises_provider_rejected_without_the_key(start_server):
    server = start_server(api_key="sk-ant-right-key-999999")

    with pytest.raises(ProviderRejected) as caught:
        write(make_writer(server, api_key="sk-ant-wrong-key-123456"))

    message = str(caught.value)
    assert "401" in message
    assert "authentication_error" in message
    assert "sk-ant" not in message
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
        platform="mastodon",
        post_type="launch_countdown",
        max_length=500,
        length_unit="characters",
        hashtags_min=2,
        hashtags_max=4,
        attempt=2,
        feedback=("shorten to 450", "remove the unverified quote"),
        avoid=("Storms, secrets and a light that must not go out.",),
    )

    write(make_writer(server), retry)

    [request] = server.requests
    system = request.body["system"]
    user = request.body["messages"][0]["content"]
    assert "ONLY the final post text" in system
    for expected in (
        "The Lighthouse Keeper's Daughter",
        "Mara Quill",
        "$4.99",
        "March 14, 2025",
        "https://www.amazon.com/dp/B0TEST1234",
        "The sea keeps what it is given.",
        "Platform: mastodon",
        "500 characters",
        "between 2 and 4",
        "launch_countdown",
        "Storms, secrets and a light that must not go out.",
        "shorten to 450",
        "remove the unverified quote",
    ):
        assert expected in user, expected


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
        AnthropicWriter(api_key="", model="claude-3-5-haiku-latest")


def test_gateway_without_a_key_sends_a_placeholder(start_server):
    server = start_server(reply=REPLY)

    draft = write(make_writer(server, api_key=None))

    assert draft.content == REPLY
    assert server.requests[0].api_key == "not-needed"


def test_an_injected_client_is_used_and_left_open(start_server):
    server = start_server(reply=REPLY)

    async def run() -> tuple[Draft, bool]:
        async with httpx2.AsyncClient() as client:
            async with make_writer(server, http_client=client) as writer:
                draft = await writer.write(BOOK, RULES)
            return draft, client.is_closed

    draft, closed_by_writer = asyncio.run(run())

    assert draft.content == REPLY
    assert not closed_by_writer  # the caller owns an injected client
    assert len(server.requests) == 1
