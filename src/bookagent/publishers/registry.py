"""Which publisher serves each platform, decided once from the settings.

The rules, in order: a global dry run, or the platform in `dry_run_platforms` → outbox. Otherwise
twitter → x with a user token; mastodon → mastodon with a base URL and token; bluesky → bluesky
with a handle and app password; a platform in `webhook_platforms` → webhook with a URL and
secret; anything else → outbox. A credential counts only when it is present and not blank.

A publisher's module (and its HTTP client, httpx) is imported when the first publisher of its
kind is built, not with this module: the API answers its first request without them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

from pydantic import SecretStr

from bookagent.domain.ports import Publisher
from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.platforms import normalize_platform
from bookagent.settings import Settings

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger(__name__)


class ClosablePublisher(Publisher, Protocol):
    """A publisher that holds connections to release."""

    async def aclose(self) -> None:
        """Release connections."""
        ...


@dataclass(frozen=True)
class _Choice:
    """The publisher a platform gets, whether its credentials are set, and whether it is dry."""

    publisher: str
    configured: bool
    dry_run: bool


class PublisherRegistry:
    """Builds (once per platform, lazily) and hands out the publisher for each platform."""

    def __init__(
        self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self._transport = transport  # tests inject one; production uses the network
        self._publishers: dict[str, ClosablePublisher] = {}
        # Each platform name asked for → (its publisher's name, account); replaced, never changed
        # in place, so `routes()` hands out a snapshot without copying.
        self._routes: dict[str, tuple[str, str]] = {}
        config = settings.publishers
        self._dry_platforms = {_canonical(name) for name in config.dry_run_platforms}
        self._webhook_platforms = {_canonical(name) for name in config.webhook_platforms}

    def for_platform(self, platform: str) -> Publisher:
        """The publisher for `platform` (`x` is `twitter`); InvalidInputError if unknown."""
        canonical = normalize_platform(platform)
        publisher = self._publishers.get(canonical)
        if publisher is None:
            publisher = self._build(canonical)
            self._publishers[canonical] = publisher
            logger.info("publisher for platform=%s is %s", canonical, publisher.name)
        if platform not in self._routes:
            self._routes = {**self._routes, platform: (publisher.name, publisher.account)}
        return publisher

    def routes(self) -> Mapping[str, tuple[str, str]]:
        """Where posts go, for every platform name `for_platform` was asked for so far:
        `{platform: (publisher name, rate-limit account)}` (read-only)."""
        return self._routes

    def status(self) -> dict[str, dict[str, Any]]:
        """For every platform: `{"publisher", "configured", "dry_run"}` (no network calls)."""
        return {platform: asdict(self._choose(platform)) for platform in SUPPORTED_PLATFORMS}

    def configured_platforms(self) -> list[str]:
        """The platforms whose credentials are set (whether or not a dry run holds them back)."""
        return [platform for platform in SUPPORTED_PLATFORMS if self._choose(platform).configured]

    async def aclose_all(self) -> None:
        """Close every publisher built so far; they are rebuilt on next use."""
        publishers, self._publishers = list(self._publishers.values()), {}
        self._routes = {}
        for publisher in publishers:
            await publisher.aclose()

    def _choose(self, platform: str) -> _Choice:
        config = self.settings.publishers
        live = self._live_publisher(platform)
        dry_run = config.dry_run or platform in self._dry_platforms
        if dry_run or live is None:
            return _Choice("outbox", live is not None, dry_run)
        return _Choice(live, True, False)

    def _live_publisher(self, platform: str) -> str | None:
        """The real publisher the credentials allow for `platform`, if any."""
        config = self.settings.publishers
        if platform == "twitter" and _filled(config.x_user_token):
            return "x"
        if platform == "mastodon" and _filled(
            config.mastodon_base_url, config.mastodon_access_token
        ):
            return "mastodon"
        if platform == "bluesky" and _filled(config.bluesky_handle, config.bluesky_app_password):
            return "bluesky"
        if platform in self._webhook_platforms and _filled(
            config.webhook_url, config.webhook_secret
        ):
            return "webhook"
        return None

    def _build(self, platform: str) -> ClosablePublisher:
        # Each publisher's module is imported here, when the first of its kind is built.
        config = self.settings.publishers
        kind = self._choose(platform).publisher
        timeout_s, transport = config.timeout_s, self._transport
        if kind == "x":
            from bookagent.publishers.x import XPublisher

            return XPublisher(
                config.x_base_url,
                _value(config.x_user_token),
                timeout_s,
                transport=transport,
                read_metrics=config.x_read_metrics,
            )
        if kind == "mastodon":
            from bookagent.publishers.mastodon import MastodonPublisher

            return MastodonPublisher(
                _value(config.mastodon_base_url),
                _value(config.mastodon_access_token),
                timeout_s,
                transport=transport,
            )
        if kind == "bluesky":
            from bookagent.publishers.bluesky import BlueskyPublisher

            return BlueskyPublisher(
                config.bluesky_service,
                _value(config.bluesky_handle),
                _value(config.bluesky_app_password),
                timeout_s,
                transport=transport,
            )
        if kind == "webhook":
            from bookagent.publishers.media_links import MediaLinks
            from bookagent.publishers.webhook import WebhookPublisher

            secret = _value(config.webhook_secret)
            return WebhookPublisher(
                _value(config.webhook_url),
                secret,
                platform,
                timeout_s,
                transport=transport,
                media_links=MediaLinks(secret, self.public_url),
                receiver_dedupes=config.webhook_receiver_dedupes,
            )
        from bookagent.publishers.outbox import OutboxPublisher

        return OutboxPublisher(self.outbox_dir, platform)

    @property
    def public_url(self) -> str:
        """Where others reach this server (`web.public_url`, else `http://<host>:<port>`): the
        start of the webhook's signed image links, served by `bookagent.web.signed_media`."""
        web = self.settings.web
        configured = _value(web.public_url)
        if configured:
            return configured.rstrip("/")
        host = f"[{web.host}]" if ":" in web.host else web.host  # an IPv6 address
        return f"http://{host}:{web.port}"

    @property
    def outbox_dir(self) -> Path:
        """Where the outbox writes: `publishers.outbox_dir`, or `<data_dir>/outbox`."""
        return self.settings.publishers.outbox_dir or self.settings.data_dir / "outbox"


def _value(value: str | SecretStr | None) -> str:
    """The text of a setting or secret, stripped; empty when unset."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return (value or "").strip()


def _filled(*values: str | SecretStr | None) -> bool:
    """True when every value is present and not blank."""
    return all(_value(value) for value in values)


def _canonical(name: str) -> str:
    key = name.strip().lower()
    return normalize_platform(key) if key == "x" or key in SUPPORTED_PLATFORMS else key
