"""Hashtags per network, checked against each network's own published cases.

- Mastodon: the `HASHTAG_RE` examples and name validations of mastodon/mastodon
  spec/models/tag_spec.rb (commit 6fe3ab1b5a07). The pattern is app/models/tag.rb's, as
  glitch-soc/mastodon carries it (commit c199ead16fc8); the index's copy of mastodon/mastodon's
  own file predates the lookbehind the spec needs.
- X: the `hashtags`, `hashtags_from_astral` and `hashtags_with_indices` cases of
  twitter/twitter-text conformance/extract.yml (commit 0c55ef72cea5). The `twitter_text` package
  ships no conformance files.
"""

from __future__ import annotations

import pytest

from bookagent.errors import InvalidInputError
from bookagent.platforms.hashtags import hashtags
from bookagent.platforms.hashtags import is_portable_tag
from bookagent.platforms.hashtags import mastodon_hashtags
from bookagent.platforms.hashtags import x_hashtags

ZWNJ, ZWJ = "\u200c", "\u200d"

#: tag_spec.rb `describe 'HASHTAG_RE'`: the text, and the first match (`#…`) or None.
MASTODON_MATCHES: list[tuple[str, str | None]] = [
    ("Check this out https://medium.com/@alice/some-article#.abcdef123", None),
    ("https://en.wikipedia.org/wiki/Ghostbusters_(song)#Lawsuit", None),
    ("https://gcc.gnu.org/bugzilla/show_bug.cgi?id=111895#c4", None),
    ("https://example.org/testé#foo", None),
    ("https://en.wikipedia.org/wiki/Ghostbusters_(song)?foo=#Lawsuit", None),
    ("this is #ａｅｓｔｈｅｔｉｃ", "#ａｅｓｔｈｅｔｉｃ"),
    ("hello #3d", "#3d"),
    ("hello #l33ts35k", "#l33ts35k"),
    ("hello #world2016", "#world2016"),
    ("hello #_test", "#_test"),
    ("hello #test_", "#test_"),
    ("hello #one_two_three", "#one_two_three"),
    ("hello #one·two·three", "#one·two·three"),
    ("testing #ぼっち・ざ・ろっく", "#ぼっち・ざ・ろっく"),
    (f"just add #نرم{ZWNJ}افزار and", f"#نرم{ZWNJ}افزار"),
    ("hello #·one·two·three", None),
    ("hello #one·two·three·", "#one·two·three"),
    ("hello #0123456", None),
    ("Hello toß #ruby", "#ruby"),
    ("Hello #rubyOnRails", "#rubyOnRails"),
]

#: tag_spec.rb `describe 'validations'` (HASHTAG_NAME_RE): a name is valid when `#name` is one
#: whole match.
MASTODON_NAMES: list[tuple[str, bool]] = [
    ("#hello_world", False),
    (".abcdef123", False),
    ("hello world", False),
    ("ａｅｓｔｈｅｔｉｃ", True),
]

#: extract.yml `hashtags` and `hashtags_from_astral`: the text and the tags extracted.
X_TAGS: list[tuple[str, list[str]]] = [
    ("a #hashtag here", ["hashtag"]),
    ("this is #hashtag1", ["hashtag1"]),
    ("#1hashtag is this", ["1hashtag"]),
    ("On the #16 bus", []),
    ("#0", []),
    (
        "(#hashtag1 )#hashtag2 [#hashtag3 ]#hashtag4 ’#hashtag5’#hashtag6",
        ["hashtag1", "hashtag2", "hashtag3", "hashtag4", "hashtag5", "hashtag6"],
    ),
    ("I'll write more tests #mañana", ["mañana"]),
    ("Working remotely #café", ["café"]),
    ("Getting my Oktoberfest on #münchen", ["münchen"]),
    ("this is not valid: # 会議中 ハッシュ", []),
    ("What is #트위터 anyway?", ["트위터"]),
    ("Just random half-width Hangul #ﾣﾦﾰ", ["ﾣﾦﾰ"]),
    ("What is #ашок anyway?", ["ашок"]),
    ("#カタカナ is a hashtag", ["カタカナ"]),
    ("#ひらがな FTW!", ["ひらがな"]),
    ("#漢字 is the future", ["漢字"]),
    ("Hashtag #カタカナ", ["カタカナ"]),
    ("Japanese hashtags #ひらがな", ["ひらがな"]),
    ("Study time #漢字", ["漢字"]),
    ("See my #カタカナ hashtag?", ["カタカナ"]),
    ("Study #ひらがな for fun and profit", ["ひらがな"]),
    ("Some say #漢字 is the past. what do they know?", ["漢字"]),
    ("日本語ハッシュタグテスト #日本語ハッシュタグ", ["日本語ハッシュタグ"]),
    ("日本語ハッシュテスト。#日本語ハッシュタグ", ["日本語ハッシュタグ"]),
    ("#日本語ハッシュタグ。", ["日本語ハッシュタグ"]),
    ("全角英数字ハッシュタグ ＃ｈａｓｈｔａｇ１２３", ["ｈａｓｈｔａｇ１２３"]),
    ("日本語ハッシュタグ#日本語ハッシュタグ", []),
    ("長音ハッシュタグ。#サッカー", ["サッカー"]),
    ("長音ハッシュタグ。#ｻｯｶｰ", ["ｻｯｶｰ"]),
    ("#ﾊｯｼｭﾀｸﾞ #ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", ["ﾊｯｼｭﾀｸﾞ", "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"]),
    ("できましたよー！#日本語ハッシュタグ。", ["日本語ハッシュタグ"]),
    ("できましたよー！＃日本語ハッシュタグ。", ["日本語ハッシュタグ"]),
    ("#云々 #学問のすゝめ #いすゞ #各〻 #各〃", ["云々", "学問のすゝめ", "いすゞ", "各〻", "各〃"]),
    ("#メ～テレ ハッシュタグ内で～が認識されず", ["メ～テレ"]),
    ("#メ〜テレ ハッシュタグ内で～が認識されず", ["メ〜テレ"]),
    ("Here’s a test tweet for you: #Ateş #qrşt #ştu #ş", ["Ateş", "qrşt", "ştu", "ş"]),
    ("Here’s a test tweet for you: #İn #ın", ["İn", "ın"]),
    ("#hashtag: #hashtag; #hashtag, #hashtag. #hashtag! #hashtag?", ["hashtag"] * 6),
    (":#hashtag ;#hashtag ,#hashtag .#hashtag !#hashtag ?#hashtag", ["hashtag"] * 6),
    ("#hashtag\ntest\n#hashtag2\ntest\n#hashtag3\n", ["hashtag", "hashtag2", "hashtag3"]),
    ("#http://twitter.com #https://twitter.com", []),
    ("http://twitter.com/#hashtag twitter.com/#hashtag", []),
    (
        "#Azərbaycanca #mûǁae #Čeština #Ċaoiṁín",
        ["Azərbaycanca", "mûǁae", "Čeština", "Ċaoiṁín"],
    ),
    (
        "#سیاست #ایران #السياسة #السياح #لغات  #اتمی  #کنفرانس #العربية #الجزيرة #فارسی",
        [
            "سیاست",
            "ایران",
            "السياسة",
            "السياح",
            "لغات",
            "اتمی",
            "کنفرانس",
            "العربية",
            "الجزيرة",
            "فارسی",
        ],
    ),
    (
        "#برنامه_نویسی  #رییس_جمهور  #رئيس_الوزراء, #ثبت_نام. #لس_آنجلس",
        ["برنامه_نویسی", "رییس_جمهور", "رئيس_الوزراء", "ثبت_نام", "لس_آنجلس"],
    ),
    ("#עַל־יְדֵי #וכו׳ #מ״כ", ["עַל־יְדֵי", "וכו׳", "מ״כ"]),
    (
        "#ผู้เริ่ม #การเมือง #รายละเอียด #นักท่องเที่ยว #ของขวัญ #สนามบิน #เดินทาง #ประธาน",
        [
            "ผู้เริ่ม",
            "การเมือง",
            "รายละเอียด",
            "นักท่องเที่ยว",
            "ของขวัญ",
            "สนามบิน",
            "เดินทาง",
            "ประธาน",
        ],
    ),
    (f"#أيبيإم #می{ZWNJ}خواهم", ["أيبيإم", f"می{ZWNJ}خواهم"]),
    ("የአላህ መልእክተኛ ሰለላሁ ዓለይሂ ወሰለም #ኢትዮሙስሊምስ", ["ኢትዮሙስሊምስ"]),
    (f"#ශ්{ZWJ}රීලංකා", [f"ශ්{ZWJ}රීලංකා"]),
    ("#۳۴۵هشتگ #هشتگ۶۷۸ #ســـلام_عليكم_٤٠٦", ["۳۴۵هشتگ", "هشتگ۶۷۸", "ســـلام_عليكم_٤٠٦"]),
    ("#महात्मा #महात्मा_१२३४ #१२३४ गांधी", ["महात्मा", "महात्मा_१२३४"]),
    (
        "#বাংলা #ગુજરાતી #ಕನ್ನಡ #മലയാളം #ଓଡ଼ିଆ #ਪੰਜਾਬੀ #සිංහල #தமிழ் #తెలుగు",
        ["বাংলা", "ગુજરાતી", "ಕನ್ನಡ", "മലയാളം", "ଓଡ଼ିଆ", "ਪੰਜਾਬੀ", "සිංහල", "தமிழ்", "తెలుగు"],
    ),
    ("#བོད་སྐད་ #བོད་སྐད", ["བོད་སྐད་", "བོད་སྐད"]),
    ("#មហាត្មះគន្ធី #မြင့်မြတ်သော #ຊີວະສາດ", ["មហាត្មះគន្ធី", "မြင့်မြတ်သော", "ຊີວະສາດ"]),
    ("#Μαχάτμα_Γκάντι ήταν Ινδός πολιτικός", ["Μαχάτμα_Γκάντι"]),
    ("#Մահաթմա #მაჰათმა", ["Մահաթմա", "მაჰათმა"]),
    ("#il·lusió", ["il·lusió"]),
    ("#_ #1_2 #122 #〃", []),
    ("#\U00020021", ["\U00020021"]),
    ("#\U00016f04\U00016f51", ["\U00016f04\U00016f51"]),
    ("#\U00000041\U000104a0", ["A\U000104a0"]),
]

#: extract.yml `hashtags_with_indices`: the text and each (tag, start, end).
X_INDICES: list[tuple[str, list[tuple[str, int, int]]]] = [
    ("#hashtag here", [("hashtag", 0, 8)]),
    ("test a #hashtag", [("hashtag", 7, 15)]),
    ("test a #hashtag in a string", [("hashtag", 7, 15)]),
    ("#123 a #hashtag in a string", [("hashtag", 7, 15)]),
    ("会議中 #hashtag 会議中", [("hashtag", 4, 12)]),
    ("One #two three #four", [("two", 4, 8), ("four", 15, 20)]),
    ("Hashtags in #русский!", [("русский", 12, 20)]),
    (
        "Hashtags in #中文, #日本語, #한국말, and #русский! Try it out!",
        [("中文", 12, 15), ("日本語", 17, 21), ("한국말", 23, 27), ("русский", 33, 41)],
    ),
]


@pytest.mark.parametrize(("text", "first"), MASTODON_MATCHES, ids=[c[0] for c in MASTODON_MATCHES])
def test_mastodon_hashtag_re_spec(text: str, first: str | None) -> None:
    found = mastodon_hashtags(text)
    assert (text[found[0][0] : found[0][1]] if found else None) == first


@pytest.mark.parametrize(("name", "valid"), MASTODON_NAMES)
def test_mastodon_tag_name_spec(name: str, valid: bool) -> None:
    assert (mastodon_hashtags(f"#{name}") == [(0, len(name) + 1, name)]) is valid


@pytest.mark.parametrize(("text", "tags"), X_TAGS, ids=[c[0] for c in X_TAGS])
def test_twitter_text_conformance_hashtags(text: str, tags: list[str]) -> None:
    assert [tag for _, _, tag in x_hashtags(text)] == tags


@pytest.mark.parametrize(("text", "expected"), X_INDICES, ids=[c[0] for c in X_INDICES])
def test_twitter_text_conformance_hashtag_indices(
    text: str, expected: list[tuple[str, int, int]]
) -> None:
    assert [(tag, start, end) for start, end, tag in x_hashtags(text)] == expected


def test_each_network_ends_a_tag_where_it_does() -> None:
    text = "New #Sci-Fi for #book.club and #Leben's"
    assert [t for *_, t in hashtags("bluesky", text)] == ["Sci-Fi", "book.club", "Leben's"]
    assert [t for *_, t in hashtags("mastodon", text)] == ["Sci", "book", "Leben"]
    assert [t for *_, t in hashtags("x", text)] == ["Sci", "book", "Leben"]
    assert [t for *_, t in hashtags("facebook", text)] == ["Sci", "book", "Leben"]


def test_spans_cover_the_hash_sign_and_the_tag() -> None:
    text = "Out now: #BookTok! https://example.com/#frag"
    for platform in ("bluesky", "mastodon", "twitter", "threads"):
        assert hashtags(platform, text) == [(9, 17, "BookTok")], platform


def test_an_unknown_platform_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        hashtags("myspace", "#tag")


@pytest.mark.parametrize(
    ("tag", "portable"),
    [
        ("SciFi", True),
        ("BookTok2", True),
        ("読書", True),
        ("Café", True),
        ("महात्मा", True),  # combining vowel signs are part of the tag everywhere
        ("one_two", True),
        ("Sci-Fi", False),  # Bluesky keeps `-`, the others end the tag there
        ("book.club", False),
        ("Top²", False),  # `²` is a number but not a digit: Mastodon and X end the tag
        ("Ⅻ", False),  # a letter-number: a letter to Mastodon, not to X
        ("2024", False),
        ("a" * 65, False),  # past Bluesky's 64
        ("\U00020021" * 33, False),  # 33 code points but 66 UTF-16 units
        ("", False),
    ],
)
def test_is_portable_tag(tag: str, portable: bool) -> None:
    assert is_portable_tag(tag) is portable
