"""Book covers made on the spot for the image tests, the benchmark and the example cards: a
gradient, a moon and a few bands, like a simple painted cover, in any format and size."""

from __future__ import annotations

import io

from PIL import Image
from PIL import ImageDraw

#: (top colour, bottom colour, moon colour) of each cover style.
STYLES = (
    ((18, 32, 58), (120, 62, 88), (244, 214, 140)),  # dusk over the sea
    ((236, 226, 200), (196, 120, 80), (250, 250, 240)),  # a warm, light morning
    ((20, 60, 48), (8, 20, 16), (220, 230, 200)),  # a dark forest
)


def cover_image(width: int = 800, height: int = 1200, style: int = 0) -> Image.Image:
    """A painted-looking cover picture, `style` picking its colours."""
    top, bottom, moon = STYLES[style % len(STYLES)]
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(1, height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    r = width // 5
    draw.ellipse(
        (width * 0.6 - r, height * 0.22 - r, width * 0.6 + r, height * 0.22 + r), fill=moon
    )
    for i in range(5):
        y = round(height * (0.62 + i * 0.07))
        shade = tuple(max(0, c - 25 * i) for c in bottom)
        draw.polygon([(0, y), (width, y - height // 20), (width, height), (0, height)], fill=shade)
    draw.rectangle(
        (width // 10, height // 12, width * 9 // 10, height // 12 + height // 40), fill=moon
    )
    return image


def cover_bytes(fmt: str = "JPEG", width: int = 800, height: int = 1200, style: int = 0) -> bytes:
    """`cover_image` encoded as `fmt` ("JPEG", "PNG" or "WEBP")."""
    out = io.BytesIO()
    image = cover_image(width, height, style)
    if fmt == "JPEG":
        image.save(out, fmt, quality=88)
    else:
        image.save(out, fmt)
    return out.getvalue()
