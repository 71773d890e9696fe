"""Where a pattern's match can start in a long text, so that `re` tries it there alone.

A pattern with no literal prefix `re` could skip ahead with tries every place of the text: the
grounding check's price, date, rating and claim patterns (`bookagent.domain.validation`) cost
milliseconds each on a long post (~30 ms in all on 63,000 characters). But every match of
theirs starts at a digit, a currency sign or one of a few words, or a few characters before one
(a month name before a day, a number before "stars"): the shortcuts find those places with
`bytes.find` (in C, some microseconds) and try the pattern at them alone (`matches_at`, which
`bookagent.platforms.pattern_starts` holds for the platforms' patterns too). Past `MAX_STARTS`
places, or without `Scan.folded`, a pattern scans the whole text as before.

`Scan` holds what finding those places needs; `find_all`, `find_words` and `space_before` find
them. Which places suit which pattern is the pattern's own knowledge, kept next to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

from bookagent.platforms.pattern_starts import find_all as find_places
from bookagent.platforms.pattern_starts import matches_at as matches_at

_ASCII_BYTES = bytes(range(128))
_ASCII_DIGITS = b"0123456789"
_DIGIT_RUN = re.compile(rb"[0-9]+")
DIGIT = re.compile(r"\d")  # any Unicode digit, as a pattern's `\d` matches
#: What `Scan.folded` cannot stand for: a non-ASCII `\d`, or a non-ASCII letter `re` matches to
#: an ASCII one under IGNORECASE (tests/unit/domain/test_validation_speed_patterns.py checks it).
UNFOLDABLE = re.compile(r"[\d\u0130\u0131\u017f\u212a]")  # İ ı ſ and the Kelvin sign
_AS_ASCII = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def matched_word(matched: str) -> str:
    """An ASCII word an IGNORECASE `re` pattern matched, as the pattern spells it (lowercase):
    "İNR" is "inr", where casefolding gives "i̇nr" (and "ı" stays "ı")."""
    return matched.translate(_AS_ASCII).casefold()


#: The places a shortcut tries a pattern at, at most; past them it runs the pattern on the text.
MAX_STARTS = 2000

S = TypeVar("S", str, bytes)


class Scan:
    """A text to look for pattern matches in, and what finding where they may start needs.

    `folded` is the text as bytes, one per character (latin-1, `?` for the rest), ASCII letters
    lowercased; None if the text holds a character of `UNFOLDABLE`. Without those, every `\\d`
    in the text is an ASCII digit, and where an IGNORECASE pattern matches an ASCII word, `folded`
    holds the word in lowercase. `nonascii` is the text's non-ASCII characters, in order.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.nonascii = ""
        if not text.isascii():  # without its ASCII bytes, UTF-8 still holds whole characters
            data = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
            self.nonascii = data.decode("utf-8", "surrogatepass")
        self.folded: bytes | None = None
        #: Where each run of digits starts, or None: a pattern whose match may start with a digit
        #: excludes a digit before it (by `\b` or a lookbehind).
        self.digit_starts: list[int] | None = None
        if UNFOLDABLE.search(self.nonascii):
            self.has_digit = DIGIT.search(text) is not None
            return
        folded = self.folded = text.encode("latin-1", "replace").lower()
        count = len(folded) - len(folded.translate(None, _ASCII_DIGITS))
        self.has_digit = count > 0
        if count <= MAX_STARTS:  # the start of each run of digits, in one pass in C
            self.digit_starts = [run.start() for run in _DIGIT_RUN.finditer(folded)]


def find_all(data: S, needle: S, found: list[int]) -> bool:
    """Add where `needle` occurs in `data` to `found`; False once it holds `MAX_STARTS`."""
    return find_places(data, needle, found, MAX_STARTS)


def find_words(folded: bytes, words: Iterable[bytes]) -> list[int] | None:
    """Where the words occur in `folded` (unsorted), or None past `MAX_STARTS`."""
    found: list[int] = []
    return found if all(find_all(folded, word, found) for word in words) else None


def space_before(text: str, end: int, dash: bool = False) -> int:
    """Where the run of whitespace (and dashes) ending at `end` starts (`\\s` is `str.isspace`)."""
    start = end
    while start and (text[start - 1].isspace() or (dash and text[start - 1] == "-")):
        start -= 1
    return start
