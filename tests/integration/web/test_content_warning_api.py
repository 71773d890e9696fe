"""`rules.content_warning` over HTTP: the book's warning is stored, given to each Mastodon post
written for it, counted with the text, shown in the preview, and changed or cleared per post."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from bookagent.platforms import measure

WARNING = "mentions of grief"  # 17 characters
#: A Mastodon text of 490 characters: it fits 500, not 500 less the warning.
LONG_TEXT = "A keeper of a remote lighthouse. #LiteraryFiction " + "word " * 88


def create(client: FlaskClient, payload: dict[str, Any], **rules: Any) -> dict[str, Any]:
    answer = client.post("/api/books", json={**payload, "rules": rules})
    assert answer.status_code == 201, answer.get_json()
    return dict(answer.get_json()["book"])


def generate(client: FlaskClient, book: dict[str, Any]) -> dict[str, dict[str, Any]]:
    answer = client.post(
        "/api/generate-posts",
        json={"book_id": book["id"], "platforms": ["mastodon", "twitter"], "count_per_platform": 1},
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["rejected"] == []
    return {post["platform"]: post for post in answer.get_json()["posts"]}


def fetch(client: FlaskClient, post_id: str) -> dict[str, Any]:
    return dict(client.get(f"/api/posts/{post_id}").get_json()["post"])


def test_the_warning_is_stored_stripped_and_empty_means_none(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book = create(client, book_payload, content_warning=f"  {WARNING} ")
    assert book["rules"]["content_warning"] == WARNING
    assert client.get(f"/api/books/{book['id']}").get_json()["book"]["rules"] == book["rules"]
    cleared = client.patch(f"/api/books/{book['id']}", json={"rules": {"content_warning": " "}})
    assert cleared.status_code == 200, cleared.get_json()
    assert cleared.get_json()["book"]["rules"]["content_warning"] is None


def test_a_warning_over_100_characters_is_refused_naming_the_field(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book_payload["rules"] = {"content_warning": "x" * 101}
    answer = client.post("/api/books", json=book_payload)
    assert answer.status_code == 422
    assert "rules.content_warning" in str(answer.get_json())
    book_payload["rules"] = {"content_warning": "x" * 100}
    assert client.post("/api/books", json=book_payload).status_code == 201


def test_mastodon_posts_carry_the_books_warning_and_count_it(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book = create(client, book_payload, content_warning=WARNING)
    posts = generate(client, book)
    mastodon, twitter = posts["mastodon"], posts["twitter"]
    assert mastodon["generation_metadata"]["content_warning"] == WARNING
    assert "content_warning" not in twitter["generation_metadata"]
    # Counted as Mastodon counts: the warning with the text, against the whole limit.
    assert mastodon["measured_length"] == measure("mastodon", mastodon["content"]) + len(WARNING)
    assert mastodon["limit"] == 500
    preview = fetch(client, mastodon["id"])["preview"]
    assert preview["content_warning"] == WARNING
    assert preview["shown"] == [] and preview["folded"] and preview["more_label"] == "Show more"
    assert (preview["length"], preview["limit"]) == (mastodon["measured_length"], 500)
    assert fetch(client, twitter["id"])["preview"]["content_warning"] is None


def test_a_text_that_fits_only_without_the_warning_is_too_long(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    warned = create(client, book_payload, content_warning=WARNING)
    body = {"content": LONG_TEXT, "platform": "mastodon", "book_id": warned["id"]}
    answer = client.post("/api/posts/measure", json=body).get_json()
    assert [v["code"] for v in answer["violations"]] == ["too_long"]
    assert answer["violations"][0]["message"] == (
        "507 characters with the content warning's 17 is over the mastodon limit of 500."
    )
    assert (answer["measured_length"], answer["limit"]) == (507, 500)
    assert answer["preview"]["content_warning"] == WARNING
    plain = create(client, {**book_payload, "title": "Another Book"})
    body = {**body, "book_id": plain["id"]}
    assert client.post("/api/posts/measure", json=body).get_json()["ok"] is True
    # Other platforms have no warning field: nothing is taken from their room.
    body = {"content": "A keeper of a remote lighthouse. #BookTok", "platform": "bluesky"}
    answer = client.post("/api/posts/measure", json={**body, "book_id": warned["id"]})
    assert answer.get_json()["preview"]["content_warning"] is None


def test_one_posts_warning_is_changed_or_cleared(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book = create(client, book_payload, content_warning=WARNING)
    post = generate(client, book)["mastodon"]
    url = f"/api/posts/{post['id']}"

    changed = client.patch(url, json={"content_warning": "  spoilers for book one "})
    assert changed.status_code == 200, changed.get_json()
    edited = changed.get_json()["post"]
    assert edited["generation_metadata"]["content_warning"] == "spoilers for book one"
    assert edited["content"] == post["content"]
    length = measure("mastodon", post["content"])
    assert edited["measured_length"] == length + len("spoilers for book one")
    assert edited["preview"]["content_warning"] == "spoilers for book one"

    cleared = client.patch(url, json={"content_warning": None})
    assert cleared.status_code == 200, cleared.get_json()
    edited = cleared.get_json()["post"]
    assert "content_warning" not in edited["generation_metadata"]
    assert edited["measured_length"] == length
    assert edited["preview"]["content_warning"] is None and edited["preview"]["shown"]
    # The book's warning is the book's: a post cleared of its own keeps none.
    assert "content_warning" not in fetch(client, post["id"])["generation_metadata"]


def test_a_bad_warning_edit_is_refused_naming_its_field(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book = create(client, book_payload, content_warning=WARNING)
    posts = generate(client, book)
    mastodon, twitter = posts["mastodon"]["id"], posts["twitter"]["id"]

    for post_id, body in (
        (mastodon, {"content_warning": "x" * 101}),
        (twitter, {"content_warning": "mentions of grief"}),
        (twitter, {"content_warning": None}),
    ):
        answer = client.patch(f"/api/posts/{post_id}", json=body)
        assert answer.status_code == 422, (post_id, body)
        assert "content_warning" in str(answer.get_json()), answer.get_json()

    # A warning that leaves the text too little room fails on the text, and changes nothing.
    answer = client.patch(
        f"/api/posts/{mastodon}",
        json={"content": LONG_TEXT, "content_warning": "a longer warning than the book's"},
    )
    assert answer.status_code == 422
    assert "too_long" in {v["code"] for v in answer.get_json()["validation"]["violations"]}
    assert fetch(client, mastodon)["generation_metadata"]["content_warning"] == WARNING
