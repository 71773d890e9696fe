"""Image sizes per platform, and the byte caps platforms put on an image.

Sources (feed images, as each platform documents or shows them):
- Instagram: 4:5 portrait 1080×1350 is the tallest a feed post shows uncropped; 1:1 1080×1080.
- Pinterest: 2:3, 1000×1500, the pin ratio Pinterest recommends.
- X, Bluesky, Mastodon, LinkedIn, Facebook, Threads: 16:9, 1200×675, shown uncropped in the feed.
- Bluesky: an image blob may be at most 1,000,000 bytes (`app.bsky.embed.images`, `maxSize`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bookagent.errors import InvalidInputError
from bookagent.images._model import Size
from bookagent.platforms import normalize_platform

__all__ = [
    "INSTAGRAM_PORTRAIT",
    "INSTAGRAM_SQUARE",
    "LANDSCAPE",
    "PINTEREST_PIN",
    "PLATFORM_MAX_BYTES",
    "PLATFORM_SIZES",
    "sizes_for",
]

INSTAGRAM_PORTRAIT = Size(1080, 1350)
INSTAGRAM_SQUARE = Size(1080, 1080)
PINTEREST_PIN = Size(1000, 1500)
LANDSCAPE = Size(1200, 675)

#: Platform (canonical name, as `bookagent.platforms` spells it) → its sizes, preferred first.
PLATFORM_SIZES: Mapping[str, tuple[Size, ...]] = MappingProxyType(
    {
        "twitter": (LANDSCAPE,),
        "facebook": (LANDSCAPE,),
        "instagram": (INSTAGRAM_PORTRAIT, INSTAGRAM_SQUARE),
        "pinterest": (PINTEREST_PIN,),
        "mastodon": (LANDSCAPE,),
        "bluesky": (LANDSCAPE,),
        "threads": (LANDSCAPE,),
        "linkedin": (LANDSCAPE,),
    }
)

#: Platform → the most bytes one image may have there (only where the cap is small enough to
#: matter for a card: pass it as `max_bytes`).
PLATFORM_MAX_BYTES: Mapping[str, int] = MappingProxyType({"bluesky": 1_000_000})

#: The sizes a card may be drawn at: any size within these bounds and aspect ratios.
MIN_SIDE = 320
MAX_SIDE = 2400
MAX_ASPECT = 2.5


def sizes_for(platform: str) -> tuple[Size, ...]:
    """The sizes to draw a card at for `platform` (`x` is `twitter`), preferred first.

    Raises InvalidInputError naming `platforms` when the platform is unknown.
    """
    return PLATFORM_SIZES[normalize_platform(platform)]


def check_size(size: object) -> Size:
    """`size` when it is a `Size` a card can be drawn at; InvalidInputError naming `size` if not."""
    if not isinstance(size, Size):
        raise InvalidInputError.for_field("size", "must be a Size")
    width, height = size.width, size.height
    if not (isinstance(width, int) and isinstance(height, int)):
        raise InvalidInputError.for_field("size", "width and height must be whole pixels")
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise InvalidInputError.for_field(
            "size", f"each side must be between {MIN_SIDE} and {MAX_SIDE} pixels"
        )
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise InvalidInputError.for_field("size", f"the sides may differ at most {MAX_ASPECT}×")
    return size
