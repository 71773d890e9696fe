"""Counting text the way each platform counts it, plus hashtag and URL extraction.

X uses twitter-text weights (NFC; URLs 23; emoji and CJK 2). Bluesky counts extended grapheme
clusters (`\\X` from the `regex` package) and caps UTF-8 bytes separately. The others count
code points after NFC, with every URL at `url_length` where the platform reserves a fixed length
(Mastodon) and emoji at their UTF-8 byte length where the platform says so (Threads).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex  # type: ignore[import-untyped]  # no stubs; types-regex is not a dependency
from twitter_text import extract_urls_with_indices
from twitter_text import parse_tweet
from twitter_text.config import config as twitter_config

from bookagent.platforms.rules import PlatformRules
from bookagent.platforms.rules import get_rules

_GRAPHEME = regex.compile(r"\X")
_PICTOGRAPHIC = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}]")
# A hashtag needs a letter and must not follow a word character (`C#`, `a#b` are not tags).
_HASHTAG = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}_&#＃/])[#＃]"
    r"([\p{L}\p{M}\p{N}_]*\p{L}[\p{L}\p{M}\p{N}_]*)"
)


def measure(platform: str, text: str, rules: PlatformRules | None = None) -> int:
    """The length of `text` in the platform's own unit (`rules.unit`).

    `rules` defaults to `get_rules(platform)`; pass them to apply per-account overrides.
    """
    if rules is None:
        rules = get_rules(platform)
    if rules.unit == "weighted":
        return _weighted_length(text, rules.url_length if rules.url_length is not None else 23)
    if rules.unit == "graphemes":
        return count_graphemes(text)
    return _code_point_length(text, rules.url_length, rules.emoji_as_bytes)


def count_bytes(text: str) -> int:
    """The UTF-8 size of `text` as sent (Bluesky caps it at 3000)."""
    return len(text.encode("utf-8"))


def count_graphemes(text: str) -> int:
    """The number of user-perceived characters (extended grapheme clusters) in `text`."""
    return len(_GRAPHEME.findall(text))


def extract_hashtags(text: str) -> list[str]:
    """The hashtags in `text`, in order and without the `#` (`#1` and `C#` are not tags)."""
    return [match.group(1) for match in _HASHTAG.finditer(text)]


def extract_urls(text: str, *, bare_domains: bool = False) -> list[str]:
    """The URLs in `text` as twitter-text finds them (trailing punctuation excluded).

    Only `http(s)://` URLs by default; `bare_domains=True` also returns `example.com`-style
    links, which some platforms auto-link.
    """
    return [str(entity["url"]) for entity in extract_urls_with_indices(text, bare_domains)]


@lru_cache(maxsize=4096)
def _weighted_length(text: str, url_length: int) -> int:
    """twitter-text's weighted length; cached because its emoji scan is slow (~1 ms/post)."""
    options = {**twitter_config["defaults"], "transformed_url_length": url_length}
    return int(parse_tweet(text, options).weightedLength)


def _code_point_length(text: str, url_length: int | None, emoji_as_bytes: bool) -> int:
    normalized = unicodedata.normalize("NFC", text)
    length = len(normalized)
    if url_length is not None and ":" in normalized:
        for url in extract_urls(normalized):
            length += url_length - len(url)
    if emoji_as_bytes and _PICTOGRAPHIC.search(normalized):
        for cluster in _GRAPHEME.findall(normalized):
            if _PICTOGRAPHIC.search(cluster):
                length += len(cluster.encode("utf-8")) - len(cluster)
    return length
