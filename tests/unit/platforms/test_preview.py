"""preview(): each platform's display of links, its fold, its link card or image placeholder, its
"link in bio" note, and its count in the platform's unit (CJK, emoji and flags included)."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.platforms import MediaPlaceholder
from bookagent.platforms import PlatformRules
from bookagent.platforms import Preview
from bookagent.platforms import Span
from bookagent.platforms import get_rules
from bookagent.platforms import measure
from bookagent.platforms import preview
from bookagent.platforms.preview import bluesky_display_url
from bookagent.platforms.preview import mastodon_display_url
from bookagent.platforms.preview import x_display_url

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # 1 grapheme, 7 code points
FLAG = "🇩🇪"
CJK = "灯台守"
LONG_URL = "https://www.example.com/books/the-lighthouse-keeper/chapter-one?ref=feed"
WORDS = "The sea keeps what it is given and returns what it must. "  # 57 characters


def text_of(spans: tuple[Span, ...]) -> str:
    return "".join(span.text for span in spans)


def shown(result: Preview) -> str:
    return text_of(result.shown)


def folded(result: Preview) -> str:
    return text_of(result.folded)


def paid_x(max_length: int = 25_000) -> PlatformRules:
    """X's rules for a paid tier, whose long posts fold in the feed."""
    return get_rules("twitter", {"twitter": {"max_length": max_length}})


# -- how each platform shows a link -----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # X's own payloads: expanded_url -> display_url
        (
            "https://developer.twitter.com/en/use-cases/success-stories/penn",
            "developer.twitter.com/en/use-cases/s…",
        ),
        (
            "https://www.nytimes.com/2021/04/08/health/coronavirus-mrna-kariko.html",
            "nytimes.com/2021/04/08/hea…",
        ),
        ("https://www.nytimes.com/by/maggie-astor", "nytimes.com/by/maggie-astor"),
        ("http://twittercommunity.com", "twittercommunity.com"),
        ("https://example.com/", "example.com"),
        ("example.com/lighthouse", "example.com/lighthouse"),
    ],
)
def test_x_shows_a_link_as_its_display_url(url: str, expected: str) -> None:
    assert x_display_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.example.com/books/lighthouse", "example.com/books/lighthouse"),
        ("https://example.com/books/the-lighthouse-keeper", "example.com/books/the-lighthou…"),
        ("http://example.com", "example.com"),
    ],
)
def test_mastodon_shows_30_characters_after_the_scheme_and_www(url: str, expected: str) -> None:
    assert mastodon_display_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/", "example.com"),
        ("https://example.com/lighthouse", "example.com/lighthouse"),
        ("https://www.example.com/books/the-lighthouse", "www.example.com/books/the-li..."),
        ("https://Example.com/a?b=1#c", "example.com/a?b=1#c"),
        ("ftp://example.com/file", "ftp://example.com/file"),
    ],
)
def test_bluesky_shows_a_link_as_its_app_does(url: str, expected: str) -> None:
    assert bluesky_display_url(url) == expected


def test_links_are_spans_with_the_full_url_as_target() -> None:
    result = preview("twitter", f"Read it: {LONG_URL} #BookTok")
    links = [span for span in result.shown if span.kind == "link"]
    assert [(link.text, link.target) for link in links] == [
        ("example.com/books/the-ligh…", LONG_URL)
    ]
    tags = [span for span in result.shown if span.kind == "hashtag"]
    assert [(tag.text, tag.target) for tag in tags] == [("#BookTok", "BookTok")]


def test_x_links_a_bare_domain_and_mastodon_does_not() -> None:
    text = "More at example.com/lighthouse today"
    assert [s.kind for s in preview("x", text).shown] == ["text", "link", "text"]
    assert [s.kind for s in preview("mastodon", text).shown] == ["text"]


def test_platforms_without_a_display_form_show_links_as_written() -> None:
    for platform in ("facebook", "linkedin", "threads"):
        result = preview(platform, f"Read it: {LONG_URL}")
        assert [(s.kind, s.text) for s in result.shown] == [
            ("text", "Read it: "),
            ("link", LONG_URL),
        ]


def test_hashtags_are_spans_but_not_inside_a_link_or_a_word() -> None:
    text = "Notes on C# and https://example.com/#Chapter1 for #Readers, #BookTok!"
    result = preview("mastodon", text)
    assert [s.target for s in result.shown if s.kind == "hashtag"] == ["Readers", "BookTok"]
    assert text_of(result.shown) == text.replace(
        "https://example.com/#Chapter1", "example.com/#Chapter1"
    )


# -- the fold -----------------------------------------------------------------------------------


def test_short_posts_are_not_folded_anywhere() -> None:
    for platform in SUPPORTED_PLATFORMS:
        result = preview(platform, "A keeper, a bottle, a message. #BookTok")
        assert result.folded == () and result.more_label is None


def test_linkedin_folds_after_three_lines() -> None:
    text = "Line one.\nLine two.\nLine three.\nLine four."
    result = preview("linkedin", text)
    assert shown(result) == "Line one.\nLine two.\nLine three."
    assert folded(result) == "\nLine four."
    assert result.more_label == "…more"


def test_linkedin_folds_a_long_paragraph_near_210_characters_between_words() -> None:
    result = preview("linkedin", WORDS * 6)
    visible = shown(result)
    assert 180 < len(visible) <= 210
    assert visible + folded(result) == WORDS * 6
    assert folded(result).startswith(" ")  # cut at a space, never inside a word


def test_instagram_folds_after_125_characters_or_three_lines() -> None:
    long = preview("instagram", WORDS * 3)
    assert 100 < len(shown(long)) <= 125
    assert long.more_label == "… more"
    lines = preview("instagram", "One\nTwo\nThree\nFour")
    assert shown(lines) == "One\nTwo\nThree"


def test_facebook_folds_after_about_480_characters_or_five_lines() -> None:
    long = preview("facebook", WORDS * 10)
    assert 440 < len(shown(long)) <= 480
    assert long.more_label == "See more"
    assert shown(preview("facebook", "1\n2\n3\n4\n5\n6")) == "1\n2\n3\n4\n5"
    assert preview("facebook", "1\n2\n3\n4\n5").folded == ()


def test_x_folds_a_long_post_at_280_weighted_characters() -> None:
    result = preview("twitter", WORDS * 8, paid_x())  # 456 characters on a paid tier
    assert measure("twitter", shown(result)) <= 280
    assert measure("twitter", shown(result) + folded(result)[:40]) > 280
    assert result.more_label == "Show more"
    assert (result.length, result.limit) == (len(WORDS * 8), 25_000)


def test_x_weighs_cjk_and_emoji_double_toward_the_fold() -> None:
    cjk = preview("twitter", CJK * 60, paid_x())  # 180 characters, 360 weighted
    assert len(shown(cjk)) == 140  # 140 x 2 = 280
    emoji = preview("twitter", (FAMILY + " ") * 100, paid_x())  # each family weighs 2 + space 1
    assert measure("twitter", shown(emoji)) <= 280
    assert FAMILY in folded(emoji) and "\u200d" not in folded(emoji)[:1]


def test_x_counts_a_link_as_23_toward_the_fold_and_never_cuts_it() -> None:
    text = "a " * 130 + LONG_URL + " end of the post " * 3
    result = preview("twitter", text, paid_x())
    assert [s.kind for s in result.folded][:2] == ["link", "text"]  # 260 + 23 > 280
    assert shown(result) == "a " * 130


def test_platforms_that_show_everything_never_fold() -> None:
    for platform in ("mastodon", "bluesky", "threads", "pinterest"):
        rules = get_rules(platform, {platform: {"max_length": 100_000}})
        result = preview(platform, WORDS * 40 + "\n" * 12 + "end", rules)
        assert result.folded == ()


def test_one_word_longer_than_the_fold_is_cut_inside_it() -> None:
    result = preview("instagram", "x" * 300)
    assert len(shown(result)) == 125 and len(folded(result)) == 175


def test_a_fold_with_only_space_after_it_is_no_fold() -> None:
    assert preview("linkedin", "One\nTwo\nThree\n\n  \n").folded == ()


# -- link cards, the image placeholder, the link-in-bio note ----------------------------------


def test_link_cards_show_the_first_link_and_x_the_last() -> None:
    text = "Pre-order: https://www.amazon.com/dp/B000000000 or https://example.com/lighthouse"
    for platform in ("facebook", "linkedin", "mastodon", "bluesky", "threads"):
        card = preview(platform, text).link_card
        assert card is not None
        assert (card.host, card.url) == ("amazon.com", "https://www.amazon.com/dp/B000000000")
    x_card = preview("twitter", text).link_card
    assert x_card is not None and x_card.host == "example.com"
    assert preview("linkedin", "No link here.").link_card is None


@pytest.mark.parametrize("platform", ["instagram", "pinterest"])
def test_media_platforms_get_an_image_placeholder_and_a_link_in_bio_note(platform: str) -> None:
    result = preview(platform, f"Out now {LONG_URL} #Books", alt_text="A lighthouse at dusk")
    assert result.media is not None and result.media.alt_text == "A lighthouse at dusk"
    assert result.link_card is None
    assert result.link_note is not None and result.link_note.startswith("Link in bio")
    assert [s.kind for s in result.shown] == ["text", "hashtag"]  # the link is plain text
    assert LONG_URL in shown(result)
    assert preview(platform, "Out now").media == MediaPlaceholder(alt_text=None)


def test_platforms_with_clickable_links_have_no_note_and_no_placeholder() -> None:
    for platform in ("twitter", "facebook", "mastodon", "bluesky", "threads", "linkedin"):
        result = preview(platform, "Out now")
        assert result.media is None and result.link_note is None


# -- the count in the platform's unit ------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "text", "length", "unit"),
    [
        ("twitter", f"{CJK} {FAMILY} {FLAG}", 6 + 1 + 2 + 1 + 2, "weighted"),
        ("twitter", f"Read {LONG_URL}", 5 + 23, "weighted"),
        ("bluesky", f"{FAMILY}{FLAG}{CJK}", 5, "graphemes"),
        ("mastodon", f"Read {LONG_URL}", 5 + 23, "characters"),
        ("threads", "📚", 4, "characters"),
        ("linkedin", f"{CJK} {FAMILY}", 3 + 1 + 7, "code_points"),
    ],
)
def test_the_count_is_in_the_platforms_unit(
    platform: str, text: str, length: int, unit: str
) -> None:
    result = preview(platform, text)
    assert (result.length, result.unit) == (length, unit)
    assert result.length == measure(platform, text)


def test_per_account_rules_set_the_limit_and_the_unit_label() -> None:
    rules = get_rules("mastodon", {"mastodon": {"max_length": 1000}})
    result = preview("mastodon", "hello", rules)
    assert (result.limit, result.unit_label, result.label) == (1000, "characters", "Mastodon")
    assert preview("x", "hello").unit_label == "weighted characters"
    assert preview("x", "hello").platform == "twitter"


def test_to_dict_is_plain_json() -> None:
    result = preview("twitter", f"Read {LONG_URL} #Books " + WORDS * 6, paid_x())
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data) == {
        "platform", "label", "shown", "folded", "more_label", "link_card", "media",
        "link_note", "length", "limit", "unit", "unit_label", "content_warning", "thread",
        "media_count",
    }  # fmt: skip
    link = {"kind": "link", "text": "example.com/books/the-ligh…", "target": LONG_URL}
    assert data["shown"][1] == link
    assert data["folded"] and data["link_card"]["host"] == "example.com"


# -- properties -----------------------------------------------------------------------------------

PIECES = st.sampled_from(
    ["word ", "a", " ", "\n", "#BookTok ", FAMILY, FLAG, CJK, "é", "https://example.com/x ", "."]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(PIECES, max_size=120), st.sampled_from(["facebook", "instagram", "linkedin"]))
def test_the_shown_and_folded_text_is_the_whole_text_uncut(
    pieces: list[str], platform: str
) -> None:
    text = "".join(pieces)
    result = preview(platform, text)
    assert shown(result) + folded(result) == text
    spans = [s for s in result.shown + result.folded if s.kind != "text"]
    assert all(s.text.startswith("#") or s.text == s.target for s in spans)  # never split


def test_a_preview_is_fast() -> None:
    texts = [f"Post {i}: {WORDS * 5} https://example.com/{i} #BookTok" for i in range(200)]
    start = time.perf_counter()
    for platform in SUPPORTED_PLATFORMS:
        for text in texts:
            preview(platform, text)
    per_post_ms = (time.perf_counter() - start) * 1000 / (len(texts) * len(SUPPORTED_PLATFORMS))
    assert per_post_ms < 2, f"{per_post_ms:.2f} ms a preview"


def test_platform_labels_are_the_networks_own_names() -> None:
    from bookagent.platforms.preview import platform_label

    assert platform_label("twitter") == "X"
    assert platform_label("linkedin") == "LinkedIn"
    assert platform_label("bluesky") == "Bluesky"
    assert platform_label("newsite") == "Newsite"
