"""The three cards laid out and drawn: quote, launch and key idea.

Sizes are in units of a hundredth of the card's width (capped by its height, so a landscape card
sets text as large as a portrait one shown at the same width). Each card is drawn in four steps:
the backdrop and pictures, the text laid out (`fit_text`), the panels the text needs to read
(`Canvas.readable`), then the text itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from PIL import Image

from bookagent.images._alt import Look
from bookagent.images._backdrop import Backdrop
from bookagent.images._canvas import Canvas
from bookagent.images._canvas import Readable
from bookagent.images._colour import MIN_CONTRAST
from bookagent.images._colour import RGB
from bookagent.images._colour import contrast
from bookagent.images._colour import luminance
from bookagent.images._cover import blurred_backdrop
from bookagent.images._cover import fitted
from bookagent.images._fonts import Face
from bookagent.images._fonts import font
from bookagent.images._layout import Block
from bookagent.images._layout import Style
from bookagent.images._layout import fit_text
from bookagent.images._model import Box
from bookagent.images._model import Cover
from bookagent.images._model import Rect
from bookagent.images._model import Size

__all__ = ["Drawn", "draw_idea", "draw_launch", "draw_quote"]

OPENING_QUOTE = "\u201c"


@dataclass(frozen=True)
class Drawn:
    """A drawn card before encoding."""

    image: Image.Image
    boxes: tuple[Box, ...]
    truncated: bool
    look: Look


@dataclass(frozen=True)
class Placed:
    """A fitted text and where it goes: its ink's top-left, the width it aligns in, its area."""

    role: str
    block: Block
    left: int
    top: int
    width: int
    area: Rect
    accent: bool = False  # drawn in the accent colour when that reads as well

    @property
    def ink(self) -> Rect:
        """Where its ink will lie (the whole aligning width when centred)."""
        width = self.width if self.block.align == "center" else self.block.width
        return Rect(self.left, self.top, self.left + width, self.top + self.block.height)


class Grid:
    """The card's unit and its main region (the card less its margins)."""

    def __init__(self, size: Size) -> None:
        self.size = size
        self.unit = min(size.width / 100, size.height / 56)
        margin = self.px(6 if size.is_landscape else 7)
        self.region = Rect(margin, margin, size.width - margin, size.height - margin)

    def px(self, units: float) -> int:
        """`units` in whole pixels."""
        return max(1, round(units * self.unit))


# -- the cards ---------------------------------------------------------------------------------


def draw_quote(
    quote: str, source: str, title: str, author: str, size: Size, backdrop: Backdrop,
    cover: Cover | None,
) -> Drawn:  # fmt: skip
    """A quotation (or review) with its source, over the backdrop, the book below."""
    canvas, grid = _start(size, backdrop, cover)
    region = grid.region
    footer, footer_top = _footer(canvas, grid, title, author, cover)
    _accent_rule(canvas, grid, backdrop, footer_top - grid.px(3.5))
    body = Rect(region.left, region.top, region.right, footer_top - grid.px(7))
    # The big quotation mark goes with the quote: above it, or beside it on a landscape card
    # (which has more width than height to spare). The two are centred together.
    mark_size = grid.px(20 if size.is_landscape else 24)
    mark_left, mark_top, mark_right, mark_bottom = font(Face.SERIF, mark_size, 700).getbbox(
        OPENING_QUOTE, anchor="ls"
    )
    gap = grid.px(3)
    if size.is_landscape:
        text_body = Rect(body.left + round(mark_right - mark_left) + gap, body.top, body.right,
                         body.bottom)  # fmt: skip
    else:
        text_body = Rect(body.left, body.top + round(mark_bottom - mark_top) + gap, body.right,
                         body.bottom)  # fmt: skip
    main = Style(Face.SERIF, 420, grid.px(8), grid.px(2.8), line_spacing=1.32)
    second = Style(Face.SANS, 600, grid.px(3.6), grid.px(2.4), line_spacing=1.25, max_lines=2)
    placed = _body(grid, text_body, ("quote", quote, main), ("source", source, second))
    first = placed[0]
    if size.is_landscape:
        at = (body.left, first.top + grid.px(0.6))
    else:
        at = (body.left, first.top - gap - round(mark_bottom - mark_top))
    canvas.glyph(OPENING_QUOTE, Face.SERIF, mark_size, 700, *at, colour=backdrop.accent,
                 role="ornament", area=body)  # fmt: skip
    return _finish(canvas, backdrop, cover, [placed, footer])


def draw_idea(
    idea: str, title: str, author: str, size: Size, backdrop: Backdrop, cover: Cover | None
) -> Drawn:
    """A key idea of a nonfiction book, labelled, the book below."""
    canvas, grid = _start(size, backdrop, cover)
    region = grid.region
    label_style = Style(Face.SANS, 800, grid.px(3.0), grid.px(2.2), max_lines=1)
    label_block = fit_text("KEY IDEA", label_style, region.width, grid.px(6))
    label = Placed("label", label_block, region.left, region.top, region.width, region, True)
    bar_top = region.top + label_block.height + grid.px(2.2)
    canvas.rectangle(
        Rect(region.left, bar_top, region.left + grid.px(10), bar_top + grid.px(0.8)),
        backdrop.accent,
    )
    footer, footer_top = _footer(canvas, grid, title, author, cover)
    body = Rect(region.left, bar_top + grid.px(6), region.right, footer_top - grid.px(7))
    _accent_rule(canvas, grid, backdrop, footer_top - grid.px(3.5))
    main = Style(Face.SANS, 600, grid.px(8.4), grid.px(2.8), line_spacing=1.22)
    placed = _body(grid, body, ("idea", idea, main))
    return _finish(canvas, backdrop, cover, [[label, *placed], footer])


def draw_launch(
    headline: str, countdown: str, title: str, subtitle: str, author: str, size: Size,
    backdrop: Backdrop, cover: Cover | None,
) -> Drawn:  # fmt: skip
    """ "Coming March 3" (with a countdown) or "Out now", the cover, the title and the author."""
    canvas, grid = _start(size, backdrop, cover)
    region = grid.region
    landscape = size.is_landscape
    slot: Rect | None = None
    if cover is None:
        inset = grid.px(3)
        canvas.draw.rectangle(
            (inset, inset, size.width - 1 - inset, size.height - 1 - inset),
            outline=backdrop.accent, width=grid.px(0.45),
        )  # fmt: skip
        text_area = region
    elif landscape:
        slot = Rect(region.left, region.top, region.left + round(region.height * 0.72),
                    region.bottom)  # fmt: skip
        text_area = Rect(slot.right + grid.px(5), region.top, region.right, region.bottom)
    else:
        # The cover takes half a 4:5 card, more of a tall pin, less of a square.
        share = min(0.6, max(0.4, 0.4 * size.height / size.width))
        slot = Rect(
            region.left, region.top, region.right, region.top + round(region.height * share)
        )
        text_area = Rect(region.left, slot.bottom + grid.px(5), region.right, region.bottom)
    align: Literal["left", "center"] = "left" if slot is not None and landscape else "center"
    texts = {"headline": headline, "title": title, "subtitle": subtitle,
             "author": f"by {author}" if author else "", "countdown": countdown}  # fmt: skip
    stack = _LaunchStack(grid, texts, text_area.width, text_area.height, align, slot is None)
    spare = max(0, text_area.height - stack.total)
    if slot is not None and not landscape:
        # The cover and the text are centred together: what the text leaves goes above and below.
        slot = Rect(slot.left, slot.top + spare // 2, slot.right, slot.bottom + spare // 2)
    if slot is not None and cover is not None:
        _paste_cover(canvas, grid, cover, slot, "left" if landscape else "centre")
    main, badge = stack.place(canvas, backdrop, text_area, text_area.top + spare // 2)
    return _finish(canvas, backdrop, cover, [main, badge])


class _LaunchStack:
    """The launch card's texts fitted one above the other: headline, title, subtitle, author,
    and the countdown in a pill. Larger without a cover, which leaves the card to the text."""

    ORDER = ("headline", "title", "subtitle", "author", "countdown")

    def __init__(
        self, grid: Grid, texts: dict[str, str], width: int, height: int,
        align: Literal["left", "center"], large: bool,
    ) -> None:  # fmt: skip
        k = 1.5 if large else 1.0
        px = grid.px
        styles = {
            "headline": Style(Face.SANS, 800, px(4.4 * k), px(3), 1.15, align, 2),
            "title": Style(Face.SERIF, 700, px(7.2 * k), px(2.6), 1.12, align, 3),
            "subtitle": Style(Face.SERIF_ITALIC, 400, px(3.0 * k), px(2.2), 1.25, align, 2),
            "author": Style(Face.SANS, 400, px(3.3 * k), px(2.2), 1.2, align, 2),
            "countdown": Style(Face.SANS, 700, px(2.9 * k), px(2.2), 1.2, align, 1),
        }
        self.align = align
        self.width = width
        self.pad = (px(2.4), px(1.3))
        self.gaps = {"title": px(3.5 * k), "subtitle": px(1.6 * k), "author": px(2.6 * k),
                     "countdown": px(4.5 * k)}  # fmt: skip
        budget = height - sum(self.gaps.values())
        self.blocks: dict[str, Block] = {}
        for role, share in (("headline", 0.25), ("author", 0.14), ("countdown", 0.12)):
            if texts[role]:
                room = width - 2 * self.pad[0] if role == "countdown" else width
                self.blocks[role] = fit_text(texts[role], styles[role], room, round(budget * share))
        rest = budget - sum(self.height(role) for role in self.blocks)
        if texts["subtitle"]:
            self.blocks["subtitle"] = fit_text(
                texts["subtitle"], styles["subtitle"], width, round(rest * 0.3)
            )
            rest -= self.blocks["subtitle"].height
        self.blocks["title"] = fit_text(texts["title"], styles["title"], width, rest)
        self.order = [role for role in self.ORDER if role in self.blocks]
        self.total = sum(self.height(r) for r in self.order) + sum(
            self.gaps[r] for r in self.order[1:]
        )

    def height(self, role: str) -> int:
        """The height a text takes in the stack (the countdown's pill included)."""
        return self.blocks[role].height + (2 * self.pad[1] if role == "countdown" else 0)

    def place(
        self, canvas: Canvas, backdrop: Backdrop, area: Rect, top: int
    ) -> tuple[list[Placed], list[Placed]]:
        """The texts placed from `top` down (the pill drawn); the main group and the badge."""
        main: list[Placed] = []
        badge: list[Placed] = []
        for role in self.order:
            if role != self.order[0]:
                top += self.gaps[role]
            block, height = self.blocks[role], self.height(role)
            if role == "countdown":
                pill_w = block.width + 2 * self.pad[0]
                left = area.left + (0 if self.align == "left" else (self.width - pill_w) // 2)
                pill = Rect(left, top, left + pill_w, top + height)
                canvas.rectangle(pill, backdrop.accent, radius=height // 2)
                badge.append(
                    Placed(role, block, left + self.pad[0], top + self.pad[1], block.width, pill)
                )
            else:
                main.append(
                    Placed(role, block, area.left, top, self.width, area, role == "headline")
                )
            top += height
        return main, badge


# -- shared parts ------------------------------------------------------------------------------


def _start(size: Size, backdrop: Backdrop, cover: Cover | None) -> tuple[Canvas, Grid]:
    """A canvas painted with the backdrop, and the card's grid."""
    canvas = Canvas(size.width, size.height, backdrop.background)
    if backdrop.kind == "blur" and cover is not None:
        canvas.image.paste(blurred_backdrop(cover, size.width, size.height), (0, 0))
    return canvas, Grid(size)


def _paste_cover(
    canvas: Canvas, grid: Grid, cover: Cover, slot: Rect, align: Literal["left", "centre", "right"]
) -> Rect:
    """The cover as large as fits `slot` (room kept for its shadow), with a soft shadow."""
    room = grid.px(1.5)
    picture = fitted(cover, slot.width - 2 * room, slot.height - 2 * room)
    left = {
        "left": slot.left + room,
        "centre": slot.left + (slot.width - picture.width) // 2,
        "right": slot.right - room - picture.width,
    }[align]
    top = slot.top + room if align != "right" else slot.bottom - room - picture.height
    rect = Rect(left, top, left + picture.width, top + picture.height)
    canvas.shadow(rect, grid.px(1.4), 0.5)
    return canvas.paste(picture, left, top, role="cover", area=slot)


def _footer(
    canvas: Canvas, grid: Grid, title: str, author: str, cover: Cover | None
) -> tuple[list[Placed], int]:
    """The title and the author at the bottom of the region, a small cover at the right;
    returns their placements and the footer's top."""
    region = grid.region
    right, top = region.right, region.bottom
    if cover is not None:
        height = grid.px(17)
        slot = Rect(region.right - round(height * 0.8) - grid.px(3), region.bottom - height,
                    region.right, region.bottom)  # fmt: skip
        picture = _paste_cover(canvas, grid, cover, slot, "right")
        right, top = picture.left - grid.px(4), picture.top
    width = right - region.left
    title_room, author_room, gap = grid.px(10), grid.px(4.5), grid.px(1.5)
    area = Rect(region.left, region.bottom - title_room - gap - author_room, right, region.bottom)
    title_block = fit_text(title, Style(Face.SANS, 700, grid.px(3.6), grid.px(2.4), 1.2,
                                        max_lines=2), width, title_room)  # fmt: skip
    author_block = fit_text(author, Style(Face.SANS, 400, grid.px(3.2), grid.px(2.2), 1.2,
                                          max_lines=1), width, author_room)  # fmt: skip
    gap = gap if title_block.lines and author_block.lines else 0
    y = region.bottom - author_block.height - gap - title_block.height
    placed = [Placed("title", title_block, region.left, y, width, area)]
    placed.append(
        Placed("author", author_block, region.left, y + title_block.height + gap, width, area)
    )
    return [p for p in placed if p.block.lines], min(top, y)


def _accent_rule(canvas: Canvas, grid: Grid, backdrop: Backdrop, y: int) -> None:
    """A short bar in the accent colour: it sets the book apart from what is said."""
    left = grid.region.left
    canvas.rectangle(Rect(left, y, left + grid.px(8), y + grid.px(0.5)), backdrop.accent)


def _body(grid: Grid, body: Rect, *texts: tuple[str, str, Style]) -> list[Placed]:
    """The main text and (optionally) a line under it, centred together in `body`: the second
    is fitted first, in at most a quarter of the height, and the main text takes the rest."""
    (main_role, main_text, main_style), *rest = texts
    gap = grid.px(3.5)
    second: tuple[str, Block] | None = None
    if rest and rest[0][1]:
        role, text, style = rest[0]
        second = (role, fit_text(text, style, body.width, body.height // 4))
    room = body.height - (second[1].height + gap if second else 0)
    main = fit_text(main_text, main_style, body.width, room)
    total = main.height + (gap + second[1].height if second else 0)
    top = body.top + max(0, (body.height - total) // 2)
    placed = [Placed(main_role, main, body.left, top, body.width, body)]
    if second:
        placed.append(
            Placed(second[0], second[1], body.left, top + main.height + gap, body.width, body)
        )
    return placed


def _finish(
    canvas: Canvas, backdrop: Backdrop, cover: Cover | None, groups: Sequence[Sequence[Placed]]
) -> Drawn:
    """Choose each text group's colour and panel, lay the panels, then draw the text."""
    pad = round(canvas.image.width * 0.022)
    decided: list[tuple[Sequence[Placed], Readable]] = []
    for group in groups:
        if not group:
            continue
        rects = [p.ink for p in group]
        decided.append((group, canvas.readable(rects)))
    for group, readable in decided:
        if readable.alpha > 0:
            union = Rect(min(p.ink.left for p in group) - pad, min(p.ink.top for p in group) - pad,
                         max(p.ink.right for p in group) + pad,
                         max(p.ink.bottom for p in group) + pad)  # fmt: skip
            canvas.panel(union, readable.panel, readable.alpha, radius=pad)
    for group, readable in decided:
        for p in group:
            colour = (
                _accent_or(backdrop.accent, readable, canvas, p) if p.accent else readable.colour
            )
            canvas.text(p.block, p.left, p.top, p.width, colour=colour, role=p.role, area=p.area)
    main = decided[0][1]
    look = Look(
        text_colour="white" if luminance(main.colour) > 0.5 else "black",
        backdrop=backdrop.name,
        panel=None if main.alpha == 0 else ("dark" if luminance(main.panel) < 0.5 else "light"),
        shows_cover=cover is not None and any(b.role == "cover" for b in canvas.boxes),
    )
    truncated = any(p.block.truncated for group, _ in decided for p in group)
    return Drawn(canvas.image, tuple(canvas.boxes), truncated, look)


def _accent_or(accent: RGB, readable: Readable, canvas: Canvas, placed: Placed) -> RGB:
    """The accent colour for a heading when it reads on every spot under it, else the text's."""
    if readable.alpha > 0:
        return readable.colour
    spots = canvas.samples(placed.ink)
    if spots and min(contrast(accent, s) for s in spots) >= MIN_CONTRAST:
        return accent
    return readable.colour
