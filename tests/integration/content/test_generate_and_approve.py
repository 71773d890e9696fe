"""generate-posts (sync and async), the approval queue and the post resource, over HTTP."""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.db.models import Post
from bookagent.platforms import get_rules
from bookagent.platforms import measure
from bookagent.platforms.threads import post_size
from bookagent.settings import Settings
from bookagent.web.app import create_app
from tests.conftest import SettingsFactory
from tests.fakes.llm_server import fake_llm_servers
from tests.support.polling import wait_until


@pytest.fixture
def book(client: FlaskClient, book_payload: dict[str, Any]) -> dict[str, Any]:
    return dict(client.post("/api/books", json=book_payload).get_json()["book"])


def generate(client: FlaskClient, **body: Any) -> Any:
    return client.post("/api/generate-posts", json={"user_id": "alice", **body})


def finished(client: FlaskClient, task_id: str) -> dict[str, Any]:
    return wait_until(
        lambda: (
            (s := client.get(f"/api/task-status/{task_id}").get_json())["status"]
            in ("SUCCESS", "FAILURE", "REVOKED")
            and s
        ),
        60,
        what="generation task",
    )


def test_small_batch_is_written_synchronously(client: FlaskClient, book: dict[str, Any]) -> None:
    response = generate(
        client, platforms=["x", "instagram", "bluesky"], count_per_platform=1, seed=7
    )
    body = response.get_json()
    assert response.status_code == 200
    assert body["posts_generated"] == 3 == len(body["posts"])
    assert {p["platform"] for p in body["posts"]} == {"twitter", "instagram", "bluesky"}
    for post in body["posts"]:
        assert post["status"] == "pending_approval"
        # A thread (X, Bluesky) is measured post by post: its longest post is its length.
        size = post_size(get_rules(post["platform"]), post["content"])
        assert post["measured_length"] == size.length
        assert post["measured_length"] <= post["limit"]
        assert post["provider"] == "template" and post["prompt_hash"]
        assert post["generation_metadata"]["validation"]["ok"] is True


def test_large_or_async_batches_become_a_task(client: FlaskClient, book: dict[str, Any]) -> None:
    response = generate(client, platforms=["twitter", "mastodon", "linkedin"], count_per_platform=4)
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "content_generation_queued"
    assert body["message"] == ("Generating 12 posts in background. Check task status for results.")
    status = finished(client, body["task_id"])
    assert status["status"] == "SUCCESS"
    assert status["progress"]["current"] == status["progress"]["total"] == 12
    result = status["result"]
    assert result["count"] == len(result["posts"]) == 12 and result["rejected"] == []
    small_async = generate(client, platforms=["twitter"], count_per_platform=1)
    assert small_async.status_code == 200
    forced = client.post("/api/generate-posts", json={"user_id": "alice", "async": True})
    assert forced.status_code == 202


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platforms": ["myspace"]}, "platforms"),
        ({"platforms": []}, "platforms"),
        ({"count_per_platform": 0}, "count_per_platform"),
        ({"count_per_platform": 51}, "count_per_platform"),
        ({"post_types": ["limerick"]}, "post_types"),
        ({"provider": "gpt-9"}, "provider"),
        ({"provider": "openai"}, "provider"),  # not configured here
    ],
)
def test_bad_generation_requests_are_422(
    client: FlaskClient, book: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    response = generate(client, **body)
    assert response.status_code == 422
    assert field in [d["field"] for d in response.get_json()["details"]]


def test_generation_needs_a_book(client: FlaskClient, book_payload: dict[str, Any]) -> None:
    missing = generate(client)
    assert missing.status_code == 404
    assert "POST /api/books" in missing.get_json()["error"]
    client.post("/api/books", json=book_payload)
    client.post("/api/books", json={**book_payload, "title": "Another"})
    several = generate(client)
    assert several.status_code == 422
    assert several.get_json()["details"][0]["field"] == "book_id"
    assert generate(client, book_id="nope").status_code == 404


def test_exhausted_budget_answers_429_with_budget_status(
    make_settings: SettingsFactory, book_payload: dict[str, Any]
) -> None:
    services = build_services(make_settings(writers={"monthly_budget_usd": 0.01}))
    client = create_app(services=services).test_client()
    try:
        book_id = client.post("/api/books", json=book_payload).get_json()["book"]["id"]
        assert generate(client, platforms=["twitter"]).status_code == 200
        with services.db.session() as session:
            post = session.query(Post).filter_by(book_id=book_id).one()
            post.cost_usd = 0.02
        response = generate(client, platforms=["twitter"])
        assert response.status_code == 429
        status = response.get_json()["budget_status"]
        assert status["exhausted"] is True and status["spent_usd"] == 0.02
        assert generate(client, platforms=["twitter"], count_per_platform=10).status_code == 429
    finally:
        services.close(grace_s=1)


def test_approve_reject_and_pending(client: FlaskClient, book: dict[str, Any]) -> None:
    posts = generate(
        client, platforms=["twitter", "facebook"], count_per_platform=2, seed=3
    ).get_json()["posts"]
    first, second, third = posts[0]["id"], posts[1]["id"], posts[2]["id"]

    approved = client.post("/api/approve-post", json={"post_id": first}).get_json()
    # No time given: the post takes the next free slot (API.md).
    assert approved["status"] == "approved_and_scheduled" and approved["scheduled_time"]
    assert approved["post"]["status"] == "scheduled" and approved["post"]["approved_at"]
    assert client.post("/api/approve-post", json={"post_id": first}).status_code == 409
    assert client.post("/api/reject-post", json={"post_id": first}).status_code == 409

    scheduled = client.post(
        "/api/approve-post", json={"post_id": second, "scheduled_time": "2099-05-01T09:00:00"}
    ).get_json()
    assert scheduled["status"] == "approved_and_scheduled"
    assert scheduled["scheduled_time"] == "2099-05-01T07:00:00+00:00"  # Europe/Berlin, CEST
    past = client.post(
        "/api/approve-post", json={"post_id": third, "scheduled_time": "2001-01-01T00:00:00Z"}
    )
    assert past.status_code == 422

    rejected = client.post("/api/reject-post", json={"post_id": third, "reason": "off-brand"})
    assert rejected.get_json()["message"] == "Post rejected successfully"
    assert rejected.get_json()["post"]["rejection_reason"] == "off-brand"
    assert client.post("/api/approve-post", json={"post_id": third}).status_code == 409
    assert client.post("/api/approve-post", json={"post_id": "nope"}).status_code == 404
    assert client.post("/api/reject-post", json={"post_id": "nope"}).status_code == 404

    pending = client.get("/api/pending-posts/alice").get_json()
    assert [p["id"] for p in pending["posts"]] == [posts[3]["id"]]
    assert pending["count"] == 1 and pending["next_cursor"] is None


def test_pending_posts_are_paginated_oldest_first(
    client: FlaskClient, book: dict[str, Any]
) -> None:
    generate(
        client,
        platforms=["twitter", "facebook", "mastodon", "linkedin", "threads"],
        count_per_platform=1,
    )
    seen, cursor = [], None
    for _ in range(5):
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/pending-posts/alice{query}").get_json()
        seen += page["posts"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 == len({p["id"] for p in seen})
    assert [p["created_at"] for p in seen] == sorted(p["created_at"] for p in seen)
    assert client.get("/api/pending-posts/alice?cursor=garbage").status_code == 422


def test_edit_is_revalidated_and_past_the_limit_is_refused(
    client: FlaskClient, book: dict[str, Any]
) -> None:
    post = generate(client, platforms=["twitter"]).get_json()["posts"][0]
    too_long = client.patch(f"/api/posts/{post['id']}", json={"content": "word " * 80})
    body = too_long.get_json()
    assert too_long.status_code == 422
    assert body["details"][0]["field"] == "content"
    assert "over the twitter limit of 280" in body["error"]
    text = "Quiet books for loud weeks. #BookTok"
    fine = client.patch(f"/api/posts/{post['id']}", json={"content": text})
    assert fine.status_code == 200
    assert fine.get_json()["post"]["measured_length"] == measure("twitter", text)
    unquoted = client.post(
        "/api/approve-post",
        json={"post_id": post["id"], "content": 'Critics call it "the best novel of the decade".'},
    )
    assert unquoted.status_code == 422  # an invented quotation is not grounded
    assert client.get(f"/api/posts/{post['id']}").get_json()["post"]["status"] == "pending_approval"


def test_posts_filters_and_delete(client: FlaskClient, book: dict[str, Any]) -> None:
    generate(client, platforms=["twitter", "facebook"], count_per_platform=2)
    twitter = client.get("/api/posts?platform=x").get_json()
    assert twitter["count"] == 2 and {p["platform"] for p in twitter["posts"]} == {"twitter"}
    pending = client.get(f"/api/posts?status=pending_approval&book_id={book['id']}").get_json()
    assert pending["count"] == 4
    assert client.get("/api/posts?status=bogus").status_code == 422
    assert client.get("/api/posts?from=2999-01-01T00:00:00Z").get_json()["count"] == 0
    victim = twitter["posts"][0]["id"]
    assert client.delete(f"/api/posts/{victim}").status_code == 200
    assert client.get(f"/api/posts/{victim}").status_code == 404


def test_partial_progress_survives_a_revoke(
    make_settings: SettingsFactory, book_payload: dict[str, Any]
) -> None:
    lines = itertools.cycle(
        [
            "What would you keep if the sea took everything else? #BookTok",
            "Grief, salt wind and one stubborn lighthouse. #LiteraryFiction",
            "Some letters arrive years late and right on time. #BookTok",
            "A keeper, a bottle, a message she was never meant to read. #BookLovers",
            "Quiet novels can still knock the breath out of you. #LiteraryFiction",
        ]
    )
    lock = threading.Lock()

    def reply(_: Any) -> str:
        with lock:
            return next(lines)

    with fake_llm_servers() as start:
        server = start(latency_s=0.4, reply=reply)
        settings: Settings = make_settings(
            writers={
                "default": "openai",
                "openai_base_url": server.openai_base_url,
                "concurrency": 1,
                "max_retries": 0,
            }
        )
        services = build_services(settings)
        client = create_app(services=services).test_client()
        try:
            client.post("/api/books", json=book_payload)
            task_id = generate(
                client, platforms=["twitter"], count_per_platform=30, post_types=["hook_question"]
            ).get_json()["task_id"]
            wait_until(
                lambda: (
                    client.get(f"/api/task-status/{task_id}").get_json()["progress"]["current"] >= 2
                ),
                30,
                what="two posts written",
            )
            client.post(f"/api/tasks/revoke/{task_id}", json={"terminate": True})
            status = finished(client, task_id)
            assert status["status"] == "REVOKED"
            kept = client.get("/api/posts").get_json()["count"]
            assert 2 <= kept < 30
        finally:
            services.close(grace_s=1)


def test_fifty_concurrent_approvals_have_exactly_one_winner(
    make_settings: SettingsFactory, database_url: str, book_payload: dict[str, Any]
) -> None:
    services: Services = build_services(make_settings(db={"url": database_url}))
    app = create_app(services=services)
    try:
        client = app.test_client()
        client.post("/api/books", json=book_payload)
        post_id = generate(client, platforms=["twitter"]).get_json()["posts"][0]["id"]
        barrier = threading.Barrier(50)

        def approve(_: int) -> int:
            local = app.test_client()
            barrier.wait()
            return int(local.post("/api/approve-post", json={"post_id": post_id}).status_code)

        with ThreadPoolExecutor(50) as pool:
            codes = list(pool.map(approve, range(50)))
        assert sorted(codes) == [200] + [409] * 49
    finally:
        services.close(grace_s=1)
