"""A post's id on its network, read from the address of the post's page.

When the author settles an in-doubt post ("it went out") with the post's address, its
`remote_id` is filled from it, so its engagement is read like any other post's: Mastodon's status
id (`https://mastodon.social/@author/113…`), X's post id (`https://x.com/author/status/18…`),
and Bluesky's record as an AT URI (`https://bsky.app/profile/<handle or DID>/post/<rkey>` →
`at://<handle or DID>/app.bsky.feed.post/<rkey>`; an AT URI may name its repository by handle).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_MASTODON = re.compile(r"\A/(?:@[^/]+|users/[^/]+/statuses)/(\d{1,32})/?\Z")
_X = re.compile(r"\A/(?:[A-Za-z0-9_]{1,15}|i/web|i)/status(?:es)?/(\d{1,25})/?\Z")
_X_HOSTS = frozenset({"x.com", "twitter.com", "mobile.twitter.com", "www.x.com", "www.twitter.com"})
_BLUESKY = re.compile(r"\A/profile/([A-Za-z0-9._:%-]{3,253})/post/([a-z2-7]{13})/?\Z")
_BLUESKY_HOSTS = frozenset({"bsky.app", "www.bsky.app"})


def remote_id_from_url(platform: str, url: str) -> str | None:
    """The post's id on `platform` in `url` (a post's page there), or None when `url` is not
    one."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return None
    if platform == "mastodon":
        match = _MASTODON.match(parts.path)
        return match.group(1) if match else None
    if platform == "twitter" and host in _X_HOSTS:
        match = _X.match(parts.path)
        return match.group(1) if match else None
    if platform == "bluesky" and host in _BLUESKY_HOSTS:
        match = _BLUESKY.match(parts.path)
        if match:
            return f"at://{match.group(1)}/app.bsky.feed.post/{match.group(2)}"
    return None
