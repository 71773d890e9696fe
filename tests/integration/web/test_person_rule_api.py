"""`rules.person` over HTTP: stored, shown back, enforced on an edit; a bad value is a 422."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient


def test_person_is_stored_and_enforced(client: FlaskClient, book_payload: dict[str, Any]) -> None:
    book_payload["rules"] = {"person": "we"}
    created = client.post("/api/books", json=book_payload)
    assert created.status_code == 201, created.get_json()
    book = created.get_json()["book"] if "book" in created.get_json() else created.get_json()
    assert book["rules"]["person"] == "we"

    answer = client.post(
        "/api/posts/measure",
        json={
            "platform": "twitter",
            "book_id": book["id"],
            "content": "I loved writing it. #BookTok",
        },
    )
    assert [v["code"] for v in answer.get_json()["violations"]] == ["person"]
    fine = client.post(
        "/api/posts/measure",
        json={
            "platform": "twitter",
            "book_id": book["id"],
            "content": "We loved making it. #BookTok",
        },
    )
    assert fine.get_json()["ok"] is True, fine.get_json()


def test_an_unknown_person_is_refused(client: FlaskClient, book_payload: dict[str, Any]) -> None:
    book_payload["rules"] = {"person": "they"}
    answer = client.post("/api/books", json=book_payload)
    assert answer.status_code == 422
    assert "rules.person" in str(answer.get_json())
