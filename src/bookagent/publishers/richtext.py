"""Bluesky rich text: link and hashtag facets at UTF-8 byte offsets, and TID-shaped record keys.

A post's text is plain; links and tags become clickable only through `facets`, each naming a
`[byteStart, byteEnd)` range of the text's UTF-8 encoding (not characters: an emoji before a link
shifts it by four bytes, a CJK character by three).
https://docs.bsky.app/docs/advanced-guides/post-richtext
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from bookagent.platforms import count_graphemes
from bookagent.platforms import extract_hashtags
from bookagent.platforms import extract_urls

LINK_FEATURE = "app.bsky.richtext.facet#link"
TAG_FEATURE = "app.bsky.richtext.facet#tag"
MAX_TAG_GRAPHEMES = 64  # app.bsky.richtext.facet#tag: maxGraphemes 64, maxLength 640 bytes
MAX_TAG_BYTES = 640

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID_RE = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_TID_BASE_US = 1_672_531_200 * 1_000_000  # 2023-01-01T00:00:00Z
_TID_SPAN_US = 1 << 45  # about 407 days after the base


def build_facets(text: str) -> list[dict[str, Any]]:
    """A link facet for every http(s) URL and a tag facet for every hashtag, in text order."""
    facets: list[dict[str, Any]] = []
    url_spans: list[tuple[int, int]] = []
    cursor = 0
    for url in extract_urls(text):
        start = text.find(url, cursor)
        if start < 0:
            continue
        end = start + len(url)
        url_spans.append((start, end))
        facets.append(_facet(text, start, end, {"$type": LINK_FEATURE, "uri": url}))
        cursor = end
    cursor = 0
    for tag in extract_hashtags(text):
        found = _find_tag(text, tag, cursor, url_spans)
        if found is None:
            continue
        cursor = found + 1 + len(tag)
        if count_graphemes(tag) > MAX_TAG_GRAPHEMES or len(tag.encode()) > MAX_TAG_BYTES:
            continue  # too long to be a tag on Bluesky: leave it as plain text
        facets.append(_facet(text, found, cursor, {"$type": TAG_FEATURE, "tag": tag}))
    facets.sort(key=lambda facet: int(facet["index"]["byteStart"]))
    return facets


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


def _facet(text: str, start: int, end: int, feature: dict[str, str]) -> dict[str, Any]:
    byte_start = len(text[:start].encode("utf-8"))
    byte_end = byte_start + len(text[start:end].encode("utf-8"))
    return {"index": {"byteStart": byte_start, "byteEnd": byte_end}, "features": [feature]}


def _find_tag(text: str, tag: str, cursor: int, url_spans: list[tuple[int, int]]) -> int | None:
    """Where `#tag` (or `＃tag`) occurs as a hashtag at or after `cursor`, outside any URL."""
    position = cursor
    while True:
        found = [
            p for p in (text.find("#" + tag, position), text.find("＃" + tag, position)) if p >= 0
        ]
        if not found:
            return None
        start = min(found)
        end = start + 1 + len(tag)
        inside_url = any(url_start <= start < url_end for url_start, url_end in url_spans)
        # The hashtag rule looks one character back and runs greedily forward, so a window of
        # one character either side decides whether this occurrence is the hashtag itself.
        window = text[max(0, start - 1) : end + 1]
        if not inside_url and extract_hashtags(window) == [tag]:
            return start
        position = start + 1
