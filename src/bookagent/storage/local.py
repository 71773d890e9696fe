"""The media store on local disk: one file per image under the data directory.

A key is the image's SHA-256 and its type's extension (`domain.media.KEY`), so the same image is
kept once however many posts use it, and a key names nothing outside the store: anything that is
not a key is refused before a path is made of it. A file is written to a temporary name and
renamed into place, so a reader never sees half an image and a crash leaves no partial file
under a key. An S3-compatible store would implement the same two methods.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bookagent.atomic_files import write_atomically
from bookagent.domain.media import KEY
from bookagent.domain.media import MEDIA_TYPES
from bookagent.errors import InvalidInputError
from bookagent.errors import NotFoundError


class LocalMediaStore:
    """Images under `root` (created when first written)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, data: bytes, mime: str) -> str:
        """Keep `data` and return its key; an image already kept is not written again."""
        extension = MEDIA_TYPES.get(mime)
        if extension is None:
            raise InvalidInputError.for_field("media", f"unsupported type {mime!r}")
        key = f"{hashlib.sha256(data).hexdigest()}.{extension}"
        path = self._path(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
        return key

    def get(self, key: str) -> bytes:
        """The bytes kept under `key`."""
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"No image {key} in the media store.") from None

    def _path(self, key: str) -> Path:
        if not KEY.match(key):
            raise InvalidInputError.for_field("media", "not a media key")
        return self.root / key[:2] / key
