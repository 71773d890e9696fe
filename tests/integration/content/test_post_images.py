"""Generated posts get their pictures: a card on every Instagram and Pinterest post, and on the
posts elsewhere whose type a picture serves; the card shows the words the post quotes, has alt
text, fits the platform's size and byte cap, and is served to the post's owner only."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image

from bookagent.domain.media import media_of
from bookagent.domain.media import media_violations
from bookagent.images import sizes_for
from bookagent.platforms import get_rules
from tests.adversarial.profiles import BUSINESS
from tests.adversarial.profiles import PICTURE_BOOK
from tests.adversarial.profiles import THRILLER
from tests.adversarial.profiles import api_payload
from tests.integration.web.upload_images import image_bytes
from tests.integration.web.upload_images import upload


def generate(client: FlaskClient, book_id: str, platforms: list[str], types: list[str]) -> Any:
    response = client.post(
        "/api/generate-posts",
        json={
            "book_id": book_id,
            "platforms": platforms,
            "count_per_platform": len(types),
            "post_types": types,
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["posts"]


@pytest.mark.parametrize("profile", [THRILLER, PICTURE_BOOK, BUSINESS], ids=lambda b: b.id)
def test_every_instagram_and_pinterest_post_has_a_card_that_fits(
    client: FlaskClient, profile: Any
) -> None:
    created = client.post("/api/books", json={**api_payload(profile), "user_id": "alice"})
    assert created.status_code == 201, created.get_data(as_text=True)
    book_id = created.get_json()["book"]["id"]
    posts = generate(client, book_id, ["instagram", "pinterest"], ["hook_question", "fun_fact"])
    assert len(posts) == 4
    for post in posts:
        items = media_of(post["media"])
        assert len(items) == 1, post
        assert media_violations(get_rules(post["platform"]), items) == []
        item = items[0]
        size = sizes_for(post["platform"])[0]
        assert (item.width, item.height) == (size.width, size.height)
        assert profile.title in item.alt_text
        shown = client.get(f"/api/posts/{post['id']}").get_json()["post"]
        assert shown["preview"]["media"]["url"] == shown["media"][0]["url"]
        assert shown["preview"]["link_card"] is None  # the image stands in for a link card
        served = client.get(shown["media"][0]["url"])
        assert served.status_code == 200 and served.mimetype == item.mime
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        image = Image.open(io.BytesIO(served.data))
        assert image.size == (item.width, item.height) and len(served.data) == item.size


def test_a_quote_post_shows_the_quote_it_quotes_and_a_plain_post_has_none(
    client: FlaskClient,
) -> None:
    created = client.post("/api/books", json={**api_payload(THRILLER), "user_id": "alice"})
    book_id = created.get_json()["book"]["id"]
    posts = generate(client, book_id, ["bluesky"], ["review_highlight", "hook_question"])
    by_type = {post["post_type"]: post for post in posts}
    review = by_type["review_highlight"]
    [item] = media_of(review["media"])
    assert item.kind == "quote_card"
    quoted = [r for r in THRILLER.reviews if r.text.casefold() in review["content"].casefold()]
    if quoted:  # the card shows the review the post quotes, credited to its source
        assert quoted[0].text.strip("“”") in item.alt_text
        assert str(quoted[0].source) in item.alt_text
    assert item.size <= 1_000_000  # Bluesky's cap
    plain = client.get(f"/api/posts/{by_type['hook_question']['id']}").get_json()["post"]
    assert plain["media"] == [] and plain["preview"]["media"] is None


def test_images_are_served_only_to_who_may_see_the_post(client: FlaskClient, app: Any) -> None:
    created = client.post("/api/books", json={**api_payload(PICTURE_BOOK), "user_id": "alice"})
    book_id = created.get_json()["book"]["id"]
    [post] = generate(client, book_id, ["instagram"], ["read_aloud"])
    assert client.get(f"/api/posts/{post['id']}/media/1").status_code == 404
    assert client.get(f"/api/posts/{post['id']}/media/x").status_code == 404
    assert client.get("/api/posts/nope/media/0").status_code == 404


def test_an_uploaded_cover_goes_into_the_cards(client: FlaskClient) -> None:
    """Once the author has uploaded the cover, the launch card shows it."""
    created = client.post("/api/books", json={**api_payload(THRILLER), "user_id": "alice"})
    book_id = created.get_json()["book"]["id"]
    uploaded = upload(client, book_id, image_bytes("PNG", (400, 600)))
    assert uploaded.status_code == 201, uploaded.get_json()
    [post] = generate(client, book_id, ["pinterest"], ["launch_countdown"])
    [item] = media_of(post["media"])
    assert item.kind == "launch_card"
    assert "cover" in item.alt_text  # "... with a picture of the book's cover"
