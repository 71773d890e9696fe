"""measure() and friends on tricky text: ZWJ emoji, flags, CJK, combining marks, long URLs."""

from __future__ import annotations

import importlib
import re
import unicodedata
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from twitter_text import extract_urls_with_indices
from twitter_text import parse_tweet
from twitter_text.config import config as twitter_config
from twitter_text.regexp.emoji import emoji_list as twitter_emoji_list
from twitter_text.regexp.valid_cctld import valid_cctld
from twitter_text.regexp.valid_gtld import valid_gtld

import bookagent.platforms as platforms
from bookagent.errors import InvalidInputError
from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.platforms import count_bytes
from bookagent.platforms import count_graphemes
from bookagent.platforms import escape_linkedin_little
from bookagent.platforms import extract_hashtags
from bookagent.platforms import extract_urls
from bookagent.platforms import get_rules
from bookagent.platforms import measure
from bookagent.platforms import normalize_platform

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # 7 code points, 25 UTF-8 bytes, 1 grapheme
FLAG = "🇩🇪"  # 2 regional indicators, 8 bytes, 1 grapheme
CJK = "日本語"  # 3 code points, 9 bytes
NFD_E = "e\u0301"  # e + combining acute: 2 code points, NFC is 1
NFC_E = "\u00e9"
LONG_URL = "https://example.com/books/the-salt-road/" + "a" * 120
CODE_POINT_PLATFORMS = ("facebook", "instagram", "pinterest", "linkedin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (FAMILY, 2),
        (FLAG, 2),
        (CJK, 6),
        (NFD_E, 1),
        (NFC_E, 1),
        (LONG_URL, 23),
        (f"Read it {LONG_URL} now", 8 + 23 + 4),
        ("example.com", 23),
        ("a" * 280, 280),
    ],
)
def test_twitter_uses_weighted_length(text: str, expected: int) -> None:
    assert measure("twitter", text) == expected


def test_x_is_an_alias_of_twitter() -> None:
    text = f"{FAMILY} {CJK} {LONG_URL}"
    assert measure("x", text) == measure("twitter", text) == 2 + 1 + 6 + 1 + 23
    assert get_rules("X") == get_rules("twitter")


@pytest.mark.parametrize(
    ("text", "graphemes", "size"),
    [(FAMILY, 1, 25), (FLAG, 1, 8), (CJK, 3, 9), (NFD_E, 1, 3), (NFC_E, 1, 2)],
)
def test_bluesky_counts_graphemes_and_bytes_separately(
    text: str, graphemes: int, size: int
) -> None:
    assert measure("bluesky", text) == count_graphemes(text) == graphemes
    assert count_bytes(text) == size


def test_bluesky_counts_urls_in_full() -> None:
    assert measure("bluesky", LONG_URL) == len(LONG_URL)


def test_bluesky_byte_cap_can_bind_before_the_grapheme_cap() -> None:
    text = FAMILY * 150
    assert measure("bluesky", text) == 150 <= get_rules("bluesky").max_length
    assert count_bytes(text) == 3750 > (get_rules("bluesky").max_bytes or 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [(FAMILY, 7), (FLAG, 2), (CJK, 3), (NFD_E, 1), (LONG_URL, 23), (f"see {LONG_URL}.", 28)],
)
def test_mastodon_counts_code_points_with_urls_as_23(text: str, expected: int) -> None:
    assert measure("mastodon", text) == expected


def test_mastodon_does_not_shorten_bare_domains() -> None:
    assert measure("mastodon", "example.com") == len("example.com")


@pytest.mark.parametrize(
    ("text", "expected"), [(FAMILY, 25), (FLAG, 8), (CJK, 3), (NFD_E, 1), ("hello", 5)]
)
def test_threads_counts_emoji_as_utf8_bytes(text: str, expected: int) -> None:
    assert measure("threads", text) == expected


@pytest.mark.parametrize("platform", CODE_POINT_PLATFORMS)
def test_other_platforms_count_nfc_code_points(platform: str) -> None:
    assert measure(platform, FAMILY) == 7
    assert measure(platform, FLAG) == 2
    assert measure(platform, CJK) == 3
    assert measure(platform, LONG_URL) == len(LONG_URL)
    assert measure(platform, NFD_E) == measure(platform, NFC_E) == 1


@pytest.mark.parametrize("platform", SUPPORTED_PLATFORMS)
def test_nfd_and_nfc_text_measure_the_same(platform: str) -> None:
    text = "Café crème, naïve résumé"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert measure(platform, nfd) == measure(platform, text)


def test_unknown_platform_is_an_invalid_input_naming_the_supported_ones() -> None:
    with pytest.raises(InvalidInputError) as raised:
        measure("myspace", "hello")
    error = raised.value
    assert error.details[0].field == "platforms"
    assert "myspace" in error.message
    for name in (*SUPPORTED_PLATFORMS, "x"):
        assert name in error.message


def test_platform_names_are_case_insensitive() -> None:
    assert normalize_platform(" Twitter ") == "twitter"
    assert normalize_platform("X") == "twitter"
    assert normalize_platform("LinkedIn") == "linkedin"


def test_supported_platforms_have_sourced_dated_rules() -> None:
    assert set(SUPPORTED_PLATFORMS) == {
        "twitter", "facebook", "instagram", "pinterest",
        "mastodon", "bluesky", "threads", "linkedin",
    }  # fmt: skip
    for name in SUPPORTED_PLATFORMS:
        rules = get_rules(name)
        assert rules.name == name
        assert rules.source
        assert rules.verified_on.year >= 2026
        assert 0 <= rules.hashtags_min <= 1 <= rules.hashtags_max
    assert get_rules("bluesky").max_bytes == 3000
    assert get_rules("threads").max_links == 5
    assert get_rules("threads").hashtags_max == 1
    assert get_rules("instagram").hashtags_max == 5
    assert get_rules("instagram").requires_media and get_rules("pinterest").requires_media
    assert not get_rules("instagram").links_clickable


def test_overrides_replace_fields_of_the_named_platform_only() -> None:
    overrides = {
        "mastodon": {"max_length": 1000, "url_length": 30},
        "instagram": {"hashtags_max": 30},
    }
    mastodon = get_rules("mastodon", overrides)
    assert mastodon.max_length == 1000
    assert measure("mastodon", LONG_URL, mastodon) == 30
    assert get_rules("instagram", overrides).hashtags_max == 30
    assert get_rules("twitter", overrides) == get_rules("twitter")
    assert get_rules("x", {"twitter": {"max_length": 25_000}}).max_length == 25_000


def test_overrides_with_unknown_fields_or_impossible_values_are_rejected() -> None:
    with pytest.raises(InvalidInputError, match="bogus"):
        get_rules("mastodon", {"mastodon": {"bogus": 1}})
    with pytest.raises(InvalidInputError, match="hashtags_min"):
        get_rules("threads", {"threads": {"hashtags_min": 3}})
    with pytest.raises(InvalidInputError, match="max_length"):
        get_rules("twitter", {"twitter": {"max_length": 0}})


def test_extract_hashtags_needs_a_letter_and_a_boundary() -> None:
    text = "#BookTok C# #1 #日本 ＃Fun #a_1 x#y #️⃣ #Café! https://e.com/#frag"
    assert extract_hashtags(text) == ["BookTok", "日本", "Fun", "a_1", "Café"]


def test_extract_urls_leaves_out_trailing_punctuation_and_bare_domains() -> None:
    text = "Buy: https://shop.example.com/book?id=1. Or example.org."
    url = "https://shop.example.com/book?id=1"
    assert extract_urls(text) == [url]
    assert extract_urls(text, bare_domains=True) == [url, "example.org"]


def test_escape_linkedin_little_escapes_every_reserved_character() -> None:
    reserved = "\\|{}@[]()<>#*_~"
    assert escape_linkedin_little(reserved) == "".join("\\" + c for c in reserved)
    assert escape_linkedin_little("Out now (finally) #books") == r"Out now \(finally\) \#books"
    assert escape_linkedin_little("plain, text: ok!") == "plain, text: ok!"


def test_package_exports_match_all() -> None:
    public = {name for name in dir(platforms) if not name.startswith("_")}
    # Submodules (imported by any test) are attributes too; `measure` is the function, not the
    # module, and `annotations` is the __future__ feature.
    modules = {n for n in public if isinstance(getattr(platforms, n), ModuleType)}
    modules.add("annotations")
    assert set(platforms.__all__) == public - modules
    assert callable(platforms.measure)


# -- the fast weighted length and URL pre-checks equal twitter-text's own results --------------

_TWITTER_EMOJI = [e.emoji for e in twitter_emoji_list]
_EMOJI_PARTS = ["\ufe0f", "\u20e3", "\u200d", "🏻", "🏿", "🇩", "🇪", "\U000e0067", "\U000e007f"]
_RANGE_EDGES = [chr(c) for c in (0x10FF, 0x1100, 0x1FFF, 0x2000, 0x200D, 0x200E, 0x2010, 0x201F,
                                 0x2020, 0x2031, 0x2032, 0x2037, 0x2038)]  # fmt: skip
_TEXT_PIECES = [
    "Read it", " ", "\n", "\r\n", "\r", "#", "*", "7", "#BookTok", "©", "®", "™", "→", "…", "“",
    "”", "—", CJK, "한국어", NFD_E, "ﬁ", "Ω", LONG_URL, "https://t.co/abc", "http://日本.jp/x",
    "example.com", "www.amazon.com/dp/B0?x=1", "a.b", "Co.UK", ".", ":", "/", "(", ")",
]  # fmt: skip
_TWEETS = st.lists(
    st.sampled_from(_TWITTER_EMOJI)
    | st.sampled_from(_EMOJI_PARTS + _RANGE_EDGES + _TEXT_PIECES)
    | st.text(max_size=4),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=_TWEETS, url_length=st.sampled_from([23, 30]))
def test_weighted_length_equals_parse_tweet(text: str, url_length: int) -> None:
    rules = get_rules("twitter", {"twitter": {"url_length": url_length}})
    options = {**twitter_config["defaults"], "transformed_url_length": url_length}
    assert measure("twitter", text, rules) == parse_tweet(text, options).weightedLength


def test_weighted_length_counts_every_twitter_emoji_as_parse_tweet_does() -> None:
    for emoji in _TWITTER_EMOJI:
        for text in (emoji, f"a{emoji}b", emoji * 2, f"#{emoji}\ufe0f", f"7{emoji}\u20e3"):
            assert measure("twitter", text) == parse_tweet(text).weightedLength, text


def test_weighted_length_uses_the_fast_emoji_scan() -> None:
    # A twitter-text upgrade that changes its emoji pattern or weights would silently fall
    # back to parse_tweet (correct, but ~50x slower): make that visible.
    twitter = importlib.import_module("bookagent.platforms.measure")._twitter()
    assert twitter.emoji_scan is not None
    assert twitter.weights is not None


@settings(max_examples=400, deadline=None)
@given(text=_TWEETS, bare_domains=st.booleans())
def test_extract_urls_equals_twitter_text(text: str, bare_domains: bool) -> None:
    expected = [e["url"] for e in extract_urls_with_indices(text, bare_domains)]
    assert extract_urls(text, bare_domains=bare_domains) == expected


def test_every_top_level_domain_passes_the_url_pre_check() -> None:
    module = importlib.import_module("bookagent.platforms.measure")
    tlds = ["xn--p1ai"]
    for pattern in (valid_gtld.pattern, valid_cctld.pattern):
        alternatives = re.fullmatch(r"\(\?:\(\?:(.*)\)\(\?=.*", pattern, re.DOTALL)
        assert alternatives is not None
        tlds += alternatives[1].split("|")
    assert len(tlds) > 1000
    for tld in tlds:
        assert module._DOMAIN_DOT.match(f".{tld}"), tld
