"""The book profile form: create and edit every field, and show the API's field errors."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.integration.dashboard.conftest import csrf_from

FORM = {
    "user_id": "alice",
    "title": "The Lighthouse Keeper",
    "subtitle": "A novel",
    "author": "A. Writer",
    "genre": "literary fiction",
    "blurb": "A keeper of a remote lighthouse finds a message in a bottle.",
    "target_audience": "readers of quiet fiction",
    "key_themes": "grief, the sea",
    "tone": "warm, wry",
    "content_guidelines": "No spoilers.",
    "hashtags": "#BookTok LiteraryFiction",
    "links.amazon": "https://www.amazon.com/dp/B000000000",
    "links.audible": "",
    "links.landing_page": "https://example.com/lighthouse",
    "links.other": "bookshop: https://bookshop.org/lighthouse",
    "launch_date": "2027-03-01",
    "price": "4.99 USD",
    "cover_image_url": "",
    "quotes": "The sea keeps what it is given.\nAnd returns what it must.",
    "reviews": "A luminous, aching novel. | Book Review Weekly\nQuietly devastating.",
    "timezone": "Europe/Berlin",
    "human_in_loop": "on",
}


def post_form(client: FlaskClient, **changes: str) -> Any:
    form = {**FORM, **changes, "csrf_token": csrf_from(client, "/book")}
    return client.post("/book", data={k: v for k, v in form.items() if v is not None})


def test_the_form_creates_a_book_with_every_field(client: FlaskClient) -> None:
    response = post_form(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    books = client.get("/api/books").get_json()["books"]
    assert len(books) == 1
    book = books[0]
    assert book["user_id"] == "alice"
    assert book["key_themes"] == ["grief", "the sea"]
    assert book["hashtags"] == ["#BookTok", "#LiteraryFiction"]
    assert book["quotes"] == ["The sea keeps what it is given.", "And returns what it must."]
    assert book["reviews"] == [
        {"text": "A luminous, aching novel.", "source": "Book Review Weekly"},
        {"text": "Quietly devastating.", "source": None},
    ]
    assert book["links"]["bookshop"] == "https://bookshop.org/lighthouse"
    assert book["links"]["amazon"] == "https://www.amazon.com/dp/B000000000"
    assert book["launch_date"] == "2027-03-01"
    assert book["timezone"] == "Europe/Berlin"
    assert book["human_in_loop"] is True
    page = client.get("/book").get_data(as_text=True)
    assert "Book profile created." in page
    assert "A luminous, aching novel. | Book Review Weekly" in page


def test_the_form_edits_the_current_book(client: FlaskClient) -> None:
    post_form(client)
    response = post_form(client, title="The Lighthouse Keeper's Daughter", human_in_loop=None)
    assert response.status_code == 302
    books = client.get("/api/books").get_json()["books"]
    assert len(books) == 1
    assert books[0]["title"] == "The Lighthouse Keeper's Daughter"
    assert books[0]["human_in_loop"] is False


def test_field_errors_are_shown_next_to_their_fields(client: FlaskClient) -> None:
    response = post_form(
        client,
        title="",
        **{"links.amazon": "not a url", "links.other": "no url here"},
        launch_date="someday",
        timezone="Mars/Olympus",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="error-title"' in page and "is required" in page
    assert 'id="error-links-amazon"' in page and "must be a full web address" in page
    assert 'id="error-links-other"' in page and "line 1: write each link as name" in page
    assert 'id="error-launch_date"' in page
    assert 'id="error-timezone"' in page and "IANA timezone" in page
    assert 'aria-invalid="true"' in page
    assert 'href="#links-amazon"' in page  # the summary links to the field
    assert "not a url" in page  # what was typed is kept
    assert client.get("/api/books").get_json()["count"] == 0


def test_an_indexed_error_names_the_line(client: FlaskClient) -> None:
    response = post_form(client, hashtags="#ok #not#valid")
    assert response.status_code == 422
    assert "hashtag 2:" in response.get_data(as_text=True)


def test_an_admin_must_name_the_author_account(client: FlaskClient) -> None:
    response = post_form(client, user_id="")
    assert response.status_code == 422
    assert 'id="error-user_id"' in response.get_data(as_text=True)


def test_a_second_book_can_be_added_and_switched_to(client: FlaskClient) -> None:
    post_form(client)
    form = {**FORM, "title": "Second Book", "new": "1", "csrf_token": csrf_from(client, "/book")}
    assert client.post("/book", data=form).status_code == 302
    books = client.get("/api/books").get_json()["books"]
    assert [b["title"] for b in books] == ["The Lighthouse Keeper", "Second Book"]
    assert "Second Book" in client.get("/book").get_data(as_text=True)  # the new one is current
    token = csrf_from(client, "/")
    switch = client.post(
        "/book/select", data={"book_id": books[0]["id"], "next": "/book", "csrf_token": token}
    )
    assert switch.headers["Location"] == "/book"
    page = client.get("/book").get_data(as_text=True)
    assert 'value="The Lighthouse Keeper"' in page
