"""A post's id read from the address of its page on Mastodon, X and Bluesky."""

from __future__ import annotations

import pytest

from bookagent.platforms.post_urls import remote_id_from_url

RKEY = "3kabcdefgh2x7"


@pytest.mark.parametrize(
    ("platform", "url", "remote_id"),
    [
        ("mastodon", "https://mastodon.social/@author/113456789012345678", "113456789012345678"),
        ("mastodon", "https://example.social/users/author/statuses/42/", "42"),
        ("mastodon", "https://mastodon.social/@author", None),
        ("twitter", "https://x.com/author/status/1880000000000000001", "1880000000000000001"),
        ("twitter", "https://twitter.com/i/web/status/1880000000000000001", "1880000000000000001"),
        ("twitter", "https://evil.example/author/status/1", None),
        (
            "bluesky",
            f"https://bsky.app/profile/author.bsky.social/post/{RKEY}",
            f"at://author.bsky.social/app.bsky.feed.post/{RKEY}",
        ),
        (
            "bluesky",
            f"https://bsky.app/profile/did:plc:abc123/post/{RKEY}",
            f"at://did:plc:abc123/app.bsky.feed.post/{RKEY}",
        ),
        ("bluesky", "https://bsky.app/profile/author.bsky.social", None),
        ("facebook", "https://facebook.com/posts/1", None),
        ("mastodon", "javascript:alert(1)//@a/1", None),
    ],
)
def test_the_posts_id_is_read_from_its_address(platform: str, url: str, remote_id: str) -> None:
    assert remote_id_from_url(platform, url) == remote_id
