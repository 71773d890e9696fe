"""OutboxPublisher's images: written beside the post's files, and listed in what it writes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bookagent.domain.ports import PublishMedia
from bookagent.errors import ProviderUnavailable
from bookagent.publishers.outbox import OutboxPublisher
from tests.integration.publishers.conftest import RequestFactory
from tests.integration.publishers.pictures import pictures
from tests.integration.publishers.pictures import png


def test_the_images_are_written_beside_the_post_and_listed_in_both_files(
    tmp_path: Path, make_request: RequestFactory
) -> None:
    jpeg = PublishMedia(b"\xff\xd8\xff fake jpeg", "image/jpeg", 8, 6, "A [bright] cover.", "k.jpg")
    images = (*pictures(2), jpeg)
    asyncio.run(OutboxPublisher(tmp_path, "mastodon").publish(make_request(media=images), "key-1"))

    [folder] = (tmp_path / "mastodon").iterdir()
    names = ["post-1-image-1.png", "post-1-image-2.png", "post-1-image-3.jpg"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["post-1.json", "post-1.md", *names]
    )  # no temporary files left behind
    assert [(folder / name).read_bytes() for name in names] == [i.data for i in images]
    record = json.loads((folder / "post-1.json").read_text("utf-8"))
    assert record["media"] == [
        {
            "file": name,
            "mime": image.mime,
            "width": image.width,
            "height": image.height,
            "size": len(image.data),
            "alt_text": image.alt_text,
        }
        for name, image in zip(names, images, strict=True)
    ]
    markdown = (folder / "post-1.md").read_text("utf-8")
    assert f"- Image 1: post-1-image-1.png (4×3, {len(images[0].data):,} bytes)" in markdown
    assert "![A (bright) cover.](post-1-image-3.jpg)" in markdown
    assert images[1].alt_text in markdown


def test_a_post_without_images_lists_none(tmp_path: Path, make_request: RequestFactory) -> None:
    asyncio.run(OutboxPublisher(tmp_path, "bluesky").publish(make_request(), "key-1"))
    [record_path] = tmp_path.glob("bluesky/*/post-1.json")
    assert json.loads(record_path.read_text("utf-8"))["media"] == []
    assert sorted(p.name for p in record_path.parent.iterdir()) == ["post-1.json", "post-1.md"]


def test_a_second_publish_with_the_same_key_writes_no_image_again(
    tmp_path: Path, make_request: RequestFactory
) -> None:
    outbox = OutboxPublisher(tmp_path, "mastodon")
    request = make_request(media=pictures(1))
    first = asyncio.run(outbox.publish(request, "key-1"))
    [image] = tmp_path.glob("mastodon/*/post-1-image-1.png")
    before = image.stat().st_mtime_ns
    assert asyncio.run(outbox.publish(request, "key-1")) == first
    assert image.stat().st_mtime_ns == before


def test_an_image_that_cannot_be_written_publishes_nothing(
    tmp_path: Path, make_request: RequestFactory
) -> None:
    """The JSON is written last: a failed image write leaves no record, so a retry is safe."""
    outbox = OutboxPublisher(tmp_path, "mastodon")
    request = make_request(media=(PublishMedia(png(), "image/png", 4, 3, "Alt.", "k.png"),))
    asyncio.run(outbox.publish(make_request(post_id="post-0"), "key-0"))  # makes today's folder
    [folder] = (tmp_path / "mastodon").iterdir()
    (folder / "post-1-image-1.png").mkdir()  # the image's name is taken: its rename fails
    with pytest.raises(ProviderUnavailable):
        asyncio.run(outbox.publish(request, "key-1"))
    assert sorted(p.name for p in folder.glob("post-1*")) == ["post-1-image-1.png"]
    assert asyncio.run(outbox.find_published(request, "key-1")) is None
    (folder / "post-1-image-1.png").rmdir()
    assert asyncio.run(outbox.publish(request, "key-1")).remote_id == "outbox:post-1"
