"""Bluesky rich text: link and hashtag facets at UTF-8 byte offsets, and TID-shaped record keys.

A post's text is plain; links and tags become clickable only through `facets`, each naming a
`[byteStart, byteEnd)` range of the text's UTF-8 encoding (not characters: an emoji before a link
shifts it by four bytes, a CJK character by three).
https://docs.bsky.app/docs/advanced-guides/post-richtext

The facets are the ones Bluesky's own app would make from the same text (`@atproto/api`'s
`detectFacets`, ported in `bookagent.platforms.bluesky_facets`), so a post reads the same whether
the author typed it in the app or we published it. Mentions are left out: a mention facet needs
the handle resolved to a DID, and our posts mention no one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from bookagent.platforms.bluesky_facets import detect_facets
from bookagent.platforms.bluesky_facets import utf8_offset

LINK_FEATURE = "app.bsky.richtext.facet#link"
TAG_FEATURE = "app.bsky.richtext.facet#tag"

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID_RE = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_TID_BASE_US = 1_672_531_200 * 1_000_000  # 2023-01-01T00:00:00Z
_TID_SPAN_US = 1 << 45  # about 407 days after the base


def build_facets(text: str, targets: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """A link facet for every link and a tag facet for every hashtag Bluesky's app detects, in
    text order. A bare domain with a known TLD (`example.com/books`) links to `https://`.

    `targets` maps a link as the text shows it to where its facet points instead (a tracked
    link, `PublishRequest.link_targets`); the text itself is not changed."""
    facets: list[dict[str, Any]] = []
    for found in detect_facets(text):
        if found.kind == "link":
            uri = link_target(found.value, text[found.start : found.end], targets)
            feature = {"$type": LINK_FEATURE, "uri": uri}
        elif found.kind == "tag":
            feature = {"$type": TAG_FEATURE, "tag": found.value}
        else:
            continue  # a mention: see the module docstring
        start, end = utf8_offset(text, found.start), utf8_offset(text, found.end)
        facets.append({"index": {"byteStart": start, "byteEnd": end}, "features": [feature]})
    return facets


def link_target(uri: str, shown: str, targets: Mapping[str, str] | None) -> str:
    """Where a link facet points: the target of the link as detected (`uri`) or as the text
    shows it (`shown`), else `uri` itself."""
    if not targets:
        return uri
    return targets.get(uri) or targets.get(shown) or uri


def record_key(idempotency_key: str) -> str:
    """A record key derived from the idempotency key: the same key always gives the same rkey.

    It is shaped as a TID (13 base32-sortable characters), the key type `app.bsky.feed.post`
    declares; the AppView ignores posts under other keys. The timestamp part comes from the hash
    and lies in 2023–2024, in the past, so it never sorts ahead of posts made later.
    https://atproto.com/specs/tid and https://atproto.com/specs/record-key
    """
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode("utf-8")).digest()[:8], "big")
    micros = _TID_BASE_US + (digest >> 10) % _TID_SPAN_US
    clock_id = digest & 0x3FF
    value = (micros << 10) | clock_id  # 63 bits: the top bit of a TID is always 0
    return "".join(_TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def is_tid(value: str) -> bool:
    """True when `value` has TID syntax."""
    return bool(_TID_RE.match(value))
