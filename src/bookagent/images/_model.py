"""The values the image generator hands out: sizes, rectangles, drawn boxes and the rendered image.

No Pillow here: these types are what callers (posts, the gate, the publishers) hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["Box", "Cover", "Rect", "RenderedImage", "Size"]

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Size:
    """An image size in pixels."""

    width: int
    height: int

    @property
    def is_landscape(self) -> bool:
        """Whether the image is clearly wider than tall (the cards lay out in columns then)."""
        return self.width >= 1.3 * self.height

    def __str__(self) -> str:
        return f"{self.width}×{self.height}"


@dataclass(frozen=True)
class Rect:
    """A rectangle in image pixels: `left`/`top` inclusive, `right`/`bottom` exclusive, as Pillow's
    boxes are."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        """The width in pixels."""
        return self.right - self.left

    @property
    def height(self) -> int:
        """The height in pixels."""
        return self.bottom - self.top

    def contains(self, other: Rect) -> bool:
        """Whether `other` lies wholly inside this rectangle."""
        return (
            self.left <= other.left
            and self.top <= other.top
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def intersects(self, other: Rect) -> bool:
        """Whether the two rectangles share any pixel."""
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )


@dataclass(frozen=True)
class Box:
    """One thing the renderer drew: a run of text (its `ImageDraw.textbbox`), the decorative
    quotation mark, or the cover, with the area it was laid out in.

    `role` names the element: "quote", "source", "title", "subtitle", "author", "headline",
    "countdown", "label", "idea", "ornament" or "cover". Every `rect` lies inside its `area`.
    """

    role: str
    rect: Rect
    area: Rect


@dataclass(frozen=True)
class RenderedImage:
    """A finished card: the encoded bytes and what a publisher and a screen reader need with them.

    `truncated` says a text had to be shortened with an ellipsis to fit at the smallest size;
    `dropped` lists the characters no bundled font draws (emoji, for instance): they are left
    out of the picture and kept in `alt_text`.
    """

    data: bytes
    mime: str
    width: int
    height: int
    alt_text: str
    boxes: tuple[Box, ...]
    truncated: bool
    dropped: tuple[str, ...] = ()

    @property
    def extension(self) -> str:
        """The file extension for `mime`: "png" or "jpg"."""
        return "png" if self.mime == "image/png" else "jpg"

    @property
    def size(self) -> Size:
        """The image's size."""
        return Size(self.width, self.height)


@dataclass(frozen=True)
class Cover:
    """A decoded book cover, ready to draw: RGB, at most 1200 pixels on its longer side.

    `decode_cover` makes one from bytes; pass it to several cards to decode the bytes only once.
    """

    image: Image.Image = field(repr=False, compare=False)
    format: str
    #: The cover's main colours, most common first (a small median-cut quantisation).
    colours: tuple[RGB, ...]

    @property
    def width(self) -> int:
        """The working copy's width."""
        return self.image.width

    @property
    def height(self) -> int:
        """The working copy's height."""
        return self.image.height
