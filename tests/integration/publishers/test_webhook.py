"""WebhookPublisher: signed delivery checked by the receiving side, and connect-only retries."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import aclosing
from pathlib import Path
from typing import Any

import httpx
import pytest

from bookagent.errors import ProviderRejected
from bookagent.errors import ProviderUnavailable
from bookagent.errors import PublishOutcomeUnknown
from bookagent.errors import RateLimited
from bookagent.publishers.registry import PublisherRegistry
from bookagent.publishers.transport import OriginOnlyFilter
from bookagent.publishers.transport import origin_of
from bookagent.publishers.transport import secret_parts_of
from bookagent.publishers.webhook import WebhookPublisher
from bookagent.publishers.webhook import sign
from bookagent.publishers.webhook import verify_signature
from bookagent.settings import Settings
from tests.fakes.social_server import WEBHOOK_PATH
from tests.fakes.social_server import WEBHOOK_SECRET
from tests.fakes.social_server import FakeSocialServer
from tests.integration.publishers.conftest import RequestFactory


def publisher(url: str, secret: str = WEBHOOK_SECRET, **options: Any) -> WebhookPublisher:
    return WebhookPublisher(url, secret, "facebook", 2.0, backoff_s=(0.0,), **options)


def test_the_receiver_verifies_the_signature_and_its_answer_is_the_result(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url + WEBHOOK_PATH)) as hook:
            result = await hook.publish(make_request(platform="facebook"), "key-1")
        assert result.remote_id == "hook-1"
        assert result.url == "https://hooks.example.test/posts/1"
        assert result.status_code == 200

    asyncio.run(scenario())
    assert social_server.created("webhook") == 1
    [sent] = social_server.requests_to(WEBHOOK_PATH)
    assert sent.headers["idempotency-key"] == "key-1"
    assert sent.headers["x-bookagent-signature"].startswith("sha256=")
    assert sent.body["event"] == "post.publish" and sent.body["idempotency_key"] == "key-1"
    assert sent.body["post"]["content"] == make_request().content
    assert sent.body["post"]["scheduled_time"] == "2026-03-14T09:00:00+00:00"
    assert "content_linkedin_little" not in sent.body["post"]
    assert sent.body["sent_at"]


def test_a_wrong_secret_is_refused_by_the_receiver(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url + WEBHOOK_PATH, "not-the-secret")) as hook:
            with pytest.raises(ProviderRejected, match="HTTP 401: invalid signature") as caught:
                await hook.publish(make_request(), "key-1")
        assert "not-the-secret" not in caught.value.message

    asyncio.run(scenario())
    assert social_server.created("webhook") == 0
    assert len(social_server.requests_to(WEBHOOK_PATH)) == 1  # a 4xx is never retried


def test_a_stale_timestamp_is_refused_as_a_replay(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    an_hour_ago = time.time() - 3600

    async def scenario() -> None:
        hook = publisher(social_server.url + WEBHOOK_PATH, clock=lambda: an_hour_ago)
        async with aclosing(hook):
            with pytest.raises(ProviderRejected, match="invalid signature"):
                await hook.publish(make_request(), "key-1")

    asyncio.run(scenario())
    assert social_server.created("webhook") == 0


def test_a_linkedin_post_carries_the_little_format_text_too(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    content = "Out now (finally)! #BookTok"

    async def scenario() -> None:
        hook = WebhookPublisher(social_server.url + WEBHOOK_PATH, WEBHOOK_SECRET, "linkedin", 2.0)
        async with aclosing(hook):
            await hook.publish(make_request(platform="linkedin", content=content), "key-1")

    asyncio.run(scenario())
    post = social_server.requests_to(WEBHOOK_PATH)[0].body["post"]
    assert post["content"] == content
    assert post["content_linkedin_little"] == r"Out now \(finally\)! \#BookTok"


def test_a_failed_connect_is_retried_and_then_delivered(make_request: RequestFactory) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ConnectError("Connection refused", request=request)
        return httpx.Response(202, json={"id": "zap-9"})

    async def scenario() -> None:
        hook = publisher("https://hooks.test/in", transport=httpx.MockTransport(handler))
        async with aclosing(hook):
            result = await hook.publish(make_request(), "key-1")
        assert result.remote_id == "zap-9" and result.url is None

    asyncio.run(scenario())
    assert len(calls) == 2
    assert calls[0].content == calls[1].content  # the same body, freshly signed
    assert all(call.headers["idempotency-key"] == "key-1" for call in calls)


def test_connect_failures_give_up_after_three_attempts(make_request: RequestFactory) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectTimeout("timed out connecting", request=request)

    async def scenario() -> None:
        hook = publisher("https://hooks.test/in", transport=httpx.MockTransport(handler))
        async with aclosing(hook):
            with pytest.raises(ProviderUnavailable, match="could not connect"):
                await hook.publish(make_request(), "key-1")

    asyncio.run(scenario())
    assert len(calls) == 3


def test_a_refused_connection_is_unavailable_after_the_retries(
    closed_port_url: str, make_request: RequestFactory
) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(closed_port_url + WEBHOOK_PATH)) as hook:
            with pytest.raises(ProviderUnavailable):
                await hook.publish(make_request(), "key-1")

    asyncio.run(scenario())


@pytest.mark.parametrize("fault", ["stall", "drop", "server_error"])
def test_a_failure_after_sending_is_unknown_and_never_retried(
    social_server: FakeSocialServer, make_request: RequestFactory, fault: str
) -> None:
    social_server.inject(fault, path=WEBHOOK_PATH)

    async def scenario() -> None:
        hook = WebhookPublisher(
            social_server.url + WEBHOOK_PATH, WEBHOOK_SECRET, "facebook", 0.5, backoff_s=(0.0,)
        )
        async with aclosing(hook):
            with pytest.raises(PublishOutcomeUnknown):
                await hook.publish(make_request(), "key-1")

    asyncio.run(scenario())
    assert len(social_server.requests_to(WEBHOOK_PATH)) == 1


def test_rate_limit_uses_retry_after(
    social_server: FakeSocialServer, make_request: RequestFactory
) -> None:
    social_server.rate_limit_reset_s = 45
    social_server.inject("rate_limit", path=WEBHOOK_PATH)

    async def scenario() -> None:
        async with aclosing(publisher(social_server.url + WEBHOOK_PATH)) as hook:
            with pytest.raises(RateLimited) as caught:
                await hook.publish(make_request(), "key-1")
        assert caught.value.retry_after_s == 45

    asyncio.run(scenario())


def test_check_sends_a_signed_ping(social_server: FakeSocialServer) -> None:
    async def scenario() -> None:
        async with aclosing(publisher(social_server.url + WEBHOOK_PATH)) as hook:
            assert (await hook.check()).ok
        async with aclosing(publisher(social_server.url + WEBHOOK_PATH, "wrong")) as hook:
            check = await hook.check()
        assert not check.ok and "401" in check.message

    asyncio.run(scenario())
    assert social_server.created("webhook") == 0


def test_verify_signature_accepts_ours_and_refuses_tampering_and_replays() -> None:
    body = json.dumps({"event": "post.publish"}).encode()
    now = 1_767_225_600.0
    timestamp = str(int(now))
    signature = sign("s3cret", timestamp, body)
    assert verify_signature("s3cret", timestamp, body, signature, now=now)
    assert verify_signature("s3cret", timestamp, body, signature, now=now + 299)
    assert not verify_signature("s3cret", timestamp, body + b" ", signature, now=now)
    assert not verify_signature("other", timestamp, body, signature, now=now)
    assert not verify_signature("s3cret", timestamp, body, signature, now=now + 301)
    assert not verify_signature("s3cret", timestamp, body, signature, now=now - 301)
    assert not verify_signature("s3cret", "yesterday", body, signature, now=now)


# A Zapier/Make-style hook: the URL's path and query are the credential.
SECRET_PATH = "/hooks/catch/4242/zap-path-s3cret"
SECRET_QUERY = "zap-query-s3cret"


def assert_only_origins_logged(caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    messages = [record.getMessage() for record in caplog.records]
    assert messages, "nothing was logged: the test proves nothing"
    for secret in secrets:
        assert not [m for m in messages if secret in m], secret
        assert secret not in caplog.text


def test_the_webhook_url_is_logged_only_as_its_origin(
    caplog: pytest.LogCaptureFixture,
    social_server: FakeSocialServer,
    make_request: RequestFactory,
    tmp_path: Path,
) -> None:
    """Built by the registry from the settings, checked and used: httpx's request line (INFO)
    and every line of ours show `scheme://host:port`, never the path or query."""
    caplog.set_level(logging.DEBUG)
    url = f"{social_server.url}{WEBHOOK_PATH}?token={SECRET_QUERY}"
    settings = Settings(
        data_dir=tmp_path, publishers={"webhook_url": url, "webhook_secret": WEBHOOK_SECRET}
    )
    registry = PublisherRegistry(settings)

    async def scenario() -> None:
        hook = registry.for_platform("facebook")
        assert isinstance(hook, WebhookPublisher)
        assert (await hook.check()).ok
        await hook.publish(make_request(platform="facebook"), "key-1")
        await registry.aclose_all()

    asyncio.run(scenario())
    assert social_server.created("webhook") == 1
    assert_only_origins_logged(caplog, SECRET_QUERY, f"{WEBHOOK_PATH}?")
    requests = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert requests == [f'HTTP Request: POST {social_server.url} "HTTP/1.0 200 OK"'] * 2


def test_a_secret_path_and_user_info_never_reach_logs_or_errors(
    caplog: pytest.LogCaptureFixture, closed_port_url: str, make_request: RequestFactory
) -> None:
    caplog.set_level(logging.DEBUG)
    answers = iter([httpx.Response(200, json={"id": "1"}), httpx.Response(500, text="boom")])
    transport = httpx.MockTransport(lambda request: next(answers))
    secret_url = f"https://n8n-user:n8n-pass@hooks.example.test:8443{SECRET_PATH}?k={SECRET_QUERY}"

    async def scenario() -> list[str]:
        messages = []
        async with aclosing(publisher(secret_url, transport=transport)) as hook:
            await hook.publish(make_request(), "key-1")
            with pytest.raises(PublishOutcomeUnknown) as unknown:
                await hook.publish(make_request(post_id="post-2"), "key-2")
            messages.append(unknown.value.message)
        # A refused connect is retried with a warning that quotes the error.
        async with aclosing(publisher(closed_port_url + SECRET_PATH)) as hook:
            with pytest.raises(ProviderUnavailable) as refused:
                await hook.publish(make_request(), "key-3")
            messages.append(refused.value.message)
        return messages

    messages = asyncio.run(scenario())
    assert_only_origins_logged(caplog, SECRET_PATH, SECRET_QUERY, "n8n-pass", "n8n-user")
    assert not [m for m in messages if SECRET_PATH in m or SECRET_QUERY in m]
    requests = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert 'HTTP Request: POST https://hooks.example.test:8443 "HTTP/1.1 200 OK"' in requests
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("webhook connect failed" in r.getMessage() for r in warnings)


def test_secret_parts_and_the_origin_filter_cut_urls_to_their_origin() -> None:
    url = f"https://user:pw@hooks.example.test:8443{SECRET_PATH}?k={SECRET_QUERY}#frag"
    assert secret_parts_of(url) == ["user:pw@", f"{SECRET_PATH}?k={SECRET_QUERY}#frag"]
    assert secret_parts_of("https://hooks.example.test") == []
    assert origin_of(url) == "https://hooks.example.test:8443"
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "HTTP Request: %s %s at %s", None, None
    )
    record.args = ("POST", httpx.URL(url), f"see {url}.")
    assert OriginOnlyFilter().filter(record)
    assert record.getMessage() == (
        "HTTP Request: POST https://hooks.example.test:8443 at see https://hooks.example.test:8443"
    )
    assert any(isinstance(f, OriginOnlyFilter) for f in logging.getLogger("httpx").filters)
