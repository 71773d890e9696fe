"""What every rendered card must satisfy, shared by the image tests."""

from __future__ import annotations

import io
from itertools import combinations

from PIL import Image

from bookagent.images import MAX_ALT_CHARS
from bookagent.images import Rect
from bookagent.images import RenderedImage
from bookagent.images import Size


def assert_well_formed(card: RenderedImage, size: Size) -> None:
    """The bytes decode to the size and type the card claims; every drawn box lies inside its
    area and the image; no two elements overlap; the alt text is within its limit."""
    assert (card.width, card.height) == (size.width, size.height)
    with Image.open(io.BytesIO(card.data)) as image:
        assert image.size == (size.width, size.height)
        assert Image.MIME[str(image.format)] == card.mime
    whole = Rect(0, 0, size.width, size.height)
    assert card.boxes, "nothing was drawn"
    for box in card.boxes:
        assert box.rect.width > 0 and box.rect.height > 0, box
        assert box.area.contains(box.rect), f"{box.role} box {box.rect} outside its {box.area}"
        assert whole.contains(box.rect), f"{box.role} box {box.rect} outside the image"
        assert whole.contains(box.area), f"{box.role} area {box.area} outside the image"
    for a, b in combinations(card.boxes, 2):
        if a.role != b.role:
            assert not a.rect.intersects(b.rect), f"{a.role} {a.rect} overlaps {b.role} {b.rect}"
    assert 0 < len(card.alt_text) <= MAX_ALT_CHARS


def roles(card: RenderedImage) -> set[str]:
    """The elements a card drew."""
    return {box.role for box in card.boxes}
