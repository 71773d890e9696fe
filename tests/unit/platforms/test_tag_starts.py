"""X's and Bluesky's hashtag patterns are tried only at the hash signs (`hash_sign_matches`):
they must find what scanning the whole text finds."""

from __future__ import annotations

import importlib

from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bookagent.platforms import bluesky_facets
from bookagent.platforms.pattern_starts import hash_sign_matches

# `bookagent.platforms` exports a function named `hashtags`, which hides the module.
hashtags = importlib.import_module("bookagent.platforms.hashtags")

PIECES = st.sampled_from(
    ["#", "＃", "##", "#tag", "＃タグ", "#1", "#a1", "&#x", "a#b", "#\ufe0f", "\ufe0f#x", "#\u20e3",
     "\ufe0e#y", " ", "\n", "\u3000", "https://x.example/#frag", "example.com/#a", "://", "#tag://",
     "é", "_", "-", ".", "!", "#Café", "#ŉ", "#e\u0301"]
)  # fmt: skip
TEXTS = st.lists(PIECES | st.text(max_size=4), max_size=14).map("".join) | st.text()


@settings(max_examples=800, deadline=None)
@given(text=TEXTS)
@example(text="#a")
@example(text="a#b #c ##d")
def test_the_tag_patterns_find_what_a_scan_finds(text: str) -> None:
    for pattern in (hashtags._X_TAG, bluesky_facets._TAG):
        found = [(m.span(), m.groups()) for m in hash_sign_matches(pattern, text)]
        assert found == [(m.span(), m.groups()) for m in pattern.finditer(text)]
