"""The measures' fast paths answer exactly what the plain computations answer.

`count_graphemes` clusters only the non-ASCII runs of a text (with the ASCII character on either
side), and `_all_url_entities` runs twitter-text only on the space-free tokens that hold a domain
dot: both are compared with the whole-text computation on random text built from the characters
that make the rules' edge cases (CR LF, combining marks, ZWJ emoji, regional indicators, Hangul
jamo, Indic prepend and conjunct characters; protocols, bare domains, punycode, t.co, Unicode
spaces, brackets, `@`, `#`, directional marks).
"""

from __future__ import annotations

import random

import pytest
import regex  # type: ignore[import-untyped]  # no stubs; types-regex is not a dependency
from twitter_text import extract_urls_with_indices

from bookagent.platforms import count_graphemes
from bookagent.platforms import extract_urls
from bookagent.platforms.hashtags import x_hashtags
from bookagent.platforms.measure import _PICTOGRAPHIC
from bookagent.platforms.measure import _all_url_entities
from bookagent.platforms.measure import _emoji_extra_bytes
from bookagent.platforms.measure import url_spans

_CLUSTER = regex.compile(r"\X")
_GRAPHEME_PIECES = [
    *"ab \r\n\t.#-1",
    "\u0301", "\u200d", "\ufe0f", "\u20e3", "\U0001f469", "\U0001f3fd", "\u2764",
    "\U0001f1fa", "\U0001f1f8", "\U000e0067", "\u0600", "\U000110bd", "\u0915", "\u094d",
    "\u0937", "\u093f", "\u0903", "\u0a03", "\u0d4e", "\u1100", "\u1161", "\u11a8", "\uac00",
    "\u0e33", "é", "“", "—", "日本", "\u2122", "\u00a9", "\U0001f44d", "\u263a", "#\ufe0f\u20e3",
]  # fmt: skip
_URL_PIECES = [
    "https://", "http://", "www.", "example", ".com", ".co.uk", "/path", "?q=1&x=y", "#frag",
    "t.co/abc", "bit.ly/x", ".de", "日本", ".jp", "xn--80ak6aa92e", ".xn--p1ai", "é", " ",
    "\n", "\r\n", "\u3000", "\xa0", "\u200b", "\x1c", "\u202a", ".", "..", ",", "(", ")",
    "@", "$", "#", "＃", "-", "_", ":", "8080", "'", "“", "”", "/", "!", "?", "a", "1",
    "word", "Mr.Smith", ".io", ".c", ".museum", "#tag",
]  # fmt: skip


def _random_texts(pieces: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(pieces, k=rng.randint(0, 14))) for _ in range(count)]


def test_count_graphemes_matches_clustering_the_whole_text() -> None:
    for text in _random_texts(_GRAPHEME_PIECES, 20_000, 1):
        assert count_graphemes(text) == len(_CLUSTER.findall(text)), repr(text)


@pytest.mark.parametrize("ascii_char", ["a", " ", "\r", "\n", "#"])
def test_count_graphemes_next_to_every_kind_of_character(ascii_char: str) -> None:
    specials = [c for c in _GRAPHEME_PIECES if not c.isascii()]
    for char in specials:
        for text in (
            ascii_char + char,
            char + ascii_char,
            char + ascii_char + char,
            ascii_char + "\u200d" + char,
            char + "\r\n" + char,
        ):
            assert count_graphemes(text) == len(_CLUSTER.findall(text)), repr(text)


def test_url_entities_match_twitter_text_on_the_whole_text() -> None:
    with_urls = 0
    for text in _random_texts(_URL_PIECES, 20_000, 2):
        expected = tuple(
            (int(e["indices"][0]), int(e["indices"][1]), e["url"])
            for e in extract_urls_with_indices(text, True)
        )
        assert _all_url_entities(text) == expected, repr(text)
        assert url_spans(text) == [(start, end) for start, end, _ in expected]
        with_urls += bool(expected)
    assert with_urls > 1000  # the texts do hold links


def test_x_hashtags_and_links_of_a_post() -> None:
    text = "Out now #Lighthouse https://example.com/lighthouse#Read and example.org #Books"
    assert extract_urls(text) == ["https://example.com/lighthouse#Read"]
    assert extract_urls(text, bare_domains=True) == [
        "https://example.com/lighthouse#Read",
        "example.org",
    ]
    assert [tag for _, _, tag in x_hashtags(text)] == ["Lighthouse", "Books"]


def _plain_emoji_extra(text: str) -> int:
    return sum(
        len(cluster.encode("utf-8")) - len(cluster)
        for cluster in _CLUSTER.findall(text)
        if _PICTOGRAPHIC.search(cluster)
    )


def test_emoji_bytes_match_clustering_the_whole_text() -> None:
    for text in _random_texts(_GRAPHEME_PIECES, 20_000, 3):
        assert _emoji_extra_bytes(text) == _plain_emoji_extra(text), repr(text)
    for char in (c for c in _GRAPHEME_PIECES if not c.isascii()):
        for ascii_char in ("a", "#", "1", "\r", "\n"):
            for text in (ascii_char + char, char + ascii_char, char + ascii_char + char):
                assert _emoji_extra_bytes(text) == _plain_emoji_extra(text), repr(text)
