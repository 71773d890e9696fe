"""Images to upload in tests, made with Pillow, and the upload request itself."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from flask.testing import FlaskClient
from PIL import Image


def image_bytes(
    fmt: str, size: tuple[int, int] = (60, 90), mode: str = "RGB", **save: Any
) -> bytes:
    """An image in `fmt` (PNG, JPEG, WEBP, GIF...), a gradient so it is not one flat colour."""
    image = Image.new(mode, size)
    width, height = size
    for x in range(width):
        for y in range(height):
            value = (x * 255 // width, y * 255 // height, 120, 200)
            image.putpixel((x, y), value[: len(mode)] if len(mode) > 1 else value[0])
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header declares `width` × `height` pixels (a decompression bomb)."""
    data = image_bytes("PNG", (1, 1), "L")
    header = struct.pack(">II", width, height) + data[24:29]
    chunk = b"IHDR" + header
    crc = struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    return data[:12] + chunk + crc + data[33:]


def upload(
    client: FlaskClient,
    book_id: str,
    data: bytes,
    kind: str | None = "cover",
    filename: str = "cover.png",
    **kwargs: Any,
) -> Any:
    """POST an image to the book's assets as a browser's form would."""
    form: dict[str, Any] = {"file": (io.BytesIO(data), filename)}
    if kind is not None:
        form["kind"] = kind
    return client.post(
        f"/api/books/{book_id}/assets", data=form, content_type="multipart/form-data", **kwargs
    )
