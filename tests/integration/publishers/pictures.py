"""Tiny real images for the media tests: PNGs made with Pillow, and the PublishMedia of each."""

from __future__ import annotations

import hashlib
import io

from PIL import Image

from bookagent.domain.ports import PublishMedia

COLOURS = ((200, 40, 40), (40, 160, 60), (40, 60, 200), (230, 200, 40))


def png(width: int = 4, height: int = 3, colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A small PNG of one colour."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def picture(
    index: int = 0, *, width: int = 4, height: int = 3, alt: str | None = None
) -> PublishMedia:
    """The `index`-th test picture (each a different colour, so a different store key)."""
    data = png(width, height, COLOURS[index % len(COLOURS)])
    key = f"{hashlib.sha256(data).hexdigest()}.png"
    alt_text = alt if alt is not None else f"A plain card, colour {index + 1}."
    return PublishMedia(data, "image/png", width, height, alt_text, key)


def pictures(count: int) -> tuple[PublishMedia, ...]:
    """`count` different pictures (1-4)."""
    return tuple(picture(index, width=4 + index, height=3) for index in range(count))
