"""Quotations in every quote style, and who a post says said what.

`QUOTATION` finds quoted spans in straight and typographic double and single quotes, guillemets,
low-9 quotes and CJK corner brackets; a straight or typographic apostrophe inside a word ("it's",
"the author’s") or an elision ("rock 'n' roll", "the '90s") is not a quote mark.

An attribution credits words to someone: "“A triumph.” — Kirkus Reviews", "The Guardian calls it
a masterpiece", "according to Publishers Weekly", "readers say ...". The source must be a review
source of the profile (or the author, or a one-word name from the book's own description, a
character), the words credited must be in that source's review, and words credited to readers or
critics in general must be in a review of that kind.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import regex  # type: ignore[import-untyped]  # no stubs; types-regex is not a dependency

from bookagent.domain.match_starts import find_all
from bookagent.domain.match_starts import matches_at

_OPENS_AFTER = r"(?<![^\s(\[{—–:;/-])"  # a quote opens at the start, or after a space or a bracket
_ELISIONS = r"(?!(?:n|em|til|tis|twas|cause|bout|round|\d0s|\d\d)(?!\w))"
#: Quoted spans; the quoted text is the one group that matched.
QUOTATION = re.compile(
    r'"([^"]+)"|“([^“”]+)”|«([^«»]+)»|„([^„“”]+)[“”]|‹([^‹›]+)›|「([^「」]+)」|『([^『』]+)』'
    rf"|{_OPENS_AFTER}‘((?:[^‘’\n]|’(?=\w))+)’(?!\w)"
    rf"|{_OPENS_AFTER}‚((?:[^‚‘’\n]|’(?=\w))+)‘"
    rf"|{_OPENS_AFTER}'{_ELISIONS}(?=\w)((?:[^'\n]|'(?=\w))+?)'(?!\w)"
)
_NAME = r"\p{Lu}[\w&'’.-]*"
_JOIN = r"\s+(?:of\s+|the\s+|&\s+|and\s+|for\s+)?"
_SOURCE = rf"(?P<src>(?:[Tt]he\s+)?{_NAME}(?:{_JOIN}{_NAME}){{0,5}})"
_VERBS = (
    r"says|said|writes|wrote|calls|called"
    r"|praises|praised|raves|raved|hails|hailed|describes\s+it\s+as|described\s+it\s+as"
    r"|declares|declared|agrees|notes|loved|loves|adores|names\s+it|named\s+it"
)
_CREDITED_BY = (
    r"according\s+to|praised\s+by|hailed\s+by|loved\s+by|endorsed\s+by|recommended\s+by"
    r"|reviewed\s+(?:by|in)|featured\s+(?:by|in|on)|as\s+(?:seen|featured|reviewed)\s+(?:in|on|by)"
)
_AFTER_QUOTE = regex.compile(
    rf"\s*(?:[—–―~]|--?|\(|,?\s*(?i:says|writes|said|wrote|according\s+to))\s*{_SOURCE}"
)
_VERB = re.compile(rf"(?<=\s)(?:{_VERBS})\b[\s:,]*", re.IGNORECASE)
#: The first letters of every verb of `_VERBS`.
_VERB_STEMS = (
    "say", "said", "writ", "wrote", "call", "prais", "rave", "hail", "describ", "declar",
    "agree", "note", "love", "adore", "name",
)  # fmt: skip
_SOURCE_BEFORE = regex.compile(rf"{_SOURCE}\s+$")
_LOOKBACK = 160  # characters before a verb its source may take
_CREDIT = re.compile(rf"\b(?:{_CREDITED_BY})\s+", re.IGNORECASE)
#: A word every match of `_CREDIT` holds one of (casefolded).
_CREDIT_WORDS = (
    "according", "praised", "hailed", "loved", "endorsed", "recommended", "reviewed", "featured",
    "seen",
)  # fmt: skip
_SOURCE_AT = regex.compile(_SOURCE)
_GROUPS = (
    r"readers|reviewers|critics|fans|everyone|people|booksellers|librarians|bookstagrammers"
    r"|booktokers|teachers|parents|educators|kids|children|students|moms|dads|families|leaders"
    r"|founders|experts|ceos|executives|customers|buyers|listeners"
)
_GROUP_WORDS = frozenset(_GROUPS.split("|"))
# "Hailed by critics as ...": a group after a crediting phrase.
_CREDIT_GROUP = re.compile(rf"(?P<who>{_GROUPS})\b(?:\s+as\b)?[\s:,]*", re.IGNORECASE)
# Who a quotation is credited to before it: "Booklist: «...»", "As The New Yorker put it, „...“",
# and in the plural ("The Guardian and Kirkus Reviews say “...”"): right before a quotation only,
# so "Nurses say the night shift is the loneliest" names no source.
_CREDITED_BEFORE = (
    r"(?:\s+(?i:reader|reviewer|critic|fan|user|customer))?"
    r"\s*(?:[:—–]|(?i:put\s+it|wrote|writes?|says?|said|calls?\s+it|called\s+it)\s*[:,]?)\s*$"
)
_SOURCE_BEFORE_QUOTE = regex.compile(rf"{_SOURCE}{_CREDITED_BEFORE}")
#: How every match of `_SOURCE_BEFORE_QUOTE` ends: its last name, then the credit. Searched from
#: the end (`(?r)`), where a match must end, it answers at once; `_SOURCE_BEFORE_QUOTE` starts
#: with a capital letter and tries every place of the window before a quotation.
_CREDIT_AT_END = regex.compile(rf"(?r){_NAME}{_CREDITED_BEFORE}")
#: A word every match of `_GROUP` holds one of (casefolded).
_GROUP_VERBS = ("say", "said", "call", "rav", "agree", "describe")  # rav: raving
_GROUP = re.compile(
    rf"\b(?P<who>{_GROUPS}|the\s+reviews)\s+(?:are\s+|have\s+)?"
    r"(?:say(?:ing)?|said|call(?:ing)?\s+it|called\s+it|rave|raving|raved|agree|describe\s+it\s+as)"
    r"\b[\s:,]*",
    re.IGNORECASE,
)
_READERS = frozenset(
    [
        "teachers",
        "parents",
        "educators",
        "kids",
        "children",
        "students",
        "moms",
        "dads",
        "families",
        "leaders",
        "founders",
        "customers",
        "buyers",
        "listeners",
    ]
) | frozenset(
    [
        "readers",
        "fans",
        "everyone",
        "people",
        "booksellers",
        "librarians",
        "bookstagrammers",
        "booktokers",
    ]
)
#: Words that stand before "says" (or "say") without naming a source.
_NOT_SOURCES = frozenset(
    [
        "he",
        "she",
        "it",
        "they",
        "this",
        "that",
        "who",
        "what",
        "one",
        "someone",
        "something",
        "nobody",
        "everybody",
        "everyone",
        "here",
        "there",
        "which",
        "i",
        "we",
        "you",
        "so",
        "and",
        "but",
        "then",
        "now",
        "today",
        "her",
        "his",
        "their",
        "my",
        "our",
        "your",
        "readers",
        "reviewers",
        "critics",
        "fans",
        "people",
        "booksellers",
        "librarians",
        # before a plural "say": "Some say “...”", "Most call it ..."
        "some",
        "many",
        "most",
        "others",
        "all",
        "both",
        "few",
        "these",
        "those",
    ]
)
_CLAUSE_END = re.compile(r"[.!?;\n]")
_SENTENCE_END = re.compile(r"[.!?:;]\s+")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
#: A paragraph break that a name's joining word runs over ("Kirkus Reviews and⏎⏎The Guardian",
#: "Kirkus Reviews⏎⏎and The Guardian"): the credit goes on.
_JOINED_BREAK = re.compile(
    r"(?:\b(?:and|of|the|for)|&)[^\S\n]*\n[^\S\n]*\n\s*|\n[^\S\n]*\n\s*(?:(?:and|of|for)\b|&)",
    re.IGNORECASE,
)
# Hashtags, links and emoji after what a source said are not what it said.
_NOT_SAID = re.compile(r"[#＃]\w+|https?://\S+|[^\w\s'’,-]")
MATCH_THRESHOLD = 90.0


@dataclass(frozen=True)
class ReviewFacts:
    """A review as the attribution check compares it: normalized text, source and kind."""

    text: str
    source: str
    kind: str


@dataclass(frozen=True)
class Speakers:
    """Who a post may credit words to, with what they said."""

    reviews: tuple[ReviewFacts, ...]
    author: str
    title: str
    #: One-word names the book's own description uses (its characters, its places).
    names: frozenset[str]

    @classmethod
    def of(
        cls,
        reviews: list[tuple[str, str | None, str]],
        author: str,
        description: str,
        title: str = "",
    ) -> Speakers:
        """The speakers of a profile: its reviews, its author, the names in `description`, and
        the book itself (a quotation "from <title>" is one of its lines)."""
        facts = tuple(
            ReviewFacts(normalize(text), source_key(source or ""), kind)
            for text, source, kind in reviews
        )
        names = frozenset(
            w.casefold() for w in regex.findall(r"\b\p{Lu}[\p{Ll}'’]+\b", description)
        )
        return cls(facts, source_key(author), title=source_key(title), names=names)


#: The marks a quotation opens with. Every branch of `QUOTATION` starts at one of them (its
#: lookarounds take no characters), so `quotation_matches` tries the pattern there alone:
#: `re` cannot skip ahead to a branch that starts with a lookbehind, and tries every place.
_OPENERS = re.compile(r"[\"“«„‹「『‘‚']")


def quotation_matches(text: str) -> Iterator[re.Match[str]]:
    """What `QUOTATION.finditer(text)` finds, trying the pattern only at the opening marks."""
    return matches_at(QUOTATION, text, (mark.start() for mark in _OPENERS.finditer(text)))


def without_quotations(text: str) -> str:
    """`QUOTATION.sub(" ", text)`: the text with each quoted span (marks included) a space."""
    pieces: list[str] = []
    end = 0
    for match in quotation_matches(text):
        pieces.append(text[end : match.start()])
        end = match.end()
    if not pieces:
        return text
    pieces.append(text[end:])
    return " ".join(pieces)


def quotations(text: str) -> Iterator[tuple[str, int, int]]:
    """Each quoted span of `text`: its text, and where the span (marks included) starts and ends."""
    for match in quotation_matches(text):
        inner = next(g for g in match.groups() if g is not None)
        yield inner, match.start(), match.end()


def misattributions(speakers: Speakers, text: str) -> Iterator[str]:
    """A sentence for each attribution in `text` (NFC, unmasked) the profile does not support."""
    quotes = list(quotations(text))
    for inner, start, end in quotes:
        match = _AFTER_QUOTE.match(text, end)
        if match is not None:
            yield from _check(speakers, match["src"], inner)
        window = text[max(0, start - _LOOKBACK) : start]
        before = _SOURCE_BEFORE_QUOTE.search(window) if _CREDIT_AT_END.search(window) else None
        if before is not None:
            yield from _check(speakers, before["src"], inner, last=True)
    # Case folded once for every word search below. Folding that changes the text's length
    # (`İ`) could shift a match, so such a text runs every pattern in full.
    folded = text.casefold()
    plain = len(folded) == len(text)
    # The verb first (a plain pattern, quick), then the capitals before it: a pattern that
    # starts with a capital letter is tried at every place of a 63,000-character post.
    for verb in _verbs(text, folded if plain else None):
        window = text[max(0, verb.start() - _LOOKBACK) : verb.start()]
        source = _SOURCE_BEFORE.search(window)
        if source is not None:
            words = _credited_words(text, verb.end(), quotes)
            yield from _check(speakers, source["src"], words, last=True)
    # Each pattern below needs one of its words somewhere in the text (a `str` search, in C): a
    # post with none of them skips the pattern.
    credits = _CREDIT.finditer(text) if not plain or _has_any(folded, _CREDIT_WORDS) else ()
    for credit in credits:
        group = _CREDIT_GROUP.match(text, credit.end())
        if group is not None:
            who = group["who"].casefold()
            words = _credited_words(text, group.end(), quotes)
            kind = "critic" if who in ("critics", "reviewers", "experts") else "reader"
            yield from _check_group(speakers, kind, group["who"], words)
            continue
        match = _SOURCE_AT.match(text, credit.end())
        if match is not None:
            before = [inner for inner, _, end in quotes if 0 <= credit.start() - end <= 3]
            yield from _check(speakers, match["src"], before[0] if before else None)
    groups = _GROUP.finditer(text) if not plain or _has_any(folded, _GROUP_VERBS) else ()
    for match in groups:
        who = match["who"].casefold()
        kind = "reader" if who in _READERS else "critic"
        words = _credited_words(text, match.end(), quotes)
        yield from _check_group(speakers, kind, match["who"], words)


def _has_any(folded: str, words: tuple[str, ...]) -> bool:
    return any(word in folded for word in words)


def _verbs(text: str, folded: str | None) -> Iterator[re.Match[str]]:
    """`_VERB.finditer(text)`, tried only where a verb's first letters are (`str.find`, in C, in
    `folded`, the text case folded to the same length; None runs the pattern everywhere)."""
    places: list[int] = []
    if folded is None or not all(find_all(folded, s, places) for s in _VERB_STEMS):
        yield from _VERB.finditer(text)
        return
    yield from matches_at(_VERB, text, sorted(places))


def _credited_words(text: str, at: int, quotes: list[tuple[str, int, int]]) -> str | None:
    """What a source is credited with saying after `at`: a quotation there, or its clause."""
    end = _CLAUSE_END.search(text, at)
    for inner, start, _ in quotes:  # "calls The Quiet Hours “a chilling descent”"
        if at <= start <= at + 80 and (end is None or start <= end.start()):
            return inner
    clause = _NOT_SAID.sub(" ", text[at : end.start() if end else len(text)])
    words = clause.split()[:14]
    clause = " ".join(words)
    return clause if len(words) >= 2 else None


def _check(
    speakers: Speakers, source: str, words: str | None, *, last: bool = False
) -> Iterator[str]:
    # Capitals may run on over a sentence's end: "Praised by Tana French. Pre-order The Quiet
    # Hours." credits Tana French; "Out now. The Guardian says" credits The Guardian.
    source = _in_paragraph(source, last)
    parts = [p for p in _SENTENCE_END.split(source) if p.strip()]
    if not parts:
        return
    source = parts[-1] if last else parts[0]
    full = source_key(source).split()
    # The capitals before "says" may run on from a heading ("Out Now The Guardian says"): the
    # source is the longest run of its last words that names one.
    for start in range(len(full)):
        key = " ".join(full[start:])
        if key in _NOT_SOURCES or (full[start] in _NOT_SOURCES and start == len(full) - 1):
            return
        if key in _GROUP_WORDS:
            return  # "Readers say “...”": the group check reads it
        if key.removeprefix("the ") == speakers.title and speakers.title:
            return  # a line of the book: the quotation check says whether it is one
        if key == speakers.author or (key in speakers.author.split() and len(key) > 2):
            return  # the author, or a name of the author's
        sources = [r for r in speakers.reviews if r.source and _same_source(key, r.source)]
        if sources and any(_co_credited(key, source_key(r.source)) for r in sources):
            yield _not_a_source(source)  # "Kirkus Reviews and The Guardian": a second one too
            return
        if sources:
            break
        if " " not in key and key in speakers.names:
            return  # a character of the book speaking
    else:
        if full:
            yield _not_a_source(source)
        return
    if words is not None and not any(_said(words, r.text) for r in sources):
        yield (f"Credits to “{source.strip()}” words its review does not say: “{_excerpt(words)}”.")


def _not_a_source(source: str) -> str:
    return f"Credits “{source.strip()}”, which is not the source of any review in the profile."


def _in_paragraph(source: str, last: bool) -> str:
    """The part of a credit's capitals in the credit's own paragraph (the last part for a source
    before what it says): a blank line ends a credit, so "— The Quiet Hours⏎⏎Pre-order it now."
    credits the title. A part that names nothing ("— The⏎⏎Guardian"), and a name joined over the
    break ("Kirkus Reviews and⏎⏎The Guardian"), run on."""
    pieces = _PARAGRAPH_BREAK.split(source)
    if len(pieces) == 1 or _JOINED_BREAK.search(source):
        return source
    piece = pieces[-1] if last else pieces[0]
    key = source_key(piece)
    return piece if key and key not in _NOT_SOURCES else source


def _check_group(speakers: Speakers, kind: str, who: str, words: str | None) -> Iterator[str]:
    reviews = [r for r in speakers.reviews if r.kind == kind]
    writer = "a reader" if kind == "reader" else "a critic"
    if not reviews:
        yield f"Says what {who} say, but the profile has no review by {writer}."
    elif words is not None and not any(_said(words, r.text) for r in reviews):
        yield (
            f"Presents as what {who} say words that are not in a review by {writer}: "
            f"“{_excerpt(words)}”."
        )


def _said(words: str, review: str) -> bool:
    """Whether `words` are in `review` nearly word for word.

    Which source said a quotation is a question of whose review holds its words; whether the
    words are quoted faithfully is the quotation check's. So beyond an exact match, at least
    `MATCH_THRESHOLD`% of the words must be the review's: a set test, whatever their length
    (an ordered fuzzy match of a 2,000-character review against 50 others costs half a second).
    """
    needle = normalize(words)
    for lead in ("it's ", "it is ", "it ", "this is ", "that it's ", "that it is ", "that "):
        if needle.startswith(lead) and len(needle) > len(lead) + 3:
            needle = needle[len(lead) :]
            break
    if not needle or needle in review:
        return True
    said = needle.split()
    if len(said) < 4:
        return False
    vocabulary = _vocabulary(review)
    return sum(1 for w in said if w in vocabulary) * 100 >= MATCH_THRESHOLD * len(said)


@lru_cache(maxsize=4096)
def _vocabulary(review: str) -> frozenset[str]:
    return frozenset(review.split())


def _co_credited(key: str, source: str) -> bool:
    """Whether `key` names `source` joined to another name ("kirkus reviews and the guardian",
    "the guardian & kirkus reviews"), rather than `source` with words around it."""
    at = f" {key} ".find(f" {source} ")
    if at < 0 or key == source:
        return False
    before, after = key[: max(at - 1, 0)].split(), key[at + len(source) :].split()
    return bool((after and after[0] in _JOINERS) or (before and before[-1] in _JOINERS))


_JOINERS = frozenset({"and", "&"})


def _same_source(key: str, source: str) -> bool:
    """'kirkus' names 'kirkus reviews'; 'new york times' names 'the new york times book review'."""
    if key == source:
        return True
    short, long = sorted((key, source), key=len)
    return f" {short} " in f" {long} " and len(short) >= 3


def source_key(source: str) -> str:
    """A source's name as compared: NFC, casefolded, without "the", punctuation or extra spaces."""
    text = unicodedata.normalize("NFC", source).casefold().replace("’", "'")
    text = re.sub(r"[^\w\s&']|'s\b", " ", text)
    words = text.split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def normalize(text: str) -> str:
    """Text as the attribution check compares it: casefolded words, punctuation dropped."""
    text = unicodedata.normalize("NFC", text).casefold().replace("’", "'")
    return " ".join(re.sub(r"[^\w\s']|_", " ", text).split())


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
