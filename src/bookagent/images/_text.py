"""Text as the cards take it: author-given strings checked and cleaned, and cut into the pieces a
line may break between.

Words break at spaces; Chinese, Japanese and Korean text may break between any two characters,
except before closing punctuation or after opening punctuation (the basic kinsoku rule).
Everything here works on plain strings: no fonts, no Pillow.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex  # type: ignore[import-untyped]  # no stubs; types-regex is not a dependency

from bookagent.errors import InvalidInputError

__all__ = ["Piece", "clean", "graphemes", "is_emoji", "pieces", "shorten", "strip_quote_marks"]

_GRAPHEME = regex.compile(r"\X")
# Emoji meant to be drawn in colour: emoji-presentation characters, anything with the emoji
# variation selector, flags and keycaps. Text-style symbols (©, ™, ★) are not among them.
_EMOJI = regex.compile(r"\p{Emoji_Presentation}|\uFE0F|\p{Regional_Indicator}|\u20E3")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\u3000-\u303F\uFF00-\uFFEF\u30FC]")
# Control characters (newline aside) and the bidirectional overrides, which could make a text
# read differently from what it holds.
_CONTROL = regex.compile(r"[^\P{Cc}\n\t]|[\u202A-\u202E\u2066-\u2069]")
_SPACES = regex.compile(r"[^\S\n]+")
_NO_START = frozenset(
    "、。，．・：；？！ー゛゜ヽヾゝゞ々〻‐゠–〜～」』）｝〕〉》】〙〗〟’”｠»"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ,.!?:;)]}%…"
)
_NO_END = frozenset("「『（｛〔〈《【〘〖〝‘“｟«([{")
_QUOTE_PAIRS = {'"': '"', "“": "”", "„": "“", "«": "»", "「": "」", "『": "』", "'": "'", "‘": "’"}


def clean(value: object, *, field: str, max_chars: int, required: bool = True) -> str:
    """`value` as card text: NFC, no control characters, single spaces, single line breaks.

    Raises InvalidInputError naming `field` when it is not a string, is empty (when `required`)
    or holds more than `max_chars` characters.
    """
    if not isinstance(value, str):
        raise InvalidInputError.for_field(field, "must be text")
    if len(value) > 4 * max_chars:  # before any work on it: a huge input costs nothing
        raise InvalidInputError.for_field(field, f"must be at most {max_chars} characters")
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", _CONTROL.sub(" ", text))
    text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
    if len(text) > max_chars:
        raise InvalidInputError.for_field(field, f"must be at most {max_chars} characters")
    if required and not text:
        raise InvalidInputError.for_field(field, "must not be empty")
    return text


def strip_quote_marks(text: str) -> str:
    """`text` without one pair of quotation marks around the whole of it (the card adds its own)."""
    if len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        inner = text[1:-1].strip()
        if inner and text[0] not in inner:  # "a" and "b" is two quotations, not one
            return inner
    return text


def shorten(text: str, max_chars: int) -> str:
    """`text` cut to at most `max_chars` characters at a word boundary, with an ellipsis."""
    if len(text) <= max_chars:
        return text
    cut = text[: max(0, max_chars - 1)]
    space = cut.rfind(" ")
    if space >= len(cut) * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def graphemes(text: str) -> list[str]:
    """The user-perceived characters of `text` (a flag or a family emoji is one)."""
    found: list[str] = _GRAPHEME.findall(text)
    return found


def is_emoji(grapheme: str) -> bool:
    """Whether `grapheme` is an emoji meant to be drawn in colour."""
    return _EMOJI.search(grapheme) is not None


def is_cjk(grapheme: str) -> bool:
    """Whether a line may break before or after `grapheme` (a CJK character or CJK punctuation)."""
    return _CJK.match(grapheme) is not None


@dataclass(frozen=True)
class Piece:
    """A run of graphemes that stays on one line: a word, or one CJK character with the
    punctuation that must stay with it."""

    text: str
    space_before: bool  # a space separates it from the previous piece (none at a line's start)
    break_before: bool  # the author's line break comes before it


def pieces(text: str) -> list[Piece]:
    """`text` cut at every place a line may break, in order."""
    out: list[Piece] = []
    for paragraph_index, paragraph in enumerate(text.split("\n")):
        for word_index, word in enumerate(paragraph.split(" ")):
            if not word:
                continue
            first = True
            for part in _split_word(word):
                out.append(
                    Piece(
                        part,
                        space_before=first and word_index > 0,
                        break_before=first and word_index == 0 and paragraph_index > 0,
                    )
                )
                first = False
    return out


def _split_word(word: str) -> list[str]:
    """A space-free word cut where CJK text may break."""
    parts: list[str] = []
    current = ""
    previous = ""
    for g in graphemes(word):
        can_break = (
            bool(current)
            and (is_cjk(g) or is_cjk(previous))
            and g not in _NO_START
            and previous not in _NO_END
        )
        if can_break:
            parts.append(current)
            current = ""
        current += g
        previous = g
    if current:
        parts.append(current)
    return parts
