"""Evergreen posts: marking, the daily routine's repeats (cool-down, ranking, cap, approval) and
the dedupe exemption of a repeat against its own original only."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from bookagent.bootstrap import Services
from bookagent.db.base import utcnow
from bookagent.db.models import DailyRun
from bookagent.db.models import Post
from bookagent.domain.identity import create_token
from bookagent.domain.posts import content_hash
from bookagent.settings import Settings
from bookagent.tasks.daily import STEPS
from bookagent.tasks.daily import requeue_evergreen
from bookagent.tasks.daily import run_daily_routine

TODAY = date(2027, 6, 1)


@pytest.fixture
def settings(make_settings: Any, database_url: str) -> Settings:
    """Each test runs on SQLite and on PostgreSQL."""
    return make_settings(db={"url": database_url})


@pytest.fixture
def book_id(client: FlaskClient, book_payload: dict[str, Any]) -> str:
    return str(client.post("/api/books", json=book_payload).get_json()["book"]["id"])


def put_settings(client: FlaskClient, **settings: Any) -> Any:
    return client.put("/api/autonomous/settings", json={"user_id": "alice", **settings})


def written(client: FlaskClient, count: int, platform: str = "twitter") -> list[dict[str, Any]]:
    """`count` posts the template writer wrote for alice's book (pending)."""
    answer = client.post(
        "/api/generate-posts",
        json={"user_id": "alice", "platforms": [platform], "count_per_platform": count},
    )
    assert answer.status_code == 200, answer.get_json()
    posts = list(answer.get_json()["posts"])
    assert len(posts) == count
    return posts


def publish(services: Services, post_id: str, *, days_ago: float) -> None:
    """Make a post published `days_ago` days ago (and written a day before that)."""
    at = utcnow() - timedelta(days=days_ago)
    with services.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.status, post.published_at, post.scheduled_time = "published", at, at
        post.created_at = at - timedelta(days=1)


def published(
    client: FlaskClient, services: Services, count: int, *, days_ago: float, evergreen: bool = True
) -> list[str]:
    """`count` published posts of alice's book, each marked evergreen unless told otherwise."""
    ids = [post["id"] for post in written(client, count)]
    for post_id in ids:
        publish(services, post_id, days_ago=days_ago)
        if evergreen:
            answer = client.put(f"/api/posts/{post_id}/evergreen")
            assert answer.status_code == 200, answer.get_json()
    return ids


def repeats_of(services: Services, original_id: str) -> list[Post]:
    with services.db.session() as session:
        rows = session.scalars(
            select(Post).where(Post.evergreen_of == original_id).order_by(Post.created_at)
        )
        return [row for row in rows]


def record(client: FlaskClient, post_id: str, likes: int, impressions: int = 1000) -> None:
    answer = client.post(
        f"/api/posts/{post_id}/metrics", json={"likes": likes, "impressions": impressions}
    )
    assert answer.status_code == 201, answer.get_json()


# -- marking ------------------------------------------------------------------------------------


def test_only_a_published_post_is_marked_and_the_post_shows_the_mark(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    assert client.put("/api/posts/nope/evergreen").status_code == 404
    assert client.delete("/api/posts/nope/evergreen").status_code == 404

    pending = written(client, 1)[0]
    refused = client.put(f"/api/posts/{pending['id']}/evergreen")
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["code"] == "conflict"
    assert "only a published post can be marked evergreen" in body["error"]
    assert pending["evergreen"] is False and pending["evergreen_of"] is None

    publish(services, pending["id"], days_ago=2)
    marked = client.put(f"/api/posts/{pending['id']}/evergreen")
    assert marked.status_code == 200, marked.get_json()
    assert marked.get_json()["post"]["evergreen"] is True
    assert "preview" in marked.get_json()["post"]
    assert client.put(f"/api/posts/{pending['id']}/evergreen").status_code == 200  # idempotent
    shown = client.get(f"/api/posts/{pending['id']}").get_json()["post"]
    assert shown["evergreen"] is True and shown["evergreen_of"] is None

    unmarked = client.delete(f"/api/posts/{pending['id']}/evergreen")
    assert unmarked.status_code == 200
    assert unmarked.get_json()["post"]["evergreen"] is False
    assert client.delete(f"/api/posts/{pending['id']}/evergreen").status_code == 200
    assert client.get(f"/api/posts/{pending['id']}").get_json()["post"]["evergreen"] is False


def test_another_users_post_is_404(
    client: FlaskClient, services: Services, book_payload: dict[str, Any]
) -> None:
    with services.db.session() as session:
        _, alice = create_token(session, user_id="alice", is_admin=False)
        _, bob = create_token(session, user_id="bob", is_admin=False)
    as_alice = {"Authorization": f"Bearer {alice}"}
    as_bob = {"Authorization": f"Bearer {bob}"}
    client.post("/api/books", json={**book_payload, "user_id": None}, headers=as_alice)
    made = client.post(
        "/api/generate-posts",
        json={"platforms": ["twitter"], "count_per_platform": 1},
        headers=as_alice,
    )
    post_id = made.get_json()["posts"][0]["id"]
    publish(services, post_id, days_ago=1)
    assert client.put(f"/api/posts/{post_id}/evergreen", headers=as_bob).status_code == 404
    assert client.delete(f"/api/posts/{post_id}/evergreen", headers=as_bob).status_code == 404
    assert client.put(f"/api/posts/{post_id}/evergreen").status_code == 401
    assert client.put(f"/api/posts/{post_id}/evergreen", headers=as_alice).status_code == 200


def test_the_cool_down_is_a_setting_from_1_to_365_days(client: FlaskClient, book_id: str) -> None:
    default = client.get("/api/autonomous/settings?user_id=alice").get_json()["settings"]
    assert default["evergreen_cooldown_days"] == 30
    for bad in (0, 366, "soon"):
        answer = put_settings(client, evergreen_cooldown_days=bad)
        assert answer.status_code == 422, bad
        assert answer.get_json()["details"][0]["field"] == "evergreen_cooldown_days"
    good = put_settings(client, evergreen_cooldown_days=7)
    assert good.status_code == 200
    assert good.get_json()["settings"]["evergreen_cooldown_days"] == 7


# -- re-queuing ---------------------------------------------------------------------------------


def test_a_post_comes_back_after_the_cool_down_not_before(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    put_settings(client, posts_per_day={"twitter": 1})
    (original_id,) = published(client, services, 1, days_ago=29)

    early = requeue_evergreen(services, book_id, TODAY)
    assert early["queued"] == {} and early["repeats"] == []
    assert repeats_of(services, original_id) == []

    publish(services, original_id, days_ago=30)
    due = requeue_evergreen(services, book_id, TODAY)
    assert due["queued"] == {"twitter": 1}
    (repeat,) = repeats_of(services, original_id)
    assert due["repeats"][0]["post_id"] == repeat.id
    assert due["repeats"][0]["evergreen_of"] == original_id
    with services.db.session() as session:
        original = session.get(Post, original_id)
        assert original is not None
        for field in ("platform", "content", "hashtags", "links", "post_type", "media"):
            assert getattr(repeat, field) == getattr(original, field), field
    assert repeat.status == "pending_approval"
    assert repeat.evergreen is False
    assert repeat.published_at is None and repeat.remote_id is None
    assert repeat.generation_metadata["evergreen"]["repeat_of"] == original_id
    assert repeat.generation_metadata["validation"]["ok"] is True

    # The post JSON links the repeat to its original.
    shown = client.get(f"/api/posts/{repeat.id}").get_json()["post"]
    assert shown["evergreen_of"] == original_id and shown["evergreen"] is False


def test_a_rerun_of_the_day_makes_no_second_repeat_and_one_repeat_a_day_at_most(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    put_settings(client, posts_per_day={"twitter": 3})
    first, second = published(client, services, 2, days_ago=40)
    assert requeue_evergreen(services, book_id, TODAY)["queued"] == {"twitter": 1}
    # Room for two more, and another due post: still one repeat a day, and the rerun adds none.
    assert requeue_evergreen(services, book_id, TODAY)["queued"] == {}
    assert len(repeats_of(services, first)) + len(repeats_of(services, second)) == 1
    # The next day the other one comes; the first is not repeated twice while its repeat waits.
    tomorrow = requeue_evergreen(services, book_id, TODAY + timedelta(days=1))
    assert tomorrow["queued"] == {"twitter": 1}
    assert len(repeats_of(services, first)) == len(repeats_of(services, second)) == 1
    assert requeue_evergreen(services, book_id, TODAY + timedelta(days=2))["queued"] == {}


def test_no_room_in_the_pipeline_means_no_repeat(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    put_settings(client, posts_per_day={"twitter": 1})
    (original_id,) = published(client, services, 1, days_ago=40)
    written(client, 1)  # a pending post fills today's one place
    assert requeue_evergreen(services, book_id, TODAY)["queued"] == {}
    assert repeats_of(services, original_id) == []


def test_the_best_scoring_evergreen_post_comes_first(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    put_settings(client, posts_per_day={"twitter": 1})
    weak, strong, unread = published(client, services, 3, days_ago=45)
    record(client, weak, likes=5)
    record(client, strong, likes=60)
    outcome = requeue_evergreen(services, book_id, TODAY)
    assert [r["evergreen_of"] for r in outcome["repeats"]] == [strong]
    assert outcome["repeats"][0]["score"] > 0.5  # above the platform's typical post
    # The author turns the repeat down: it rests another cool-down, and the next best comes.
    (repeat,) = repeats_of(services, strong)
    assert client.post("/api/reject-post", json={"post_id": repeat.id}).status_code == 200
    after = requeue_evergreen(services, book_id, TODAY + timedelta(days=1))
    assert [r["evergreen_of"] for r in after["repeats"]] == [weak]
    # A post without figures comes after every measured one.
    (weak_repeat,) = repeats_of(services, weak)
    client.post("/api/reject-post", json={"post_id": weak_repeat.id})
    last = requeue_evergreen(services, book_id, TODAY + timedelta(days=2))
    assert [r["evergreen_of"] for r in last["repeats"]] == [unread]


def test_an_unmarked_post_is_not_repeated(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    put_settings(client, posts_per_day={"twitter": 1})
    (original_id,) = published(client, services, 1, days_ago=40)
    client.delete(f"/api/posts/{original_id}/evergreen")
    assert requeue_evergreen(services, book_id, TODAY)["queued"] == {}


def test_the_routine_queues_the_repeat_for_approval_and_records_it(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    put_settings(client, posts_per_day={"twitter": 1})
    (original_id,) = published(client, services, 1, days_ago=31)
    result = run_daily_routine(services, book_id, TODAY)
    assert list(result["steps"]) == list(STEPS) and STEPS[0] == "evergreen"
    assert result["steps"]["evergreen"]["ok"] is True
    assert result["steps"]["evergreen"]["repeats"][0]["evergreen_of"] == original_id
    # The repeat took the day's place: the top-up wrote nothing, and the human approves it.
    assert result["steps"]["top_up"]["written"] == {}
    assert result["steps"]["auto_approve"]["skipped"] == "human_in_loop"
    (repeat,) = repeats_of(services, original_id)
    assert repeat.status == "pending_approval"
    pending = client.get("/api/pending-posts/alice").get_json()["posts"]
    assert [p["evergreen_of"] for p in pending] == [original_id]
    with services.db.session() as session:
        run = session.scalar(select(DailyRun).where(DailyRun.book_id == book_id))
        assert run is not None
        assert run.steps["evergreen"]["repeats"][0]["post_id"] == repeat.id
    page = client.get("/approvals").get_data(as_text=True)
    assert "A repeat of an evergreen post" in page


def test_an_agent_that_auto_approves_approves_the_repeat_in_its_own_step(
    client: FlaskClient, services: Services, book_payload: dict[str, Any]
) -> None:
    book_id = client.post("/api/books", json={**book_payload, "human_in_loop": False}).get_json()[
        "book"
    ]["id"]
    put_settings(client, posts_per_day={"twitter": 1})
    (original_id,) = published(client, services, 1, days_ago=31)
    result = run_daily_routine(services, book_id, TODAY)
    assert result["steps"]["evergreen"]["queued"] == {"twitter": 1}
    assert result["steps"]["auto_approve"]["approved"] == 1
    assert result["steps"]["schedule"]["scheduled"] == 1
    (repeat,) = repeats_of(services, original_id)
    assert repeat.status == "scheduled" and repeat.approved_by == "autonomous-agent"


# -- the dedupe exemption -----------------------------------------------------------------------


def test_a_repeat_may_repeat_its_original_and_nothing_else_may(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    # A short cool-down: the original is still among the recent posts the dedupe compares with.
    put_settings(client, posts_per_day={"twitter": 1}, evergreen_cooldown_days=10)
    (original_id,) = published(client, services, 1, days_ago=10)
    text = client.get(f"/api/posts/{original_id}").get_json()["post"]["content"]
    assert requeue_evergreen(services, book_id, TODAY)["queued"] == {"twitter": 1}
    (repeat,) = repeats_of(services, original_id)

    # The repeat's text equals its original's, and checks pass: as an edit, and on approval.
    measured = client.post("/api/posts/measure", json={"post_id": repeat.id, "content": text})
    assert measured.get_json()["ok"] is True, measured.get_json()
    edited = client.patch(f"/api/posts/{repeat.id}", json={"content": text})
    assert edited.status_code == 200, edited.get_json()
    approved = client.post("/api/approve-post", json={"post_id": repeat.id, "content": text})
    assert approved.status_code == 200, approved.get_json()

    # A new draft with the same text is still a duplicate of the original (and the repeat).
    draft = client.post(
        "/api/posts/measure", json={"platform": "twitter", "book_id": book_id, "content": text}
    ).get_json()
    assert "near_duplicate" in [v["code"] for v in draft["violations"]]

    # So is another post that happens to say the same: it is no repeat of the original.
    with services.db.session() as session:
        other = Post(
            book_id=book_id,
            user_id="alice",
            platform="twitter",
            post_type="hook_question",
            content=text,
            content_hash=content_hash(text),
            measured_length=10,
            limit=280,
            provider="template",
            model="t",
            prompt_hash="p",
        )
        session.add(other)
        session.flush()
        other_id = other.id
    check = client.post("/api/posts/measure", json={"post_id": other_id, "content": text})
    assert "near_duplicate" in [v["code"] for v in check.get_json()["violations"]]
    refused = client.patch(f"/api/posts/{other_id}", json={"content": text})
    assert refused.status_code == 422
    codes = [v["code"] for v in refused.get_json()["validation"]["violations"]]
    assert "near_duplicate" in codes


def test_a_second_repeat_is_not_exempt_from_the_first(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    """Only the original is exempt: within the dedupe window, the first repeat still counts."""
    put_settings(client, posts_per_day={"twitter": 1}, evergreen_cooldown_days=5)
    (original_id,) = published(client, services, 1, days_ago=12)
    requeue_evergreen(services, book_id, TODAY)
    (first,) = repeats_of(services, original_id)
    with services.db.session() as session:
        row = session.get(Post, first.id)
        assert row is not None
        at = utcnow() - timedelta(days=6)
        row.status, row.published_at, row.created_at = "published", at, at - timedelta(hours=1)
    outcome = requeue_evergreen(services, book_id, TODAY + timedelta(days=1))
    assert outcome["queued"] == {}
    assert outcome["skipped"][0]["evergreen_of"] == original_id
    assert "near_duplicate" in [v["code"] for v in outcome["skipped"][0]["violations"]]
    assert len(repeats_of(services, original_id)) == 1


def test_a_repeat_of_a_repeat_cannot_be_marked(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    put_settings(client, posts_per_day={"twitter": 1})
    (original_id,) = published(client, services, 1, days_ago=31)
    requeue_evergreen(services, book_id, TODAY)
    (repeat,) = repeats_of(services, original_id)
    publish(services, repeat.id, days_ago=0.5)
    refused = client.put(f"/api/posts/{repeat.id}/evergreen")
    assert refused.status_code == 409
    assert original_id in refused.get_json()["error"]
