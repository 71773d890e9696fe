"""Contractions: what a formal voice does not write ("don't", "it's", "you'll"), and instead what.

Only unambiguous contractions count: a word ending in n't; 'm, 're, 've, 'll or 'd after any word
(none of them is ever a possessive); 's only after the pronouns and adverbs that contract "is" or
"has" ("it's", "there's", "let's"), since after a noun it is a possessive ("the author's"). A
contraction among a title's words ("Don't Look Back", "Where'd You Go, Bernadette": a capital on
it and on the next word) is read as a name the post quotes, not as its voice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import regex  # type: ignore[import-untyped]  # no stubs; types-regex is not a dependency

_CONTRACTION = regex.compile(
    r"(?<![\w'’])(?:"
    r"(?P<neg>\p{L}+)n['’]t"
    r"|(?P<pronoun>it|that|there|here|what|who|where|when|why|how|he|she|let|everyone|"
    r"everybody|someone|somebody|something|nobody|nothing|everything)['’]s"
    r"|(?P<yall>y)['’]all"
    r"|(?P<base>\p{L}+)['’](?P<tail>m|re|ve|ll|d)"
    r")(?![\w'’])",
    regex.IGNORECASE,
)
#: The next word, after the contraction: a capital there too means a title's words.
_NEXT_WORD = regex.compile(r"[\s,]+[\"“‘']?(\p{L}[\w'’]*)")
_NEGATIVES = {"ca": "cannot", "wo": "will not", "sha": "shall not", "ai": "is not"}
_TAILS = {"m": ("am",), "re": ("are",), "ve": ("have",), "ll": ("will",), "d": ("would", "had")}


@dataclass(frozen=True)
class Contraction:
    """One contraction as written, and what a formal voice writes instead (one or more ways)."""

    word: str
    instead: tuple[str, ...]


def contractions(text: str) -> Iterator[Contraction]:
    """The contractions in `text`, in order, but those among a title's words."""
    for match in _CONTRACTION.finditer(text):
        word = match.group()
        if _in_title(word, text, match.end()):
            continue
        yield Contraction(word, tuple(_cased(word, full) for full in _expanded(match)))


def _expanded(match: regex.Match[str]) -> tuple[str, ...]:
    if (negative := match.group("neg")) is not None:
        whole = _NEGATIVES.get(negative.casefold())
        return (whole,) if whole else (f"{negative} not",)
    if (pronoun := match.group("pronoun")) is not None:
        return ("let us",) if pronoun.casefold() == "let" else (f"{pronoun} is", f"{pronoun} has")
    if match.group("yall") is not None:
        return ("you all",)
    base, tail = match.group("base"), match.group("tail").casefold()
    return tuple(f"{base} {verb}" for verb in _TAILS[tail])


def _cased(word: str, instead: str) -> str:
    """`instead` in the case `word` was written in: "DON'T" → "DO NOT", "Can't" → "Cannot"."""
    if word.isupper() and len(word) > 2:
        return instead.upper()
    if word[:1].isupper():
        return instead[:1].upper() + instead[1:]
    return instead


def _in_title(word: str, text: str, end: int) -> bool:
    """Whether `word` (ending at `end`) and the word after it are in title case, as a title's
    words are: a capital, then small letters ("Don't Look"). "I" after it does not count ("Don't
    I know it"), nor words in capitals ("DON'T WAIT")."""
    following = _NEXT_WORD.match(text, end)
    if following is None or not word[:1].isupper():
        return False
    after = following.group(1)
    shouted = after.isupper() and len(after) > 1
    return after[:1].isupper() and after != "I" and not shouted and not word.isupper()
