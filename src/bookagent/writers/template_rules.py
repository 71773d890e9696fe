"""The author's rules and the gate, as the template writer applies them before writing.

The gate (`bookagent.domain.validation.check_draft`) refuses a draft that breaks the author's
`AuthorRules` or states what the profile cannot ground. The template writer does not lean on
that refusal: `WriterRules.allows` asks the gate's own check about each phrase and each piece of
the author's material on its own, once per profile, so a post is only ever composed of parts that
pass (no banned phrase, comparison, spoiler, emoji or "!" where the author forbids them, no
claim or attribution the profile does not back), and never one with a relative or short date.
`tone` rewrites "!" to "." where the author wants none, and `required_ctas` makes the calls to
action that carry one of the launch phase's required words. A formal voice (`formality`) gets no
contraction from the gate's own check, and no emoji: the writer holds itself to that, though the
gate does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import replace
from datetime import date

from bookagent.domain import relative_dates
from bookagent.domain.author_rules import rule_violations
from bookagent.domain.profile import AuthorRules
from bookagent.domain.profile import Phase
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import book_today
from bookagent.domain.validation import find_ungrounded

_MISSING_WORD = "missing_required_word"  # the gate's code: a whole post's matter, not a part's
_EXCLAMATIONS = str.maketrans(dict.fromkeys("!！‼❗❕", "."))
# Required words a post can ask readers to do ("Pre-order your copy."); any other word or phrase
# is used as a label ("Out now: The Salt Road.").
_VERBS = frozenset(("pre-order", "preorder", "order", "buy", "reserve", "get", "grab", "download",
                    "read", "borrow", "request", "stream", "listen", "shop"))  # fmt: skip
_VERB_CTAS = ("{word} your copy.", "{word} it now.", "{word} {title}.", "{word} yours now.")
_LABEL_CTAS = ("{word}.", "{word}: {title}.", "{word}: {title} by {author}.")


def writer_day(timezone: str, on: date | None) -> date:
    """The day a post is written for: `on` if given, else today in the book's timezone."""
    return on if on is not None else book_today(timezone)


@dataclass(frozen=True)
class WriterRules:
    """One profile's rules and grounding, as the writer consults them part by part."""

    rules: AuthorRules
    grounding: Grounding
    #: The banned phrases folded to letters and digits, to spot them inside hashtags.
    banned_folded: tuple[str, ...]
    #: The rules' required words alone, to ask the gate whether a text holds one.
    required: AuthorRules
    #: What the writer refuses beyond the gate: emoji in a formal voice (None: nothing).
    voice: AuthorRules | None = None

    @classmethod
    def of(cls, rules: AuthorRules, grounding: Grounding) -> WriterRules:
        """The writer's view of the author's `rules` over the profile's `grounding`."""
        phrases = (*rules.banned_phrases, *rules.banned_comparisons, *rules.spoilers)
        folded = tuple(f for p in phrases if (f := _fold(p)))
        required = AuthorRules(required_words=rules.required_words)
        if rules.formality != "formal" or rules.no_emoji:
            return cls(rules, grounding, folded, required)
        # The writer's own view: `rules.no_emoji` also empties the phrase tables' emoji.
        written = replace(rules, no_emoji=True)
        return cls(written, grounding, folded, required, AuthorRules(no_emoji=True))

    def allows(self, text: str) -> bool:
        """Whether `text`, as it will stand in a post, passes the gate and has no relative date.

        The phase's required words are left out: one part need not hold them, the post must.
        A relative or short date is refused even in the author's own words ("Tomorrow she will
        ask him.", which the gate lets through as verbatim blurb): it reads as a date.
        """
        if next(relative_dates.mentions(text, None), None) is not None:
            return False
        if self.voice is not None and rule_violations(self.voice, text, "post_launch"):
            return False
        return all(v.code == _MISSING_WORD for v in find_ungrounded(self.grounding, text))

    def allows_tag(self, tag: str) -> bool:
        """Whether a hashtag (without `#`) passes, and holds no banned phrase run together."""
        folded = _fold(tag)
        return not any(word in folded for word in self.banned_folded) and self.allows(f"#{tag}")

    def tone(self, text: str) -> str:
        """`text` as the author's rules want it written: "!" becomes "." when they forbid it."""
        if not self.rules.no_exclamation or text.isalnum():
            return text
        for mark in ("?!", "?！"):
            text = text.replace(mark, "?")
        text = text.translate(_EXCLAMATIONS)
        while ".." in text:
            text = text.replace("..", ".")
        return text

    def rewrite(self, text: str) -> str | None:
        """`text` toned, for material that is not quoted; None if it may not be used."""
        toned = self.tone(text.strip())
        return toned if toned and self.allows(toned) else None

    def has_required(self, phase: Phase, text: str) -> bool:
        """Whether `text` holds one of the phase's required words (True when there are none)."""
        if not self.rules.required_words.get(phase):
            return True
        return not rule_violations(self.required, text, phase)

    def required_words(self, phase: Phase) -> tuple[str, ...]:
        """The phase's required words the writer may use: they pass as they are written."""
        words = (w.strip() for w in self.rules.required_words.get(phase, ()))
        return tuple(w for w in words if w and w == self.tone(w) and self.allows(w))


def required_ctas(words: Iterable[str]) -> tuple[str, ...]:
    """Calls to action (templates naming `title`/`author`) that each hold one of `words`."""
    ctas: list[str] = []
    for word in words:
        shown = (word[:1].upper() + word[1:]).replace("{", "{{").replace("}", "}}")
        forms = _VERB_CTAS if _fold(word) in {_fold(v) for v in _VERBS} else _LABEL_CTAS
        ctas.extend(form.replace("{word}", shown) for form in forms)
    return tuple(dict.fromkeys(ctas))


def _fold(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())
