"""Line breaking at one size: pieces measured, greedy lines, balanced lines, and a last line cut
with an ellipsis.

A piece (`_text.pieces`) is a word, or a CJK character with the punctuation that stays with it;
here each becomes an `Item` with its runs (`_fonts.split_runs`) and its advance width. A piece
wider than the line is cut between graphemes. Widths come from the cached `_fonts.advance`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bookagent.images._fonts import Face
from bookagent.images._fonts import Run
from bookagent.images._fonts import advance
from bookagent.images._fonts import covers
from bookagent.images._text import graphemes

__all__ = [
    "ELLIPSIS",
    "Item",
    "Parts",
    "balanced",
    "line_runs",
    "measure",
    "with_ellipsis",
    "wrap",
]

ELLIPSIS = "…"
_TRAILING = " ,;:.-–—"
#: A text's pieces: each one's runs, whether a space comes before it, whether a line break does.
Parts = list[tuple[list[Run], bool, bool]]


@dataclass(frozen=True)
class Item:
    """A piece ready to set: its runs, its width at the size being tried, and its breaks."""

    runs: tuple[Run, ...]
    width: float
    space_before: bool
    break_before: bool


def room(width: int, size: int) -> int:
    """The advance a line may take in a box `width` wide: a little is kept for ink beyond the
    advance (italic overhangs, side bearings)."""
    return width - max(1, round(size * 0.06))


def measure(runs: list[Run] | tuple[Run, ...], weight: int, size: int) -> float:
    """The advance width of `runs` at `size`."""
    return sum(advance(face, size, weight, text) for face, text in runs)


def wrap(parts: Parts, face: Face, weight: int, size: int, width: int) -> list[list[Item]]:
    """Greedy line breaking: each line takes pieces while they fit, breaks where the text does."""
    limit = room(width, size)
    space = advance(face, size, weight, " ")
    return _break_lines(_items(parts, weight, size, limit), space, limit)


def balanced(lines: list[list[Item]], face: Face, weight: int, size: int) -> list[list[Item]]:
    """Two to four lines rewrapped as narrow as they can be without taking another line, so
    that no line is left with a word or two ("Moonbeam Finds / a Friend")."""
    if not 2 <= len(lines) <= 4:
        return lines
    items = [item for line in lines for item in line]
    space = advance(face, size, weight, " ")
    narrow = max(item.width for item in items)
    wide = max(_line_width(line, space) for line in lines)
    while wide - narrow > 1:
        middle = (narrow + wide) / 2
        if len(_break_lines(items, space, middle)) <= len(lines):
            wide = middle
        else:
            narrow = middle
    return _break_lines(items, space, wide)


def line_runs(items: list[Item]) -> list[Run]:
    """The runs of a line: its pieces joined, a space between words in the face before it."""
    runs: list[Run] = []
    for index, item in enumerate(items):
        if index and item.space_before:
            runs = _append(runs, runs[-1][0], " ")
        for face, text in item.runs:
            runs = _append(runs, face, text)
    return runs


def with_ellipsis(items: list[Item], face: Face, weight: int, size: int, width: int) -> list[Item]:
    """A line cut short: "…" after its last whole word that leaves room for it (inside the
    word only when the line is a single word too long for it)."""
    limit = room(width, size)
    kept = list(items)
    while len(kept) > 1 and measure(_ending(line_runs(kept), face), weight, size) > limit:
        kept.pop()
    runs = _ending(line_runs(kept), face)
    while len("".join(t for _, t in runs)) > 1 and measure(runs, weight, size) > limit:
        runs = _ending(_drop_last_grapheme(runs), face)
    return [Item(tuple(runs), measure(runs, weight, size), False, False)]


def _items(parts: Parts, weight: int, size: int, limit: int) -> list[Item]:
    """The pieces measured at `size`; a piece wider than `limit` is cut between graphemes."""
    items: list[Item] = []
    for runs, space_before, break_before in parts:
        measured = measure(runs, weight, size)
        if measured <= limit:
            items.append(Item(tuple(runs), measured, space_before, break_before))
            continue
        for index, chunk in enumerate(_break_word(runs, weight, size, limit)):
            first = index == 0
            items.append(
                Item(chunk, measure(chunk, weight, size), space_before and first,
                     break_before and first)
            )  # fmt: skip
    return items


def _break_word(runs: list[Run], weight: int, size: int, limit: int) -> Iterator[tuple[Run, ...]]:
    """A too-wide word in chunks that each fit `limit` (at least one grapheme each)."""
    chunk: list[Run] = []
    for face, text in runs:
        for g in graphemes(text):
            trial = _append(chunk, face, g)
            if chunk and measure(trial, weight, size) > limit:
                yield tuple(chunk)
                trial = [(face, g)]
            chunk = trial
    if chunk:
        yield tuple(chunk)


def _break_lines(items: list[Item], space: float, limit: float) -> list[list[Item]]:
    """`items` in lines at most `limit` wide (a single piece wider than that has a line alone)."""
    lines: list[list[Item]] = []
    current: list[Item] = []
    used = 0.0
    for item in items:
        if item.break_before and current:
            lines.append(current)
            current, used = [], 0.0
        extra = item.width + (space if current and item.space_before else 0.0)
        if current and used + extra > limit:
            lines.append(current)
            current, used = [item], item.width
        else:
            current.append(item)
            used += extra
    if current:
        lines.append(current)
    return lines


def _line_width(line: list[Item], space: float) -> float:
    """The advance width of a line of pieces, spaces between words included."""
    spaces = sum(1 for index, item in enumerate(line) if index and item.space_before)
    return sum(item.width for item in line) + space * spaces


def _append(runs: list[Run], face: Face, text: str) -> list[Run]:
    """`runs` with `text` in `face` added at the end (joined to the last run when the same face)."""
    if runs and runs[-1][0] is face:
        return [*runs[:-1], (face, runs[-1][1] + text)]
    return [*runs, (face, text)]


def _ending(runs: list[Run], face: Face) -> list[Run]:
    """`runs` without trailing punctuation or an old ellipsis, ending in "…" (in the last run's
    face when it has the glyph, else in `face`)."""
    trimmed = list(runs)
    while trimmed:
        last_face, text = trimmed[-1]
        text = text.rstrip(_TRAILING + ELLIPSIS)
        if text:
            trimmed[-1] = (last_face, text)
            break
        trimmed.pop()
    last = trimmed[-1][0] if trimmed else face
    return _append(trimmed, last if covers(last, ELLIPSIS) else face, ELLIPSIS)


def _drop_last_grapheme(runs: list[Run]) -> list[Run]:
    """`runs` less their ellipsis and the last grapheme before it."""
    out = list(runs)
    if out and out[-1][1] == ELLIPSIS:  # the ellipsis in a run of its own
        out.pop()
    elif out:
        out[-1] = (out[-1][0], out[-1][1].removesuffix(ELLIPSIS))
    if out:
        face, text = out[-1]
        parts = graphemes(text)
        if len(parts) > 1:
            out[-1] = (face, "".join(parts[:-1]))
        else:
            out.pop()
    return out
