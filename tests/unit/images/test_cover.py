"""Cover bytes are untrusted: PNG, JPEG and WebP decode; anything else, anything corrupt and
anything too large (a decompression bomb included) raises InvalidInputError naming `cover`."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from bookagent.errors import InvalidInputError
from bookagent.images import LANDSCAPE
from bookagent.images import decode_cover
from bookagent.images import quote_card
from tests.unit.images.checks import assert_well_formed
from tests.unit.images.covers import cover_bytes
from tests.unit.images.covers import cover_image


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` × `height` (an empty image body): what a bomb looks
    like before it is decoded."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def refused(data: object) -> str:
    with pytest.raises(InvalidInputError) as caught:
        decode_cover(data)  # type: ignore[arg-type]
    assert caught.value.details[0].field == "cover"
    return caught.value.details[0].message


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_covers_of_each_format_decode_and_draw(fmt: str) -> None:
    data = cover_bytes(fmt, 600, 900, style=1)
    cover = decode_cover(data)
    assert cover.format == fmt
    assert (cover.width, cover.height) == (600, 900)
    assert cover.image.mode == "RGB"
    assert len(cover.colours) >= 2
    for seed in (0, 1):
        card = quote_card(
            "Brave is easier with two.", None, "Moonbeam", "Pip", LANDSCAPE, seed, data
        )
        assert_well_formed(card, LANDSCAPE)


def test_a_large_jpeg_is_decoded_at_a_reduced_size() -> None:
    cover = decode_cover(cover_bytes("JPEG", 2400, 3600))
    assert max(cover.width, cover.height) <= 1200


def test_exif_orientation_is_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: rotate 90° clockwise to view
    out = io.BytesIO()
    cover_image(300, 200).save(out, "JPEG", exif=exif.tobytes())
    cover = decode_cover(out.getvalue())
    assert (cover.width, cover.height) == (200, 300)


def test_transparency_is_laid_on_white() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (200, 300), (0, 0, 0, 0)).save(out, "PNG")
    cover = decode_cover(out.getvalue())
    assert cover.colours[0] == (255, 255, 255)


def test_other_formats_are_refused() -> None:
    out = io.BytesIO()
    cover_image(200, 300).save(out, "GIF")
    assert "PNG, JPEG or WebP" in refused(out.getvalue())
    out = io.BytesIO()
    cover_image(200, 300).save(out, "BMP")
    assert "PNG, JPEG or WebP" in refused(out.getvalue())


def test_corrupt_and_truncated_images_are_refused() -> None:
    assert refused(b"not an image at all")
    assert refused(b"")
    jpeg = cover_bytes("JPEG", 600, 900)
    assert refused(jpeg[: len(jpeg) // 2])
    png = cover_bytes("PNG", 600, 900)
    assert refused(png[:100] + bytes(200) + png[300:])


def test_wrong_types_are_refused() -> None:
    assert refused("a path/to/cover.png")
    assert refused(None)


def test_an_image_over_40_megapixels_is_refused_before_it_is_decoded() -> None:
    assert "40 megapixels" in refused(png_header(8000, 6000))  # 48 MP: our own limit


@pytest.mark.parametrize("side", [10_000, 20_000], ids=["past Pillow's warning", "past its error"])
def test_a_decompression_bomb_is_refused(side: int) -> None:
    # 100 MP sets off Pillow's DecompressionBombWarning, 400 MP its DecompressionBombError;
    # either way the cover is refused with the typed error, never decoded.
    assert "40 megapixels" in refused(png_header(side, side))


def test_tiny_and_oversized_files_are_refused() -> None:
    assert "16 pixels" in refused(cover_bytes("PNG", 8, 8))
    assert "bytes" in refused(b"\x89PNG" + bytes(20_000_001))


def test_a_card_with_a_bad_cover_raises_the_typed_error() -> None:
    with pytest.raises(InvalidInputError) as caught:
        quote_card("Q", None, "T", "A", LANDSCAPE, 0, b"\xff\xd8\xff garbage")
    assert caught.value.details[0].field == "cover"
