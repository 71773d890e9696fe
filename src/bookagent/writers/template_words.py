"""Profile values in the forms a sentence needs: genre nouns, human dates, ages, openings.

A template never pastes a raw profile string into the middle of a sentence. The genre becomes a
noun phrase that reads in both places a sentence puts it ("a psychological thriller", "cozy
mysteries", "a literary fiction novel", "business books"); a date becomes what a person writes in
the book's part of the world ("March 3" in the Americas, "3 March" elsewhere, with the weekday
and the year only when they help); a children's audience gives its ages ("ages 3 to 6"); the
audience itself is never quoted.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Head nouns that count ("a thriller", "thrillers"); the rest are mass nouns ("fiction").
_COUNTABLE = {
    "thriller": "thrillers", "mystery": "mysteries", "novel": "novels", "story": "stories",
    "book": "books", "memoir": "memoirs", "biography": "biographies", "guide": "guides",
    "saga": "sagas", "novella": "novellas", "western": "westerns", "procedural": "procedurals",
    "whodunit": "whodunits", "cookbook": "cookbooks", "essay": "essays", "collection":
    "collections", "epic": "epics", "tale": "tales", "adventure": "adventures", "comedy":
    "comedies", "drama": "dramas", "romance": "romances",
}  # fmt: skip
_CHILDREN_PREFIX = re.compile(r"^(?:children['’]?s|kids['’]?|kid['’]?s)\s+", re.IGNORECASE)
_NONFICTION_SUFFIX = re.compile(r"\s*\bnon[\s-]?fiction$", re.IGNORECASE)
_AGES = re.compile(
    r"(?:aged?|ages)\s+(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})|(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})"
    r"[\s-]year[\s-]olds?",
    re.IGNORECASE,
)
_AMERICAS = ("America/", "US/", "Canada/", "Pacific/Honolulu")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True)
class GenreWords:
    """The genre as a sentence can use it: `one` ("a cozy mystery"), `many` ("cozy mysteries")."""

    one: str
    many: str

    @classmethod
    def of(cls, genre: str | None, category: str) -> GenreWords | None:
        """The noun phrases of `genre`, or None if it gives none (empty, one letter)."""
        text = " ".join((genre or "").split())
        text = _CHILDREN_PREFIX.sub("", text)
        if len(text) < 3 or not any(c.isalpha() for c in text):
            return None
        # A genre written in capitals stays so ("YA", "LGBTQ+ romance"); else lower case.
        words = [w if w.isupper() and len(w) > 1 else w.lower() for w in text.split()]
        text = " ".join(words)
        if category == "nonfiction" and _NONFICTION_SUFFIX.search(text):
            kind = _NONFICTION_SUFFIX.sub("", text)
            return (
                cls(_a(f"{kind} book"), f"{kind} books")
                if kind
                else cls("a nonfiction book", "nonfiction books")
            )
        head = words[-1]
        if head in _COUNTABLE:
            return cls(_a(text), " ".join([*words[:-1], _COUNTABLE[head]]))
        if head.endswith("s") and head[:-1] in _COUNTABLE:  # "picture books"
            return cls(_a(" ".join([*words[:-1], head[:-1]])), text)
        noun = "book" if category != "fiction" else "novel"
        return cls(_a(f"{text} {noun}"), text)  # "a literary fiction novel", "literary fiction"


def _a(phrase: str) -> str:
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


@lru_cache(maxsize=1024)  # each candidate of a write names the same few days
def human_date(day: date, timezone: str, today: date) -> str:
    """`day` as a person in the book's timezone writes it, seen from `today`.

    "March 3" in the Americas, "3 March" elsewhere; the weekday when the day is within a week
    of `today`, the year when it is not within the coming ten months. Both forms name one
    day, as the gate reads dates.
    """
    american = timezone.startswith(_AMERICAS)
    month = _MONTHS[day.month - 1]
    text = f"{month} {day.day}" if american else f"{day.day} {month}"
    ahead = (day - today).days
    if not 0 <= ahead <= 300:
        text = f"{text}, {day.year}" if american else f"{text} {day.year}"
    elif ahead <= 6:
        text = (
            f"{_WEEKDAYS[day.weekday()]}, {text}"
            if american
            else f"{_WEEKDAYS[day.weekday()]} {text}"
        )
    return text


def ages(audience: str | None) -> str | None:
    """The ages a children's audience names ("ages 3 to 6"), or None."""
    match = _AGES.search(audience or "")
    if match is None:
        return None
    low, high = (g for g in match.groups() if g is not None)
    return f"ages {int(low)} to {int(high)}" if int(low) < int(high) else None


#: How many characters of a post `opening` reads.
OPENING_READ = 200


@lru_cache(maxsize=8192)  # each write reads the openings of the platform's recent posts
def opening(text: str, size: int = 3) -> str:
    """The first `size` words of a post, lower case, after any emoji or mark before them."""
    # The first `size` matches only (a post's first 200 characters hold some 35 words).
    words = itertools.islice(_WORD.finditer(text, 0, OPENING_READ), size)
    return " ".join(w.group().casefold() for w in words)
