"""Bluesky facets of tracked links: the text and its byte ranges stay as written, and a link's
facet points where `PublishRequest.link_targets` says."""

from __future__ import annotations

from bookagent.publishers.richtext import LINK_FEATURE
from bookagent.publishers.richtext import build_facets
from bookagent.publishers.richtext import link_target

SHOWN = "https://www.amazon.com/dp/B0SALT1234"
TAGGED = f"{SHOWN}?utm_source=bluesky&utm_medium=social&utm_campaign=t&utm_content=p1"


def uris(facets: list[dict[str, object]]) -> list[object]:
    return [
        feature["uri"]
        for facet in facets
        for feature in facet["features"]  # type: ignore[attr-defined]
        if feature["$type"] == LINK_FEATURE
    ]


def test_a_tracked_link_keeps_its_text_and_byte_range() -> None:
    text = f"Out now 📖: {SHOWN}. Also https://example.com/other #BookTok"
    plain = build_facets(text)
    tracked = build_facets(text, {SHOWN: TAGGED})
    assert [f["index"] for f in tracked] == [f["index"] for f in plain]
    assert uris(tracked) == [TAGGED, "https://example.com/other"]
    assert uris(plain) == [SHOWN, "https://example.com/other"]


def test_no_targets_change_nothing() -> None:
    text = f"Buy it: {SHOWN}"
    assert build_facets(text, {}) == build_facets(text) == build_facets(text, None)
    assert link_target(SHOWN, SHOWN, None) == SHOWN
    assert link_target(SHOWN, SHOWN, {"https://other.example": "x"}) == SHOWN
