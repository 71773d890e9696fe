"""Generated images for posts: quote, launch and key-idea cards, with their alt text.

Instagram and Pinterest need an image on every post, and an image draws more attention anywhere
else. This package draws one from the book's profile: no network, no model, bundled fonts only.

    from bookagent.images import INSTAGRAM_PORTRAIT, quote_card, sizes_for

    card = quote_card(
        "The sea keeps what it is given.", "The Coastal Times",
        "The Lighthouse Keeper", "A. Writer", INSTAGRAM_PORTRAIT, seed=7,
    )
    card.data, card.mime        # PNG bytes, "image/png"
    card.alt_text               # "A quote card: “The sea keeps what it is given.” — The ..."
    sizes_for("bluesky")        # (Size(1200, 675),)

The cards (each returns a `RenderedImage`):
- `quote_card(quote, source, title, author, size, seed, cover=None, *, max_bytes=None)`: a
  quotation or a review (`source` None for a line of the book itself);
- `launch_card(title, author, launch_date, today, size, seed, cover=None, *, subtitle=None,
  max_bytes=None)`: "Coming March 3" and "87 days to go" before the launch, "Out today" on the
  day, "Out now" after;
- `key_idea_card(idea, title, author, size, seed, cover=None, *, max_bytes=None)`: one idea of a
  nonfiction book.

What they promise:
- Deterministic: the same inputs and seed give the same bytes. Without a cover the seed picks one
  of 12 palettes (`seed % 12`); with one, an even seed lays the cover blurred across the card
  and an odd one paints it in the cover's own colours.
- Text never clips: it wraps (by words; CJK between characters), shrinks step by step to a
  minimum size, and only then ends in "…" after a whole word (`truncated=True`). Every box in
  `RenderedImage.boxes` (from `ImageDraw.textbbox`) lies inside its `area` and the image.
- Text reads: light or dark text, whichever reaches WCAG contrast 4.5:1 on what lies behind it,
  with a translucent panel where neither does on its own.
- Emoji and characters no bundled font covers are left out of the picture (never drawn as empty
  boxes), listed in `RenderedImage.dropped`, and kept in the alt text.
- PNG, or JPEG when a blurred-cover card is photo-like and JPEG is at most half the size;
  `max_bytes` (Bluesky's cap is in `PLATFORM_MAX_BYTES`) re-encodes as JPEG at falling quality
  until it fits.
- Alt text says what the card shows, under 1,000 characters (Mastodon allows 1,500, Bluesky 2,000).
- The author's texts are data: checked against the limits below, cleaned of control characters,
  never used as a format string. Covers are decoded safely (`decode_cover`: PNG, JPEG or WebP,
  at most 40 megapixels, EXIF orientation applied). Bad input raises InvalidInputError naming
  the field ("quote", "cover", "size", ...).

Limits: quote 1,000 characters, idea 500, title, subtitle, author and source 300 each; cover
20 MB and 40 megapixels; sides 320-2,400 pixels, at most 2.5 times as long as wide.

Fonts: Noto Sans, Noto Serif and Noto Sans CJK (SIL Open Font License), from the PyPI packages
`fontpkg-noto-sans`, `fontpkg-noto-serif` and `cvttf-notosanscjk-regular` (see `_fonts`).
Pillow and fontTools are imported on the first card drawn, not with this package.
"""

from __future__ import annotations

from bookagent.images._alt import MAX_ALT_CHARS
from bookagent.images._cards import MAX_AUTHOR_CHARS
from bookagent.images._cards import MAX_IDEA_CHARS
from bookagent.images._cards import MAX_QUOTE_CHARS
from bookagent.images._cards import MAX_SOURCE_CHARS
from bookagent.images._cards import MAX_TITLE_CHARS
from bookagent.images._cards import decode_cover
from bookagent.images._cards import key_idea_card
from bookagent.images._cards import launch_card
from bookagent.images._cards import quote_card
from bookagent.images._model import Box
from bookagent.images._model import Cover
from bookagent.images._model import Rect
from bookagent.images._model import RenderedImage
from bookagent.images._model import Size
from bookagent.images._sizes import INSTAGRAM_PORTRAIT
from bookagent.images._sizes import INSTAGRAM_SQUARE
from bookagent.images._sizes import LANDSCAPE
from bookagent.images._sizes import PINTEREST_PIN
from bookagent.images._sizes import PLATFORM_MAX_BYTES
from bookagent.images._sizes import PLATFORM_SIZES
from bookagent.images._sizes import sizes_for

__all__ = [
    "INSTAGRAM_PORTRAIT",
    "INSTAGRAM_SQUARE",
    "LANDSCAPE",
    "MAX_ALT_CHARS",
    "MAX_AUTHOR_CHARS",
    "MAX_IDEA_CHARS",
    "MAX_QUOTE_CHARS",
    "MAX_SOURCE_CHARS",
    "MAX_TITLE_CHARS",
    "PINTEREST_PIN",
    "PLATFORM_MAX_BYTES",
    "PLATFORM_SIZES",
    "Box",
    "Cover",
    "Rect",
    "RenderedImage",
    "Size",
    "decode_cover",
    "key_idea_card",
    "launch_card",
    "quote_card",
    "sizes_for",
]
