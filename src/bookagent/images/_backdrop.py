"""What a card's text lies on: a seeded palette, a cover's own colours, or the cover blurred.

Without a cover the seed picks one of `PALETTES` (`seed % 12`). With a cover an even seed lays
the cover, blurred beyond reading, across the card; an odd one paints the card in the cover's
main colour with its most contrasting colour as the accent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bookagent.images._colour import PALETTES
from bookagent.images._colour import RGB
from bookagent.images._colour import colour_name
from bookagent.images._colour import contrast
from bookagent.images._colour import darken
from bookagent.images._colour import is_light
from bookagent.images._colour import lighten
from bookagent.images._model import Cover

__all__ = ["Backdrop", "choose_backdrop"]

BLURRED = "a blurred image of the book's cover"


@dataclass(frozen=True)
class Backdrop:
    """The card's ground: its kind, its (main) colour, the accent for ornaments, and its name."""

    kind: Literal["palette", "colours", "blur"]
    background: RGB
    accent: RGB
    name: str

    @property
    def photo_like(self) -> bool:
        """Whether the card is photo-like (a JPEG may encode it much smaller than a PNG)."""
        return self.kind == "blur"


def choose_backdrop(seed: int, cover: Cover | None) -> Backdrop:
    """The backdrop the seed picks, for a card with or without a cover."""
    if cover is None:
        palette = PALETTES[seed % len(PALETTES)]
        return Backdrop("palette", palette.background, palette.accent, palette.name)
    background = cover.colours[0]
    accent = _accent(background, cover.colours[1:])
    if seed % 2 == 0:
        return Backdrop("blur", background, accent, BLURRED)
    return Backdrop("colours", background, accent, colour_name(background))


def _accent(background: RGB, others: tuple[RGB, ...]) -> RGB:
    """The cover colour that stands out most on `background`, or a shade of it when none does."""
    best = max(others, key=lambda c: contrast(c, background), default=None)
    if best is not None and contrast(best, background) >= 2.0:
        return best
    return darken(background, 0.6) if is_light(background) else lighten(background, 0.6)
