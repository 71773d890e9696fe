"""Hashtags as each network parses them, and the check that a tag is one tag everywhere.

The networks disagree about where a tag ends: Bluesky's app keeps `-` and `.` inside a tag
(`#Sci-Fi` is `Sci-Fi`), Mastodon and X end it there (`Sci`), X and Mastodon end it at `'` while
Bluesky does not, and only Bluesky caps a tag's length. `hashtags(platform, text)` applies the
platform's own rule:

- Bluesky: `@atproto/api`'s `detectFacets` (see `bluesky_facets`).
- Mastodon: `Tag::HASHTAG_RE` of mastodon/mastodon app/models/tag.rb (letters, digits, `_`, and
  `·`, `・` and ZWNJ between them; a tag needs a letter).
- X: twitter-text's `extractHashtagsWithIndices` (twitter/twitter-text js/src), ported because the
  `twitter_text` package we use for URLs and weights has no hashtag extraction.
- Every other platform: the rule the gate counts with (`measure.hashtag_spans`).

Spans are (start of `#`, end, tag without `#`) in code points.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import regex  # type: ignore[import-untyped]  # no stubs; types-regex is not a dependency

from bookagent.platforms.bluesky_facets import tag_spans as bluesky_tag_spans
from bookagent.platforms.measure import extract_urls
from bookagent.platforms.measure import hashtag_spans
from bookagent.platforms.measure import url_spans
from bookagent.platforms.pattern_starts import hash_sign_matches
from bookagent.platforms.rules import normalize_platform

Span = tuple[int, int, str]

# Onigmo's (Ruby's) POSIX classes on Unicode text, per UTS #18 annex C: alpha is Alphabetic,
# word adds marks, decimal digits, connector punctuation and the joiners; alnum is alpha + digits.
_RUBY_ALPHA = r"\p{Alphabetic}"
_RUBY_WORD = r"\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\u200c\u200d"
_RUBY_ALNUM = r"\p{Alphabetic}\p{Nd}"
_MASTODON_SEPARATORS = r"_\u00b7\u30fb\u200c"
# HASHTAG_NAME_PAT: a first form with separators inside (`one·two`, `ぼっち・ざ・ろっく`), else
# word characters around at least one letter.
_MASTODON_NAME = (
    rf"[{_RUBY_WORD}_][{_RUBY_WORD}{_MASTODON_SEPARATORS}]*[{_RUBY_ALPHA}{_MASTODON_SEPARATORS}]"
    rf"[{_RUBY_WORD}{_MASTODON_SEPARATORS}]*[{_RUBY_WORD}_]"
    rf"|[{_RUBY_WORD}_]*[{_RUBY_ALPHA}][{_RUBY_WORD}_]*"
)
# HASHTAG_RE = %r{(?<![=/)\p{Alnum}])#(#{HASHTAG_NAME_PAT})}i
_MASTODON_TAG = regex.compile(rf"(?<![=/){_RUBY_ALNUM}])#({_MASTODON_NAME})")

# twitter-text: hashtagSpecialChars, hashtagAlpha (letters and marks), hashtagAlphaNumeric.
_X_SPECIAL = (
    r"_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c"
    r"\u00b7"
)
_X_ALPHA = r"[\p{L}\p{M}]"
_X_ALNUM = rf"[\p{{L}}\p{{M}}\p{{Nd}}{_X_SPECIAL}]"
# validHashtag: (hashtagBoundary)(hashSigns)(?!\uFE0F|\u20E3)(alnum* alpha alnum*); the boundary
# is the start, the end, a variation selector, or one character that is neither alnum nor `&`.
_X_TAG = regex.compile(
    rf"(^|\ufe0e|\ufe0f|$|(?!{_X_ALNUM}|&).)([#＃])(?!\ufe0f|\u20e3)"
    rf"({_X_ALNUM}*{_X_ALPHA}{_X_ALNUM}*)",
    regex.DOTALL,
)
_X_END = regex.compile(r"[#＃]|://")  # endHashtagMatch: a tag must not run into these


def hashtags(platform: str, text: str) -> list[Span]:
    """The hashtags of `text` as `platform` finds them, in order."""
    return _rule(normalize_platform(platform))(text)


def post_entities(platform: str, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A post's hashtags (with `#`) as `platform` links them, and its http(s) links, each in
    order without repeats: what a post records as its `hashtags` and `links`."""
    tags = tuple(dict.fromkeys(f"#{tag}" for _, _, tag in hashtags(platform, text)))
    return tags, tuple(dict.fromkeys(extract_urls(text)))


def is_portable_tag(tag: str) -> bool:
    """True when `#tag` is the single tag `tag` on Bluesky, Mastodon and X, and for the gate
    (`measure`'s rule, which the other platforms use).

    Checked standing alone and after a word and a space, the two places a writer puts a tag.
    """
    if not tag:
        return False
    rules = (bluesky_tag_spans, mastodon_hashtags, x_hashtags, hashtag_spans)
    for text in (f"#{tag}", f"Read #{tag}"):
        single = [(text.index("#"), len(text), tag)]
        if any(rule(text) != single for rule in rules):
            return False
    return True


def mastodon_hashtags(text: str) -> list[Span]:
    """Mastodon's `Tag::HASHTAG_RE` matches in `text`."""
    return [(m.start(), m.end(), m.group(1)) for m in _MASTODON_TAG.finditer(text)]


def x_hashtags(text: str) -> list[Span]:
    """twitter-text's `extractHashtagsWithIndices(text)`: a tag that runs into another `#` or
    into `://` is no tag, and a tag inside a URL gives way to the URL."""
    if "#" not in text and "＃" not in text:
        return []
    tags = []
    for match in hash_sign_matches(_X_TAG, text):
        if _X_END.match(text, match.end()):
            continue
        tags.append((match.start(2), match.end(), match.group(3)))
    urls = _x_url_spans(text)
    if not urls:
        return tags
    # removeOverlappingEntities: by start, an entity starting before the previous one ends goes.
    entities = [(s, e, "tag", t) for s, e, t in tags] + [(s, e, "url", "") for s, e in urls]
    entities.sort(key=lambda entity: entity[0])
    kept: list[tuple[int, int, str, str]] = []
    end = -1
    for entity in entities:
        if kept and entity[0] < end:
            continue
        kept.append(entity)
        end = entity[1]
    return [(s, e, t) for s, e, kind, t in kept if kind == "tag"]


def _x_url_spans(text: str) -> list[tuple[int, int]]:
    """twitter-text's URL entities (bare domains included), as its hashtag extraction sees them
    (`url_spans`: cached, and shared with the measures of the same text)."""
    return url_spans(text)


@cache
def _rule(platform: str) -> Callable[[str], list[Span]]:
    rules: dict[str, Callable[[str], list[Span]]] = {
        "bluesky": bluesky_tag_spans,
        "mastodon": mastodon_hashtags,
        "twitter": x_hashtags,
    }
    return rules.get(platform, hashtag_spans)
