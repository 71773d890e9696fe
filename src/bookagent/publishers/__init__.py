"""Publishers: deliver posts to the outbox, a webhook, Mastodon, Bluesky or X.

Each implements `bookagent.domain.ports.Publisher` and translates its vendor's failures at its
edge (see `transport`); `PublisherRegistry` picks one per platform from the settings.
"""

from __future__ import annotations

from bookagent.publishers.bluesky import BlueskyPublisher
from bookagent.publishers.mastodon import MastodonPublisher
from bookagent.publishers.outbox import OutboxPublisher
from bookagent.publishers.registry import PublisherRegistry
from bookagent.publishers.webhook import WebhookPublisher
from bookagent.publishers.webhook import verify_signature
from bookagent.publishers.x import XPublisher

__all__ = [
    "BlueskyPublisher",
    "MastodonPublisher",
    "OutboxPublisher",
    "PublisherRegistry",
    "WebhookPublisher",
    "XPublisher",
    "verify_signature",
]
