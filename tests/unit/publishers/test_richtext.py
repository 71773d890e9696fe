"""Bluesky facets: the published test cases of `@atproto/api`'s `detectFacets`, ported.

Reference: bluesky-social/atproto, packages/api/tests/rich-text-detection.test.ts (commit
cbf395d65dc5), testing packages/api/src/rich-text/detection.ts and util.ts. Its first table
compares `RichText.segments()` output (text, and a facet's DID or URI); its second lists each
input's tags and the byte range of every facet. `segments` below is the reference's
`RichText.segments()`, which skips a facet starting inside the previous one. Mentions come from
`detect_facets` (the reference's test resolver answers `did:fake:<handle>`), links and tags from
`build_facets`, which is what we send. The tests quote invisible characters in their names
(`\\u200B`) and write them raw in the text; here the text spells them as escapes.
"""

from __future__ import annotations

from typing import Any

import pytest

from bookagent.platforms.bluesky_facets import detect_facets
from bookagent.platforms.bluesky_facets import is_valid_domain
from bookagent.platforms.bluesky_facets import utf8_offset
from bookagent.publishers.richtext import LINK_FEATURE
from bookagent.publishers.richtext import TAG_FEATURE
from bookagent.publishers.richtext import build_facets

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f467"
ARTICLE = "https://socket3.wordpress.com/2018/02/03/designing-windows-95s-user-interface/"
KEYCAP = "#\ufe0f\u20e3"  # #️⃣

#: 'correctly handles a set of text inputs': input, then its segments as [text] or [text, value].
SEGMENT_CASES: list[tuple[str, list[list[str]]]] = [
    ("no mention", [["no mention"]]),
    ("@handle.com middle end", [["@handle.com", "did:fake:handle.com"], [" middle end"]]),
    ("start @handle.com end", [["start "], ["@handle.com", "did:fake:handle.com"], [" end"]]),
    ("start middle @handle.com", [["start middle "], ["@handle.com", "did:fake:handle.com"]]),
    (
        "@handle.com @handle.com @handle.com",
        [
            ["@handle.com", "did:fake:handle.com"],
            [" "],
            ["@handle.com", "did:fake:handle.com"],
            [" "],
            ["@handle.com", "did:fake:handle.com"],
        ],
    ),
    ("@full123-chars.test", [["@full123-chars.test", "did:fake:full123-chars.test"]]),
    ("not@right", [["not@right"]]),
    ("@handle.com!@#$chars", [["@handle.com", "did:fake:handle.com"], ["!@#$chars"]]),
    (
        "@handle.com\n@handle.com",
        [["@handle.com", "did:fake:handle.com"], ["\n"], ["@handle.com", "did:fake:handle.com"]],
    ),
    (
        "parenthetical (@handle.com)",
        [["parenthetical ("], ["@handle.com", "did:fake:handle.com"], [")"]],
    ),
    (
        f"{FAMILY} @handle.com {FAMILY}",
        [[f"{FAMILY} "], ["@handle.com", "did:fake:handle.com"], [f" {FAMILY}"]],
    ),
    (
        "start https://middle.com end",
        [["start "], ["https://middle.com", "https://middle.com"], [" end"]],
    ),
    (
        "start https://middle.com/foo/bar end",
        [["start "], ["https://middle.com/foo/bar", "https://middle.com/foo/bar"], [" end"]],
    ),
    (
        "start https://middle.com/foo/bar?baz=bux end",
        [
            ["start "],
            ["https://middle.com/foo/bar?baz=bux", "https://middle.com/foo/bar?baz=bux"],
            [" end"],
        ],
    ),
    (
        "start https://middle.com/foo/bar?baz=bux#hash end",
        [
            ["start "],
            ["https://middle.com/foo/bar?baz=bux#hash", "https://middle.com/foo/bar?baz=bux#hash"],
            [" end"],
        ],
    ),
    (
        "https://start.com/foo/bar?baz=bux#hash middle end",
        [
            ["https://start.com/foo/bar?baz=bux#hash", "https://start.com/foo/bar?baz=bux#hash"],
            [" middle end"],
        ],
    ),
    (
        "start middle https://end.com/foo/bar?baz=bux#hash",
        [
            ["start middle "],
            ["https://end.com/foo/bar?baz=bux#hash", "https://end.com/foo/bar?baz=bux#hash"],
        ],
    ),
    (
        "https://newline1.com\nhttps://newline2.com",
        [
            ["https://newline1.com", "https://newline1.com"],
            ["\n"],
            ["https://newline2.com", "https://newline2.com"],
        ],
    ),
    (
        f"{FAMILY} https://middle.com {FAMILY}",
        [[f"{FAMILY} "], ["https://middle.com", "https://middle.com"], [f" {FAMILY}"]],
    ),
    ("start middle.com end", [["start "], ["middle.com", "https://middle.com"], [" end"]]),
    (
        "start middle.com/foo/bar end",
        [["start "], ["middle.com/foo/bar", "https://middle.com/foo/bar"], [" end"]],
    ),
    (
        "start middle.com/foo/bar?baz=bux end",
        [
            ["start "],
            ["middle.com/foo/bar?baz=bux", "https://middle.com/foo/bar?baz=bux"],
            [" end"],
        ],
    ),
    (
        "start middle.com/foo/bar?baz=bux#hash end",
        [
            ["start "],
            ["middle.com/foo/bar?baz=bux#hash", "https://middle.com/foo/bar?baz=bux#hash"],
            [" end"],
        ],
    ),
    (
        "start.com/foo/bar?baz=bux#hash middle end",
        [
            ["start.com/foo/bar?baz=bux#hash", "https://start.com/foo/bar?baz=bux#hash"],
            [" middle end"],
        ],
    ),
    (
        "start middle end.com/foo/bar?baz=bux#hash",
        [
            ["start middle "],
            ["end.com/foo/bar?baz=bux#hash", "https://end.com/foo/bar?baz=bux#hash"],
        ],
    ),
    (
        "newline1.com\nnewline2.com",
        [
            ["newline1.com", "https://newline1.com"],
            ["\n"],
            ["newline2.com", "https://newline2.com"],
        ],
    ),
    (
        "a example.com/index.php php link",
        [["a "], ["example.com/index.php", "https://example.com/index.php"], [" php link"]],
    ),
    (
        "a trailing bsky.app: colon",
        [["a trailing "], ["bsky.app", "https://bsky.app"], [": colon"]],
    ),
    ("not.. a..url ..here", [["not.. a..url ..here"]]),
    ("e.g.", [["e.g."]]),
    ("something-cool.jpg", [["something-cool.jpg"]]),
    ("website.com.jpg", [["website.com.jpg"]]),
    ("e.g./foo", [["e.g./foo"]]),
    ("website.com.jpg/foo", [["website.com.jpg/foo"]]),
    (f"Classic article {ARTICLE}", [["Classic article "], [ARTICLE, ARTICLE]]),
    (f"Classic article {ARTICLE} ", [["Classic article "], [ARTICLE, ARTICLE], [" "]]),
    (
        "https://foo.com https://bar.com/whatever https://baz.com",
        [
            ["https://foo.com", "https://foo.com"],
            [" "],
            ["https://bar.com/whatever", "https://bar.com/whatever"],
            [" "],
            ["https://baz.com", "https://baz.com"],
        ],
    ),
    (
        "punctuation https://foo.com, https://bar.com/whatever; https://baz.com.",
        [
            ["punctuation "],
            ["https://foo.com", "https://foo.com"],
            [", "],
            ["https://bar.com/whatever", "https://bar.com/whatever"],
            ["; "],
            ["https://baz.com", "https://baz.com"],
            ["."],
        ],
    ),
    (
        "parenthentical (https://foo.com)",
        [["parenthentical ("], ["https://foo.com", "https://foo.com"], [")"]],
    ),
    (
        "except for https://foo.com/thing_(cool)",
        [["except for "], ["https://foo.com/thing_(cool)", "https://foo.com/thing_(cool)"]],
    ),
]

#: 'correctly detects tags inline': input, its tags, and the byte range of each facet.
TAG_CASES: list[tuple[str, list[str], list[tuple[int, int]]]] = [
    ("#a", ["a"], [(0, 2)]),
    ("#a #b", ["a", "b"], [(0, 2), (3, 5)]),
    ("#1", [], []),
    ("#1a", ["1a"], [(0, 3)]),
    ("#tag", ["tag"], [(0, 4)]),
    ("body #tag", ["tag"], [(5, 9)]),
    ("#tag body", ["tag"], [(0, 4)]),
    ("body #tag body", ["tag"], [(5, 9)]),
    ("body #1", [], []),
    ("body #1a", ["1a"], [(5, 8)]),
    ("body #a1", ["a1"], [(5, 8)]),
    ("#", [], []),
    ("#?", [], []),
    ("text #", [], []),
    ("text # text", [], []),
    (
        "body #thisisa64characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ["thisisa64characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
        [(5, 70)],
    ),
    ("body #thisisa65characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", [], []),
    (
        "body #thisisa64characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
        ["thisisa64characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
        [(5, 70)],
    ),
    ("its a #double#rainbow", ["double#rainbow"], [(6, 21)]),
    ("##hashash", ["#hashash"], [(0, 9)]),
    ("##", [], []),
    ("some #n0n3s@n5e!", ["n0n3s@n5e"], [(5, 15)]),
    ("works #with,punctuation", ["with,punctuation"], [(6, 23)]),
    (
        "strips trailing #punctuation, #like. #this!",
        ["punctuation", "like", "this"],
        [(16, 28), (30, 35), (37, 42)],
    ),
    ("strips #multi_trailing___...", ["multi_trailing"], [(7, 22)]),
    (
        "works with #\U0001f98b emoji, and #butter\U0001f98bfly",
        ["\U0001f98b", "butter\U0001f98bfly"],
        [(11, 16), (28, 42)],
    ),
    (
        "#same #same #but #diff",
        ["same", "same", "but", "diff"],
        [(0, 5), (6, 11), (12, 16), (17, 22)],
    ),
    (f"this {KEYCAP}tag should not be a tag", [], []),
    (f"this #{KEYCAP}tag should be a tag", [f"{KEYCAP}tag"], [(5, 16)]),
    ("this #t\nag should be a tag", ["t"], [(5, 7)]),
    ("no match (\\u200B): #\u200b", [], []),
    ("no match (\\u200Ba): #\u200ba", [], []),
    ("match (a\\u200Bb): #a\u200bb", ["a"], [(18, 20)]),
    ("match (ab\\u200B): #ab\u200b", ["ab"], [(18, 21)]),
    ("no match (\\u20e2tag): #\u20e2tag", [], []),
    ("no match (a\\u20e2b): #a\u20e2b", ["a"], [(21, 23)]),
    ("match full width number sign (tag): ＃tag", ["tag"], [(36, 42)]),
    (f"match full width number sign (tag): ＃{KEYCAP}tag", [f"{KEYCAP}tag"], [(36, 49)]),
    ("no match 1?: #1?", [], []),
]


def segments(text: str, facets: list[dict[str, Any]]) -> list[list[str]]:
    """`RichText.segments()` reduced as the reference's `segmentToOutput` reduces it."""
    data = text.encode("utf-8")
    out: list[list[str]] = []
    cursor = 0
    for facet in sorted(facets, key=lambda f: int(f["index"]["byteStart"])):
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        if start < cursor:
            continue
        if cursor < start:
            out.append([data[cursor:start].decode()])
        if start < end:
            piece = data[start:end].decode()
            feature = facet["features"][0]
            value = feature.get("did") or feature.get("uri")
            out.append([piece, value or ""] if piece.strip() else [piece])
        cursor = end
    if cursor < len(data) or not out:
        out.append([data[cursor:].decode()])
    return out


def reference_facets(text: str) -> list[dict[str, Any]]:
    """What we send (`build_facets`) plus the mentions the reference resolves."""
    mentions = [
        {
            "index": {"byteStart": utf8_offset(text, f.start), "byteEnd": utf8_offset(text, f.end)},
            "features": [{"did": f"did:fake:{f.value}"}],
        }
        for f in detect_facets(text)
        if f.kind == "mention"
    ]
    return [*mentions, *build_facets(text)]


@pytest.mark.parametrize(("text", "expected"), SEGMENT_CASES, ids=[c[0] for c in SEGMENT_CASES])
def test_reference_segments(text: str, expected: list[list[str]]) -> None:
    assert segments(text, reference_facets(text)) == expected


@pytest.mark.parametrize(("text", "tags", "indices"), TAG_CASES, ids=[c[0] for c in TAG_CASES])
def test_reference_tags(text: str, tags: list[str], indices: list[tuple[int, int]]) -> None:
    facets = build_facets(text)
    found = [f["features"][0]["tag"] for f in facets if f["features"][0]["$type"] == TAG_FEATURE]
    assert found == tags
    assert [(f["index"]["byteStart"], f["index"]["byteEnd"]) for f in facets] == indices


def test_sci_fi_and_book_club_are_whole_tags_on_bluesky() -> None:
    text = "New #Sci-Fi for #book.club readers"
    assert [f["features"][0] for f in build_facets(text)] == [
        {"$type": TAG_FEATURE, "tag": "Sci-Fi"},
        {"$type": TAG_FEATURE, "tag": "book.club"},
    ]


def test_a_bare_domain_with_a_known_tld_links_to_https() -> None:
    text = "Order at example.com/books. Not at notes.txt or e.g. here"
    facets = build_facets(text)
    assert facets == [
        {
            "index": {"byteStart": 9, "byteEnd": 26},
            "features": [{"$type": LINK_FEATURE, "uri": "https://example.com/books"}],
        }
    ]


def test_a_bare_domain_starting_with_http_still_gets_a_scheme() -> None:
    # The reference tests `startsWith('http')` and would send the relative URI `httpbin.org`.
    facets = build_facets("try httpbin.org today")
    assert facets[0]["features"][0]["uri"] == "https://httpbin.org"


def test_tld_check_matches_the_reference_list() -> None:
    assert is_valid_domain("bsky.app") and is_valid_domain("foo.co.uk")
    assert not is_valid_domain("website.com.jpg")
    assert not is_valid_domain("example.COM")  # the reference's list is lowercase
    assert not is_valid_domain("com")
