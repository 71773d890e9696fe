"""Publishers: deliver posts to the outbox, a webhook, Mastodon, Bluesky or X.

Each implements `bookagent.domain.ports.Publisher` and translates its vendor's failures at its
edge (see `transport`); `PublisherRegistry` picks one per platform from the settings.

The names below are loaded on first access (PEP 562), so importing `bookagent.publishers.registry`
does not load every publisher and httpx with it (the API's cold start).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from bookagent.publishers.bluesky import BlueskyPublisher
    from bookagent.publishers.mastodon import MastodonPublisher
    from bookagent.publishers.outbox import OutboxPublisher
    from bookagent.publishers.registry import PublisherRegistry
    from bookagent.publishers.webhook import WebhookPublisher
    from bookagent.publishers.webhook import verify_signature
    from bookagent.publishers.x import XPublisher

#: Each public name and the module that defines it.
_MODULES = {
    "BlueskyPublisher": "bluesky",
    "MastodonPublisher": "mastodon",
    "OutboxPublisher": "outbox",
    "PublisherRegistry": "registry",
    "WebhookPublisher": "webhook",
    "XPublisher": "x",
    "verify_signature": "webhook",
}

__all__ = [
    "BlueskyPublisher",
    "MastodonPublisher",
    "OutboxPublisher",
    "PublisherRegistry",
    "WebhookPublisher",
    "XPublisher",
    "verify_signature",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
