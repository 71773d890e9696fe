"""Rules stated in plain words: the author's rules that a book's tone and guidelines spell out.

An author who writes "no emoji" or "never say bestselling" in the free-text tone or content
guidelines means a rule the gate should enforce. `infer_rules` recognises the common English
phrasings (case-insensitively, with straight or curly quotes) and returns the structured rules
they state, named as in a profile's `rules`, each with the words that stated it; `merge_stated`
adds them to a profile's rules without removing anything.

Recognition is conservative, because a false rule silently blocks posts. A sentence that only
mentions a word ("Use emoji sparingly", "exclamation marks are fine"), a question, and a
sentence with a condition, a time or a platform ("no emoji unless...", "no emoji before launch",
"on LinkedIn, no emoji") state no rule. Unquoted terms are short (at most four words, never one
that starts like a clause: "it's", "anything", "that"...); quoted terms are taken exactly.
Spoilers need the words that spoil, so only quoted ones count ("don't reveal 'the twin'"): a bare
"no spoilers" states nothing structured. Who posts speak as, how formal they are and the content
warning of Mastodon posts (one value each) are read by `bookagent.domain.voice_choices`; a text
that states two values of one of them states neither.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import Literal

from bookagent.domain.profile import FORMALITIES
from bookagent.domain.profile import MAX_WARNING_CHARS
from bookagent.domain.profile import PERSONS
from bookagent.domain.voice_choices import stated_choices

RuleName = Literal[
    "no_emoji",
    "no_exclamation",
    "no_comparisons",
    "banned_phrases",
    "banned_comparisons",
    "spoilers",
    "person",
    "formality",
    "content_warning",
]
FLAG_RULES: frozenset[str] = frozenset({"no_emoji", "no_exclamation", "no_comparisons"})
LIST_RULES: frozenset[str] = frozenset({"banned_phrases", "banned_comparisons", "spoilers"})
#: Rules of one value, and the values each may take (None: any text within its bound).
VALUE_CHOICES: Mapping[str, tuple[str, ...] | None] = {
    "person": PERSONS,
    "formality": FORMALITIES,
    "content_warning": None,
}
VALUE_RULES: frozenset[str] = frozenset(VALUE_CHOICES)
#: The bounds of one term and of one rule's list: those of the `rules` field's phrases.
MAX_TERM_CHARS = 200
MAX_TERMS = 50
#: The words shown as a rule's origin are cut to this length.
MAX_SOURCE_CHARS = 200
#: The rules in their JSON form, as stored and as the API shows them (JSON values by name).
RulesJson = Mapping[str, Any]


@dataclass(frozen=True)
class StatedRule:
    """One structured rule found in the text, and the words that stated it.

    `value` is True for a flag rule (`no_emoji`, ...), the term for a list rule and the value
    for a rule of one value (`person`, `formality`, `content_warning`).
    """

    rule: RuleName
    value: bool | str
    source: str

    @property
    def key(self) -> tuple[str, str]:
        """What makes two stated rules the same: the rule and its term, casefolded."""
        return self.rule, str(self.value).casefold()

    def as_json(self) -> dict[str, Any]:
        """The JSON form an API answer shows: `{rule, value, from}`."""
        return {"rule": self.rule, "value": self.value, "from": self.source}

    @classmethod
    def from_json(cls, data: object) -> StatedRule | None:
        """A stated rule from its JSON form; None for anything else."""
        if not isinstance(data, Mapping):
            return None
        rule, value, source = data.get("rule"), data.get("value"), data.get("from")
        if rule in FLAG_RULES and value is True:
            return cls(rule, True, str(source or ""))
        if rule in LIST_RULES and isinstance(value, str) and _usable(value):
            return cls(rule, value, str(source or ""))
        if rule in VALUE_RULES and isinstance(value, str) and _valued(rule, value):
            return cls(rule, value, str(source or ""))
        return None


def infer_rules(tone: str | None, guidelines: str | None) -> list[StatedRule]:
    """The rules that `tone` and `guidelines` state, once each, in the order they are stated.

    A list rule gets at most `MAX_TERMS` terms; a rule stated twice keeps its first words.
    """
    found: dict[tuple[str, str], StatedRule] = {}
    counts: dict[str, int] = {}
    for text in (tone, guidelines):
        for stated in _stated(text or ""):
            if stated.key in found or counts.get(stated.rule, 0) >= MAX_TERMS:
                continue
            found[stated.key] = stated
            counts[stated.rule] = counts.get(stated.rule, 0) + 1
    # A rule of one value stated with two ("first person", then "third person") states none.
    split = {rule for rule in VALUE_RULES if counts.get(rule, 0) > 1}
    return [stated for stated in found.values() if stated.rule not in split]


def holds(rules: RulesJson, stated: StatedRule) -> bool:
    """Whether `rules` (their JSON form) already say what `stated` says."""
    if stated.rule in FLAG_RULES:
        return bool(rules.get(stated.rule))
    if stated.rule in VALUE_RULES:
        return str(rules.get(stated.rule) or "").casefold() == str(stated.value).casefold()
    terms = rules.get(stated.rule) or []
    return str(stated.value).casefold() in {str(t).casefold() for t in terms}


def merge_stated(
    rules: RulesJson, stated: Iterable[StatedRule]
) -> tuple[dict[str, Any], list[StatedRule]]:
    """`rules` (their JSON form) with what `stated` adds, and the stated rules that added it.

    Only adds: a flag turns on, a term joins its list unless the list holds it in any case or
    is full (`MAX_TERMS`), a rule of one value is set unless the author set one. Nothing the
    author set is removed or changed.
    """
    merged = {k: list(v) if isinstance(v, list) else v for k, v in rules.items()}
    added: list[StatedRule] = []
    for one in stated:
        if holds(merged, one):
            continue
        if one.rule in FLAG_RULES:
            merged[one.rule] = True
        elif one.rule in VALUE_RULES:
            if merged.get(one.rule):
                continue  # the author's own choice stands
            merged[one.rule] = one.value
        else:
            terms = merged.setdefault(one.rule, [])
            if len(terms) >= MAX_TERMS:
                continue
            terms.append(one.value)
        added.append(one)
    return merged, added


# -- the phrasings ---------------------------------------------------------------------------------

_QUOTED = re.compile(
    r"\"([^\"\n]{1,1000})\""
    r"|“([^”\n]{1,1000})”"
    r"|„([^“”\n]{1,1000})[“”]"
    r"|«([^»\n]{1,1000})»"
    # An apostrophe inside a word ("it's") does not close a single quote.
    r"|(?<!\w)'((?:[^'\n]|\b'\b){1,1000}?)'(?!\w)"
    r"|‘((?:[^’\n]|\b’\b){1,1000}?)’(?!\w)"
)
#: A "!" on its own ("no !", "(!)") names the mark; after a word it ends a sentence.
_LONE_BANG = re.compile(r"(?<![\w!])!+(?![\w!])")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx)\.", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?;\n…]+[.!?;…]*")
_QUOTE_MARK, _QUOTE_FILL, _BANG = '"', "_", "\x01"

_NEG = (
    r"(?:never|don['’]?t|do\s+not|must\s+not|mustn['’]t|should\s+not|shouldn['’]t|"
    r"can['’]t|cannot|won['’]t|will\s+not)"
)
#: A condition, a time or a platform makes a rule partial: such a sentence states none.
_HEDGED = re.compile(
    r"\b(?:if|unless|except|excepting|other\s+than|apart\s+from|when|whenever|sometimes|"
    r"until|till|before|after|during|twitter|facebook|instagram|linkedin|pinterest|mastodon|"
    r"bluesky|tiktok|on\s+x|on\s+threads)\b",
    re.IGNORECASE,
)
#: A negation earlier in the same clause makes a double negative ("never post without emoji").
_NEGATOR = re.compile(rf"\b(?:{_NEG}|not|no|nor|without|avoid\w*)\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[,:()—–]|\s-\s|\b(?:and|or|but)\b", re.IGNORECASE)

# Flags: "no emoji", "never use emojis or exclamation marks", "avoid using any emoticons".
_FLAG_START = re.compile(
    rf"\b(?:{_NEG}|no|zero|avoid|avoiding|without)\s+"
    r"(?:(?:use|using|include|including|add|adding|put|putting|post|posting)\s+)?"
    r"(?:(?:any|a\s+single|even\s+one|one\s+single)\s+)?",
    re.IGNORECASE,
)
_EMOJI_FREE = re.compile(r"\b(?:emoji|emoticon)s?[-\s]free\b", re.IGNORECASE)
_EMOJI_NOUN = re.compile(r"emoji(?:s|es|['’]s)?|emoticons?", re.IGNORECASE)
_EXCLAMATION_NOUN = re.compile(r"exclamations?|exclamation[-\s]+(?:marks?|points?)", re.IGNORECASE)

# Comparisons: "no comparisons (to X)", "don't compare it to X", "no Gone Girl comparisons".
_COMPARISON_NOUN = re.compile(
    rf"\b(?:no|avoid|avoiding|without|{_NEG})\s+"
    r"(?:(?:any|making|make|drawing|draw|using|use)\s+)?(?:comparisons?|comps|comp\s+titles)\b",
    re.IGNORECASE,
)
_COMPARE_VERB = re.compile(
    rf"\b(?:{_NEG}|avoid|avoiding)\s+(?:compare|comparing)\b"
    r"(?:\s+(?:it|this|the\s+book|this\s+book|my\s+book|our\s+book|the\s+novel|this\s+novel|"
    r"my\s+novel|the\s+story|the\s+series|this\s+series|me|us|my\s+work|the\s+author)\b)?",
    re.IGNORECASE,
)
_COMPARE_TO = re.compile(r"\s+(?:to|with|against)\s+", re.IGNORECASE)
_NAMED_COMPARISONS = re.compile(
    r"\b(?i:no|avoid|without)\s+"
    r"(?:(?P<quoted>\"_+\")\s+|(?P<name>(?:[A-Z0-9][\w'’&.-]*\s+){1,5}?))"
    r"(?i:comparisons?|comps)\b"
)
_GENERIC_TARGET = re.compile(
    r"(?:(?:any|other|another|similar|famous|popular|well[-\s]known|better[-\s]known|big|"
    r"bigger|bestselling|classic|successful|competing|rival)\s+){0,3}"
    r"(?:books?|novels?|titles?|authors?|writers?|works?|stories|series|bestsellers?|thrillers?|"
    r"classics?|movies?|films?|shows?|genres?|others?|competitors?|people|"
    r"anything(?:\s+else)?|anyone(?:\s+else)?|anybody(?:\s+else)?|everything)",
    re.IGNORECASE,
)

# Banned phrases: "never say X", "don't use the word X", "avoid 'X'", "no 'X'", "banned words: X".
_PHRASE_START = re.compile(
    rf"\b(?:{_NEG}|avoid|avoiding)\s+"
    r"(?:(?P<verb>say|saying|write|writing|call\s+it|calling\s+it|describe\s+it\s+as|"
    r"describing\s+it\s+as|use|using|include|including|mention|mentioning)\s+)?",
    re.IGNORECASE,
)
#: After these verbs unquoted terms count ("never say bestselling"); after others only quoted.
_SAYING = re.compile(r"say|saying|write|writing|call.*|describ.*", re.IGNORECASE)
_WORD_NOUN = re.compile(
    r"(?:(?:the|these|those|any|such|following|of\s+the\s+following)\s+)*(?:[a-z-]+\s+)?"
    r"(?:words?|phrases?|terms?|expressions?|buzzwords?|clich[eé]s?)\b"
    r"(?!\s+(?:count|limit|choice|play)s?\b)"  # "don't use the word count as a goal"
    r"(?:\s+(?:like|such\s+as|including))?\s*(?P<colon>:)?\s*",
    re.IGNORECASE,
)
_NO_QUOTED = re.compile(r"\bno\s+(?=\"_)", re.IGNORECASE)
_HEADER = re.compile(
    r"\b(?:(?:banned|forbidden|prohibited|off[-\s]limits|blacklisted|blocked|taboo|no[-\s]go)\s+"
    r"(?:words?|phrases?|terms?|expressions?|buzzwords?)"
    r"|(?:words?|phrases?|terms?|expressions?)\s+(?:to\s+avoid|never\s+to\s+use|not\s+to\s+use))"
    r"[ \t]*(?::|\s-|–|—)[ \t]*",
    re.IGNORECASE,
)
_BULLET = re.compile(r"[ \t]*(?:[-*•]|\d+[.)])[ \t]+([^\n]*)(?:\n|$)")

# Spoilers, quoted only: "spoilers: 'the twin'", "don't reveal 'the twin'".
_SPOILER_START = re.compile(
    r"(?:\b(?:no|avoid|avoiding)\s+)?\bspoilers?(?:\s+(?:words|terms))?"
    r"(?:[ \t]*[:–—-]|\s+(?:like|such\s+as|include|including|are))\s*"
    rf"|\b(?:{_NEG}|avoid|avoiding)\s+(?:reveal(?:ing)?|giv(?:e|ing)\s+away|spoil(?:ing)?|"
    r"hint(?:ing)?\s+at)(?:\s+that)?\s+",
    re.IGNORECASE,
)

# Unquoted terms: words up to a separator.
_WORD = re.compile(r"[^\s,/()\"\x01—–:]+")
#: These words end a term and its list ("never say bestselling because...").
_LIST_END = re.compile(
    r"but|because|since|so|unless|if|when|until|while|though|although|instead|rather|as|than|"
    r"except|which|who|where",
    re.IGNORECASE,
)
#: A term never starts with these: "never say it's...", "avoid words that...", "or use emoji".
_NOT_A_TERM = re.compile(
    r"it|it['’]s|its|that|this|these|those|anything|something|everything|nothing|anyone|"
    r"someone|everyone|we|i|you|they|he|she|us|them|me|my|our|your|their|what|how|why|who|"
    r"which|too|so|very|more|less|much|many|any|all|some|words|things|stuff|be|is|are|was|keep|"
    r"use|using|write|make|stay|avoid|say|do|don['’]t|never|always|try|add|include|mention|go|"
    r"get|let|please|just|only|also|no|not|yes|a|an|the",
    re.IGNORECASE,
)
#: A quote mark left in unquoted words means a quotation that did not close: no term.
_STRAY_QUOTE = re.compile(r"[\"“”„«»‘]|^['’]|['’]$")
_TAIL = re.compile(
    r"\s+(?:please|ever|whatsoever|anywhere|again|at\s+all|in\s+(?:(?:any|the|a|our|my|your|"
    r"all)\s+)?(?:posts?|captions?|copy|text|tweets?|marketing))$",
    re.IGNORECASE,
)
_MAX_TERM_WORDS = 4
_MAX_NAME_WORDS = 8
_ALL = ("or", "and", "nor")
_CONJUNCTION = re.compile(r"(or|and|nor)\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[,:—–(]")


@dataclass(frozen=True)
class _Item:
    """One item of a list in the text: a quoted term, a lone "!", or words."""

    kind: Literal["quoted", "bang", "words"]
    start: int
    end: int
    #: What separated it from the item before: "" (the first), ",", "or", ", or", "/"...
    sep: str
    words: int = 0


@dataclass(frozen=True)
class _Text:
    """The author's text, and a copy of the same length where quoted spans are opaque."""

    original: str
    masked: str

    @classmethod
    def of(cls, text: str) -> _Text:
        chars = list(text)
        for match in _QUOTED.finditer(text):
            start, end = match.span()
            chars[start:end] = _QUOTE_MARK + _QUOTE_FILL * (end - start - 2) + _QUOTE_MARK
        masked = _LONE_BANG.sub(lambda m: _BANG * len(m.group()), "".join(chars))
        masked = _ABBREVIATION.sub(lambda m: m.group().replace(".", "·"), masked)
        return cls(text, masked)

    def term(self, item: _Item) -> str:
        """The item's words as written (a quoted item's without its quotes)."""
        if item.kind == "quoted":
            return self.original[item.start + 1 : item.end - 1].strip()
        return self.original[item.start : item.end].strip()

    def source(self, start: int, end: int) -> str:
        """The words from `start` to `end`, on one line, cut to `MAX_SOURCE_CHARS`."""
        words = " ".join(self.original[start:end].split()).strip(" ,:-–—")
        return words if len(words) <= MAX_SOURCE_CHARS else words[: MAX_SOURCE_CHARS - 1] + "…"


def _stated(text: str) -> Iterator[StatedRule]:
    """Every rule `text` states, in order (repeats included)."""
    if not text.strip():
        return
    doc = _Text.of(text)
    found = list(_headers(doc))
    for match in _SENTENCE.finditer(doc.masked):
        body = match.group().rstrip()
        hedges = {hedge.casefold() for hedge in _HEDGED.findall(body)}
        # Naming Mastodon narrows no content warning: it is Mastodon's own feature.
        if body.endswith("?") or hedges - {"mastodon"}:
            continue
        start, end = match.start(), match.start() + len(body.rstrip(".!?;…"))
        choices = stated_choices(doc.original, doc.masked, start, end, warning_only=bool(hedges))
        for at, last, rule, value in choices:
            found.append((at, StatedRule(rule, value, doc.source(at, last))))
        if hedges:
            continue
        sentence = _Sentence(doc, start, end)
        for finder in (_comparisons, _spoilers, _phrases, _flags):
            found.extend((stated_at, stated) for stated_at, stated in finder(sentence))
    for _, stated in sorted(found, key=lambda pair: pair[0]):
        yield stated


Finding = Iterator[tuple[int, StatedRule]]


class _Sentence:
    """One sentence of a text (`start`..`end`), and the statements already read in it.

    A statement's words are read once: a later match that starts inside a statement that
    stated a rule, or inside the list the previous match of the same pattern read, is skipped.
    """

    def __init__(self, doc: _Text, start: int, end: int) -> None:
        self.doc, self.masked, self.start, self.end = doc, doc.masked, start, end
        self._breaks = [m.end() for m in _CLAUSE_BREAK.finditer(doc.masked, start, end)]
        self._stated: list[tuple[int, int]] = []
        self._read_to = start

    def statements(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        """The matches of `pattern` that open a statement (not a double negative)."""
        self._read_to = self.start
        for match in pattern.finditer(self.masked, self.start, self.end):
            at = match.start()
            if at < self._read_to or any(a <= at < b for a, b in self._stated):
                continue
            before = bisect.bisect_right(self._breaks, at)
            clause = self._breaks[before - 1] if before else self.start
            if _NEGATOR.search(self.masked, clause, at):
                continue
            # "Without emoji, posts feel flat" describes; "posts without emoji" asks.
            if (
                match.group().casefold().startswith("without")
                and not self.masked[clause:at].strip()
            ):
                continue
            self._read_to = match.end()
            yield match

    def read(self, begin: int, last: int, *, stated: bool) -> None:
        """Note that the statement at `begin` was read up to `last` (and stated a rule)."""
        self._read_to = max(self._read_to, last)
        if stated:
            self._stated.append((begin, last))

    def items(
        self, pos: int, *, conjunctions: tuple[str, ...] = _ALL, titles: bool = False
    ) -> Iterator[_Item]:
        """The list that starts at `pos` and ends with the sentence at the latest (`_items`)."""
        return _items(self.doc, pos, self.end, conjunctions=conjunctions, titles=titles)


def _flags(sentence: _Sentence) -> Finding:
    doc = sentence.doc
    for match in _EMOJI_FREE.finditer(doc.masked, sentence.start, sentence.end):
        yield match.start(), StatedRule("no_emoji", True, doc.source(*match.span()))
    for match in sentence.statements(_FLAG_START):
        flags: list[RuleName] = []
        last = match.end()
        for item in sentence.items(match.end()):
            rule = _flag_of(doc, item)
            if rule is None and item.kind == "words" and not _plain_term(doc, item, 3):
                break
            if rule is not None and rule not in flags:
                flags.append(rule)
            last = item.end
        sentence.read(match.start(), last, stated=bool(flags))
        for rule in flags:
            yield match.start(), StatedRule(rule, True, doc.source(match.start(), last))


def _flag_of(doc: _Text, item: _Item) -> RuleName | None:
    term = doc.term(item)
    if item.kind == "bang" or (item.kind == "quoted" and re.fullmatch(r"!+", term)):
        return "no_exclamation"
    if item.kind == "words" and _EMOJI_NOUN.fullmatch(term):
        return "no_emoji"
    if item.kind == "words" and _EXCLAMATION_NOUN.fullmatch(term):
        return "no_exclamation"
    return None


def _comparisons(sentence: _Sentence) -> Finding:
    doc = sentence.doc
    for match in sentence.statements(_NAMED_COMPARISONS):
        group = "quoted" if match.group("quoted") else "name"
        term = doc.term(_Item("quoted" if group == "quoted" else "words", *match.span(group), ""))
        sentence.read(match.start(), match.end(), stated=_usable(term))
        if _usable(term):
            yield match.start(), StatedRule("banned_comparisons", term, doc.source(*match.span()))
    for pattern in (_COMPARISON_NOUN, _COMPARE_VERB):
        for match in sentence.statements(pattern):
            to = _COMPARE_TO.match(doc.masked, match.end(), sentence.end)
            if to is not None:
                yield from _comparison_targets(sentence, match.start(), to.end())
            elif _ends_clause(doc, match.end(), sentence.end):
                sentence.read(match.start(), match.end(), stated=True)
                yield match.start(), StatedRule("no_comparisons", True, doc.source(*match.span()))


def _comparison_targets(sentence: _Sentence, begin: int, pos: int) -> Finding:
    """The books or authors a comparison statement names; a generic one means no comparisons."""
    found: list[tuple[RuleName, bool | str]] = []
    last = pos
    for item in sentence.items(pos, conjunctions=("or", "nor"), titles=True):
        term = sentence.doc.term(item)
        if item.kind == "quoted" and _usable(term):
            found.append(("banned_comparisons", term))
        elif item.kind == "words" and _GENERIC_TARGET.fullmatch(term):
            found.append(("no_comparisons", True))
        elif item.kind == "words" and _is_name(term) and item.words <= _MAX_NAME_WORDS:
            found.append(("banned_comparisons", term))
        else:
            break
        last = item.end
    sentence.read(begin, last, stated=bool(found))
    source = sentence.doc.source(begin, last)
    for rule, value in found:
        yield begin, StatedRule(rule, value, source)


def _phrases(sentence: _Sentence) -> Finding:
    for match in sentence.statements(_PHRASE_START):
        noun = _WORD_NOUN.match(sentence.masked, match.end(), sentence.end)
        if noun is not None:
            mode = "list" if noun.group("colon") else "say"
            yield from _phrase_list(sentence, match.start(), noun.end(), mode)
        elif _SAYING.fullmatch(match.group("verb") or ""):
            yield from _phrase_list(sentence, match.start(), match.end(), "say")
        else:
            yield from _phrase_list(sentence, match.start(), match.end(), "quoted")
    for match in sentence.statements(_NO_QUOTED):
        yield from _phrase_list(sentence, match.start(), match.end(), "quoted")


def _phrase_list(sentence: _Sentence, begin: int, pos: int, mode: str) -> Finding:
    """Banned phrases from the list at `pos`. `mode`: "say" (a comma list needs an "or" or an
    "and": "X, Y or Z"), "list" (after a colon: any list) or "quoted" (quoted terms only)."""
    terms, last = _phrase_terms(sentence.doc, sentence.items(pos), mode)
    last = max(last, pos)
    sentence.read(begin, last, stated=bool(terms))
    source = sentence.doc.source(begin, last)
    for term in terms:
        yield begin, StatedRule("banned_phrases", term, source)


def _phrase_terms(doc: _Text, items: Iterable[_Item], mode: str) -> tuple[list[str], int]:
    """The terms of a list of banned phrases (see `_phrase_list`), and where the last ends."""
    terms: list[str] = []
    ends: list[int] = []
    serial = False
    last = 0
    for item in items:
        term = doc.term(item)
        if item.kind == "quoted" and re.fullmatch(r"!+", term):
            last = item.end  # 'no "!"': the exclamation flag, which `_flags` finds
            continue
        quoted = item.kind == "quoted" and _usable(term)
        plain = mode != "quoted" and item.kind == "words" and _plain_term(doc, item)
        if not (quoted or plain):
            break
        serial = serial or item.sep not in ("", ",")
        terms.append(term)
        ends.append(item.end)
        last = item.end
    if mode == "say" and not serial and len(terms) > 1:
        # "never say bestselling, keep it light": a comma alone does not make a list.
        return terms[:1], ends[0]
    return terms, last


def _spoilers(sentence: _Sentence) -> Finding:
    for match in sentence.statements(_SPOILER_START):
        terms, last = [], match.end()
        for item in sentence.items(match.end()):
            term = sentence.doc.term(item)
            if item.kind != "quoted" or not _usable(term):
                break
            terms.append(term)
            last = item.end
        sentence.read(match.start(), last, stated=bool(terms))
        source = sentence.doc.source(match.start(), last)
        for term in terms:
            yield match.start(), StatedRule("spoilers", term, source)


def _headers(doc: _Text) -> Finding:
    """Lists under a heading: "Banned words: X, Y." or the heading, then one bullet a line."""
    masked = doc.masked
    for match in _HEADER.finditer(masked):
        line_start = masked.rfind("\n", 0, match.start()) + 1
        line_end = masked.find("\n", match.end())
        line_end = len(masked) if line_end < 0 else line_end
        if _HEDGED.search(masked, line_start, line_end):
            continue
        terms: list[str] = []
        if masked[match.end() : line_end].strip():
            sentence = _SENTENCE.match(masked, match.end())
            stop = match.end() + len((sentence.group() if sentence else "").rstrip(".!?;… \t"))
            terms, last = _phrase_terms(doc, _items(doc, match.end(), stop), "list")
        else:
            last = line_end
            while (bullet := _BULLET.match(masked, last + 1)) is not None:
                stop = bullet.start(1) + len(bullet.group(1).rstrip(" .;,!?"))
                listed, _ = _phrase_terms(doc, _items(doc, bullet.start(1), stop), "list")
                if not listed:
                    break
                terms.extend(listed)
                last = bullet.end(1)
        source = doc.source(match.start(), last)
        for term in terms:
            yield match.start(), StatedRule("banned_phrases", term, source)


def _items(
    doc: _Text, pos: int, end: int, *, conjunctions: tuple[str, ...] = _ALL, titles: bool = False
) -> Iterator[_Item]:
    """The list that starts at `pos`: its items, up to what does not continue it.

    Items are separated by commas, "/" and the `conjunctions` (or, and, nor; "and" after a
    comma in any case); a list has at most `MAX_TERMS` items. With `titles`, "and" inside an
    item joins a title's words ("Pride and Prejudice") when a capital follows it, and ends the
    item and the list otherwise.
    """
    masked, sep = doc.masked, ""
    for _ in range(MAX_TERMS):
        if (pos := _skip_spaces(masked, pos, end)) >= end:
            break
        if masked.startswith('"_', pos) and (close := masked.find('"', pos + 1)) >= 0:
            item = _Item("quoted", pos, min(close + 1, end), sep)
        elif masked[pos] == _BANG:
            close = pos
            while close < end and masked[close] == _BANG:
                close += 1
            item = _Item("bang", pos, close, sep)
        elif (stop := _words_end(masked, pos, end, conjunctions, titles)) is not None:
            item = _trimmed(doc, _Item("words", pos, stop, sep))
        else:
            break
        yield item
        pos = _skip_spaces(masked, item.end, end)
        comma = masked.startswith(",", pos)
        if comma:
            pos = _skip_spaces(masked, pos + 1, end)
        conj = _CONJUNCTION.match(masked, pos, end)
        word = conj.group(1).casefold() if conj else ""
        if conj and (word in conjunctions or (comma and word == "and")):
            sep, pos = (", " if comma else "") + word, conj.end()
        elif masked.startswith("/", pos):
            sep, pos = "/", pos + 1
        elif comma:
            sep = ","
        else:
            break


def _words_end(
    masked: str, pos: int, end: int, conjunctions: tuple[str, ...], titles: bool
) -> int | None:
    """Where the run of plain words that starts at `pos` ends (None if none starts there)."""
    count, last = 0, pos
    for token in _WORD.finditer(masked, pos, end):
        if masked[last : token.start()].strip():
            break
        word = token.group()
        if _LIST_END.fullmatch(word) or word.casefold() in conjunctions:
            break
        if titles and word.casefold() == "and":
            following = _WORD.match(masked, _skip_spaces(masked, token.end(), end), end)
            if following is None or not following.group()[0].isupper():
                break
        count, last = count + 1, token.end()
        if count > _MAX_NAME_WORDS:
            break
    return last if count else None


def _trimmed(doc: _Text, item: _Item) -> _Item:
    """The item without a trailing "please", "at all", "in posts"..., and its word count."""
    text = doc.original[item.start : item.end]
    while (tail := _TAIL.search(text)) is not None:
        text = text[: tail.start()]
    return _Item(item.kind, item.start, item.start + len(text), item.sep, len(text.split()))


def _plain_term(doc: _Text, item: _Item, max_words: int = _MAX_TERM_WORDS) -> bool:
    """Whether an unquoted item reads as a term: a few words, not a clause or a pronoun."""
    term = doc.term(item)
    first = term.split()[0] if term.split() else ""
    return (
        0 < item.words <= max_words
        and not _NOT_A_TERM.fullmatch(first)
        and not _STRAY_QUOTE.search(term)
        and _usable(term)
    )


def _usable(term: str) -> bool:
    """Whether `term` can be a rule's term: a word in it, and within the bounds."""
    return 0 < len(term.strip()) <= MAX_TERM_CHARS and re.search(r"\w", term) is not None


def _valued(rule: str, value: str) -> bool:
    """Whether `value` is one `rule` (a rule of one value) may take."""
    allowed = VALUE_CHOICES[rule]
    if allowed is not None:
        return value in allowed
    return 0 < len(value.strip()) <= MAX_WARNING_CHARS and re.search(r"\w", value) is not None


def _is_name(term: str) -> bool:
    """A book's title or an author's name, as typed: it starts with a capital or a digit."""
    return term[:1].isupper() or term[:1].isdigit()


def _ends_clause(doc: _Text, pos: int, end: int) -> bool:
    """Whether nothing but a tail ("please", "at all") follows `pos` before the clause ends."""
    cut = _CLAUSE_END.search(doc.masked, pos, end)
    rest = doc.masked[pos : cut.start() if cut else end].rstrip()
    while (tail := _TAIL.search(rest)) is not None:
        rest = rest[: tail.start()].rstrip()
    return not rest.strip()


def _skip_spaces(text: str, pos: int, end: int) -> int:
    while pos < end and text[pos] in " \t":
        pos += 1
    return pos
