"""The drawing surface of a card: backgrounds, panels, text with the boxes it drew, and encoding.

Text is drawn only after its backdrop is known: `Canvas.readable` samples what lies under a text
group, picks light or dark text and, where neither reaches WCAG 4.5:1 on every sampled spot,
lays a translucent panel behind the group, as opaque as it needs to be and no more.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image
from PIL import ImageDraw
from PIL import ImageFilter

from bookagent.errors import InvalidInputError
from bookagent.images._colour import DARK_TEXT
from bookagent.images._colour import LIGHT_TEXT
from bookagent.images._colour import MIN_CONTRAST
from bookagent.images._colour import RGB
from bookagent.images._colour import blend
from bookagent.images._colour import contrast
from bookagent.images._fonts import Face
from bookagent.images._fonts import font
from bookagent.images._layout import Block
from bookagent.images._model import Box
from bookagent.images._model import Rect

__all__ = ["Canvas", "Readable", "encode"]

#: Panel opacities tried in turn until the text reads on every sampled spot.
PANEL_ALPHAS = (0.0, 0.3, 0.45, 0.6, 0.75, 0.88, 1.0)
PANEL_DARK: RGB = (14, 14, 18)
PANEL_LIGHT: RGB = (250, 248, 243)
PNG_LEVEL = 3  # zlib level: flat cards compress about as well as at 6, in less time
JPEG_QUALITIES = (90, 85, 80, 75, 70, 60, 50, 40, 30)


@dataclass(frozen=True)
class Readable:
    """The text colour for a group of texts, and the panel behind it (opacity 0: none)."""

    colour: RGB
    panel: RGB
    alpha: float
    worst: float  # the lowest contrast of the text on any sampled spot, panel included


class Canvas:
    """An RGB image being drawn, with every text box it drew."""

    def __init__(self, width: int, height: int, background: RGB) -> None:
        self.image = Image.new("RGB", (width, height), background)
        self.draw = ImageDraw.Draw(self.image)
        self.boxes: list[Box] = []

    @property
    def rect(self) -> Rect:
        """The whole image."""
        return Rect(0, 0, self.image.width, self.image.height)

    def paste(self, image: Image.Image, left: int, top: int, *, role: str, area: Rect) -> Rect:
        """Paste `image` with its top-left at (`left`, `top`); recorded as a box of `role`."""
        self.image.paste(image, (left, top))
        rect = Rect(left, top, left + image.width, top + image.height)
        self.boxes.append(Box(role, rect, area))
        return rect

    def shadow(self, rect: Rect, spread: int, alpha: float) -> None:
        """A soft shadow under `rect` (a pasted cover), a little below it: a blurred dark shape.

        Blurred at a quarter of the size and scaled up: as soft, and cheaper than a full blur.
        """
        scale = 4
        pad = 2 * spread
        outer = Rect(rect.left - pad, rect.top - pad + spread // 2, rect.right + pad,
                     rect.bottom + pad + spread // 2)  # fmt: skip
        mask = Image.new("L", (max(1, outer.width // scale), max(1, outer.height // scale)), 0)
        ImageDraw.Draw(mask).rectangle(
            (
                pad // scale,
                pad // scale,
                (outer.width - pad) // scale,
                (outer.height - pad) // scale,
            ),
            fill=round(255 * alpha),
        )
        mask = mask.filter(ImageFilter.GaussianBlur(spread / scale / 2))
        mask = mask.resize((outer.width, outer.height), Image.Resampling.BILINEAR)
        self._paste_colour(outer, PANEL_DARK, mask)

    def panel(self, rect: Rect, colour: RGB, alpha: float, radius: int) -> None:
        """Lay `colour` over `rect` at opacity `alpha`, with rounded corners of `radius`."""
        if alpha <= 0 or rect.width <= 0 or rect.height <= 0:
            return
        mask = Image.new("L", (rect.width, rect.height), 0)
        ImageDraw.Draw(mask).rounded_rectangle(
            (0, 0, rect.width - 1, rect.height - 1), radius=radius, fill=round(255 * min(alpha, 1))
        )
        self._paste_colour(rect, colour, mask)

    def _paste_colour(self, rect: Rect, colour: RGB, mask: Image.Image) -> None:
        """Lay `colour` over `rect` through `mask` (as large as `rect`), clipped to the image."""
        clipped = Rect(max(0, rect.left), max(0, rect.top), min(self.image.width, rect.right),
                       min(self.image.height, rect.bottom))  # fmt: skip
        if clipped.width <= 0 or clipped.height <= 0:
            return
        mask = mask.crop((clipped.left - rect.left, clipped.top - rect.top,
                          clipped.right - rect.left, clipped.bottom - rect.top))  # fmt: skip
        self.image.paste(Image.new("RGB", mask.size, colour), (clipped.left, clipped.top), mask)

    def rectangle(self, rect: Rect, colour: RGB, radius: int = 0) -> None:
        """A filled rectangle (an accent bar, a badge)."""
        if radius:
            self.draw.rounded_rectangle(
                (rect.left, rect.top, rect.right - 1, rect.bottom - 1), radius=radius, fill=colour
            )
        else:
            self.draw.rectangle((rect.left, rect.top, rect.right - 1, rect.bottom - 1), fill=colour)

    def samples(self, rect: Rect) -> list[RGB]:
        """The colours under `rect`, averaged over a grid of at most 16 × 16 cells."""
        clipped = Rect(max(0, rect.left), max(0, rect.top), min(self.image.width, rect.right),
                       min(self.image.height, rect.bottom))  # fmt: skip
        if clipped.width <= 0 or clipped.height <= 0:
            return []
        region = self.image.crop((clipped.left, clipped.top, clipped.right, clipped.bottom))
        small = region.resize((min(16, region.width), min(16, region.height)), Image.Resampling.BOX)
        raw = small.tobytes()
        colours = {(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)}
        return sorted(colours)

    def readable(self, rects: Sequence[Rect], candidates: Sequence[RGB] = ()) -> Readable:
        """The text colour (and panel) that makes text over `rects` reach `MIN_CONTRAST`.

        Tries light and dark text (or `candidates`), each with the panel of the other extreme
        at rising opacity, and keeps the one that needs the faintest panel.
        """
        spots = [s for rect in rects for s in self.samples(rect)]
        options = tuple(candidates) or (LIGHT_TEXT, DARK_TEXT)
        best: Readable | None = None
        for colour in options:
            panel = (
                PANEL_DARK
                if contrast(colour, PANEL_DARK) > contrast(colour, PANEL_LIGHT)
                else PANEL_LIGHT
            )
            for alpha in PANEL_ALPHAS:
                worst = min((contrast(colour, blend(panel, s, alpha)) for s in spots), default=21.0)
                if worst >= MIN_CONTRAST:
                    option = Readable(colour, panel, alpha, worst)
                    if best is None or (alpha, -worst) < (best.alpha, -best.worst):
                        best = option
                    break
        if best is None:  # cannot happen: a fully opaque panel always reads
            best = Readable(options[0], PANEL_DARK, 1.0, 0.0)
        return best

    def text(self, block: Block, left: int, top: int, width: int, *, colour: RGB, role: str,
             area: Rect) -> Rect:  # fmt: skip
        """Draw `block` with its ink's top-left at (`left`, `top`), aligned within `width`;
        records each run's `textbbox` as a box of `role` in `area`. Returns the ink's union."""
        drawn: list[Rect] = []
        for x, y, run in block.positions(left, top, width):
            loaded = font(run.face, run.size, run.weight)
            self.draw.text(
                (x, y), run.text, font=loaded, fill=colour, anchor="ls",
                stroke_width=run.stroke, stroke_fill=colour,
            )  # fmt: skip
            box = self.draw.textbbox(
                (x, y), run.text, font=loaded, anchor="ls", stroke_width=run.stroke
            )
            if box[2] > box[0]:
                rect = _rect(box)
                drawn.append(rect)
                self.boxes.append(Box(role, rect, area))
        if not drawn:
            return Rect(left, top, left, top)
        return Rect(min(r.left for r in drawn), min(r.top for r in drawn),
                    max(r.right for r in drawn), max(r.bottom for r in drawn))  # fmt: skip

    def glyph(self, text: str, face: Face, size: int, weight: int, left: int, top: int, *,
              colour: RGB, role: str, area: Rect) -> Rect:  # fmt: skip
        """Draw one ornament (a big quotation mark) with its ink's top-left at (`left`, `top`)."""
        loaded = font(face, size, weight)
        ink = _rect(loaded.getbbox(text, anchor="ls"))
        x, y = left - ink.left, top - ink.top
        self.draw.text((x, y), text, font=loaded, fill=colour, anchor="ls")
        rect = _rect(self.draw.textbbox((x, y), text, font=loaded, anchor="ls"))
        self.boxes.append(Box(role, rect, area))
        return rect


def encode(image: Image.Image, *, photo_like: bool, max_bytes: int | None) -> tuple[bytes, str]:
    """`image` as PNG, or as JPEG when it is photo-like (a blurred cover, where a JPEG is a
    fraction of the PNG's size: the tests hold it to at most half). Returns (bytes, mime type).

    Over `max_bytes`, a flat card tries a 256-colour PNG (a quarter of the size: flat colours
    and anti-aliased text need few), then JPEG at falling quality, as a photo-like one does.

    A photo-like card is not also encoded as PNG to compare: that would cost more than the
    rest of the card (about 35 ms at 1080×1350).
    """
    if photo_like:
        best = _save(image, "JPEG", quality=JPEG_QUALITIES[0], subsampling=0)
        mime = "image/jpeg"
    else:
        best, mime = _save(image, "PNG", compress_level=PNG_LEVEL), "image/png"
    if max_bytes is None or len(best) <= max_bytes:
        return best, mime
    if not photo_like:
        few = image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        small = _save(few, "PNG", compress_level=9)
        if len(small) <= max_bytes:
            return small, "image/png"
    for quality in JPEG_QUALITIES:
        # Full-resolution colour keeps small text crisp; below 80 the colour is halved to save more.
        jpeg = _save(image, "JPEG", quality=quality, subsampling=0 if quality >= 80 else 2)
        if len(jpeg) <= max_bytes:
            return jpeg, "image/jpeg"
    raise InvalidInputError.for_field(
        "max_bytes", f"the image does not fit in {max_bytes:,} bytes even as a low-quality JPEG"
    )


def _rect(box: tuple[float, float, float, float]) -> Rect:
    """A Pillow box as a `Rect`, grown to whole pixels (Pillow's are whole already)."""
    return Rect(math.floor(box[0]), math.floor(box[1]), math.ceil(box[2]), math.ceil(box[3]))


def _save(image: Image.Image, fmt: str, **options: int) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()
