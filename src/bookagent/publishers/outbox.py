"""The outbox publisher: the default, and where every dry run goes.

Each publication becomes two files under `<directory>/<platform>/<YYYY-MM-DD>/`: `<post_id>.json`
(every request field, the idempotency key and the time) and `<post_id>.md` for a person to read.
A post's images go beside them, one file each, `<post_id>-image-<n>.<png|jpg|webp>` (`n` from 1,
in the post's order); the JSON's `media` lists each one's file name, type, size in pixels and
bytes, and alt text, and the Markdown shows them. Every file is written to a temporary file and
moved into place with `os.replace`, the images first and the JSON last, so a reader never sees
half a file and the JSON's presence means "published" with all its images. A second publish with
the same idempotency key finds that JSON and returns the first result without writing again.

The result's `url` (a post's `published_url`) is the Markdown file's path relative to the outbox
directory, with `/` separators: `<platform>/<YYYY-MM-DD>/<post_id>.md`, for example
`mastodon/2026-12-06/post-1.md`. It is never absolute, so the API and the dashboard do not show
where the server keeps its data, and it stays valid if the data directory moves. To open the
file, join it to the outbox directory (`publishers.outbox_dir`, by default `<data_dir>/outbox`):
`outbox_file(directory, url)` does that. Records written before this rule held an absolute
`file://` URL; finding such a record again returns the relative form.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import tempfile
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from bookagent.atomic_files import write_atomically
from bookagent.domain.media import MEDIA_TYPES
from bookagent.domain.ports import CheckResult
from bookagent.domain.ports import PublisherCapabilities
from bookagent.domain.ports import PublishMedia
from bookagent.domain.ports import PublishRequest
from bookagent.domain.ports import PublishResult
from bookagent.errors import ProviderUnavailable
from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.platforms import escape_linkedin_little
from bookagent.platforms import normalize_platform
from bookagent.publishers.base import PublisherDefaults
from bookagent.publishers.base import post_fields

logger = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class OutboxPublisher(PublisherDefaults):
    """Writes each post as JSON and Markdown to a local folder; its url is the relative path.

    It has no limits of its own (the platform's rules apply unchanged), and no metrics: nobody
    reads the outbox, so there is no engagement to report.
    """

    name: str = "outbox"

    def __init__(self, directory: Path, platform: str) -> None:
        self.directory = Path(directory)
        self.platform = _platform_dir(platform)
        self.account = f"outbox:{self.platform}"

    def capabilities(self) -> PublisherCapabilities:
        """Idempotent by key, and able to tell whether a post was written."""
        return PublisherCapabilities(idempotency_key=True, lookup=True, metrics=False)

    async def publish(self, request: PublishRequest, idempotency_key: str) -> PublishResult:
        """Write the post (once per idempotency key); raise ProviderUnavailable on a disk error."""
        return await asyncio.to_thread(self._publish, request, idempotency_key)

    async def find_published(
        self, request: PublishRequest, idempotency_key: str
    ) -> PublishResult | None:
        """The earlier result for this post and key, or None."""
        return await asyncio.to_thread(self._find, request.post_id, idempotency_key)

    async def check(self) -> CheckResult:
        """Prove the folder exists (or can be made) and is writable."""
        return await asyncio.to_thread(self._check)

    async def aclose(self) -> None:
        """Nothing to release."""

    def _publish(self, request: PublishRequest, idempotency_key: str) -> PublishResult:
        existing = self._find(request.post_id, idempotency_key)
        if existing is not None:
            logger.info(
                "outbox already holds post_id=%s platform=%s", request.post_id, self.platform
            )
            return existing
        published_at = datetime.now(UTC)
        folder = self.directory / self.platform / published_at.date().isoformat()
        stem = _safe_stem(request.post_id)
        markdown_path = folder / f"{stem}.md"
        result = PublishResult(
            remote_id=f"outbox:{request.post_id}",
            url=markdown_path.relative_to(self.directory).as_posix(),
            status_code=None,
            response_excerpt=None,
        )
        images = [
            (f"{stem}-image-{index}.{_extension(item)}", item)
            for index, item in enumerate(request.media, start=1)
        ]
        record = _record(request, idempotency_key, published_at, result, self.platform)
        record["media"] = [_image_entry(name, item) for name, item in images]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name, item in images:
                write_atomically(folder / name, item.data)
            write_atomically(markdown_path, _markdown(record))
            write_atomically(
                folder / f"{stem}.json",
                json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n",
            )
        except OSError as exc:
            # Every write is atomic and the JSON comes last, so a failure means nothing was
            # published: safe to retry (the images are written again, the same bytes).
            raise ProviderUnavailable(f"outbox: cannot write to {folder}: {exc}") from exc
        logger.info(
            "outbox wrote post_id=%s platform=%s path=%s", request.post_id, self.platform, folder
        )
        return result

    def _find(self, post_id: str, idempotency_key: str) -> PublishResult | None:
        stem = _safe_stem(post_id)
        for path in sorted((self.directory / self.platform).glob(f"*/{stem}.json")):
            try:
                record = json.loads(path.read_text("utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            if record.get("idempotency_key") == idempotency_key and record.get("post_id") == (
                post_id
            ):
                # The url from where the record lies, not as stored: older records held an
                # absolute file:// URL (see the module doc).
                url = path.with_suffix(".md").relative_to(self.directory).as_posix()
                return PublishResult(remote_id=str(record["remote_id"]), url=url, status_code=None)
        return None

    def _check(self) -> CheckResult:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.directory, prefix=".check-"):
                pass
        except OSError as exc:
            return CheckResult(ok=False, message=f"The outbox folder is not writable: {exc}")
        return CheckResult(ok=True, message=f"Posts are written to {self.directory.resolve()}")


def outbox_file(directory: Path, url: str) -> Path:
    """The file an outbox `url` names under `directory`; ValueError if it would leave it."""
    root = Path(directory).resolve()
    path = (root / url).resolve()
    if not url or Path(url).is_absolute() or not path.is_relative_to(root):
        raise ValueError(f"not an outbox path: {url!r}")
    return path


def _platform_dir(platform: str) -> str:
    """The canonical platform name (`x` → `twitter`), or a file-safe form of an unknown one."""
    key = platform.strip().lower()
    if key in SUPPORTED_PLATFORMS or key == "x":
        return normalize_platform(key)
    return _safe_stem(key)


def _safe_stem(value: str) -> str:
    """A file name for an id: unsafe characters replaced, never empty, never hidden."""
    stem = _UNSAFE.sub("_", value).lstrip(".") or "_"
    return stem[:200]


def _record(
    request: PublishRequest,
    idempotency_key: str,
    published_at: datetime,
    result: PublishResult,
    platform: str,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        **post_fields(request),
        "idempotency_key": idempotency_key,
        "published_at": published_at.isoformat(),
        "remote_id": result.remote_id,
        "url": result.url,
    }
    if platform == "linkedin":
        record["content_linkedin_little"] = escape_linkedin_little(request.content)
    return record


def _markdown(record: Mapping[str, Any]) -> str:
    lines = [
        f"# {record['platform']} post {record['post_id']}",
        "",
        f"- Book: {record['book_id']}",
        f"- Scheduled for: {record['scheduled_time'] or 'now'}",
        f"- Published at: {record['published_at']}",
        f"- Idempotency key: {record['idempotency_key']}",
        f"- Content hash: {record['content_hash']}",
    ]
    if record["hashtags"]:
        lines.append("- Hashtags: " + " ".join(f"#{tag.lstrip('#')}" for tag in record["hashtags"]))
    if record["links"]:
        lines.append("- Links: " + " ".join(record["links"]))
    media = record.get("media") or []
    for index, image in enumerate(media, start=1):
        lines.append(
            f"- Image {index}: {image['file']} ({image['width']}×{image['height']}, "
            f"{image['size']:,} bytes), alt text: {image['alt_text'] or '(none)'}"
        )
    lines += ["", "---", "", str(record["content"]), ""]
    for image in media:
        lines += [f"![{_markdown_alt(image['alt_text'])}]({image['file']})", ""]
    return "\n".join(lines)


def _extension(item: PublishMedia) -> str:
    """The file extension of an image's type (its store key's, for a type we do not know)."""
    return MEDIA_TYPES.get(item.mime) or _safe_stem(item.key.rpartition(".")[2] or "bin")


def _image_entry(name: str, item: PublishMedia) -> dict[str, Any]:
    """How the JSON record lists one image written beside it."""
    return {
        "file": name,
        "mime": item.mime,
        "width": item.width,
        "height": item.height,
        "size": len(item.data),
        "alt_text": item.alt_text,
    }


def _markdown_alt(text: str) -> str:
    """Alt text as a Markdown image's, on one line and without brackets that would end it."""
    return " ".join(text.split()).replace("[", "(").replace("]", ")")
