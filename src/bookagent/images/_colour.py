"""Colours: WCAG contrast, the text colours, the seeded palettes, and plain names for alt text.

Contrast follows WCAG 2.x (relative luminance of sRGB, ratio (L1 + 0.05) / (L2 + 0.05));
text must reach `MIN_CONTRAST` (4.5, level AA for normal text) on whatever lies behind it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "DARK_TEXT",
    "LIGHT_TEXT",
    "MIN_CONTRAST",
    "PALETTES",
    "RGB",
    "Palette",
    "colour_name",
    "contrast",
    "luminance",
]

RGB = tuple[int, int, int]

MIN_CONTRAST = 4.5
LIGHT_TEXT: RGB = (250, 247, 240)
DARK_TEXT: RGB = (28, 27, 31)
WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)


@dataclass(frozen=True)
class Palette:
    """A card's colours: the background, an accent for ornaments, and the background's name."""

    name: str
    background: RGB
    accent: RGB


def _hex(value: str) -> RGB:
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


#: The palettes a card without a cover is drawn in; the seed picks one (`seed % len`).
PALETTES: tuple[Palette, ...] = tuple(
    Palette(name, _hex(background), _hex(accent))
    for name, background, accent in (
        ("deep blue", "#1D3557", "#F4A261"),
        ("cream", "#F4EDE1", "#B23A48"),
        ("forest green", "#23433A", "#E9C46A"),
        ("plum", "#4B2142", "#F2B5A7"),
        ("sage green", "#D8E2D0", "#3E5C47"),
        ("charcoal", "#262626", "#E76F51"),
        ("terracotta", "#A4442E", "#F6E7C8"),
        ("blush pink", "#F6DCD5", "#7A2E3A"),
        ("teal", "#155E63", "#F6D186"),
        ("midnight blue", "#101828", "#FCA311"),
        ("mustard yellow", "#E9B949", "#2B2D42"),
        ("lavender", "#E6E1F2", "#4B3F72"),
    )
)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


_LINEAR = tuple(_linear(c) for c in range(256))


def luminance(rgb: RGB) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""
    r, g, b = rgb
    return 0.2126 * _LINEAR[r] + 0.7152 * _LINEAR[g] + 0.0722 * _LINEAR[b]


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def blend(over: RGB, under: RGB, alpha: float) -> RGB:
    """`over` laid on `under` with opacity `alpha`, as Pillow composites (in sRGB)."""
    return (
        round(over[0] * alpha + under[0] * (1 - alpha)),
        round(over[1] * alpha + under[1] * (1 - alpha)),
        round(over[2] * alpha + under[2] * (1 - alpha)),
    )


def readable_on(background: RGB) -> RGB:
    """The text colour for a flat `background`: the softer light or dark one when it reaches
    `MIN_CONTRAST`, else pure white or black (one of which always does, at ≥ 4.58)."""
    soft = max((LIGHT_TEXT, DARK_TEXT), key=lambda c: contrast(c, background))
    if contrast(soft, background) >= MIN_CONTRAST:
        return soft
    return max((WHITE, BLACK), key=lambda c: contrast(c, background))


def is_light(rgb: RGB) -> bool:
    """Whether dark text reads better on `rgb` than light text."""
    return contrast(BLACK, rgb) > contrast(WHITE, rgb)


def darken(rgb: RGB, factor: float) -> RGB:
    """`rgb` scaled towards black by `factor` (0 keeps it, 1 is black)."""
    return (
        round(rgb[0] * (1 - factor)),
        round(rgb[1] * (1 - factor)),
        round(rgb[2] * (1 - factor)),
    )


def lighten(rgb: RGB, factor: float) -> RGB:
    """`rgb` moved towards white by `factor` (0 keeps it, 1 is white)."""
    return blend(WHITE, rgb, factor)


# -- names for alt text ------------------------------------------------------------------------

_NAMED: tuple[tuple[str, RGB], ...] = tuple(
    (name, _hex(value))
    for name, value in (
        ("black", "#101010"),
        ("charcoal", "#333333"),
        ("grey", "#808080"),
        ("light grey", "#C8C8C8"),
        ("white", "#FAFAFA"),
        ("cream", "#F4EDE1"),
        ("beige", "#D9C8A9"),
        ("brown", "#6B4226"),
        ("dark brown", "#3B2416"),
        ("tan", "#B08A5A"),
        ("red", "#C62828"),
        ("dark red", "#7A1C1C"),
        ("terracotta", "#A4442E"),
        ("orange", "#E8772E"),
        ("peach", "#F6B58E"),
        ("pink", "#E88AA8"),
        ("blush pink", "#F6DCD5"),
        ("magenta", "#B0287A"),
        ("plum", "#4B2142"),
        ("purple", "#6A3FA0"),
        ("lavender", "#D8CCF0"),
        ("navy", "#14213D"),
        ("deep blue", "#1D3557"),
        ("blue", "#2F6DB5"),
        ("sky blue", "#8EC5EA"),
        ("pale blue", "#D6E6F5"),
        ("teal", "#155E63"),
        ("turquoise", "#3BB3A8"),
        ("dark green", "#1E3A2B"),
        ("forest green", "#23433A"),
        ("green", "#3C8D4A"),
        ("olive", "#6F7436"),
        ("sage green", "#B8C8AE"),
        ("mint", "#CDEBD8"),
        ("mustard yellow", "#E9B949"),
        ("yellow", "#F2D544"),
        ("gold", "#C9A227"),
    )
)


def _lab(rgb: RGB) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour: distances there roughly match what eyes see."""
    r, g, b = (_LINEAR[c] for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


_NAMED_LAB = tuple((name, _lab(rgb)) for name, rgb in _NAMED)


def colour_name(rgb: RGB) -> str:
    """A plain English name for `rgb` (the nearest of a few dozen), for alt text."""
    lab = _lab(rgb)
    return min(_NAMED_LAB, key=lambda named: math.dist(named[1], lab))[0]
