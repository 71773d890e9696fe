"""The book profile resource, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from bookagent.settings import Settings
from tests.conftest import SettingsFactory


@pytest.fixture
def settings(make_settings: SettingsFactory, database_url: str) -> Settings:
    return make_settings(db={"url": database_url})


def test_create_then_get_returns_every_field(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    created = client.post("/api/books", json=book_payload)
    assert created.status_code == 201
    book = created.get_json()["book"]
    assert created.headers["Location"] == f"/api/books/{book['id']}"
    fetched = client.get(f"/api/books/{book['id']}").get_json()["book"]
    assert fetched == book
    assert fetched["hashtags"] == ["#BookTok", "#LiteraryFiction"]
    assert fetched["launch_date"] == "2027-03-01"
    assert fetched["links"]["amazon"] == "https://www.amazon.com/dp/B000000000"
    assert fetched["created_at"].endswith("+00:00")
    assert fetched["human_in_loop"] is True


def test_list_put_patch_delete(client: FlaskClient, book_payload: dict[str, Any]) -> None:
    book_id = client.post("/api/books", json=book_payload).get_json()["book"]["id"]
    listed = client.get("/api/books?user_id=alice").get_json()
    assert listed["count"] == 1 and listed["books"][0]["id"] == book_id

    replacement = {**book_payload, "title": "The Second Light", "quotes": []}
    put = client.put(f"/api/books/{book_id}", json=replacement)
    assert put.status_code == 200
    assert put.get_json()["book"]["title"] == "The Second Light"
    assert put.get_json()["book"]["quotes"] == []

    patch = client.patch(
        f"/api/books/{book_id}", json={"price": "2.99 USD", "human_in_loop": False}
    )
    body = patch.get_json()["book"]
    assert patch.status_code == 200
    assert (body["price"], body["human_in_loop"], body["title"]) == (
        "2.99 USD",
        False,
        "The Second Light",
    )

    assert client.delete(f"/api/books/{book_id}").status_code == 200
    assert client.get(f"/api/books/{book_id}").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"launch_date": "2027-02-30"}, "launch_date"),
        ({"links": {"amazon": "not a url"}}, "links.amazon"),
        ({"cover_image_url": "ftp://x"}, "cover_image_url"),
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"hashtags": ["two words"]}, "hashtags.0"),
        ({"key_themes": "grief"}, "key_themes"),
        ({"human_in_loop": "perhaps"}, "human_in_loop"),
    ],
)
def test_invalid_fields_answer_422_naming_the_field(
    client: FlaskClient, book_payload: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    response = client.post("/api/books", json={**book_payload, **change})
    body = response.get_json()
    assert response.status_code == 422
    assert body["success"] is False and body["code"] == "invalid_input"
    assert field in [d["field"] for d in body["details"]]


def test_missing_required_fields_are_each_named(client: FlaskClient) -> None:
    body = client.post("/api/books", json={"user_id": "alice"}).get_json()
    assert {"title", "author", "genre", "blurb"} <= {d["field"] for d in body["details"]}


def test_patch_is_validated_as_a_whole(client: FlaskClient, book_payload: dict[str, Any]) -> None:
    book_id = client.post("/api/books", json=book_payload).get_json()["book"]["id"]
    response = client.patch(f"/api/books/{book_id}", json={"timezone": "Nowhere/Land"})
    assert response.status_code == 422
    assert client.get(f"/api/books/{book_id}").get_json()["book"]["timezone"] == "Europe/Berlin"


def test_unknown_book_is_404_and_unknown_fields_are_ignored(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    assert client.get("/api/books/nope").status_code == 404
    response = client.post("/api/books", json={**book_payload, "include_recommendations": True})
    assert response.status_code == 201
