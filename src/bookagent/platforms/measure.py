"""Counting text the way each platform counts it, plus hashtag and URL extraction.

X uses twitter-text weights (NFC; URLs 23; emoji and CJK 2), computed as `parse_tweet` computes
them but with a faster emoji scan. twitter-text compiles thousands of patterns when it is
imported (~0.2 s), so it is loaded on the first measure or URL lookup that needs it, not at
startup (see `_twitter`). Bluesky counts extended grapheme
clusters (`\\X` from the `regex` package) and caps UTF-8 bytes separately. The others count
code points after NFC, with every URL at `url_length` where the platform reserves a fixed length
(Mastodon) and emoji at their UTF-8 byte length where the platform says so (Threads).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from functools import lru_cache
from typing import Any

import regex  # type: ignore[import-untyped]  # no stubs; types-regex is not a dependency

from bookagent.platforms.rules import PlatformRules
from bookagent.platforms.rules import get_rules

_GRAPHEME = regex.compile(r"\X")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_PICTOGRAPHIC = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}]")
# A hashtag needs a letter and must not follow a word character (`C#`, `a#b` are not tags).
_HASHTAG = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}_&#＃/])[#＃]"
    r"([\p{L}\p{M}\p{N}_]*\p{L}[\p{L}\p{M}\p{N}_]*)"
)

# URL pre-checks: a URL with a protocol contains `http://` or `https://`; every URL has a domain
# whose top-level domain follows a `.` and starts with a letter (all of twitter-text's do).
_PROTOCOL = re.compile(r"https?://", re.IGNORECASE)
_DOMAIN_DOT = re.compile(r"\.[a-z\u0080-\U0010ffff]", re.IGNORECASE)
_LINE_ENDING = re.compile(r"\r\n|\r|\n")  # parse_tweet counts \r\n as one character


@dataclass(frozen=True)
class _EmojiScan:
    """Where twitter-text's emoji pattern can match, read from the pattern itself.

    The pattern is an alternation of ~2,500 multi-code-point sequences (`\\U0001F469\\U0000200D
    ...`) then one class of single code points, and `re` tries every sequence in turn at each
    position, which is what makes `parse_tweet` slow. A match starts at one of the `singles`, or
    at a sequence's first code point (`firsts`) followed by a sequence's second (`seconds`);
    `hits` finds every such place (and more: any non-ASCII character).
    """

    emoji: re.Pattern[str]
    hits: re.Pattern[str]
    singles: frozenset[str]
    firsts: frozenset[str]
    seconds: frozenset[str]

    @classmethod
    def of(cls, emoji: re.Pattern[str]) -> _EmojiScan | None:
        """The scan for `emoji`; None if it has another shape (then we use `parse_tweet`)."""
        head, bar, single = emoji.pattern.rpartition("|[")
        sequences = head.split("|")
        escape = r"\\U([0-9A-Fa-f]{8})"
        if not (
            bar
            and re.fullmatch(rf"(?:{escape}(?:-{escape})?)+\]", single)
            and all(re.fullmatch(rf"(?:{escape}){{2,}}", s) for s in sequences)
        ):
            return None
        singles = frozenset(
            chr(code)
            for low, high in re.findall(rf"{escape}(?:-{escape})?", single)
            for code in range(int(low, 16), int(high or low, 16) + 1)
        )
        firsts = frozenset(chr(int(s[2:10], 16)) for s in sequences)
        seconds = frozenset(chr(int(s[12:20], 16)) for s in sequences)
        ascii_singles = "".join(re.escape(c) for c in sorted(singles) if c.isascii())
        ascii_firsts = "".join(re.escape(c) for c in sorted(firsts) if c.isascii())
        hits = [r"[^\x00-\x7f]"]
        if ascii_singles:
            hits.append(f"[{ascii_singles}]")
        if ascii_firsts:
            hits.append(f"[{ascii_firsts}](?=[{''.join(re.escape(c) for c in sorted(seconds))}])")
        return cls(emoji, re.compile("|".join(hits)), singles, firsts, seconds)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The (start, end) of each emoji twitter-text finds in `text`, as its `finditer` does."""
        spans = []
        position = 0
        while hit := self.hits.search(text, position):
            start = hit.start()
            if text[start] in self.firsts and text[start + 1 : start + 2] in self.seconds:
                found = self.emoji.match(text, start)  # a sequence, or a single code point
                end = found.end() if found else start
            else:  # no sequence can start here
                end = start + 1 if text[start] in self.singles else start
            if end > start:
                spans.append((start, end))
            position = max(end, start + 1)
        return spans


def _weight_shape(options: Mapping[str, Any]) -> tuple[re.Pattern[str], int] | None:
    """For twitter-text options where each code point weighs 1 or `heavy` units: a class of the
    heavy code points, and `heavy`. None for any other shape (measuring then uses parse_tweet)."""
    scale, default = options["scale"], options["default_weight"]
    ranges = options["ranges"]
    if (
        not options.get("emoji_parsing_enabled")
        or default % scale
        or any(r["weight"] != scale for r in ranges)
    ):
        return None
    light = "".join(f"\\U{r['start']:08x}-\\U{r['end']:08x}" for r in ranges)
    return re.compile(f"[^{light}]" if light else r"[\s\S]"), default // scale


@dataclass(frozen=True)
class _Twitter:
    """twitter-text's functions and tables, and the fast paths read from them (None: use
    `parse_tweet`)."""

    parse_tweet: Callable[..., Any]
    extract_urls_with_indices: Callable[[str, bool], list[dict[str, Any]]]
    defaults: Mapping[str, Any]
    emoji_scan: _EmojiScan | None
    weights: tuple[re.Pattern[str], int] | None
    #: One of twitter-text's spaces (a URL lies between two).
    space: re.Pattern[str]


@cache
def _twitter() -> _Twitter:
    """twitter-text, imported on first use: its import compiles ~0.2 s of patterns, which the
    API's cold start should not pay."""
    from twitter_text import extract_urls_with_indices
    from twitter_text import parse_tweet
    from twitter_text.config import config
    from twitter_text.regexp.emoji import emoji
    from twitter_text.regexp.spaces_group import spaces_group

    return _Twitter(
        parse_tweet=parse_tweet,
        extract_urls_with_indices=extract_urls_with_indices,
        defaults=config["defaults"],
        emoji_scan=_EmojiScan.of(emoji),
        weights=_weight_shape(config["defaults"]),
        space=re.compile(f"[{spaces_group}]"),
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


@lru_cache(maxsize=4096)  # a writer measures a candidate, then the gate measures it again
def count_graphemes(text: str) -> int:
    """The number of user-perceived characters (extended grapheme clusters) in `text`.

    `\\X` runs only where a cluster can hold more than one code point: two ASCII characters
    are one cluster only as CR LF, and a rule of UAX #29 that joins a character to the one
    before it looks no further back than an ASCII character (the emoji, regional-indicator and
    Indic rules need non-ASCII characters there). So each run of non-ASCII characters, with the
    ASCII character on either side of it, is clustered on its own, and every other code point is
    a cluster of its own (tests/unit/platforms/test_measure_caches.py compares the two ways).
    """
    joined = text.count("\r\n")
    if text.isascii():
        return len(text) - joined
    for run in _NON_ASCII_RUN.finditer(text):
        piece = text[max(run.start() - 1, 0) : run.end() + 1]
        joined += len(piece) - len(_GRAPHEME.findall(piece))
    return len(text) - joined


def extract_hashtags(text: str) -> list[str]:
    """The hashtags in `text`, in order and without the `#` (`#1` and `C#` are not tags)."""
    return [tag for _, _, tag in hashtag_spans(text)]


def hashtag_spans(text: str) -> list[tuple[int, int, str]]:
    """Each hashtag of `text` as (start, end, tag without `#`), as `extract_hashtags` finds it."""
    return [(m.start(), m.end(), m.group(1)) for m in _HASHTAG.finditer(text)]


def extract_urls(text: str, *, bare_domains: bool = False) -> list[str]:
    """The URLs in `text` as twitter-text finds them (trailing punctuation excluded).

    Only `http(s)://` URLs by default; `bare_domains=True` also returns `example.com`-style
    links, which some platforms auto-link.
    """
    return [url for _, url in _url_entities(text, bare_domains)]


@lru_cache(maxsize=4096)  # a post's links are asked for by its measure, gate and dedupe key
def _url_entities(text: str, bare_domains: bool) -> tuple[tuple[int, str], ...]:
    """twitter-text's URL entities in `text` as (start, url), with or without bare domains."""
    entities = tuple((start, url) for start, _, url in _all_url_entities(text))
    if bare_domains:
        return entities
    # twitter-text matches the same spans either way and then drops those without a protocol,
    # which are the entities not starting with one (a bare domain cannot hold "://").
    return tuple(entity for entity in entities if _PROTOCOL.match(entity[1]))


def url_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of twitter-text's URL entities in `text`, bare domains included: what
    X's hashtag extraction gives way to (`bookagent.platforms.hashtags.x_hashtags`)."""
    return [(start, end) for start, end, _ in _all_url_entities(text)]


@lru_cache(maxsize=4096)
def _all_url_entities(text: str) -> tuple[tuple[int, int, str], ...]:
    """twitter-text's URL entities, bare domains included, as (start, end, url); cached, as it
    takes 50-200 µs a post, and a post's links are looked up for its length, its dedupe key,
    its link count and its foreign links, and for X's hashtags."""
    if not _DOMAIN_DOT.search(text):
        return ()
    twitter = _twitter()
    found = []
    # twitter-text's pattern tries every position of the text (~0.7 µs each); a URL holds no
    # space, so it lies in one space-free token that holds a domain dot, after one character
    # (the space before it, or the token's own). Each such token is searched on its own, with
    # the space on either side: the pattern's one look-ahead past a domain sees what it sees in
    # the whole text, and `^` holds only at the text's start, where it holds in the whole text
    # too. tests/unit/platforms/test_measure_caches.py compares both on random text.
    # The tokens are found from their dots: the next space after one, and the last before it
    # (the first after it in the reversed text).
    size, reverse, token_end = len(text), "", -1
    for dot in _DOMAIN_DOT.finditer(text):
        at = dot.start()
        if at < token_end:
            continue  # another dot of the token just searched
        after = twitter.space.search(text, at)
        token_end = after.start() if after is not None else size
        reverse = reverse or text[::-1]
        before = twitter.space.search(reverse, size - at)
        base = max((size - before.start() if before is not None else 0) - 1, 0)
        for start, end, url in _token_url_entities(text[base : token_end + 1]):
            found.append((base + start, base + end, url))
    return tuple(found)


@lru_cache(maxsize=4096)
def _token_url_entities(token: str) -> tuple[tuple[int, int, str], ...]:
    """twitter-text's URL entities (bare domains included) in one token of `_all_url_entities`,
    as (start, end, url) within it; cached, as the posts of one book hold the same few links, each
    with the same space on either side, and twitter-text takes ~25 µs a token. Its answer depends
    on the token's text alone."""
    return tuple(
        (int(entity["indices"][0]), int(entity["indices"][1]), str(entity["url"]))
        for entity in _twitter().extract_urls_with_indices(token, True)
    )


@lru_cache(maxsize=4096)
def _weighted_length(text: str, url_length: int) -> int:
    """twitter-text's weighted length, computed as `parse_tweet` does but with a fast emoji scan.

    `parse_tweet` tries its ~2,500-sequence emoji pattern at every position (~1 ms a post);
    here it is tried only where an emoji can start. Exactly `parse_tweet`'s `weightedLength`
    (the tests compare the two on random text with emoji, CJK and URLs).
    """
    twitter = _twitter()
    if twitter.emoji_scan is None or twitter.weights is None:
        return _parse_tweet_length(text, url_length)
    heavy, heavy_weight = twitter.weights
    normalized = _LINE_ENDING.sub("\n", unicodedata.normalize("NFC", text))
    # Entities keyed by start as parse_tweet keys them; a URL wins over an emoji at one index,
    # and an entity starting inside an earlier one is not counted as an entity.
    entities: dict[int, tuple[int, int]] = {
        start: (end - start, heavy_weight) for start, end in twitter.emoji_scan.spans(normalized)
    }
    entities.update(
        {start: (len(url), url_length) for start, url in _url_entities(normalized, True)}
    )
    length = position = 0
    for start in sorted(entities):
        if start < position:
            continue
        size, weight = entities[start]
        length += _plain_length(normalized, position, start, heavy, heavy_weight) + weight
        position = start + size
    return length + _plain_length(normalized, position, len(normalized), heavy, heavy_weight)


def _plain_length(text: str, start: int, end: int, heavy: re.Pattern[str], weight: int) -> int:
    return end - start + (weight - 1) * len(heavy.findall(text, start, end))


def _parse_tweet_length(text: str, url_length: int) -> int:
    """The reference: twitter-text's own weighted length (slow: ~1 ms for a 280-character post)."""
    twitter = _twitter()
    options = {**twitter.defaults, "transformed_url_length": url_length}
    return int(twitter.parse_tweet(text, options).weightedLength)


@lru_cache(maxsize=4096)  # a writer measures a candidate, then the gate measures it again
def _code_point_length(text: str, url_length: int | None, emoji_as_bytes: bool) -> int:
    normalized = unicodedata.normalize("NFC", text)
    length = len(normalized)
    if url_length is not None and ":" in normalized:
        for url in extract_urls(normalized):
            length += url_length - len(url)
    if emoji_as_bytes and _PICTOGRAPHIC.search(normalized):
        length += _emoji_extra_bytes(normalized)
    return length


def _emoji_extra_bytes(text: str) -> int:
    """What counting each emoji cluster (one holding a pictographic character or a regional
    indicator) at its UTF-8 size adds to the text's length in code points.

    Those characters are not ASCII, and no cluster holds one of them and an ASCII character
    (an ASCII character joins a cluster only after a prepend mark, or before extending marks),
    so the clusters are found in the non-ASCII runs alone, each with the ASCII character on
    either side, as `count_graphemes` finds them.
    """
    extra = 0
    for run in _NON_ASCII_RUN.finditer(text):
        piece = text[max(run.start() - 1, 0) : run.end() + 1]
        for cluster in _GRAPHEME.findall(piece):
            if _PICTOGRAPHIC.search(cluster):
                extra += len(cluster.encode("utf-8")) - len(cluster)
    return extra
