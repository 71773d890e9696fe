"""The same text on a second platform is refused (422, `cross_platform_duplicate`) unless the
post is marked `cross_posted`, over HTTP, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from bookagent.settings import Settings
from tests.conftest import SettingsFactory

TEXT = "Quiet books for loud weeks: a keeper, a lighthouse, a message in a bottle. #BookTok"


@pytest.fixture
def settings(make_settings: SettingsFactory, database_url: str) -> Settings:
    return make_settings(db={"url": database_url})


@pytest.fixture
def posts(client: FlaskClient, book_payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One pending post per platform, the twitter one edited to `TEXT`."""
    assert client.post("/api/books", json=book_payload).status_code == 201
    answer = client.post(
        "/api/generate-posts",
        json={"user_id": "alice", "platforms": ["twitter", "facebook", "mastodon"], "seed": 3},
    )
    assert answer.status_code == 200, answer.get_json()
    by_platform = {p["platform"]: p for p in answer.get_json()["posts"]}
    assert set(by_platform) == {"twitter", "facebook", "mastodon"}
    assert all(p["cross_posted"] is False for p in by_platform.values())
    edited = client.patch(f"/api/posts/{by_platform['twitter']['id']}", json={"content": TEXT})
    assert edited.status_code == 200, edited.get_json()
    return by_platform


def codes(answer: Any) -> list[str]:
    return [v["code"] for v in answer.get_json()["validation"]["violations"]]


def test_the_same_text_for_a_second_platform_is_refused(
    client: FlaskClient, posts: dict[str, dict[str, Any]]
) -> None:
    facebook = posts["facebook"]["id"]
    answer = client.patch(f"/api/posts/{facebook}", json={"content": TEXT})

    assert answer.status_code == 422
    body = answer.get_json()
    assert body["code"] == "invalid_input"
    assert codes(answer) == ["cross_platform_duplicate"]
    assert body["details"][0]["field"] == "content"
    assert "Mark the post as cross-posted to allow it." in body["error"]
    kept = client.get(f"/api/posts/{facebook}").get_json()["post"]
    assert kept["content"] == posts["facebook"]["content"] and kept["cross_posted"] is False


def test_a_cross_posted_post_may_repeat_another_platforms_text(
    client: FlaskClient, posts: dict[str, dict[str, Any]]
) -> None:
    facebook = posts["facebook"]["id"]
    answer = client.patch(f"/api/posts/{facebook}", json={"content": TEXT, "cross_posted": True})

    assert answer.status_code == 200, answer.get_json()
    post = answer.get_json()["post"]
    assert post["content"] == TEXT and post["cross_posted"] is True
    assert client.get(f"/api/posts/{facebook}").get_json()["post"]["cross_posted"] is True
    # Taking the mark away checks the text again.
    unmarked = client.patch(f"/api/posts/{facebook}", json={"cross_posted": False})
    assert unmarked.status_code == 422
    assert codes(unmarked) == ["cross_platform_duplicate"]
    # A cross-post is a copy: the original's text still counts on a third platform, the copy's
    # does not stop the original from being edited.
    mastodon = client.patch(f"/api/posts/{posts['mastodon']['id']}", json={"content": TEXT})
    assert codes(mastodon) == ["cross_platform_duplicate"]
    original = client.patch(f"/api/posts/{posts['twitter']['id']}", json={"content": TEXT + " ✨"})
    assert original.status_code == 200, original.get_json()


def test_the_mark_can_be_set_alone_or_when_approving(
    client: FlaskClient, posts: dict[str, dict[str, Any]]
) -> None:
    mastodon = posts["mastodon"]["id"]
    marked = client.patch(f"/api/posts/{mastodon}", json={"cross_posted": True})
    assert marked.status_code == 200 and marked.get_json()["post"]["cross_posted"] is True
    assert client.patch(f"/api/posts/{mastodon}", json={}).status_code == 422

    facebook = posts["facebook"]["id"]
    refused = client.post("/api/approve-post", json={"post_id": facebook, "content": TEXT})
    assert refused.status_code == 422 and codes(refused) == ["cross_platform_duplicate"]
    approved = client.post(
        "/api/approve-post", json={"post_id": facebook, "content": TEXT, "cross_posted": True}
    )
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["post"]["cross_posted"] is True


def test_measure_checks_a_text_as_the_post_is_marked_or_as_asked(
    client: FlaskClient, posts: dict[str, dict[str, Any]]
) -> None:
    facebook = posts["facebook"]["id"]
    as_is = client.post("/api/posts/measure", json={"post_id": facebook, "content": TEXT})
    assert as_is.status_code == 200
    assert [v["code"] for v in as_is.get_json()["violations"]] == ["cross_platform_duplicate"]
    as_cross_post = client.post(
        "/api/posts/measure", json={"post_id": facebook, "content": TEXT, "cross_posted": True}
    )
    assert as_cross_post.get_json()["ok"] is True
