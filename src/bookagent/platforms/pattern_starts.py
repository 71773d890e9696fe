"""Trying a pattern only where its match can start.

`re` (and `regex`) skip ahead to where a pattern can match only when it starts with a literal;
a pattern whose branches start with a lookaround, an anchor or a character class is tried at
every place of the text. When the caller knows every place a match may start (a digit, a quote
mark, a hash sign), `matches_at` tries the pattern there alone and finds what `finditer` finds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Iterator
from typing import TypeVar

S = TypeVar("S", str, bytes)
HASH_SIGNS = "#＃"


def matches_at(
    pattern: re.Pattern[str], text: str, starts: Iterable[int]
) -> Iterator[re.Match[str]]:
    """What `pattern.finditer(text)` finds, given (ascending) every place a match may start at.

    `finditer` searches on from where its last match ended, trying one place after the other;
    trying elsewhere fails, so skipping those places finds the same (provided `pattern` cannot
    match the empty string). `match(text, start)` sees the text before `start`, as `\\b`,
    `^` and lookbehinds need.
    """
    end = 0
    for start in starts:
        if start >= end:
            match = pattern.match(text, start)
            if match is not None:
                yield match
                end = match.end()


def find_all(data: S, needle: S, found: list[int], limit: int | None = None) -> bool:
    """Add where `needle` occurs in `data` (`find`, in C) to `found`; False once it holds
    `limit` places."""
    at = data.find(needle)
    while at >= 0:
        if limit is not None and len(found) >= limit:
            return False
        found.append(at)
        at = data.find(needle, at + 1)
    return True


def places_of(text: str, needles: Iterable[str]) -> list[int]:
    """Where each of `needles` occurs in `text`, ascending."""
    places: list[int] = []
    for needle in needles:
        find_all(text, needle, places)
    return sorted(places)


def starts_before(places: Iterable[int], farthest: int, nearest: int = 0) -> list[int]:
    """The places from `farthest` to `nearest` characters before each of `places` (none before
    the text's start), ascending and each once: where a match that holds one of them starts."""
    return sorted({s for at in places for s in range(max(0, at - farthest), at - nearest + 1)})


def hash_sign_matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """`matches_at` for a hashtag pattern: one whose every match holds a hash sign (`#` or
    `＃`) as its first or second character (after the start of the text or one boundary
    character), and cannot match the empty string."""
    return matches_at(pattern, text, starts_before(places_of(text, HASH_SIGNS), 1))
