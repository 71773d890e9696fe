"""Fixtures for the publisher tests: the fake social server, a closed port, and requests."""

from __future__ import annotations

import socket
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from typing import Any

import pytest

from bookagent.domain.ports import PublishRequest
from tests.fakes.social_server import FakeSocialServer

RequestFactory = Callable[..., PublishRequest]


@pytest.fixture
def social_server() -> Iterator[FakeSocialServer]:
    """A running fake of Mastodon, Bluesky, X and a webhook receiver, stopped after the test."""
    with FakeSocialServer() as server:
        yield server


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL on which nothing listens: connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def make_request() -> RequestFactory:
    """Build a PublishRequest; keyword arguments replace the defaults."""

    def make(**overrides: Any) -> PublishRequest:
        values: dict[str, Any] = {
            "post_id": "post-1",
            "book_id": "book-1",
            "platform": "mastodon",
            "content": "Ada keeps the light burning. https://example.com/book #BookTok",
            "content_hash": "sha256:abc123",
            "hashtags": ("BookTok",),
            "links": ("https://example.com/book",),
            "scheduled_time": datetime(2026, 3, 14, 9, 0, tzinfo=UTC),
            "metadata": {"post_type": "hook_question"},
        }
        values.update(overrides)
        return PublishRequest(**values)

    return make
