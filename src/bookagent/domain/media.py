"""A post's images: what each one is, and the checks a platform's media rules make.

A post holds 0..n images, in the order they go out (`Post.media`, JSON). Each names its bytes in
the media store by a content key (`MediaStore`, see `bookagent.storage`), and says what the
platforms need to show it: its type, size in pixels and bytes, and the alt text a screen reader
reads. The images themselves are generated cards (`bookagent.images`) or the author's own
pictures (the book's cover, an author photo).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from typing import Any
from typing import Literal

from bookagent.domain.ports import MediaStore
from bookagent.domain.ports import PublishMedia
from bookagent.domain.violation import Violation
from bookagent.errors import InvalidInputError
from bookagent.errors import NotFoundError
from bookagent.errors import ProviderRejected
from bookagent.platforms import PlatformRules
from bookagent.platforms.preview import platform_label

MediaKind = Literal["quote_card", "launch_card", "key_idea_card", "cover", "author_photo"]
MEDIA_KINDS: tuple[MediaKind, ...] = (
    "quote_card", "launch_card", "key_idea_card", "cover", "author_photo",
)  # fmt: skip
#: The types the store takes (and the networks all accept).
MEDIA_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
#: Alt text: under Mastodon's 1,500 and Bluesky's 2,000, and X's 1,000.
MAX_ALT_TEXT = 1000
#: A store key: the content's SHA-256 and its type's extension.
KEY = re.compile(r"\A[0-9a-f]{64}\.(?:png|jpg|webp)\Z")


@dataclass(frozen=True)
class MediaItem:
    """One image of a post, as stored with it and shown by the API."""

    key: str
    mime: str
    width: int
    height: int
    size: int
    alt_text: str
    kind: MediaKind

    def to_json(self) -> dict[str, Any]:
        """The item as stored in `Post.media` and shown in the API."""
        return asdict(self)

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> MediaItem:
        """An item from its stored form; InvalidInputError naming `media` if it is not one."""
        try:
            item = cls(
                key=str(data["key"]),
                mime=str(data["mime"]),
                width=int(data["width"]),
                height=int(data["height"]),
                size=int(data["size"]),
                alt_text=str(data.get("alt_text") or ""),
                kind=data["kind"],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInputError.for_field("media", f"not a media item: {exc}") from exc
        if not KEY.match(item.key) or item.mime not in MEDIA_TYPES or item.kind not in MEDIA_KINDS:
            raise InvalidInputError.for_field("media", "not a media item of the store")
        return item


def media_of(stored: Iterable[Mapping[str, Any]] | None) -> tuple[MediaItem, ...]:
    """A post's items from its stored `media` list."""
    return tuple(MediaItem.of(data) for data in stored or ())


def checked_alt_text(text: str) -> str:
    """Alt text as stored: stripped, at most `MAX_ALT_TEXT` characters (else a 422)."""
    text = text.strip()
    if len(text) > MAX_ALT_TEXT:
        raise InvalidInputError.for_field(
            "alt_text", f"at most {MAX_ALT_TEXT} characters (got {len(text)})"
        )
    return text


def media_violations(rules: PlatformRules, media: Sequence[MediaItem]) -> list[Violation]:
    """What the images break of the platform's media rules: an image it requires, how many it
    takes, how large each may be, and alt text on every image."""
    name, found = platform_label(rules.name), []
    if rules.requires_media and not media:
        found.append(Violation("media_required", f"{name} posts need an image."))
    if len(media) > rules.max_media:
        found.append(
            Violation(
                "too_many_media",
                f"{len(media)} images; {name} takes at most {rules.max_media}.",
            )
        )
    for index, item in enumerate(media, start=1):
        if rules.max_media_bytes is not None and item.size > rules.max_media_bytes:
            found.append(
                Violation(
                    "media_too_large",
                    f"Image {index} is {item.size:,} bytes; {name} takes at most "
                    f"{rules.max_media_bytes:,}.",
                )
            )
        if not item.alt_text.strip():
            found.append(
                Violation("missing_alt_text", f"Image {index} has no alt text for screen readers.")
            )
    return found


def publish_media(store: MediaStore, items: Sequence[MediaItem]) -> tuple[PublishMedia, ...]:
    """The images of a post as its publisher sends them, read from the store.

    An image missing from the store is a refusal (`ProviderRejected`): the post cannot go out as
    the author approved it, and sending it again will not bring the image back.
    """
    out = []
    for item in items:
        try:
            data = store.get(item.key)
        except NotFoundError:
            raise ProviderRejected(
                f"Image {item.key} is missing from the media store: the post cannot go out as "
                "approved. Replace or remove the image, then approve it again."
            ) from None
        out.append(PublishMedia(data, item.mime, item.width, item.height, item.alt_text, item.key))
    return tuple(out)
