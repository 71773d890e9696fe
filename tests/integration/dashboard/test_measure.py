"""`POST /api/posts/measure`: the live counter's numbers, in each platform's unit."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.integration.dashboard.conftest import ADMIN_TOKEN
from tests.integration.dashboard.conftest import csrf_from
from tests.integration.dashboard.conftest import sign_in


def measure(client: FlaskClient, **body: Any) -> Any:
    return client.post("/api/posts/measure", json=body)


def test_twitter_counts_weighted_characters(client: FlaskClient) -> None:
    body = measure(client, platform="twitter", content="a" * 280).get_json()
    assert body["unit"] == "weighted"
    assert (body["measured_length"], body["limit"], body["ok"]) == (280, 280, True)
    over = measure(client, platform="x", content="a" * 281).get_json()
    assert over["platform"] == "twitter"
    assert over["ok"] is False
    assert [v["code"] for v in over["violations"]] == ["too_long"]
    link = measure(client, platform="twitter", content="see https://example.com/" + "p" * 80)
    assert link.get_json()["measured_length"] == 4 + 23  # every URL weighs 23
    emoji = measure(client, platform="twitter", content="📚📚")
    assert emoji.get_json()["measured_length"] == 4


def test_bluesky_counts_graphemes_and_caps_bytes(client: FlaskClient) -> None:
    family = "👨‍👩‍👧‍👦"
    body = measure(client, platform="bluesky", content=family * 3).get_json()
    assert body["unit"] == "graphemes"
    assert body["measured_length"] == 3
    assert body["measured_bytes"] == len((family * 3).encode())
    assert body["max_bytes"] is not None


def test_an_empty_text_is_not_ok(client: FlaskClient) -> None:
    body = measure(client, platform="mastodon", content="   ").get_json()
    assert body["ok"] is False and body["violations"][0]["code"] == "empty"


def test_with_a_post_id_the_edit_gets_the_full_check(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    client.post("/api/books", json=book_payload)
    post = client.post(
        "/api/generate-posts",
        json={"user_id": "alice", "platforms": ["mastodon"], "count_per_platform": 1},
    ).get_json()["posts"][0]
    same = measure(client, post_id=post["id"], content=post["content"]).get_json()
    assert same["ok"] is True and same["platform"] == "mastodon"
    assert same["measured_length"] == post["measured_length"]
    ungrounded = measure(client, post_id=post["id"], content="Now only $1.99, a bestseller!")
    body = ungrounded.get_json()
    assert body["ok"] is False
    assert body["violations"]  # price and claim are not in the profile
    edit = client.patch(
        f"/api/posts/{post['id']}", json={"content": "Now only $1.99, a bestseller!"}
    )
    assert edit.status_code == 422  # what the counter says is what saving does


def test_bad_requests_are_422_and_unknown_posts_404(client: FlaskClient) -> None:
    assert measure(client, content="hi").status_code == 422
    unknown = measure(client, platform="myspace", content="hi")
    assert unknown.status_code == 422
    assert "myspace" in unknown.get_json()["error"]
    assert measure(client, post_id="nope", content="hi").status_code == 404


def test_measure_needs_auth_and_the_csrf_header_from_a_session(
    auth_client: FlaskClient,
) -> None:
    assert measure(auth_client, platform="twitter", content="hi").status_code == 401
    bearer = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    ok = auth_client.post(
        "/api/posts/measure", json={"platform": "twitter", "content": "hi"}, headers=bearer
    )
    assert ok.status_code == 200
    sign_in(auth_client, ADMIN_TOKEN)
    refused = measure(auth_client, platform="twitter", content="hi")
    assert refused.status_code == 403 and refused.get_json()["code"] == "csrf_failed"
    token = csrf_from(auth_client, "/")
    allowed = auth_client.post(
        "/api/posts/measure",
        json={"platform": "twitter", "content": "hi"},
        headers={"X-CSRF-Token": token},
    )
    assert allowed.status_code == 200 and allowed.get_json()["measured_length"] == 2


def test_the_openapi_document_lists_the_measure_route(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    assert "post" in spec["paths"]["/api/posts/measure"]
