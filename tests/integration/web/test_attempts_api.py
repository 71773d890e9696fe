"""GET /api/posts/<id>/attempts: a post's audit trail, for whoever may see the post."""

from __future__ import annotations

from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.domain.identity import create_token
from bookagent.tasks.publishing import publish_one
from tests.support.factories import seed_due_posts


def test_a_published_post_lists_its_attempt(client: FlaskClient, services: Services) -> None:
    [post_id] = seed_due_posts(services, 1, platform="facebook", user_id="alice")
    assert publish_one(services, post_id) == "published"  # the outbox, by default
    body = client.get(f"/api/posts/{post_id}/attempts").get_json()
    assert body["count"] == 1
    [attempt] = body["attempts"]
    assert attempt["outcome"] == "published" and attempt["publisher"] == "outbox"
    assert attempt["note"] is None and attempt["started_at"] and attempt["finished_at"]


def test_another_users_post_is_not_found(client: FlaskClient, services: Services) -> None:
    [post_id] = seed_due_posts(services, 1, platform="facebook", user_id="bob")
    with services.db.session() as session:
        _, secret = create_token(session, user_id="alice", is_admin=False)
    alice = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"/api/posts/{post_id}/attempts", headers=alice).status_code == 404
    assert client.get("/api/posts/nope/attempts", headers=alice).status_code == 404


def test_a_signed_link_path_that_matches_no_route_answers_json(client: FlaskClient) -> None:
    """The webhook's image links are read by programs: even a path no route matches answers
    JSON, not the dashboard's HTML page."""
    answer = client.get("/media/signed/..%2f..%2fetc%2fpasswd")
    assert answer.status_code == 404 and answer.is_json
    assert client.get("/media/signed/AAAA").status_code == 403
