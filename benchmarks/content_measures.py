"""What issue 15 measures in posts: skeletons, openings, voice, pastes, launch wording, length.

Plain functions of a post's final text and its book's profile, shared by
`benchmarks/content_quality.py` and the tests that assert its figures. The definitions:

- **Skeleton** (`skeleton`): the post with its slot values masked. Emoji are dropped; every URL
  (bare domains included) becomes `{link}`; a run of hashtags separated only by whitespace
  becomes one `{hashtags}`. Then every profile string found in the post, longest first, becomes
  its typed placeholder: `{title}`, `{subtitle}`, `{author}` (the full name, and each part of it
  of 3 letters or more), `{genre}`, `{audience}`, `{theme}`, `{quote}`, `{review}`, `{source}`,
  `{award}`, `{event}`, `{blurb}` (each blurb sentence), `{tone}` and `{guidelines}` (each of
  their sentences) and `{price}`. A profile string is matched in any case (a part of the name
  only as capitalised in the profile: "Vale", not "vale"), on word boundaries, with any
  whitespace between its words, either apostrophe, and without its final `.`, `!`, `?` or `…`.
  Then human dates ("March 3", "3 March 2027", "Wednesday, March 3", "Mar. 3rd, 2027", "March
  2027", ISO `2027-03-03`, a weekday on its own; month and weekday names only capitalised)
  become `{date}`, other amounts of money (`$5`, `19.99 USD`) `{price}` and other numbers
  `{number}`. Last, every run of whitespace becomes one space.
- **Opening** (`opening`): the first three words of the post, lowercased (casefolded), where a
  word is a run of letters and digits with inner apostrophes or hyphens: a leading emoji, mark
  or hashtag sign is no word.
- **Voice-rule violations** (`voice_violations`): what the gate's own author-rule check
  (`bookagent.domain.author_rules.rule_violations`, on the NFC text, for the launch phase of the
  day the post is written for) finds in the post, as `check_draft` calls it.
- **Raw-field paste** (`find_pastes`): a free-text profile string of more than 3 words inside a
  sentence the writer generated. The strings: each sentence of the audience, the genre, each
  theme, the tone, the content guidelines and the blurb, kept when it has more than 3 words.
  The post is read without its quotations (text between “ ”, „ “, « », straight double quotes,
  or single quotes that open and close outside a word) and without its links, hashtags and
  @mentions: each of those ends a sentence, as a line break and the `split_sentences` boundaries
  (`.`, `!`, `?`, `…`) do. A string is found in a sentence when its words (as `opening` reads
  words, casefolded) occur there consecutively; punctuation between them is ignored. Every such
  find is a paste, except a blurb sentence that stands as a sentence of its own: it is the whole
  sentence, or all of the sentence after a label that ends in a colon or a spaced dash ("The
  premise of The Quiet Hours: …", "In short — …"). So a quoted excerpt of the blurb, or a blurb
  sentence standing on its own, is not a paste; "what do you prefer in Psychological thriller
  and domestic noir?" (a 6-word genre) and "…with Adult readers of domestic and psychological
  suspense who loved … in mind." are. A string of 3 words or fewer is never a paste by this
  definition: the issue's "what do you prefer in Psychological thriller?" (a 2-word genre) is
  out of its reach.
- **Pre-order wording** (`says_pre_order`): "pre-order", "preorder" or "pre order", in any case,
  with any hyphen, dash or whitespace between the two parts. A post **carries a retailer link**
  (`carries_retailer_link`) when one of its URLs (or of the draft's links) is one of the
  profile's links other than `landing_page`, compared without scheme, `www.` or trailing slash
  (the same link followed by more path or a query counts).
- **Length** (`median_length`): the median of `bookagent.platforms.measure` over the posts, in the
  platform's unit, beside `NORMS`: what social-media guides report as well-performing lengths,
  in characters, approximate.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

import regex  # type: ignore[import-untyped]  # no stubs; types-regex is not a dependency

from bookagent.domain.author_rules import rule_violations
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Event
from bookagent.domain.profile import Review
from bookagent.domain.profile import launch_phase
from bookagent.domain.validation import split_sentences
from bookagent.domain.violation import Violation
from bookagent.platforms import extract_urls
from bookagent.platforms import measure

#: The fewest words of a string that can be pasted ("longer than 3 words").
PASTE_MIN_WORDS = 4
OPENING_WORDS = 3

# -- reading a post ----------------------------------------------------------------------------

_EMOJI = regex.compile(
    r"[\p{Extended_Pictographic}\p{Regional_Indicator}\p{Emoji_Modifier}\ufe0f\u200d\u20e3]"
)
# As `bookagent.platforms.measure` finds hashtags: a `#` not after a word character, a letter in it.
_HASHTAG = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}_&#＃/])[#＃][\p{L}\p{M}\p{N}_]*\p{L}[\p{L}\p{M}\p{N}_]*"
)
_MENTION = regex.compile(r"(?<![\p{L}\p{N}_])@[\p{L}\p{N}_.]+")
_WORD = regex.compile(r"[\p{L}\p{N}]+(?:['’\-‐‑][\p{L}\p{N}]+)*")
_QUOTATION = re.compile(r"“[^”]*”|„[^“”]*[“”]|«[^»]*»|\"[^\"\n]*\"|(?<!\w)['‘][^'’\n]*['’](?!\w)")
_SENTENCE_END = "．.!?…"
# Where a label ends ("The premise: …", "In short — …").
_LABEL_END = re.compile(r":|\s[—–-](?=\s)")
_PRE_ORDER = re.compile(r"\bpre[\s\-‐‑–—]*order", re.IGNORECASE)

# -- skeleton masks ----------------------------------------------------------------------------

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
)
_WEEKDAY_FULL = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_WEEKDAY = rf"(?:{_WEEKDAY_FULL}|(?:Mon|Tues|Tue|Wed|Thurs|Thur|Thu|Fri|Sat|Sun)\b\.?)"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# Month and weekday names are capitalised in a date: "may" or "march" in a sentence stay words.
_DATE = re.compile(
    rf"(?:\b{_WEEKDAY},?\s+)?(?:\b{_MONTH}\s+{_DAY}\b(?:,?\s+\d{{4}}\b)?"
    rf"|\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}}\b)?|\b{_MONTH}\s+\d{{4}}\b)"
    rf"|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b{_WEEKDAY_FULL}\b"
)
_MONEY = re.compile(
    r"(?:[$€£¥]\s?\d+(?:[.,]\d+)*|\b\d+(?:[.,]\d+)*\s?(?:USD|EUR|GBP|CAD|AUD|dollars|euros)\b)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<!\w)\d+(?:[.,:]\d+)*(?:st|nd|rd|th)?(?!\w)")
_SPACES = re.compile(r"\s+")
#: The placeholders, in the order of their private-use marks while a post is being masked.
KINDS = (
    "title", "subtitle", "author", "genre", "audience", "theme", "quote", "review", "source",
    "award", "event", "blurb", "tone", "guidelines", "price", "link", "hashtags", "date", "number",
)  # fmt: skip
_MARK = {kind: chr(0xE000 + i) for i, kind in enumerate(KINDS)}
_HASHTAG_RUN = re.compile(rf"{_MARK['hashtags']}(?:\s+{_MARK['hashtags']})*")
_UNMARK = {ord(mark): f"{{{kind}}}" for kind, mark in _MARK.items()}


def _plain(post: str) -> str:
    """`post` in NFC, as the gate reads it."""
    return unicodedata.normalize("NFC", post)


def words(text: str) -> list[str]:
    """The words of `text`, casefolded: runs of letters and digits, inner `'` or `-` kept."""
    return [w.casefold() for w in _WORD.findall(text)]


def _trimmed(text: str | None) -> str:
    """`text` without surrounding space and its final sentence punctuation."""
    return (text or "").strip().rstrip(_SENTENCE_END + " ").strip()


def _sentences(text: str | None) -> list[str]:
    return [s for s in (_trimmed(s) for s in split_sentences(text or "")) if s]


class _Texts(NamedTuple):
    """The free text of a profile that posts may carry: hashable, so measures cache on it."""

    title: str
    subtitle: str | None
    author: str
    genre: str
    audience: str | None
    price: str | None
    themes: tuple[str, ...]
    quotes: tuple[str, ...]
    reviews: tuple[Review, ...]
    awards: tuple[str, ...]
    events: tuple[Event, ...]
    blurb: str
    tone: str | None
    guidelines: str | None

    @classmethod
    def of(cls, book: BookProfile) -> _Texts:
        """`book`'s texts."""
        return cls(
            book.title,
            book.subtitle,
            book.author,
            book.genre,
            book.target_audience,
            book.price,
            tuple(book.key_themes),
            tuple(book.quotes),
            tuple(book.reviews),
            tuple(book.awards),
            tuple(book.events),
            book.blurb,
            book.tone,
            book.content_guidelines,
        )


def profile_strings(book: BookProfile) -> list[tuple[str, str]]:
    """Every string of `book` a post may carry, as (placeholder kind, text), first kind first."""
    return list(_profile_strings(_Texts.of(book)))


@lru_cache(maxsize=64)
def _profile_strings(t: _Texts) -> tuple[tuple[str, str], ...]:
    items: list[tuple[str, str | None]] = [
        ("title", t.title),
        ("subtitle", t.subtitle),
        ("author", t.author),
        ("genre", t.genre),
        ("audience", t.audience),
        ("price", t.price),
        *(("theme", theme) for theme in t.themes),
        *(("quote", q) for q in t.quotes),
        *(("review", r.text) for r in t.reviews),
        *(("source", r.source) for r in t.reviews),
        *(("award", a) for a in t.awards),
        *(("event", e.name) for e in t.events),
        *(("blurb", s) for s in _sentences(t.blurb)),
        *(("tone", s) for s in _sentences(t.tone)),
        *(("guidelines", s) for s in _sentences(t.guidelines)),
    ]
    seen: dict[str, tuple[str, str]] = {}
    for kind, text in items:
        trimmed = _trimmed(text)
        if len(trimmed) >= 2:
            seen.setdefault(trimmed.casefold(), (kind, trimmed))
    return tuple(seen.values())


def _string_pattern(text: str, *, exact_case: bool = False) -> re.Pattern[str]:
    """`text` on word boundaries, any spaces between words, either apostrophe; any case unless
    `exact_case`."""
    body = r"\s+".join(re.escape(part) for part in text.split())
    body = re.sub("['’]", "['’]", body)
    start = r"(?<!\w)" if _is_word(text[0]) else ""
    end = r"(?!\w)" if _is_word(text[-1]) else ""
    return re.compile(start + body + end, 0 if exact_case else re.IGNORECASE)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


@lru_cache(maxsize=64)
def _masks(t: _Texts) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The patterns of the profile strings, then of the parts of the author's name of 3 letters
    or more (only as capitalised in the profile: "Vale", not "vale"), each with its mark,
    longest first."""
    parts = (_trimmed(part) for part in t.author.split())
    ordered = sorted(
        [
            *((text, kind, False) for kind, text in _profile_strings(t)),
            *((part, "author", True) for part in parts if len(part) >= 3),
        ],
        key=lambda item: len(item[0]),
        reverse=True,
    )
    return tuple(
        (_string_pattern(text, exact_case=exact), _MARK[kind]) for text, kind, exact in ordered
    )


def skeleton(post: str, book: BookProfile) -> str:
    """`post` with its slot values masked by typed placeholders (see the module docstring)."""
    text = _EMOJI.sub("", _plain(post))
    for url in sorted(set(extract_urls(text, bare_domains=True)), key=len, reverse=True):
        text = text.replace(url, _MARK["link"])
    text = _HASHTAG_RUN.sub(_MARK["hashtags"], _HASHTAG.sub(_MARK["hashtags"], text))
    for pattern, mark in _masks(_Texts.of(book)):
        text = pattern.sub(mark, text)
    text = _DATE.sub(_MARK["date"], text)
    text = _MONEY.sub(_MARK["price"], text)
    text = _NUMBER.sub(_MARK["number"], text)
    return _SPACES.sub(" ", text).strip().translate(_UNMARK)


def opening(post: str) -> str:
    """The post's first `OPENING_WORDS` words, lowercased (a leading emoji is no word)."""
    return " ".join(words(_EMOJI.sub("", _plain(post)))[:OPENING_WORDS])


@dataclass(frozen=True)
class Variety:
    """How varied a set of posts (one platform's) is: skeletons and openings."""

    posts: int
    distinct_skeletons: int
    max_skeleton_uses: int
    top_skeleton: str
    max_opening_uses: int
    top_opening: str


def variety(posts: Sequence[str], book: BookProfile, platform: str = "") -> Variety:
    """Distinct skeletons of `posts`, and the most any one skeleton and one opening is used.

    A pin (`platform` "pinterest") opens after its title line: the title is the pin's own field
    (the writer's draft carries it apart as `metadata["pin"]["title"]`), and names the book.
    """
    skeletons = Counter(skeleton(p, book) for p in posts)
    bodies = [p.partition("\n\n")[2] or p for p in posts] if platform == "pinterest" else posts
    openings = Counter(opening(p) for p in bodies)
    top_skeleton, skeleton_uses = skeletons.most_common(1)[0] if skeletons else ("", 0)
    top_opening, opening_uses = openings.most_common(1)[0] if openings else ("", 0)
    return Variety(
        len(posts), len(skeletons), skeleton_uses, top_skeleton, opening_uses, top_opening
    )


# -- voice -------------------------------------------------------------------------------------


def voice_violations(post: str, book: BookProfile, day: date) -> list[Violation]:
    """What the gate's author-rule check finds in `post` written for `day` (its launch phase)."""
    return rule_violations(book.rules, _plain(post), launch_phase(book.launch_date, day))


# -- raw-field pastes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Paste:
    """A free-text profile string found inside a generated sentence."""

    field: str
    words: str
    sentence: str


def paste_candidates(book: BookProfile) -> list[tuple[str, str]]:
    """The free-text strings of `book` that may not be pasted: (field, text), over 3 words."""
    return [(name, text) for name, text, _ in _paste_candidates(_Texts.of(book))]


@lru_cache(maxsize=64)
def _paste_candidates(t: _Texts) -> tuple[tuple[str, str, str], ...]:
    """(field, text, its words joined for `find_pastes`)."""
    fields = {
        "audience": t.audience,
        "genre": t.genre,
        "tone": t.tone,
        "guidelines": t.guidelines,
        "blurb": t.blurb,
    }
    found = [(name, s) for name, value in fields.items() for s in _sentences(value)]
    found += [("theme", s) for theme in t.themes for s in _sentences(theme)]
    return tuple(
        (name, s, _joined(words(s))) for name, s in found if len(words(s)) >= PASTE_MIN_WORDS
    )


def generated_sentences(post: str) -> list[str]:
    """The sentences of `post` outside its quotations, links, hashtags and mentions."""
    text = _QUOTATION.sub("\n", _plain(post))
    for url in sorted(set(extract_urls(text, bare_domains=True)), key=len, reverse=True):
        text = text.replace(url, "\n")
    text = _MENTION.sub("\n", _HASHTAG.sub("\n", text))
    return [s for line in text.splitlines() for s in split_sentences(line) if words(s)]


def find_pastes(post: str, book: BookProfile) -> list[Paste]:
    """The raw-field pastes in `post` (see the module docstring for what counts)."""
    candidates = _paste_candidates(_Texts.of(book))
    found: list[Paste] = []
    for sentence in generated_sentences(post):
        joined = _joined(words(sentence))
        for name, text, needle in candidates:
            if needle in joined and not (name == "blurb" and _standalone(sentence, needle)):
                found.append(Paste(name, text, sentence.strip()))
    return found


def _joined(tokens: Iterable[str]) -> str:
    """Tokens between separators, so that `in` finds whole consecutive words only."""
    return "\x1f" + "\x1f".join(tokens) + "\x1f"


def _standalone(sentence: str, needle: str) -> bool:
    """Whether `sentence` is the blurb sentence `needle` alone, or after a label."""
    if _joined(words(sentence)) == needle:
        return True
    return any(
        _joined(words(sentence[label.end() :])) == needle for label in _LABEL_END.finditer(sentence)
    )


# -- launch wording ----------------------------------------------------------------------------


def says_pre_order(post: str) -> bool:
    """Whether `post` says "pre-order" (or "preorder", "pre order"), in any case."""
    return _PRE_ORDER.search(post) is not None


def _link_key(url: str) -> str:
    """`url` without scheme, `www.` or trailing slash, its host lowercased."""
    bare = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip(), flags=re.IGNORECASE)
    host, slash, path = bare.partition("/")
    host = host.lower().removeprefix("www.")
    return (host + slash + path).rstrip("/")


def retailer_links(book: BookProfile) -> list[str]:
    """The profile's links other than its landing page."""
    return [url for name, url in book.link_urls().items() if name != "landing_page"]


def carries_retailer_link(post: str, book: BookProfile, links: Sequence[str] = ()) -> bool:
    """Whether `post` (or the draft's `links`) holds one of the profile's retailer links."""
    wanted = [_link_key(url) for url in retailer_links(book)]
    found = [_link_key(url) for url in (*extract_urls(post, bare_domains=True), *links)]
    return any(
        f == w or f.startswith(w + "/") or f.startswith(w + "?") for f in found for w in wanted
    )


@dataclass(frozen=True)
class PreOrderShare:
    """Of the posts that carry a retailer link, how many say "pre-order"."""

    with_retailer_link: int
    saying_pre_order: int

    @property
    def share(self) -> float:
        """The share (0-1); NaN when no post carries a retailer link."""
        if not self.with_retailer_link:
            return float("nan")
        return self.saying_pre_order / self.with_retailer_link


def pre_order_share(posts: Iterable[tuple[str, Sequence[str]]], book: BookProfile) -> PreOrderShare:
    """The pre-order share of `posts`, each (text, the draft's links): pass the pre-launch ones."""
    with_link = saying = 0
    for text, links in posts:
        if carries_retailer_link(text, book, links):
            with_link += 1
            saying += says_pre_order(text)
    return PreOrderShare(with_link, saying)


# -- length ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Norm:
    """A well-performing post length reported for a platform, in characters (approximate)."""

    low: int
    high: int
    source: str

    @property
    def middle(self) -> float:
        """The middle of the range."""
        return (self.low + self.high) / 2


# Approximate: marketing guides and small studies, not the platforms' own figures; our medians
# are in each platform's unit (X weighted, Bluesky graphemes), close to characters for Latin text.
NORMS: dict[str, Norm] = {
    # Track Social's retweet study, 71-100 characters: businessinsider.com/heres-the-optimal-
    # length-for-a-tweet-if-you-want-that-tweet-to-be-retweeted-2012-11; also textlen.com/en/blog/
    # post/sns-post-length-optimization-guide and blog.postly.ai/a-comprehensive-guide-to-post-
    # lengths-on-popular-social-media-platforms.
    "twitter": Norm(71, 100, "Track Social via Business Insider (2012); postly.ai; textlen.com"),
    # 40-80 characters: blog.postly.ai (as above), textlen.com (as above), and quintly.com/blog/
    # how-long-should-a-linkedin-post-be.
    "facebook": Norm(40, 80, "postly.ai; textlen.com; quintly.com"),
    # 138-150 characters: blog.postly.ai and textlen.com (as above); most of 19M captions are
    # under 150 (livedune.com/blog/best-instagram-caption-length). Hashtags come on top.
    "instagram": Norm(138, 150, "postly.ai; textlen.com; LiveDune (19M captions)"),
    # Pinterest's Pin Builder recommends a description of 100+ characters (quoted at
    # extratwigs.com/2021/03/04/pinterest-read-the-manual/); descriptions hold up to 500.
    "pinterest": Norm(100, 500, "Pinterest Pin Builder via extratwigs.com (2021)"),
    # No published length study found for Mastodon (default limit 500, as Threads): the Threads
    # range below is used by analogy.
    "mastodon": Norm(180, 280, "none found; Threads' range by analogy"),
    # No published length study found for Bluesky (limit 300; "short and direct updates work
    # best", theblue.social/articles/bluesky-post-formats-what-analytics-reveal): X's range is
    # used by analogy.
    "bluesky": Norm(71, 100, "none found; X's range by analogy"),
    # 180-280 characters: monolit.sh/blog/how-long-should-threads-post-be-2026-data-backed-
    # answer-founders.
    "threads": Norm(180, 280, "monolit.sh (2026)"),
    # 1,300-2,000 characters: quintly.com (as above); 1,500-2,000: linkedsignal.ai/blog/ideal-
    # linkedin-post-length; an analysis of 160,000 posts found 800-1,200 (hubs.uk/?p=346600).
    "linkedin": Norm(1300, 2000, "quintly.com; linkedsignal.ai (800-1,200 per hubs.uk)"),
}


def median_length(platform: str, posts: Sequence[str]) -> float:
    """The median length of `posts` in `platform`'s own unit (NaN for no posts)."""
    if not posts:
        return float("nan")
    return float(statistics.median(measure(platform, p) for p in posts))
