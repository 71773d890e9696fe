"""The local media store and the media rules: content keys, atomic files, what a key may name,
and each platform's image limits."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bookagent.domain.media import MediaItem
from bookagent.domain.media import media_violations
from bookagent.domain.media import publish_media
from bookagent.errors import InvalidInputError
from bookagent.errors import NotFoundError
from bookagent.errors import ProviderRejected
from bookagent.platforms import get_rules
from bookagent.storage.local import LocalMediaStore

PNG = b"\x89PNG\r\n\x1a\n" + b"x" * 100


def test_the_same_bytes_are_kept_once_under_their_hash(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path / "media")
    key = store.put(PNG, "image/png")
    assert key == hashlib.sha256(PNG).hexdigest() + ".png"
    assert store.put(PNG, "image/png") == key
    assert store.get(key) == PNG
    files = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert [p.name for p in files] == [key]  # no temporary file left behind


@pytest.mark.parametrize(
    "key", ["../../etc/passwd", "a" * 64 + ".exe", "/abs/path.png", "A" * 64 + ".png", ""]
)
def test_anything_but_a_key_names_nothing(tmp_path: Path, key: str) -> None:
    store = LocalMediaStore(tmp_path)
    with pytest.raises(InvalidInputError):
        store.get(key)


def test_unknown_types_and_missing_images_are_refused(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    with pytest.raises(InvalidInputError):
        store.put(b"<svg/>", "image/svg+xml")
    with pytest.raises(NotFoundError):
        store.get("0" * 64 + ".png")


def item(size: int = 1000, alt_text: str = "A quote card.") -> MediaItem:
    return MediaItem("0" * 64 + ".png", "image/png", 1080, 1350, size, alt_text, "quote_card")


def test_each_platform_has_its_media_rules() -> None:
    assert [v.code for v in media_violations(get_rules("instagram"), [])] == ["media_required"]
    assert media_violations(get_rules("twitter"), []) == []
    pinterest = media_violations(get_rules("pinterest"), [item(), item()])
    assert [v.code for v in pinterest] == ["too_many_media"]
    big = media_violations(get_rules("bluesky"), [item(size=1_000_001)])
    assert [v.code for v in big] == ["media_too_large"]
    assert "1,000,000" in big[0].message
    assert [v.code for v in media_violations(get_rules("mastodon"), [item(alt_text=" ")])] == [
        "missing_alt_text"
    ]
    assert media_violations(get_rules("bluesky"), [item()] * 4) == []
    assert [v.code for v in media_violations(get_rules("bluesky"), [item()] * 5)] == [
        "too_many_media"
    ]


def test_a_missing_image_is_a_refusal_not_a_retry(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    kept = store.put(PNG, "image/png")
    present = MediaItem(kept, "image/png", 10, 10, len(PNG), "alt", "cover")
    [sent] = publish_media(store, [present])
    assert sent.data == PNG and sent.key == kept and sent.alt_text == "alt"
    with pytest.raises(ProviderRejected, match="missing from the media store"):
        publish_media(store, [item()])


def test_a_stored_item_must_name_a_key_of_the_store() -> None:
    data = item().to_json()
    assert MediaItem.of(data) == item()
    with pytest.raises(InvalidInputError):
        MediaItem.of({**data, "key": "../x.png"})
    with pytest.raises(InvalidInputError):
        MediaItem.of({**data, "kind": "svg"})
