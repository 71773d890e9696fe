"""Near-duplicates: whether a draft repeats a recent post, word for word or reworded.

Two measures, both blind to links, hashtags, emoji, punctuation and case, so that decoration
never makes a repeat look new:

- wording (`find_same_wording`): rapidfuzz's token-sort ratio of the texts reduced to their
  words (`dedupe_key`): the same words in any order, give or take a few characters. A repeat at
  `WORDING_THRESHOLD` or more.
- content (`find_reworded`): the Dice coefficient of the texts' *content words* (a small English
  stopword list dropped, crudely stemmed, "pre-order" read as "preorder", number words as digits).
  Clauses reordered, words swapped, an opener or a call to action added keep most content words;
  two distinct posts of one book, which share its title, author, themes and a call to action,
  share a third to a half of them. A repeat at `CONTENT_THRESHOLD` or more; a post with fewer
  than `CONTENT_MIN_WORDS` content words repeats another only with the same ones.

The thresholds were chosen by measurement (see tests/unit/domain/test_near_duplicates.py): hand-
written paraphrases and distinct posts of one book, and the template writer's output.

`find_similar_post` applies both, as `check_draft` does for the platform's recent posts, and
`find_same_wording` alone is what makes a cross-platform duplicate ("the same text"): a post
reworded for another platform is the normal way to announce one thing twice.
`find_near_duplicate` is `find_similar_post` as a pair, under the name writers import. What
a comparison needs of a text is cached (`lru_cache`): every draft of a batch, and every
candidate of a draft, meets the same recent posts.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz import process

from bookagent.platforms import extract_urls

#: Token-sort ratio (0-100) at or above which two posts say the same words.
WORDING_THRESHOLD = 85.0
#: Content-word similarity (0-100, see `content_similarity`) at or above which a post is reworded.
CONTENT_THRESHOLD = 78.0
#: Below this many distinct content words (in the smaller post), only the same set repeats.
CONTENT_MIN_WORDS = 5

_HASHTAG = re.compile(r"[#＃]\w+")
_NOT_WORD = re.compile(r"[^\w\s]|_")
# For the content words: links (a word with "://" or a dot inside, "example.com/x": cruder than
# twitter-text, which the wording's key uses, and many times quicker) and hashtags go; hyphens
# and apostrophes go too, joining what they join ("pre-order" is "preorder", "it's" is "its").
_LINK_OR_TAG = re.compile(r"(?<!\S)\S*(?:://|\w\.\w)\S*|[#＃]\w+")
# What every match of `_LINK_OR_TAG` holds: "://", a dot between word characters, or a "#"
# before one. Each branch starts with its character, so `re` skips to the places it can match
# at, where `_LINK_OR_TAG` tries `\S*` at the start of every word.
_LINK_OR_TAG_HINT = re.compile(r"\.(?<=\w\.)(?=\w)|://|[#＃](?=\w)")
_JOINERS = ("-", "'", "’", "‐", "‑")
_WORD_CHARS = re.compile(r"[^\W_]+")
_STOPWORDS = frozenset(
    {
        "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
        "be", "been", "before", "being", "both", "but", "by", "can", "could", "did", "do", "does",
        "doing", "down", "during", "each", "even", "ever", "few", "for", "from", "get", "gets",
        "got", "had", "has", "have", "having", "he", "her", "here", "heres", "hers", "him", "his",
        "how", "i", "if", "im", "in", "into", "is", "it", "its", "itself", "ive", "just", "let",
        "lets", "me", "more", "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once",
        "one", "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she", "shes",
        "should", "so", "some", "such", "than", "that", "thats", "the", "their", "theirs", "them",
        "then", "there", "these", "they", "this", "those", "through", "to", "today", "too", "under",
        "until", "up", "very", "via", "was", "we", "were", "what", "whats", "when", "where",
        "which", "while", "who", "whom", "why", "will", "with", "would", "yet", "you", "youre",
        "your", "yours",
    }
)  # fmt: skip
_NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "first": "1",
}  # fmt: skip
_SUFFIXES = ("ingly", "edly", "ing", "ed", "es", "s", "e")


@dataclass(frozen=True)
class SimilarPost:
    """A recent post a draft repeats: its text, the score (0-100) and the measure that found it.

    `measure` is "wording" (the token-sort ratio) or "content" (the content words).
    """

    text: str
    score: float
    measure: str


def find_similar_post(
    content: str, recent: Sequence[str], threshold: float = WORDING_THRESHOLD
) -> SimilarPost | None:
    """The recent post `content` repeats, by its wording (a token-sort ratio at or above
    `threshold`) or reworded, or None."""
    same = find_same_wording(content, recent, threshold)
    if same is not None:
        return SimilarPost(same[0], same[1], "wording")
    reworded = find_reworded(content, recent, CONTENT_THRESHOLD)
    if reworded is not None:
        return SimilarPost(reworded[0], reworded[1], "content")
    return None


def find_near_duplicate(
    content: str, recent: Sequence[str], threshold: float | None = None
) -> tuple[str, float] | None:
    """The recent post `content` repeats and the score that says so (0-100), or None.

    By default this is the gate's own test (`find_similar_post`, as a pair), which writers use to
    rule out candidates before the full gate. With a `threshold`, only the wording counts: a
    token-sort ratio at or above it (`find_same_wording`).
    """
    if threshold is not None:
        return find_same_wording(content, recent, threshold)
    # The content words first: a writer's candidates mostly fail on them, and they cost a tenth
    # of the wording's key (which finds links with twitter-text).
    return find_reworded(content, recent) or find_same_wording(content, recent)


def find_same_wording(
    content: str, recent: Sequence[str], threshold: float = WORDING_THRESHOLD
) -> tuple[str, float] | None:
    """The recent post whose words are most like `content`'s and its token-sort ratio (0-100),
    if that is at or above `threshold`.

    Answers are kept (`_ANSWERS`): a writer rules out a candidate that repeats a recent post,
    then the gate asks the same of the candidate it keeps.
    """
    if not recent:
        return None
    return _same_wording(content, tuple(recent), float(threshold))


#: How many answers of each comparison are kept; each holds references to the caller's texts.
_ANSWERS = 256
#: How many lists of recent posts have their keys kept (`_choices`, `_content_choices`): a write
#: compares its candidates with two (the platform's posts and the others'), and the gate with
#: the same two; each entry holds the keys of up to the writer's 160 recent posts.
_RECENT_KEPT = 16


@lru_cache(maxsize=_ANSWERS)
def _same_wording(
    content: str, recent: tuple[str, ...], threshold: float
) -> tuple[str, float] | None:
    key = _sorted_dedupe_key(content)
    if not key:
        return None
    # token_sort_ratio is ratio on the words sorted: `_sorted_dedupe_key` sorts them, its keys
    # cached (a post without words scores 0), and handed over made, so that rapidfuzz compares
    # them without calling back into Python. The cutoff only skips work: rapidfuzz may drop a
    # score a little above it (`extractOne` rounds to single precision), so it sits below the
    # threshold, and the caller compares.
    cutoff = max(0.0, threshold - 0.01)
    # At a threshold of 0 a post without words would "match": only posts with words compete.
    choices, keys = _choices(recent, words_only=cutoff <= 0)
    best = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=cutoff)
    if best is None or best[1] < threshold:
        return None
    return choices[best[2]], float(best[1])


@lru_cache(maxsize=_RECENT_KEPT)
def _choices(
    recent: tuple[str, ...], *, words_only: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The recent posts a draft's wording is compared with (`words_only`: those with words) and
    their `_sorted_dedupe_key`s, kept: every candidate of a write meets the same recent posts,
    and looking up 160 keys one by one costs more than the comparison of a short draft."""
    # `map` and `filter` call the cached function from C: no Python frame per recent post.
    choices = tuple(filter(_sorted_dedupe_key, recent)) if words_only else recent
    return choices, tuple(map(_sorted_dedupe_key, choices))


def find_reworded(
    content: str, recent: Sequence[str], threshold: float = CONTENT_THRESHOLD
) -> tuple[str, float] | None:
    """The recent post that shares the most of `content`'s content words and their
    `content_similarity`, if that is at or above `threshold` (answers kept, as
    `find_same_wording`'s)."""
    if not recent:
        return None
    return _reworded(content, tuple(recent), float(threshold))


@lru_cache(maxsize=_ANSWERS)
def _reworded(content: str, recent: tuple[str, ...], threshold: float) -> tuple[str, float] | None:
    words = content_words(content)
    if not words:
        return None
    size = len(words)
    best: tuple[str, float] | None = None
    for text, other, count in _content_choices(recent):
        # Two cheap tests, in line: the Dice score is under the threshold whatever the two sets
        # share (their sizes are too far apart), or with what they do share.
        total = size + count
        if 200.0 * (size if size < count else count) < threshold * total:
            continue
        shared = len(words & other)
        if 200.0 * shared < threshold * total:
            continue
        score = _dice(shared, size, count)
        if score >= threshold and (best is None or score > best[1]):
            best = (text, score)
    return best


@lru_cache(maxsize=_RECENT_KEPT)
def _content_choices(recent: tuple[str, ...]) -> tuple[tuple[str, frozenset[str], int], ...]:
    """Each recent post with its `content_words` and how many, kept as `_choices` keeps the
    wording's keys."""
    words = tuple(map(content_words, recent))
    return tuple(zip(recent, words, map(len, words), strict=True))


def content_similarity(a: str, b: str) -> float:
    """How much of their content words two texts share, 0-100 (see the module docstring)."""
    return _similarity(content_words(a), content_words(b))


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """The Dice coefficient of two sets of content words (0-100); 0 for small sets that differ."""
    return _dice(len(a & b), len(a), len(b))


def _dice(shared: int, size_a: int, size_b: int) -> float:
    """`_similarity` of two sets of these sizes that share `shared` words."""
    if not shared:
        return 0.0
    if min(size_a, size_b) < CONTENT_MIN_WORDS and not size_a == size_b == shared:
        return 0.0  # too few words to tell a rewording from a shared title and call to action
    return 200.0 * shared / (size_a + size_b)


@lru_cache(maxsize=4096)
def content_words(text: str) -> frozenset[str]:
    """The distinct content words of `text`: no stopwords, stemmed (see the module docstring).

    Those of each line, together: a line break is whitespace that no step reaches across (NFC
    composes nothing with it, a link or a hashtag ends at it, a word too). The lines are kept
    (`_line_words`): a writer's candidates share most of their lines (a quotation, a review,
    a call to action), and so do the recent posts of one book.
    """
    if "\n" not in text:
        return _line_words(text) if len(text) <= _LINE_KEPT else _pieces_words(text)
    lines = text.split("\n")
    return frozenset().union(
        *(_line_words(line) if len(line) <= _LINE_KEPT else _pieces_words(line) for line in lines)
    )


#: Lines up to this long are kept by `_line_words` (a longer one is made each time).
_LINE_KEPT = 2000
#: Lines up to this long are made from their pieces (`_pieces_words`): the longest a profile's
#: material makes (a 5,000-character blurb or a 2,000-character quote, with a label). A longer
#: one (a hostile post's, of thousands of new pieces) is made whole, in one pass.
_PIECES_KEPT = 8000
#: Pieces up to this long are kept: a link (at most 2,048 characters) with the punctuation
#: after it. A longer one is made each time, so that the cache's keys stay small.
_PIECE_KEPT = 2100


@lru_cache(maxsize=4096)
def _line_words(line: str) -> frozenset[str]:
    return _pieces_words(line)


def _pieces_words(line: str) -> frozenset[str]:
    """`_words(line)`, made from its pieces between spaces, each kept (`_piece_words`).

    A writer's candidates are the same pieces of material (an opener, a review, a call to
    action) put together in different ways, often on one line ("🎉 Opener. Body. Call."), so
    that a new line is mostly pieces seen before. A space ends every step's reach as a line
    break does (NFC composes nothing with it; a link, a hashtag and a word end at it), so the
    pieces' words together are the line's.
    """
    if len(line) > _PIECES_KEPT:
        return _words(line)
    pieces = line.split(" ")
    if len(line) > _PIECE_KEPT:  # a piece may be too long to keep
        return frozenset().union(
            *(_piece_words(p) if len(p) <= _PIECE_KEPT else _words(p) for p in pieces)
        )
    # `map` calls the cached `_piece_words` from C: no Python frame per piece.
    return frozenset().union(*map(_piece_words, pieces))


@lru_cache(maxsize=16384)
def _piece_words(piece: str) -> frozenset[str]:
    return _words(piece)


def _words(text: str) -> frozenset[str]:
    """`content_words` of `text`, made."""
    text = unicodedata.normalize("NFC", text)
    if _LINK_OR_TAG_HINT.search(text):  # else there is nothing to take out
        text = _LINK_OR_TAG.sub(" ", text)
    text = text.casefold()
    for joiner in _JOINERS:
        text = text.replace(joiner, "")
    # `map` and `filterfalse` run the cached `_stem` and the stopword test from C.
    words = itertools.filterfalse(_STOPWORDS.__contains__, _WORD_CHARS.findall(text))
    return frozenset(map(_stem, words))


@lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    """A crude suffix stripper: the same stem for "crosses"/"crossed", "copies"/"copy".

    Not English morphology, only consistent: both texts of a comparison go through it.
    """
    word = _NUMBER_WORDS.get(word, word)
    if len(word) <= 3:
        return word
    if word.endswith("ly") and len(word) > 5 and word[-3] not in "aeiou":
        return word[:-2]  # "quickly", not "family"
    if word.endswith(("ies", "ied")) and len(word) > 4:
        return word[:-3] + "i"
    if word.endswith("y"):
        return word[:-1] + "i"
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix != "s" or word[-2] not in "siu":  # not "cross", "focus", "analysis"
                word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # "stopped": "stopp", then "stop"
    return word


@lru_cache(maxsize=4096)
def dedupe_key(text: str) -> str:
    """`text` reduced for similarity: NFC, casefolded, without URLs, hashtags or punctuation."""
    return " ".join(_dedupe_words(text))


#: Up to this many words, `_sorted_dedupe_key` sorts them all (either way gives the same key).
_SORTED_OUTRIGHT = 200


@lru_cache(maxsize=4096)
def _sorted_dedupe_key(text: str) -> str:
    """`dedupe_key(text)` with its words sorted, as `fuzz.token_sort_ratio` compares them."""
    words = _dedupe_words(text)
    if len(words) <= _SORTED_OUTRIGHT:  # a post's few words: counting them costs more
        return " ".join(sorted(words))
    counts = Counter(words)
    if 2 * len(counts) > len(words):
        return " ".join(sorted(words))
    # Mostly repeated words (a long post): sorting the distinct ones is quicker, and the same.
    return " ".join(" ".join(itertools.repeat(w, counts[w])) for w in sorted(counts))


def _dedupe_words(text: str) -> list[str]:
    """The words of `dedupe_key(text)`."""
    text = unicodedata.normalize("NFC", text)
    for url in extract_urls(text, bare_domains=True):
        text = text.replace(url, " ")
    if "#" in text or "＃" in text:
        text = _HASHTAG.sub(" ", text)
    return _NOT_WORD.sub(" ", text.casefold()).split()
