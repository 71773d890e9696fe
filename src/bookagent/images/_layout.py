"""Fitting a text into a box: wrap, shrink step by step, at the smallest size cut with "…".

`fit_text` steps the style's sizes down from the largest (each about 7% smaller than the last)
and keeps the largest at which the wrapped text fits: at most `max_lines` lines, and the ink of
every run (`FreeTypeFont.getbbox`, what `ImageDraw.textbbox` reports once drawn) inside the box.
A step or two smaller is taken when it saves a line, and two to four lines are balanced.
At the smallest size it keeps the lines that fit and ends the last one with "…" after a whole
word (`Block.truncated`). A word wider than the box is broken inside, between graphemes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from bookagent.images._fonts import Face
from bookagent.images._fonts import advance
from bookagent.images._fonts import ink_box
from bookagent.images._fonts import split_runs
from bookagent.images._fonts import stroke_for
from bookagent.images._linebreak import Item
from bookagent.images._linebreak import Parts
from bookagent.images._linebreak import balanced
from bookagent.images._linebreak import line_runs
from bookagent.images._linebreak import with_ellipsis
from bookagent.images._linebreak import wrap
from bookagent.images._text import pieces

__all__ = ["Block", "Style", "drawable", "fit_text"]

_SPACE_BEFORE_PUNCTUATION = re.compile(r" (?=[,.!?;:)\]}»”’、。，！？）])")
SHRINK = 0.93


@dataclass(frozen=True)
class Style:
    """How a text is set: its face and weight, the sizes it may take (pixels), its line spacing
    (a multiple of the size), its alignment and how many lines it may use (0: any number)."""

    face: Face
    weight: int
    max_size: int
    min_size: int
    line_spacing: float = 1.3
    align: Literal["left", "center"] = "left"
    max_lines: int = 0

    def sizes(self) -> Iterator[int]:
        """The sizes to try, largest first, ending at `min_size`."""
        size = max(self.max_size, self.min_size)
        while size > self.min_size:
            yield size
            size = max(self.min_size, min(size - 1, int(size * SHRINK)))
        yield self.min_size


@dataclass(frozen=True)
class PlacedRun:
    """A run of one line: its text, face, weight and size, `x` pixels from the line's origin."""

    face: Face
    weight: int
    size: int
    text: str
    x: int
    stroke: int = 0  # Pillow's stroke_width: a bold look for a face without weights


@dataclass(frozen=True)
class TextLine:
    """A line's runs, its baseline (pixels below the block's first baseline) and its ink box
    (left, top, right, bottom) relative to (line origin, first baseline)."""

    runs: tuple[PlacedRun, ...]
    baseline: int
    ink: tuple[int, int, int, int]


@dataclass(frozen=True)
class Block:
    """A fitted text: its lines at one size, ready to be placed."""

    lines: tuple[TextLine, ...]
    size: int
    align: Literal["left", "center"]
    truncated: bool

    @property
    def ink(self) -> tuple[int, int, int, int]:
        """The union of the lines' ink boxes, relative to (origin, first baseline)."""
        if not self.lines:
            return (0, 0, 0, 0)
        return (
            min(line.ink[0] for line in self.lines),
            min(line.ink[1] for line in self.lines),
            max(line.ink[2] for line in self.lines),
            max(line.ink[3] for line in self.lines),
        )

    @property
    def width(self) -> int:
        """The ink's width."""
        left, _, right, _ = self.ink
        return right - left

    @property
    def height(self) -> int:
        """The ink's height: from the top of the first line to the bottom of the last."""
        _, top, _, bottom = self.ink
        return bottom - top

    def positions(self, left: int, top: int, width: int) -> Iterator[tuple[int, int, PlacedRun]]:
        """Where each run goes (its left-baseline anchor) so that the block's ink starts at
        `top` and lies within [`left`, `left + width`), aligned as the style says."""
        ink_left, ink_top, _, _ = self.ink
        for line in self.lines:
            if self.align == "center":
                x0 = left + (width - (line.ink[2] - line.ink[0])) // 2 - line.ink[0]
            else:
                x0 = left - ink_left
            y = top - ink_top + line.baseline
            for run in line.runs:
                yield x0 + run.x, y, run


def drawable(text: str, face: Face) -> tuple[str, tuple[str, ...]]:
    """`text` without what no bundled font draws (emoji, uncovered scripts), and what was left
    out; spaces and line breaks are tidied after the removal."""
    kept: list[str] = []
    dropped: list[str] = []
    for line in text.split("\n"):
        runs, gone = split_runs(line, face)
        dropped.extend(gone)
        words = " ".join("".join(part for _, part in runs).split())
        # "a firefly 🌟!" loses its emoji, not its look: no space left before the "!".
        words = _SPACE_BEFORE_PUNCTUATION.sub("", words)
        if words:
            kept.append(words)
    return "\n".join(kept), tuple(dropped)


def fit_text(text: str, style: Style, width: int, height: int) -> Block:
    """`text` (already `drawable`) fitted into a `width` × `height` box in `style`."""
    parts: Parts = [
        (split_runs(p.text, style.face)[0], p.space_before, p.break_before) for p in pieces(text)
    ]
    if not parts or width <= 0 or height <= 0:
        return Block((), style.min_size, style.align, truncated=bool(parts))
    sizes = list(style.sizes())
    found = _largest_fitting(parts, style, sizes, width, height)
    if found is None:
        return _truncate(parts, style, width, height)
    index, lines = found
    size = sizes[index]
    # A size a step or two smaller is worth taking when it saves a line: "Speed is a tactic. /
    # Patience is a strategy." reads better than the same in three ragged lines.
    if 1 < len(lines) <= 6:
        for smaller in sizes[index + 1 : index + 3]:
            fewer = _fitting_lines(parts, style, smaller, width, height)
            if fewer is not None and len(fewer) < len(lines):
                size, lines = smaller, fewer
                break
    block = _build(balanced(lines, style.face, style.weight, size), style, size, truncated=False)
    if block.width <= width and block.height <= height:
        return block
    return _build(lines, style, size, truncated=False)


def _largest_fitting(
    parts: Parts, style: Style, sizes: list[int], width: int, height: int
) -> tuple[int, list[list[Item]]] | None:
    """The first of `sizes` (largest first) at which the text fits, with its lines; None when
    it fits at none. The largest is tried first (most texts fit it), then the steps are
    bisected: a text that fits at a size fits at every smaller one, so this finds the same
    step as trying them one by one, in a handful of tries instead of a dozen.
    """
    first = _fitting_lines(parts, style, sizes[0], width, height)
    if first is not None:
        return 0, first
    found: tuple[int, list[list[Item]]] | None = None
    low, high = 1, len(sizes) - 1  # the answer, if any, is in sizes[low : high + 1]
    while low <= high:
        middle = (low + high) // 2
        lines = _fitting_lines(parts, style, sizes[middle], width, height)
        if lines is None:
            low = middle + 1
        else:
            found, high = (middle, lines), middle - 1
    return found


def _fitting_lines(
    parts: Parts, style: Style, size: int, width: int, height: int
) -> list[list[Item]] | None:
    """The lines of the text at `size` when they fit the box (ink included), else None."""
    lines = wrap(parts, style.face, style.weight, size, width)
    if style.max_lines and len(lines) > style.max_lines:
        return None
    if (len(lines) - 1) * round(size * style.line_spacing) + size * 0.7 > height:
        return None  # cannot fit: skip measuring the ink
    block = _build(lines, style, size, truncated=False)
    return lines if block.width <= width and block.height <= height else None


def _truncate(parts: Parts, style: Style, width: int, height: int) -> Block:
    """At the smallest size: as many lines as fit, the last ending in an ellipsis."""
    size = style.min_size
    lines = wrap(parts, style.face, style.weight, size, width)
    most = min(len(lines), style.max_lines or len(lines))
    for count in range(most, 0, -1):
        kept = lines[:count]
        cut = count < len(lines)
        if cut:
            last = with_ellipsis(kept[-1], style.face, style.weight, size, width)
            kept = [*kept[:-1], last]
        block = _build(kept, style, size, truncated=cut)
        if block.width <= width and block.height <= height:
            return block
    return Block((), size, style.align, truncated=True)


def _build(lines: list[list[Item]], style: Style, size: int, *, truncated: bool) -> Block:
    """The lines at `size`, with each run's offset and each line's ink box."""
    step = round(size * style.line_spacing)
    built: list[TextLine] = []
    for index, items in enumerate(lines):
        x = 0.0
        placed: list[PlacedRun] = []
        ink: list[tuple[int, int, int, int]] = []
        baseline = index * step
        for face, text in line_runs(items):
            stroke = stroke_for(face, size, style.weight)
            at = round(x) + stroke
            left, top, right, bottom = ink_box(face, size, style.weight, text)
            placed.append(PlacedRun(face, style.weight, size, text, at, stroke))
            if right > left:  # a run of spaces has no ink
                ink.append((at + left, baseline + top, at + right, baseline + bottom))
            x += advance(face, size, style.weight, text)
        if not ink:
            ink.append((0, baseline, 0, baseline))
        box = (
            min(i[0] for i in ink),
            min(i[1] for i in ink),
            max(i[2] for i in ink),
            max(i[3] for i in ink),
        )
        built.append(TextLine(tuple(placed), baseline, box))
    return Block(tuple(built), size, style.align, truncated)
