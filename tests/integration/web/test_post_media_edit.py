"""Editing a pending post's images (PATCH /api/posts/<id>/media: keep some, reorder, new alt
texts, or the book's cover in their place) and approval refused while a post breaks its
platform's media rules."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image

from bookagent.bootstrap import Services
from bookagent.db.models import Post
from bookagent.domain.identity import create_token
from bookagent.domain.media import MediaItem
from bookagent.settings import Settings
from tests.conftest import SettingsFactory
from tests.integration.web.upload_images import image_bytes
from tests.integration.web.upload_images import upload


@pytest.fixture
def settings(make_settings: SettingsFactory, database_url: str) -> Settings:
    return make_settings(db={"url": database_url})


@pytest.fixture
def book_id(client: FlaskClient, book_payload: dict[str, Any]) -> str:
    created = client.post("/api/books", json=book_payload)
    assert created.status_code == 201, created.get_json()
    return str(created.get_json()["book"]["id"])


def make_post(client: FlaskClient, book_id: str, platform: str) -> dict[str, Any]:
    answer = client.post(
        "/api/generate-posts",
        json={"book_id": book_id, "platforms": [platform], "count_per_platform": 1, "seed": 3},
    )
    assert answer.status_code == 200, answer.get_json()
    return dict(answer.get_json()["posts"][0])


def stored_image(services: Services, number: int, alt_text: str = "") -> MediaItem:
    """An image put straight into the store, as a post's item."""
    data = image_bytes("PNG", (40 + number, 40))
    key = services.media.put(data, "image/png")
    return MediaItem(key, "image/png", 40 + number, 40, len(data), alt_text, "quote_card")


def set_media(services: Services, post_id: str, items: list[MediaItem]) -> None:
    with services.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.media = [item.to_json() for item in items]


def edit(client: FlaskClient, post_id: str, **body: Any) -> Any:
    return client.patch(f"/api/posts/{post_id}/media", json=body)


def test_the_books_cover_takes_the_place_of_a_posts_images(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    post = make_post(client, book_id, "twitter")
    missing = edit(client, post["id"], use="cover")
    assert missing.status_code == 422
    assert missing.get_json()["details"][0]["field"] == "use"
    assert "upload one" in missing.get_json()["details"][0]["message"]

    cover = upload(client, book_id, image_bytes("JPEG", (120, 180))).get_json()["asset"]
    answer = edit(client, post["id"], use="cover")
    assert answer.status_code == 200, answer.get_json()
    shown = answer.get_json()["post"]
    url = f"/api/posts/{post['id']}/media/0"
    assert shown["media"] == [
        {
            "key": cover["key"],
            "mime": "image/jpeg",
            "width": 120,
            "height": 180,
            "size": cover["size"],
            "alt_text": "The cover of The Lighthouse Keeper by A. Writer.",
            "kind": "cover",
            "url": url,
        }
    ]
    assert shown["preview"]["media"] == {
        "alt_text": "The cover of The Lighthouse Keeper by A. Writer.",
        "url": url,
        "width": 120,
        "height": 180,
    }
    assert client.get(f"/api/posts/{post['id']}").get_json()["post"] == shown
    image = client.get(url)
    assert image.status_code == 200 and image.data == services.media.get(cover["key"])

    own_words = edit(client, post["id"], use="cover", alt_text="  A lighthouse in a storm.  ")
    assert own_words.get_json()["post"]["media"][0]["alt_text"] == "A lighthouse in a storm."


def test_images_are_reordered_kept_and_given_new_alt_text(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    post = make_post(client, book_id, "mastodon")
    first, second, third = (stored_image(services, n, f"Card {n}") for n in (1, 2, 3))
    set_media(services, post["id"], [first, second, third])
    answer = edit(
        client,
        post["id"],
        media=[{"key": third.key, "alt_text": "The third card, now first."}, {"key": first.key}],
    )
    assert answer.status_code == 200, answer.get_json()
    media = answer.get_json()["post"]["media"]
    assert [(m["key"], m["alt_text"]) for m in media] == [
        (third.key, "The third card, now first."),
        (first.key, "Card 1"),
    ]
    assert answer.get_json()["post"]["preview"]["media_count"] == 2
    served = client.get(f"/api/posts/{post['id']}/media/0")
    assert served.data == services.media.get(third.key)
    assert served.headers["ETag"] == f'"{third.key}"'
    assert served.headers["Cache-Control"] == "private, no-cache"
    # A platform that needs no image: the last one may go.
    emptied = edit(client, post["id"], media=[])
    assert emptied.status_code == 200 and emptied.get_json()["post"]["media"] == []


@pytest.mark.parametrize(
    ("media", "message"),
    [
        ([{"key": "f" * 64 + ".png"}], "is not the key of one of this post's images"),
        ([{"key": "nope"}], "is not the key of one of this post's images"),
        (["KEEP", "KEEP"], "twice"),
    ],
)
def test_a_key_not_on_the_post_is_a_422_naming_media(
    client: FlaskClient, services: Services, book_id: str, media: list[Any], message: str
) -> None:
    post = make_post(client, book_id, "facebook")
    item = stored_image(services, 1, "A card")
    set_media(services, post["id"], [item])
    body = [{"key": item.key} if entry == "KEEP" else entry for entry in media]
    answer = edit(client, post["id"], media=body)
    assert answer.status_code == 422, answer.get_json()
    (detail,) = answer.get_json()["details"]
    assert detail["field"] == "media" and message in detail["message"]
    with services.db.session() as session:
        stored = session.get(Post, post["id"])
        assert stored is not None and stored.media == [item.to_json()]


def test_removing_the_only_image_of_an_instagram_post_is_refused_with_the_reason(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    post = make_post(client, book_id, "instagram")
    assert len(post["media"]) == 1  # generation drew it a card
    for platform_post in (post, make_post(client, book_id, "pinterest")):
        answer = edit(client, platform_post["id"], media=[])
        assert answer.status_code == 422
        body = answer.get_json()
        label = "Instagram" if platform_post["platform"] == "instagram" else "Pinterest"
        assert body["details"][0]["field"] == "media"
        assert body["error"] == (
            f"media: {label} never shows a post without an image, so this post's only image "
            "cannot be removed: use the book's cover in its place, or reject the post."
        )
    still = client.get(f"/api/posts/{post['id']}").get_json()["post"]["media"]
    assert [m["key"] for m in still] == [post["media"][0]["key"]]


def test_an_edit_that_breaks_the_platforms_media_rules_is_a_422_listing_them(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    post = make_post(client, book_id, "twitter")
    images = [stored_image(services, n, f"Card {n}") for n in range(5)]
    set_media(services, post["id"], images)
    too_many = edit(client, post["id"], media=[{"key": i.key} for i in images])
    assert too_many.status_code == 422
    assert too_many.get_json()["violations"] == [
        {"code": "too_many_media", "message": "5 images; X takes at most 4."}
    ]
    blank = edit(client, post["id"], media=[{"key": images[0].key, "alt_text": "   "}])
    assert blank.status_code == 422
    body = blank.get_json()
    assert [v["code"] for v in body["violations"]] == ["missing_alt_text"]
    assert body["details"] == [
        {"field": "media", "message": "Image 1 has no alt text for screen readers."}
    ]
    fixed = edit(client, post["id"], media=[{"key": images[0].key, "alt_text": "A card."}])
    assert fixed.status_code == 200


def test_a_cover_too_large_for_bluesky_is_refused(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    noise = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    cover = upload(client, book_id, out.getvalue()).get_json()["asset"]
    assert cover["size"] > 1_000_000
    post = make_post(client, book_id, "bluesky")
    answer = edit(client, post["id"], use="cover")
    assert answer.status_code == 422
    assert [v["code"] for v in answer.get_json()["violations"]] == ["media_too_large"]


@pytest.mark.parametrize(
    "body",
    [{}, {"media": [], "use": "cover"}, {"media": [], "alt_text": "x"}, {"use": "poster"}],
)
def test_the_body_says_either_which_images_or_which_asset(
    client: FlaskClient, book_id: str, body: dict[str, Any]
) -> None:
    post = make_post(client, book_id, "twitter")
    assert client.patch(f"/api/posts/{post['id']}/media", json=body).status_code == 422


def test_only_a_pending_post_and_only_ones_own_can_be_edited(
    client: FlaskClient, services: Services, book_id: str, book_payload: dict[str, Any]
) -> None:
    upload(client, book_id, image_bytes("PNG"))
    post = make_post(client, book_id, "twitter")
    assert client.post("/api/reject-post", json={"post_id": post["id"]}).status_code == 200
    assert edit(client, post["id"], use="cover").status_code == 409
    assert edit(client, "nope", use="cover").status_code == 404

    with services.db.session() as session:
        _, bob = create_token(session, user_id="bob", is_admin=False)
        _, admin = create_token(session, user_id=None, is_admin=True)
    other = make_post_as(client, book_id, admin)
    refused = client.patch(
        f"/api/posts/{other['id']}/media",
        json={"use": "cover"},
        headers={"Authorization": f"Bearer {bob}"},
    )
    assert refused.status_code == 404


def make_post_as(client: FlaskClient, book_id: str, token: str) -> dict[str, Any]:
    answer = client.post(
        "/api/generate-posts",
        json={"book_id": book_id, "platforms": ["twitter"], "count_per_platform": 1, "seed": 9},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.get_json()
    return dict(answer.get_json()["posts"][0])


def test_approval_is_refused_while_a_post_breaks_its_media_rules(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    post = make_post(client, book_id, "instagram")
    set_media(services, post["id"], [])  # as a post whose card could not be drawn
    refused = client.post("/api/approve-post", json={"post_id": post["id"]})
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["violations"] == [
        {"code": "media_required", "message": "Instagram posts need an image."}
    ]
    assert body["error"].startswith("media: The post cannot be approved yet: ")
    assert body["details"] == [{"field": "media", "message": "Instagram posts need an image."}]
    assert client.get(f"/api/posts/{post['id']}").get_json()["post"]["status"] == (
        "pending_approval"
    )

    set_media(services, post["id"], [stored_image(services, 1, alt_text="")])
    no_alt = client.post("/api/approve-post", json={"post_id": post["id"]})
    assert no_alt.status_code == 422
    assert [v["code"] for v in no_alt.get_json()["violations"]] == ["missing_alt_text"]

    upload(client, book_id, image_bytes("JPEG", (120, 180)))
    assert edit(client, post["id"], use="cover").status_code == 200
    approved = client.post("/api/approve-post", json={"post_id": post["id"]})
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["post"]["media"][0]["kind"] == "cover"
    assert edit(client, post["id"], media=[]).status_code == 409
