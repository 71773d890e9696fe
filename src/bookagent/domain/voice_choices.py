"""The author's voice choices stated in plain words: who posts speak as, how formal they are, and
the content warning Mastodon posts carry (the `person`, `formality` and `content_warning` rules).

`bookagent.domain.voice_rules` reads a book's tone and guidelines sentence by sentence, quoted
spans masked, and asks `stated_choices` about each sentence; this module only knows the phrasings.
It is as conservative as the rest of that reading: a choice counts only as an order that opens
its clause ("Write in the first person", "Posts should be written in the third person", "Keep it
formal") or as a clause of its own ("Voice: first person plural", "Warm, conversational"), and
only when nothing but a tail ("only", "in every post") follows before the clause ends. So a
sentence that merely says "I" or "we", a negation ("don't write in the first person"), a measure
("use I sparingly") and a choice between two ("I or we") state nothing. "formal" alone states
nothing either, since a formal voice is enforced (no contractions) while a casual one only
steers the writer: "formal tone", "keep it formal" and "no contractions" do. A content warning
needs its words, quoted or after a colon ("content warning: grief and loss") or as the topic of
an order ("use a CW for violence").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal
from typing import NamedTuple

from bookagent.domain.match_starts import matched_word
from bookagent.domain.profile import MAX_WARNING_CHARS

#: A quoted span as the masked text holds it (its marks kept, its words hidden).
_MASKED_QUOTE = re.compile(r'"_+"')
#: What ends a clause: the order must open the clause it is in.
_BREAK = re.compile(r"[,;:()—–]|\s-\s|\bbut\b", re.IGNORECASE)
#: What may stand before an order in its clause: "please", "always", "posts should be"...
_LEAD = re.compile(
    r"(?:(?:please|always|and|also|just|so|then|now)\s)*"
    r"(?:(?:(?:all|our|the|every|each|my)\s)?(?:posts?|captions?|copy|updates?|toots?|tweets?)\s"
    r"(?:(?:should|must|shall|will|need\sto|have\sto|are\sto)\s)?(?:always\s)?"
    r"(?:(?:be|are|is)\s)?)?",
    re.IGNORECASE,
)
#: Words after a choice that keep it whole: "only", "always", "in every post", "please".
_TAIL = re.compile(
    r"\s*(?:only|always|throughout|please|at\s+all\s+times|in\s+(?:(?:every|all|each|our|my|"
    r"the)\s+)?(?:posts?|captions?|copy|text|updates?|toots?)|(?:for|on)\s+(?:(?:every|all|each)\s+)"
    r"?(?:mastodon\s+)?(?:posts?|toots?)|on\s+mastodon|voice)\b",
    re.IGNORECASE,
)
_OR = re.compile(r"\s*(?:or|nor)\b|\s*/", re.IGNORECASE)
_CUT = re.compile(r"\s*(?:[,;:()—–]|-\s|but\b)", re.IGNORECASE)
_AND_PERSON = re.compile(
    r"\s*and\s+(?:I|we|me|us|my|our|\"_|first|second|third|the\s+(?:first|third))\b",
    re.IGNORECASE,
)
_AND = re.compile(r"\s*(?:&|and)\b", re.IGNORECASE)

_VERB = r"(?:writ(?:e|ten)|speak|spoken|post(?:ed)?|talk|narrated?|stay)"
_ORDER = (
    rf"(?:{_VERB}\s+(?:(?:in|from)\s+)?|(?:use|using|adopt|keep\s+to|stick\s+to)\s+"
    r"|(?:in|from)\s+)?"
)
_PERSON_WORDS = re.compile(
    rf"\b{_ORDER}(?:the\s+|a\s+)?(?P<which>first|third)[\s-]+person"
    r"(?P<plural>[\s-]+plural)?(?:[\s-]+singular)?(?:[\s-]+(?:voice|perspective|point\s+of\s+view))?",
    re.IGNORECASE,
)
_SPEAK_AS = re.compile(
    r"\b(?:speak|write|post|talk)\s+as\s+"
    r"(?:(?P<author>the\s+author|me|myself|the\s+writer)"
    r"|(?:the|a|our|my)\s+(?P<team>press|team|publisher|imprint|publishing\s+(?:house|team)|"
    r"editorial\s+team|company))\b",
    re.IGNORECASE,
)
_USE_PRONOUN = re.compile(
    r"\b(?:use|say)\s+(?:the\s+pronoun\s+)?(?P<pronoun>I|we|\"_+\")(?=\W|$)", re.IGNORECASE
)
_BY_NAME = re.compile(
    r"\brefer\s+to\s+(?:the\s+author|me|him|her|them)\s+by\s+(?:(?:his|her|their|my)\s+)?"
    r"(?:full\s+)?name\b",
    re.IGNORECASE,
)
_PRONOUNS = {"i": "i", "we": "we"}

_LEVELS = {
    "formal": "formal",
    "casual": "casual",
    "conversational": "casual",
    "informal": "casual",
    "chatty": "casual",
    "neutral": "neutral",
}
_KEEP_LEVEL = re.compile(
    r"\b(?:keep|make)\s+(?:it|things|posts|the\s+posts|everything|the\s+(?:tone|voice|language|"
    r"writing|copy))\s+(?P<level>formal|casual|conversational|informal|chatty)\b",
    re.IGNORECASE,
)
_LEVEL_NOUN = re.compile(
    r"\b(?:(?:use|adopt|take|strike|keep|maintain|write\s+(?:in|with))\s+)?(?:(?:a|an|the)\s+)?"
    r"(?P<level>formal|casual|conversational|informal|chatty|neutral)\s+"
    r"(?P<noun>tone|voice|register|style|language|writing)(?:\s+of\s+voice)?\b",
    re.IGNORECASE,
)
# Only the levels that steer alone may stand as a clause of their own ("Warm, conversational"),
# or after one other word of the tone ("Warm and conversational").
_BARE_LEAD = re.compile(
    rf"(?:{_LEAD.pattern})|(?!(?:not|never|no|less|too|overly|nor)\s)[a-z]+\sand\s", re.IGNORECASE
)
_BARE_LEVEL = re.compile(
    r"\b(?:(?:very|fairly|quite|rather)\s+)?(?P<level>casual|conversational|informal|chatty)\b",
    re.IGNORECASE,
)
_NO_CONTRACTIONS = re.compile(
    r"\b(?:(?:write|use)\s+)?(?:no|zero|avoid(?:ing)?(?:\s+using)?|never\s+use|don['’]?t\s+use|"
    r"do\s+not\s+use|without|skip(?:ping)?)\s+(?:any\s+)?contractions\b",
    re.IGNORECASE,
)

_WARNING = r"(?:(?:content|trigger)[\s-]+warnings?|cw|tw)\b"
_WARNING_HEADER = re.compile(
    rf"\b(?:(?:mastodon|default)\s+)?{_WARNING}\s*(?::|\s[-–—])\s*", re.IGNORECASE
)
_WARNING_ORDER = re.compile(
    r"\b(?:add|use|put|include|attach|set|give\s+(?:each\s+post|every\s+post|posts|them|it))\s+"
    rf"(?:(?:a|an|the|this|the\s+following)\s+)?{_WARNING}"
    r"(?:\s+(?P<topic>for|about|on|mentioning|covering)|\s+(?:of|saying|reading|that\s+says|like))?"
    r"\s*[:–—-]?\s*",
    re.IGNORECASE,
)
#: A warning's words that say none, or start an order rather than name a topic.
_NOT_A_WARNING = re.compile(
    r"none|n/?a|no|nothing|not|only|always|never|if|yes|required|needed|optional|use|add|"
    r"every|each|all|any|posts?|toots?|mastodon|it|them|this|that|these|those|anything|"
    r"everything|when|unless",
    re.IGNORECASE,
)
#: Words after a warning's own that are no part of it: "use a CW for violence on Mastodon".
_WARNING_TAIL = re.compile(
    r"\s+(?:on\s+mastodon|please|(?:in|on|for)\s+(?:(?:every|all|each)\s+)?(?:mastodon\s+)?"
    r"(?:posts?|toots?))\s*[.!]*\s*$",
    re.IGNORECASE,
)
_MAX_WARNING_WORDS = 12


ChoiceRule = Literal["person", "formality", "content_warning"]


class Choice(NamedTuple):
    """A choice one sentence states: where its words start and end, the rule and its value."""

    start: int
    end: int
    rule: ChoiceRule
    value: str


def stated_choices(
    original: str, masked: str, start: int, end: int, *, warning_only: bool = False
) -> Iterator[Choice]:
    """The choices the sentence `original[start:end]` states (`masked`: the same text, quoted
    spans hidden as `"___"`). With `warning_only`, only a content warning is looked for (in a
    sentence that names Mastodon, whose feature it is)."""
    sentence = _Sentence(original, masked, start, end)
    if not warning_only:
        yield from _persons(sentence)
        yield from _formality(sentence)
    yield from _warnings(sentence)


class _Sentence:
    """One sentence, as written and masked, and the tests every choice in it must pass."""

    def __init__(self, original: str, masked: str, start: int, end: int) -> None:
        self.original, self.masked, self.start, self.end = original, masked, start, end
        self._breaks = [m.end() for m in _BREAK.finditer(masked, start, end)]

    def orders(
        self, pattern: re.Pattern[str], lead: re.Pattern[str] = _LEAD
    ) -> Iterator[re.Match[str]]:
        """The matches of `pattern` that open their clause (after a `lead` at most)."""
        for match in pattern.finditer(self.masked, self.start, self.end):
            opened = max((b for b in self._breaks if b <= match.start()), default=self.start)
            before = " ".join(self.masked[opened : match.start()].split())
            if lead.fullmatch(f"{before} " if before else ""):
                yield match

    def ends_clause(self, pos: int, *, person: bool = False) -> bool:
        """Whether the choice that ends at `pos` stands whole: only tails follow it, then the
        sentence or the clause ends, and no "or" (or, for a person, "and we") adds another."""
        while (tail := _TAIL.match(self.masked, pos, self.end)) is not None:
            pos = tail.end()
        rest = self.masked[pos : self.end]
        if not rest.strip():
            return True
        if _OR.match(rest) or (person and _AND_PERSON.match(rest)):
            return False
        cut = _CUT.match(rest)
        if cut is not None:
            return not _OR.match(rest[cut.end() :])
        return _AND.match(rest) is not None

    def quoted(self, start: int, end: int) -> str:
        """The words of the quoted span at `start`..`end` (its marks left out)."""
        return self.original[start + 1 : end - 1].strip()


def _persons(sentence: _Sentence) -> Iterator[Choice]:
    for match in sentence.orders(_PERSON_WORDS):
        if sentence.ends_clause(match.end(), person=True):
            which = match.group("which").casefold()
            value = "author" if which == "third" else "we" if match.group("plural") else "i"
            yield Choice(match.start(), match.end(), "person", value)
    for match in sentence.orders(_SPEAK_AS):
        if sentence.ends_clause(match.end(), person=True):
            value = "i" if match.group("author") else "we"
            yield Choice(match.start(), match.end(), "person", value)
    for match in sentence.orders(_USE_PRONOUN):
        pronoun = match.group("pronoun")
        if pronoun.startswith('"'):
            pronoun = sentence.quoted(*match.span("pronoun"))
        chosen = _PRONOUNS.get(pronoun.casefold())
        if chosen is not None and sentence.ends_clause(match.end(), person=True):
            yield Choice(match.start(), match.end(), "person", chosen)
    for match in sentence.orders(_BY_NAME):
        if sentence.ends_clause(match.end(), person=True):
            yield Choice(match.start(), match.end(), "person", "author")


def _formality(sentence: _Sentence) -> Iterator[Choice]:
    for pattern, lead in ((_KEEP_LEVEL, _LEAD), (_LEVEL_NOUN, _LEAD), (_BARE_LEVEL, _BARE_LEAD)):
        for match in sentence.orders(pattern, lead):
            level = _LEVELS[matched_word(match.group("level"))]
            noun = match.groupdict().get("noun") or ""
            if level == "neutral" and noun.casefold() in ("language", "writing"):
                continue  # "neutral language" is about words that exclude no one, not tone
            if sentence.masked[match.start() - 1 : match.start()] == "-":
                continue  # "semi-formal tone", "semi-casual"
            if sentence.ends_clause(match.end()):
                yield Choice(match.start(), match.end(), "formality", level)
    for match in sentence.orders(_NO_CONTRACTIONS):
        if sentence.ends_clause(match.end()):
            yield Choice(match.start(), match.end(), "formality", "formal")


def _warnings(sentence: _Sentence) -> Iterator[Choice]:
    for pattern in (_WARNING_HEADER, _WARNING_ORDER):
        for match in sentence.orders(pattern):
            topic = pattern is _WARNING_ORDER and match.group("topic") is not None
            header = pattern is _WARNING_HEADER or match.group().rstrip()[-1:] in ":–—-"
            found = _warning_words(sentence, match.end(), words=topic or header)
            if found is not None:
                value, last = found
                yield Choice(match.start(), last, "content_warning", value)


def _warning_words(sentence: _Sentence, pos: int, *, words: bool) -> tuple[str, int] | None:
    """The warning at `pos` and where it ends: a quoted span, or (with `words`) the words up to
    the end of the sentence, less a tail ("on Mastodon"); None if there is none to take."""
    quote = _MASKED_QUOTE.match(sentence.masked, pos, sentence.end)
    if quote is not None:
        value, last = sentence.quoted(*quote.span()), quote.end()
        if not sentence.ends_clause(last):
            return None
    elif words:
        text = sentence.original[pos : sentence.end]
        while (tail := _WARNING_TAIL.search(text)) is not None:
            text = text[: tail.start()]
        value = text.strip().rstrip(".,;:!").strip()
        last = pos + len(text.rstrip())
        first = value.split(maxsplit=1)[0] if value else ""
        if (
            '"' in sentence.masked[pos:last]
            or len(value.split()) > _MAX_WARNING_WORDS
            or _NOT_A_WARNING.fullmatch(first)
        ):
            return None
    else:
        return None
    if not value or len(value) > MAX_WARNING_CHARS or not re.search(r"\w", value):
        return None
    return value, last
