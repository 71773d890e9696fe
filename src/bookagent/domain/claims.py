"""Marketing claims (awards, nominations, picks, lists, rankings, counts) and what grounds them.

A claim is grounded only by the profile's structured evidence: its `awards` (which also holds
list placements, picks and sales or reader counts the author may state) and its reviews' text,
never by free text such as the blurb or the guidelines (a profile that says "New York Times
bestseller" in its blurb does not let a post claim it). Naming the kind of claim is not enough:
the names and numbers around it must be the evidence's own. "Agatha Award nominee" is not
grounded by "Edgar Award nominee 2026", nor "top 5" by "top 10 in Thrillers".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass

#: Claims besides those `bookagent.domain.validation` has always looked for (bestsellers,
#: award winners, "#1", copies sold...). Each pattern is IGNORECASE.
MORE_CLAIMS = {
    "nominated": r"\bnominee\b|\bnominated\b|\bnominations?\b",
    "named award": r"\b(?:award|prize|medal)s?\b|\bwon\s+(?:the|an?)\b|\bhonou?r\s+book\b",
    "pick": (
        r"\b(?:book\s+club|editors?['’]?s?|staff|indie\s?next|club)\s+(?:pick|selection|choice)s?\b"
        r"|\b(?:book|pick|read)s?\s+of\s+the\s+(?:month|week|year)\b"
        r"|\b(?:oprah|reese|jenna)['’]?s?\s+book\s+club\b"
    ),
    "ranking": (
        r"\btop[\s-](?:\d+|ten|twenty|five|three|hundred|\d+\s+percent)\b|\branked\b"
        r"|\bcharts?\b|\bchart[\s-]topp(?:er|ing)\b|(?<![\w&])[#＃]\s?\d{1,4}(?!\d)\s+(?:in|on|at)\b"
    ),
    "reader count": (
        r"\b(?:\d[\d,.]*\s?[km]?\+?|(?:a|one|two|three|several|many)\s+(?:hundred|thousand|million)"
        r"|millions|thousands|hundreds)"
        r"\s+(?:of\s+)?(?:[\w-]+\s+)?(?:readers|fans|reviews|ratings|downloads|listeners"
        r"|subscribers|followers|copies|sold|pre-?orders|families|classrooms|schools|teachers"
        r"|parents|kids|children|students|founders|leaders|ceos|members|pages|languages"
        r"|countries|translations)\b"
    ),
    "success": (
        r"\bsold\s+out\b|\b(?:second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th))\s+printing\b"
        r"|\btranslated\s+into\b|\bnetflix\b|\boptioned\b|\bfilm\s+rights\b"
        r"|\b(?:movie|film|tv)\s+(?:deal|adaptation)\b|\bmost[\s-]anticipated\b"
    ),
}
MORE_CLAIM_PATTERNS = {name: re.compile(p, re.IGNORECASE) for name, p in MORE_CLAIMS.items()}
# A clause ends at these: the claim's names and numbers are looked for in its own clause.
_CLAUSE = re.compile(r"[.!?;:\n|•—–()\[\]\"“”«»]")
_WORD = re.compile(r"[#＃]?[\w'’.,+-]*\w|[#＃]\w+")
_NUMBER = re.compile(r"^(\d[\d,]*(?:\.\d+)?)([km])?\+?$")
_NUMBER_WORDS = {
    "ten": "10", "twenty": "20", "five": "5", "three": "3", "hundred": "100",
    "thousand": "1000", "million": "1000000", "hundreds": "100", "thousands": "1000",
    "millions": "1000000",
}  # fmt: skip
#: Capitalized words that say nothing about which award, list or pick is meant.
_PLAIN = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "this",
        "that",
        "these",
        "our",
        "my",
        "your",
        "her",
        "his",
        "its",
        "their",
        "it",
        "i",
        "we",
        "you",
        "she",
        "he",
        "they",
        "now",
        "new",
        "out",
        "get",
        "buy",
        "grab",
        "read",
        "order",
        "pre",
        "preorder",
        "pre-order",
        "available",
        "book",
        "books",
        "novel",
        "novels",
        "story",
        "author",
        "debut",
        "series",
        "edition",
        "just",
        "also",
        "today",
        "join",
        "readers",
        "fans",
        "meet",
        "discover",
    ]
)
#: Words that say which kind of claim it is, not which award: "Nominated for the Edgar Award"
#: is grounded by "Edgar Award nominee 2026".
_PLAIN |= frozenset(
    """from by with of in for on at to as nominated nominee nomination finalist shortlisted
    longlisted winner winning won pick selection choice named""".split()  # noqa: SIM905
)
_WINDOW = 6  # words each side of the claim


@dataclass(frozen=True)
class Evidence:
    """One structured fact a claim may rest on: an award entry or a review's text."""

    text: str
    kinds: frozenset[str]
    tokens: frozenset[str]


def evidence_of(
    texts: Iterable[str], patterns: Mapping[str, re.Pattern[str]]
) -> tuple[Evidence, ...]:
    """The evidence of each text: the kinds of claim it makes, and its words and numbers."""
    found = []
    for text in texts:
        kinds = frozenset(name for name, pattern in patterns.items() if pattern.search(text))
        found.append(Evidence(text, kinds, frozenset(_tokens(text))))
    return tuple(found)


def ungrounded_claims(
    text: str,
    kinds: Iterable[str],
    patterns: Mapping[str, re.Pattern[str]],
    evidence: tuple[Evidence, ...],
) -> Iterator[tuple[str, str]]:
    """(kind, what the post says) for each claim of `kinds` in `text` no evidence supports.

    `kinds` are the kinds `text` makes (found by the caller, cheaply); only those the evidence
    also makes are matched here, to compare their names and numbers.
    """
    for kind in kinds:
        backing = [e for e in evidence if kind in e.kinds]
        for match in patterns[kind].finditer(text):
            clause = _clause_around(text, match.start(), match.end())
            if not backing:
                yield kind, clause
                break
            salient = set(_salient(clause))
            if not any(salient <= e.tokens for e in backing):
                yield kind, clause
                break


def _clause_around(text: str, start: int, end: int) -> str:
    """The claim's match and up to `_WINDOW` words of its clause on each side."""
    left = text.rfind("\n", 0, start) + 1
    for m in _CLAUSE.finditer(text, left, start):
        left = m.end()
    right_match = _CLAUSE.search(text, end)
    right = right_match.start() if right_match else len(text)
    before = text[left:start].split()[-_WINDOW:]
    after = text[end:right].split()[:_WINDOW]
    return " ".join([*before, text[start:end], *after]).strip()


def _salient(clause: str) -> Iterator[str]:
    """The words of `clause` that name something (capitalized) and its numbers, normalized."""
    for word in _WORD.findall(clause):
        if word[0] in "#＃":
            continue  # a hashtag names a topic, not an award
        number = _number(word)
        if number is not None:
            yield number
        elif word.casefold() in _NUMBER_WORDS:
            yield _NUMBER_WORDS[word.casefold()]
        elif word[0].isupper():
            for part in word.casefold().split("-"):
                if part and _singular(part) not in _PLAIN:
                    yield _singular(part)


def _tokens(text: str) -> Iterator[str]:
    """Every word and number of an evidence text, normalized as `_salient` normalizes."""
    for word in _WORD.findall(text):
        number = _number(word)
        if number is not None:
            yield number
        folded = word.casefold().lstrip("#＃")
        yield _NUMBER_WORDS.get(folded, _singular(folded))
        if "-" in folded:  # "award-winning" also says "award"
            yield from (_singular(part) for part in folded.split("-") if part)


def _number(word: str) -> str | None:
    """'100,000', '100k' and '100000' as one form; None for a word that is not a number."""
    match = _NUMBER.match(word.casefold())
    if match is None:
        return None
    value = float(match[1].replace(",", ""))
    value *= {"k": 1_000, "m": 1_000_000}.get(match[2] or "", 1)
    return str(int(value)) if value.is_integer() else str(value)


def _singular(word: str) -> str:
    word = word.strip("'’.,")
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
