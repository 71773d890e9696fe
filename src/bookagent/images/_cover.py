"""A book cover from untrusted bytes: decoded safely, and turned into colours or a backdrop.

`decode_cover` accepts PNG, JPEG and WebP only, rejects images over `MAX_COVER_PIXELS` before
decoding them (a decompression bomb never reaches memory), applies the EXIF orientation, lays
transparency on white and keeps an RGB copy at most `WORKING_SIDE` pixels on its longer side,
which is more than any card draws a cover at. A bad image raises InvalidInputError naming `cover`.
"""

from __future__ import annotations

import io
import math

from PIL import Image
from PIL import ImageFilter
from PIL import ImageOps
from PIL import UnidentifiedImageError

from bookagent.errors import InvalidInputError
from bookagent.images._colour import RGB
from bookagent.images._model import Cover

__all__ = ["MAX_COVER_BYTES", "MAX_COVER_PIXELS", "decode_cover"]

MAX_COVER_BYTES = 20_000_000
MAX_COVER_PIXELS = 40_000_000
FORMATS = ("PNG", "JPEG", "WEBP")
WORKING_SIDE = 1200


def decode_cover(data: object) -> Cover:
    """Decode cover image bytes (PNG, JPEG or WebP) for drawing; InvalidInputError if bad."""
    if not isinstance(data, bytes | bytearray):
        raise InvalidInputError.for_field("cover", "must be image bytes")
    if not data:
        raise InvalidInputError.for_field("cover", "is empty")
    if len(data) > MAX_COVER_BYTES:
        raise InvalidInputError.for_field("cover", f"must be at most {MAX_COVER_BYTES:,} bytes")
    try:
        opened = Image.open(io.BytesIO(bytes(data)), formats=FORMATS)
        fmt = str(opened.format)
        width, height = opened.size
        if width * height > MAX_COVER_PIXELS:
            raise InvalidInputError.for_field(
                "cover", f"must be at most {MAX_COVER_PIXELS // 1_000_000} megapixels"
            )
        if fmt == "JPEG" and max(width, height) > WORKING_SIDE:
            # Decode at a reduced scale straight from the DCT (1/2, 1/4 or 1/8): cheap and
            # bounded. `draft` keeps at least the size asked for, so ask for the working size.
            scale = WORKING_SIDE / max(width, height)
            opened.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
        opened.load()
        ImageOps.exif_transpose(opened, in_place=True)
        image = _to_rgb(opened)
    except InvalidInputError:
        raise
    except UnidentifiedImageError as exc:
        raise InvalidInputError.for_field("cover", "must be a PNG, JPEG or WebP image") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own limit (MAX_IMAGE_PIXELS) caught it first; the warning arrives as an
        # exception only where warnings are errors (as in the tests).
        raise InvalidInputError.for_field(
            "cover", f"must be at most {MAX_COVER_PIXELS // 1_000_000} megapixels"
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as exc:
        # What Pillow's decoders raise on corrupt or truncated data.
        raise InvalidInputError.for_field("cover", "could not be decoded as an image") from exc
    if max(image.size) > WORKING_SIDE:
        image.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.Resampling.BICUBIC, reducing_gap=2.0)
    if min(image.size) < 16:
        raise InvalidInputError.for_field("cover", "must be at least 16 pixels on each side")
    return Cover(image, fmt, dominant_colours(image))


def _to_rgb(image: Image.Image) -> Image.Image:
    """`image` as RGB, anything transparent laid on white (not black)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")


def dominant_colours(image: Image.Image, count: int = 5) -> tuple[RGB, ...]:
    """The main colours of `image`, most common first."""
    small = image.resize((48, 48), Image.Resampling.BOX)
    quantised = small.quantize(count, method=Image.Quantize.MEDIANCUT)
    palette = quantised.getpalette() or []
    counts = [(n, index) for n, index in quantised.getcolors() or [] if isinstance(index, int)]
    colours: list[RGB] = []
    for _, index in sorted(counts, key=lambda c: (-c[0], c[1])):
        at = 3 * index
        r, g, b = palette[at : at + 3]
        colours.append((r, g, b))
    return tuple(colours) or ((128, 128, 128),)


def cover_crop(image: Image.Image, width: int, height: int) -> Image.Image:
    """The centre of `image` cut to the aspect of `width` × `height` (no resampling)."""
    scale = min(image.width / width, image.height / height)
    w, h = round(width * scale), round(height * scale)
    left, top = (image.width - w) // 2, (image.height - h) // 2
    return image.crop((left, top, left + w, top + h))


def blurred_backdrop(cover: Cover, width: int, height: int) -> Image.Image:
    """The cover filling `width` × `height`, blurred beyond reading: a soft field of its colours.

    Blurred at a small size and scaled up, which is as soft as a large-radius blur and far cheaper.
    """
    small_w = max(8, width // 24)
    small_h = max(8, height // 24)
    small = cover_crop(cover.image, width, height).resize((small_w, small_h), Image.Resampling.BOX)
    small = small.filter(ImageFilter.GaussianBlur(1.6))
    return small.resize((width, height), Image.Resampling.BICUBIC)


def fitted(cover: Cover, width: int, height: int) -> Image.Image:
    """The cover scaled to fit within `width` × `height`, keeping its aspect."""
    scale = min(width / cover.width, height / cover.height)
    size = (max(1, round(cover.width * scale)), max(1, round(cover.height * scale)))
    return cover.image.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
