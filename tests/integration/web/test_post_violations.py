"""A hand-written post text is refused with every reason, by code and in words (422)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

INVENTED = "“A masterpiece” — The Guardian #BookTok"


@pytest.fixture
def post(client: FlaskClient, book_payload: dict[str, Any]) -> dict[str, Any]:
    assert client.post("/api/books", json=book_payload).status_code == 201
    answer = client.post("/api/generate-posts", json={"user_id": "alice", "platforms": ["twitter"]})
    return dict(answer.get_json()["posts"][0])


def assert_refused_with_reasons(answer: Any) -> None:
    body = answer.get_json()
    assert answer.status_code == 422
    assert body["code"] == "invalid_input"
    violations = body["validation"]["violations"]
    assert "ungrounded_quote" in [v["code"] for v in violations]
    assert all(set(v) == {"code", "message"} and v["message"] for v in violations)
    # The same reasons, per field, in the envelope every 422 has.
    assert body["details"] == [{"field": "content", "message": v["message"]} for v in violations]
    assert body["validation"]["ok"] is False


def test_an_edit_with_an_invented_quote_answers_422_with_each_violation(
    client: FlaskClient, post: dict[str, Any]
) -> None:
    answer = client.patch(f"/api/posts/{post['id']}", json={"content": INVENTED})

    assert_refused_with_reasons(answer)
    kept = client.get(f"/api/posts/{post['id']}").get_json()["post"]
    assert kept["content"] == post["content"]


def test_approving_with_an_invented_quote_answers_422_with_each_violation(
    client: FlaskClient, post: dict[str, Any]
) -> None:
    answer = client.post("/api/approve-post", json={"post_id": post["id"], "content": INVENTED})

    assert_refused_with_reasons(answer)
    kept = client.get(f"/api/posts/{post['id']}").get_json()["post"]
    assert kept["status"] == "pending_approval"
