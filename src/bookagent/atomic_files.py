"""Writing a file so that a reader never sees half of it, and a crash leaves no partial file.

The data goes to a temporary file beside the target, is flushed to disk, and is renamed into
place (`os.replace` is atomic on one file system). The outbox writes each post this way, and
the media store each image.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write `content` (text as UTF-8) to `path` in one step, replacing what was there."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
