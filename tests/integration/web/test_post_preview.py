"""The `preview` the API adds to posts and to measure answers: the post as its platform shows it,
next to the fields those answers already had."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.db.models import Post
from bookagent.domain.posts import post_to_dict

LINKEDIN_TEXT = (
    "A keeper of a remote lighthouse.\n"
    "A message in a bottle.\n"
    "A story about grief and the sea.\n"
    "Read more: https://example.com/lighthouse #LiteraryFiction"
)


def make_posts(client: FlaskClient, book: dict[str, Any], platforms: list[str]) -> list[Any]:
    assert client.post("/api/books", json=book).status_code == 201
    answer = client.post(
        "/api/generate-posts",
        json={"user_id": "alice", "platforms": platforms, "count_per_platform": 1},
    )
    assert answer.status_code == 200, answer.get_json()
    return list(answer.get_json()["posts"])


def test_listed_posts_keep_their_fields_and_add_a_preview(
    client: FlaskClient, services: Services, book_payload: dict[str, Any]
) -> None:
    made = make_posts(client, book_payload, ["twitter", "instagram", "linkedin"])
    listed = client.get("/api/posts").get_json()["posts"]
    assert len(listed) == 3
    with services.db.session() as session:
        for post in listed:
            stored = post_to_dict(session.get(Post, post["id"]))
            # The API adds where each image is served; the rest is the stored post.
            served = [{k: v for k, v in item.items() if k != "url"} for item in post["media"]]
            listed_fields = {k: v for k, v in post.items() if k != "preview"}
            assert {**listed_fields, "media": served} == stored
    previews = {post["platform"]: post["preview"] for post in listed}
    assert previews["twitter"]["label"] == "X"
    assert previews["twitter"]["unit_label"] == "weighted characters"
    # Instagram's post has its card: the preview shows it, with its alt text and size.
    image = previews["instagram"]["media"]
    assert image["url"].endswith("/media/0") and image["alt_text"].startswith("A ")
    assert (image["width"], image["height"]) == (1080, 1350)
    assert previews["instagram"]["link_note"].startswith("Link in bio")
    for post in listed:
        preview = post["preview"]
        assert (preview["length"], preview["limit"]) == (post["measured_length"], post["limit"])
    pending = client.get("/api/pending-posts/alice").get_json()["posts"]
    assert {post["id"]: post["preview"] for post in pending} == {
        post["id"]: post["preview"] for post in listed
    }
    assert {post["id"] for post in made} == {post["id"] for post in listed}


def test_one_post_and_an_edit_answer_with_the_preview_of_their_text(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    post = make_posts(client, book_payload, ["linkedin"])[0]
    # Without an image (the writer may have given it a card): LinkedIn draws the link's card.
    assert client.patch(f"/api/posts/{post['id']}/media", json={"media": []}).status_code == 200
    one = client.get(f"/api/posts/{post['id']}").get_json()["post"]
    assert one["preview"]["platform"] == "linkedin"
    edited = client.patch(f"/api/posts/{post['id']}", json={"content": LINKEDIN_TEXT})
    assert edited.status_code == 200, edited.get_json()
    preview = edited.get_json()["post"]["preview"]
    assert "".join(span["text"] for span in preview["shown"]) == (
        "A keeper of a remote lighthouse.\nA message in a bottle.\nA story about grief and the sea."
    )
    assert preview["more_label"] == "…more"
    kinds = [(span["kind"], span["text"]) for span in preview["folded"]]
    assert ("link", "https://example.com/lighthouse") in kinds
    assert ("hashtag", "#LiteraryFiction") in kinds
    assert preview["link_card"] == {"url": "https://example.com/lighthouse", "host": "example.com"}


def test_the_writers_alt_text_reaches_the_image_placeholder(
    client: FlaskClient, services: Services, book_payload: dict[str, Any]
) -> None:
    post = make_posts(client, book_payload, ["instagram"])[0]
    with services.db.session() as session:
        stored = session.get(Post, post["id"])
        stored.media = []  # no image yet: the preview shows where it goes
        stored.generation_metadata = {**stored.generation_metadata, "alt_text": "A lighthouse"}
    preview = client.get(f"/api/posts/{post['id']}").get_json()["post"]["preview"]
    assert preview["media"] == {
        "alt_text": "A lighthouse",
        "url": None,
        "width": None,
        "height": None,
    }


def test_every_measure_answer_has_the_preview_of_the_text_measured(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    post = make_posts(client, book_payload, ["twitter"])[0]
    text = "Out now: https://example.com/lighthouse/a-very-long-path-to-the-book #BookTok"
    answers = [
        client.post("/api/posts/measure", json={"platform": "x", "content": text}),
        client.post(
            "/api/posts/measure",
            json={"platform": "x", "book_id": post["book_id"], "content": text},
        ),
        client.post("/api/posts/measure", json={"post_id": post["id"], "content": text}),
    ]
    for answer in answers:
        body = answer.get_json()
        assert answer.status_code == 200, body
        assert {"ok", "measured_length", "limit", "unit", "violations"} <= set(body)
        preview = body["preview"]
        assert preview["length"] == body["measured_length"] == 9 + 23 + 9
        link = preview["shown"][1]
        assert link == {
            "kind": "link",
            "text": "example.com/lighthouse/a-v…",
            "target": "https://example.com/lighthouse/a-very-long-path-to-the-book",
        }


def test_a_price_code_in_turkish_capitals_is_measured_not_a_crash(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    """ "İNR" matches the price-code pattern (IGNORECASE) but casefolds to "i̇nr": the gate once
    raised a KeyError on it. It is a price the book does not state."""
    book_id = client.post("/api/books", json=book_payload).get_json()["book"]["id"]
    answer = client.post(
        "/api/posts/measure",
        json={"platform": "facebook", "book_id": book_id, "content": "Only İNR 40 today."},
    )
    body = answer.get_json()
    assert answer.status_code == 200, body
    assert any(
        v["code"] == "ungrounded_price" and "İNR 40" in v["message"] for v in body["violations"]
    )
