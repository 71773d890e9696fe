"""The book's own pictures: the cover and an author photo, uploaded by the author.

An upload is untrusted bytes. `clean_image` takes PNG, JPEG and WebP only (told by content,
never by name), refuses a file over `MAX_ASSET_BYTES` before decoding it and an image over
`MAX_ASSET_PIXELS` before its pixels are read (so a decompression bomb never reaches memory),
turns it upright by its EXIF orientation and re-encodes it with no metadata: no EXIF (a phone
photo's GPS position), XMP, comments or text chunks, a colour profile converted to sRGB. PNG stays
PNG, JPEG is JPEG at quality 90, WebP becomes PNG (with transparency) or JPEG; an image is kept
at most `MAX_SIDE` pixels on its longer side, more than any network shows.

The bytes go to the media store; the book keeps, per kind, the store key with the image's type,
size and upload time (`Book.assets`): one asset per kind, replaced by the next upload. Removing
an asset leaves its bytes in the store, where posts that use the image still find them.
"""

from __future__ import annotations

import io
import math
import struct
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bookagent.db.models import Book
from bookagent.domain.books import get_book
from bookagent.domain.identity import Caller
from bookagent.domain.media import MediaItem
from bookagent.domain.media import checked_alt_text
from bookagent.domain.ports import MediaStore
from bookagent.errors import FieldError
from bookagent.errors import InvalidInputError
from bookagent.errors import NotFoundError
from bookagent.isotime import iso

if TYPE_CHECKING:
    from PIL import Image

AssetKind = Literal["cover", "author_photo"]
ASSET_KINDS: tuple[AssetKind, ...] = ("cover", "author_photo")
#: An upload's largest file, checked before it is decoded.
MAX_ASSET_BYTES = 10 * 1024 * 1024
#: An upload's largest image, checked from its header before its pixels are decoded.
MAX_ASSET_PIXELS = 40_000_000
#: The longer side an image is kept at, at most (X takes 4096 × 4096; the others show less).
MAX_SIDE = 4096
#: The shorter side an image must have, at least.
MIN_SIDE = 16
JPEG_QUALITY = 90
FORMATS = ("PNG", "JPEG", "WEBP")
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
_GREY_MODES = frozenset({"1", "L"})
_WIDE_GREY_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})
_KIND_WORDS: dict[AssetKind, str] = {"cover": "cover", "author_photo": "author photo"}


class UploadTooLargeError(InvalidInputError):
    """The uploaded file is too large."""

    code = "payload_too_large"


@dataclass(frozen=True)
class CleanImage:
    """An image decoded and re-encoded without metadata: its bytes, type and size in pixels."""

    data: bytes
    mime: str
    width: int
    height: int


@dataclass(frozen=True)
class BookAsset:
    """One image the author uploaded for the book, as `Book.assets` keeps it."""

    kind: AssetKind
    key: str
    mime: str
    width: int
    height: int
    size: int
    uploaded_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The asset as stored in `Book.assets` and shown by the API (without its URL)."""
        return {
            "kind": self.kind,
            "key": self.key,
            "mime": self.mime,
            "width": self.width,
            "height": self.height,
            "size": self.size,
            "uploaded_at": iso(self.uploaded_at),
        }

    @classmethod
    def of(cls, kind: AssetKind, data: dict[str, Any]) -> BookAsset:
        """An asset from its stored form."""
        return cls(
            kind=kind,
            key=str(data["key"]),
            mime=str(data["mime"]),
            width=int(data["width"]),
            height=int(data["height"]),
            size=int(data["size"]),
            uploaded_at=datetime.fromisoformat(str(data["uploaded_at"])),
        )


def checked_kind(kind: str) -> AssetKind:
    """`kind` if it names an asset kind; InvalidInputError naming `kind` otherwise."""
    if kind not in ASSET_KINDS:
        raise InvalidInputError.for_field("kind", f"must be one of {', '.join(ASSET_KINDS)}")
    return kind


def book_assets(book: Book) -> list[BookAsset]:
    """The book's assets, the cover first."""
    stored = book.assets or {}
    return [BookAsset.of(kind, stored[kind]) for kind in ASSET_KINDS if kind in stored]


def find_asset(book: Book, kind: AssetKind) -> BookAsset | None:
    """The book's asset of `kind`, or None if the author has not uploaded one."""
    data = (book.assets or {}).get(kind)
    return BookAsset.of(kind, data) if data else None


def list_assets(session: Session, caller: Caller, book_id: str) -> list[BookAsset]:
    """The assets of a book the caller may see (NotFoundError otherwise)."""
    return book_assets(get_book(session, caller, book_id))


def get_asset(session: Session, caller: Caller, book_id: str, kind: str) -> BookAsset:
    """The book's asset of `kind`; NotFoundError if the book has none (or is not the caller's)."""
    chosen = checked_kind(kind)
    asset = find_asset(get_book(session, caller, book_id), chosen)
    if asset is None:
        raise NotFoundError(f"Book {book_id} has no {_KIND_WORDS[chosen]} yet.")
    return asset


def store_asset(
    session: Session,
    caller: Caller,
    book_id: str,
    kind: str,
    data: bytes,
    *,
    store: MediaStore,
    now: datetime,
) -> BookAsset:
    """Clean an uploaded image (`clean_image`), keep it in `store` and record it as the book's
    asset of `kind`, replacing the one it had."""
    chosen = checked_kind(kind)
    get_book(session, caller, book_id)  # 404 before any decoding
    image = clean_image(data)
    key = store.put(image.data, image.mime)
    asset = BookAsset(chosen, key, image.mime, image.width, image.height, len(image.data), now)
    book = _locked_book(session, book_id)
    book.assets = {**(book.assets or {}), chosen: asset.to_json()}
    session.flush()
    return asset


def delete_asset(session: Session, caller: Caller, book_id: str, kind: str) -> None:
    """Forget the book's asset of `kind` (NotFoundError if it has none); posts that use the
    image keep it."""
    get_asset(session, caller, book_id, kind)
    book = _locked_book(session, book_id)
    book.assets = {k: v for k, v in (book.assets or {}).items() if k != kind}
    session.flush()


def _locked_book(session: Session, book_id: str) -> Book:
    """The book re-read under a row lock (PostgreSQL), so two uploads of different kinds at
    once both land in its `assets`."""
    book = session.scalar(
        select(Book)
        .where(Book.id == book_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if book is None:
        raise NotFoundError(f"No book with id {book_id}.")
    return book


def default_alt_text(book: Book, kind: AssetKind) -> str:
    """What a screen reader says of the asset when the author gives no alt text."""
    if kind == "cover":
        return f"The cover of {book.title} by {book.author}."
    return f"A photo of {book.author}, the author of {book.title}."


def asset_media(book: Book, kind: str, alt_text: str | None = None) -> MediaItem:
    """The book's asset of `kind` as an image of a post, with `alt_text` or the default one;
    InvalidInputError naming `use` if the book has no such asset."""
    chosen = checked_kind(kind)
    asset = find_asset(book, chosen)
    if asset is None:
        raise InvalidInputError.for_field(
            "use",
            f"the book has no {_KIND_WORDS[chosen]} yet: upload one with POST "
            f"/api/books/{book.id}/assets first",
        )
    return MediaItem(
        key=asset.key,
        mime=asset.mime,
        width=asset.width,
        height=asset.height,
        size=asset.size,
        alt_text=checked_alt_text(alt_text or "") or default_alt_text(book, chosen),
        kind=chosen,
    )


# -- cleaning an upload --------------------------------------------------------------------------


def clean_image(data: bytes, field: str = "file") -> CleanImage:
    """Decode an uploaded image safely and re-encode it without metadata (see the module's
    docstring); InvalidInputError naming `field` if it is not a PNG, JPEG or WebP image within
    the limits, UploadTooLargeError if the file is over `MAX_ASSET_BYTES`."""
    if not data:
        raise InvalidInputError.for_field(field, "is empty")
    if len(data) > MAX_ASSET_BYTES:
        raise UploadTooLargeError(
            f"{field}: must be at most {MAX_ASSET_BYTES // (1024 * 1024)} MB",
            details=[FieldError(field, f"must be at most {MAX_ASSET_BYTES:,} bytes")],
        )
    from PIL import Image  # Pillow loads with the first upload, not with the app
    from PIL import ImageOps
    from PIL import UnidentifiedImageError

    megapixels = MAX_ASSET_PIXELS // 1_000_000
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as opened:
            fmt = str(opened.format)
            width, height = opened.size
            if width * height > MAX_ASSET_PIXELS:
                raise InvalidInputError.for_field(field, f"must be at most {megapixels} megapixels")
            if min(width, height) < MIN_SIDE:
                raise InvalidInputError.for_field(
                    field, f"must be at least {MIN_SIDE} pixels on each side"
                )
            if fmt == "JPEG" and max(width, height) > MAX_SIDE:
                # Decode at a reduced scale straight from the DCT: cheaper, and bounded.
                scale = MAX_SIDE / max(width, height)
                opened.draft(None, (math.ceil(width * scale), math.ceil(height * scale)))
            opened.load()
            if max(opened.size) > MAX_SIDE:
                # Smaller first, so the copies below are of the image as it will be kept.
                opened.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            icc_profile = opened.info.get("icc_profile")
            has_alpha = opened.mode in _ALPHA_MODES or "transparency" in opened.info
            upright = ImageOps.exif_transpose(opened)  # a copy: the file may close
            image = _normalised(upright, has_alpha)
            image = _in_srgb(image, icc_profile)
    except InvalidInputError:
        raise
    except UnidentifiedImageError as exc:
        raise InvalidInputError.for_field(field, "must be a PNG, JPEG or WebP image") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own limit caught it before ours; the warning is an exception only where
        # warnings are errors (as in the tests).
        raise InvalidInputError.for_field(
            field, f"must be at most {megapixels} megapixels"
        ) from exc
    except (
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        IndexError,
        TypeError,
        struct.error,
        UserWarning,
    ) as exc:
        # What Pillow's decoders (and its EXIF reader) raise on corrupt or truncated data; its
        # warnings about corrupt EXIF are exceptions only where warnings are errors.
        raise InvalidInputError.for_field(field, "could not be decoded as an image") from exc
    mime = "image/png" if fmt == "PNG" or (fmt == "WEBP" and has_alpha) else "image/jpeg"
    return CleanImage(_encoded(image, mime), mime, image.width, image.height)


def _normalised(image: Image.Image, has_alpha: bool) -> Image.Image:
    """`image` as RGBA (with transparency), L (grey) or RGB: modes every encoder and browser
    takes; 16-bit grey is scaled to 8 bits, not clipped."""
    if has_alpha:
        return image if image.mode == "RGBA" else image.convert("RGBA")
    if image.mode in _WIDE_GREY_MODES:
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in _GREY_MODES:
        return image if image.mode == "L" else image.convert("L")
    if image.mode == "CMYK":
        return image  # converted with its colour profile, if it has one (`_in_srgb`)
    return image if image.mode == "RGB" else image.convert("RGB")


def _in_srgb(image: Image.Image, icc_profile: object) -> Image.Image:
    """`image` in sRGB: converted from its embedded colour profile (a wide-gamut phone photo
    would look dull once the profile is stripped), else as it is; CMYK becomes RGB."""
    from PIL import ImageCms

    target = "RGB" if image.mode == "CMYK" else image.mode
    if isinstance(icc_profile, bytes) and icc_profile and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode=target
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # an unreadable profile: the pixels are kept as they are
        if converted is not None:
            return converted
    return image.convert(target) if image.mode != target else image


def _encoded(image: Image.Image, mime: str) -> bytes:
    """`image` as PNG or JPEG bytes, with nothing but its pixels."""
    image.info = {}  # PNG writes a profile, JPEG a comment, found here: none goes out
    out = io.BytesIO()
    if mime == "image/png":
        image.save(out, "PNG")
    else:
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
