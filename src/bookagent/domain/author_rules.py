"""The author's rules as checks: what the profile's `AuthorRules` forbid or require of a post.

The rules are the author's own, structured (`bookagent.domain.profile.AuthorRules`), so the gate
enforces them on every writer's output; the free-text guidelines only reach the prompt. Phrases
are matched casefolded, on word boundaries, with any run of spaces or hyphens between words
("pre-order" also finds "pre order" and "preorder"), so a rule cannot be dodged by spelling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Iterator
from functools import lru_cache

import regex  # type: ignore[import-untyped]  # no stubs; types-regex is not a dependency

from bookagent.domain.attributions import without_quotations
from bookagent.domain.contractions import contractions
from bookagent.domain.profile import AuthorRules
from bookagent.domain.profile import Phase
from bookagent.domain.violation import Violation

_PICTOGRAPHIC = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}]")
#: Pictographic by Unicode's data, but text symbols in print: not emoji unless shown as one.
_TEXT_SYMBOLS = frozenset("©®™‼⁉↔↕↖↗↘↙▪▫▶◀◻◼◽◾☀☁☎☑☝☺♀♂♠♣♥♦♨♻⚕⚠✂✈✉✌✍✏✒✔✖✝✡✳✴❄❇❣❤➡⤴⤵⬅⬆⬇〰〽㊗㊙")
_EMOJI_PRESENTATION = "\ufe0f"
_EXCLAMATION = re.compile(r"[!！‼⁉❗❕]")
# Case-sensitive where a capital says a title or a name follows ("the next Gone Girl").
_COMPARISONS = regex.compile(
    r"\b(?i:the\s+next)\s+[\"“‘']?\p{Lu}"
    r"|(?i:\bfor\s+fans\s+of\b"
    r"|\bif\s+you\s+(?:loved|liked|enjoyed|adored)\b"
    r"|\bin\s+the\s+(?:vein|tradition|spirit)\s+of\b"
    r"|\breminiscent\s+of\b"
    r"|\b(?:comparable|compared)\s+to\b"
    r"|\bperfect\s+for\s+readers\s+of\b"
    r"|\b(?:readers|fans)\s+who\s+(?:loved|liked|enjoyed|adored)\b)"
    r"|\b(?i:move\s+over),?\s+[\"“‘']?\p{Lu}"
    r"|\b(?i:this|the)\s+(?i:decade|year|generation|century)['’]s\s+[\"“‘']?\p{Lu}"
    r"|(?:^|[.!?]\s+)Like\s+[\"“‘']?\p{Lu}[^,.!?]{0,60},\s+(?i:but|only)\b"
    r"|\p{Lu}[\w'’.-]*\s+(?i:meets)\s+[\"“‘']?\p{Lu}"
)
_PHASE_WORDS = {
    "pre_launch": "pre-launch",
    "launch_week": "launch-week",
    "post_launch": "post-launch",
}


def rule_violations(rules: AuthorRules, text: str, phase: Phase) -> list[Violation]:
    """What in `text` breaks the author's `rules`, for a post of launch `phase`."""
    found: list[Violation] = []
    if rules.no_emoji:
        emoji = _emoji(text)
        if emoji:
            shown = " ".join(dict.fromkeys(emoji[:5]))
            found.append(Violation("emoji", f"Emoji ({shown}): the author's rules say no emoji."))
    if rules.no_exclamation and _EXCLAMATION.search(text):
        found.append(Violation("exclamation", "An exclamation mark: the author's rules say none."))
    folded = text.casefold()
    for phrase in _present(rules.banned_phrases, folded):
        found.append(Violation("banned_phrase", f"“{phrase}” is a phrase the author's rules ban."))
    for name in _present(rules.banned_comparisons, folded):
        found.append(
            Violation(
                "banned_comparison",
                f"Mentions “{name}”, a comparison the author's rules ban.",
            )
        )
    if rules.no_comparisons:
        match = _COMPARISONS.search(text)
        if match is not None:
            found.append(
                Violation(
                    "comparison",
                    f"Compares the book to another (“{match.group().strip()}…”): "
                    "the author's rules say no comparisons.",
                )
            )
    for term in _present(rules.spoilers, folded):
        found.append(
            Violation("spoiler", f"“{term}” gives the plot away (the author marked it a spoiler).")
        )
    if rules.person is not None:
        found.extend(_person(rules.person, text))
    if rules.formality == "formal":
        found.extend(_formal(text))
    required = rules.required_words.get(phase, ())
    if required and not any(True for _ in _present(required, folded)):
        words = ", ".join(f"“{w}”" for w in required)
        found.append(
            Violation(
                "missing_required_word",
                f"A {_PHASE_WORDS[phase]} post must say one of {words} (the author's rules).",
            )
        )
    return found


#: The pronouns of a person, outside quotations: what a post that speaks as another may not say.
#: "I" is matched as a capital (a roman numeral "i" is rare in posts; "I" is the pronoun).
_SINGULAR = regex.compile(r"\b(?:I|(?i:me|my|mine|myself))\b(?:['’](?:m|ve|d|ll)\b)?")
# Not "US" in capitals: the country.
_PLURAL = regex.compile(
    r"\b(?:[Ww]e|WE|[Uu]s|[Oo]urs?|[Oo]urselves|[Ll]et['’]s)\b(?:['’](?:re|ve|d|ll)\b)?"
)
_SPEAKERS = {
    "i": "as the author, in the first person (I)",
    "we": "as a team or press (we)",
    "author": "of the author by name, in the third person",
}


def _person(person: str, text: str) -> list[Violation]:
    """A `person` violation when the post, outside its quotations, speaks as another person:
    "we" in an I-voice, "I" in a we-voice, either in a post about the author by name."""
    plain = without_quotations(text)
    patterns = {"i": (_PLURAL,), "we": (_SINGULAR,), "author": (_SINGULAR, _PLURAL)}[person]
    for pattern in patterns:
        match = pattern.search(plain)
        if match is not None:
            return [
                Violation(
                    "person",
                    f"“{match.group()}”: the author's rules say posts speak {_SPEAKERS[person]}.",
                )
            ]
    return []


def _formal(text: str) -> list[Violation]:
    """A `formality` violation for the first contraction outside the post's quotations (a
    quotation is the author's material, as written)."""
    for found in contractions(without_quotations(text)):
        instead = " or ".join(f"“{words}”" for words in found.instead)
        return [
            Violation(
                "formality",
                f"“{found.word}”: the author's rules ask for a formal voice; write {instead}.",
            )
        ]
    return []


def _emoji(text: str) -> list[str]:
    """The emoji in `text`: pictographs, but text symbols not followed by VS16."""
    if text.isascii():
        return []
    found = []
    for match in _PICTOGRAPHIC.finditer(text):
        char = match.group()
        if char in _TEXT_SYMBOLS and text[match.end() : match.end() + 1] != _EMOJI_PRESENTATION:
            continue
        found.append(char)
    return found


def _present(phrases: Iterable[str], folded: str) -> Iterator[str]:
    """The phrases (as the author wrote them) that occur in the casefolded text."""
    for phrase in phrases:
        found = _phrase_pattern(phrase)
        if found is None:
            continue
        pattern, words = found
        # Each match holds every word of the phrase as it is (only the gaps between them vary):
        # a text missing one cannot match, and a substring test (in C) says so for less than
        # the pattern's scan, whose look-behind start it tries at every place of the text.
        if all(word in folded for word in words) and pattern.search(folded):
            yield phrase


@lru_cache(maxsize=1024)
def _phrase_pattern(phrase: str) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """`phrase` casefolded, on word boundaries, any spaces or hyphens (or none) between words;
    with its words."""
    words = re.findall(r"\w+", phrase.casefold())
    if not words:
        return None
    body = r"[\s\-‐‑–—]*".join(map(re.escape, words))
    return re.compile(rf"(?<!\w){body}(?!\w)"), tuple(words)
