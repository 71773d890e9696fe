"""The learning plan wired in: settings (pin, off), the daily top-up's post types, slot choice."""

from __future__ import annotations

from collections import Counter
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from bookagent.bootstrap import Services
from bookagent.db.base import utcnow
from bookagent.db.models import Book
from bookagent.db.models import Post
from bookagent.domain import autonomous
from bookagent.domain import learning_store
from bookagent.domain.books import book_to_profile
from bookagent.domain.categories import DEFAULT_MIX
from bookagent.domain.categories import default_post_types
from bookagent.domain.learning_store import plan_seed
from bookagent.domain.scheduling import next_free_slot
from bookagent.domain.validation import book_today
from bookagent.settings import Settings
from bookagent.tasks.daily import top_up
from tests.support.readings import add_published

BERLIN = ZoneInfo("Europe/Berlin")
FICTION = DEFAULT_MIX["fiction"]


@pytest.fixture
def settings(make_settings: Any, database_url: str) -> Settings:
    """Each test runs on SQLite and on PostgreSQL."""
    return make_settings(db={"url": database_url})


@pytest.fixture
def book_id(client: FlaskClient, book_payload: dict[str, Any]) -> str:
    return str(client.post("/api/books", json=book_payload).get_json()["book"]["id"])


def put_settings(client: FlaskClient, **settings: Any) -> Any:
    return client.put("/api/autonomous/settings", json={"user_id": "alice", **settings})


def requested(services: Services, book_id: str, result: dict[str, Any]) -> list[str]:
    """The post types the top-up asked the writer for: stored posts' and rejected drafts'."""
    with services.db.session() as session:
        posts = session.scalars(
            select(Post).where(Post.book_id == book_id, Post.status != "published")
        )
        asked = [p.generation_metadata["requested_post_type"] for p in posts]
    return asked + [draft["post_type"] for draft in result["rejected"]]


def reading(rate: float, impressions: int = 1000) -> list[dict[str, Any]]:
    return [{"likes": round(rate * impressions), "impressions": impressions}]


def test_a_pinned_mix_and_learning_off_are_validated_and_stored(
    client: FlaskClient, book_id: str
) -> None:
    cases = [
        ({"pinned_mix": {"twitter": ["nope"]}}, "pinned_mix", "unknown post type nope"),
        ({"pinned_mix": {"twitter": []}}, "pinned_mix", "name at least one post type"),
        ({"pinned_mix": {"myspace": ["fun_fact"]}}, "pinned_mix", "myspace"),
        ({"learning": "sometimes"}, "learning", "boolean"),
        # A fiction book writes no read-aloud posts: refused, naming the types it does write.
        (
            {"pinned_mix": {"x": ["fun_fact", "read_aloud"]}},
            "pinned_mix.twitter",
            "read_aloud is not a fiction post type; this book writes hook_question",
        ),
    ]
    for body, field, words in cases:
        response = put_settings(client, **body)
        assert response.status_code == 422, body
        error = response.get_json()
        assert error["details"][0]["field"].startswith(field), error
        assert words in error["details"][0]["message"] or words in error["error"], error
    good = put_settings(
        client, learning=False, pinned_mix={"x": ["author_quote", "author_quote", "fun_fact"]}
    )
    assert good.status_code == 200, good.get_json()
    stored = client.get("/api/autonomous/settings?user_id=alice").get_json()["settings"]
    assert stored["learning"] is False
    assert stored["pinned_mix"] == {"twitter": ["author_quote", "author_quote", "fun_fact"]}
    # Settings written before learning existed read as learning on, nothing pinned.
    assert (
        put_settings(client, posts_per_day={"twitter": 1}).get_json()["settings"]["learning"]
        is True
    )


def test_the_top_up_writes_a_pinned_mix(
    services: Services, client: FlaskClient, book_id: str
) -> None:
    put_settings(
        client,
        posts_per_day={"twitter": 4},
        pinned_mix={"twitter": ["author_quote", "review_highlight"]},
    )
    result = top_up(services, book_id, None)
    assert result["mix"] == {"twitter": "pinned"}
    assert Counter(requested(services, book_id, result)) == {
        "author_quote": 2,
        "review_highlight": 2,
    }


@pytest.mark.parametrize("learning", [True, False])
def test_without_readings_or_with_learning_off_the_top_up_writes_the_default_mix(
    services: Services, client: FlaskClient, book_id: str, learning: bool
) -> None:
    if not learning:  # readings that would change the mix, were learning on
        now = utcnow()
        for day in range(1, 6):
            add_published(
                services,
                book_id,
                platform="twitter",
                post_type="author_quote",
                at=now - timedelta(days=day),
                readings=reading(0.09),
            )
    put_settings(client, posts_per_day={"twitter": 4}, learning=learning)
    result = top_up(services, book_id, None)
    assert result["mix"] == {"twitter": "default" if learning else "off"}
    # Exactly what the top-up wrote before learning: the default mix of the book's day (no
    # countdown once the launch is behind it), in turn from the seed.
    seed = plan_seed(book_id, "twitter", str(utcnow().date()))
    with services.db.session() as session:
        profile = book_to_profile(session.get(Book, book_id))
    mix = default_post_types(profile, book_today(profile.timezone))
    assert set(mix) <= set(FICTION)
    expected = [mix[(seed + i) % len(mix)] for i in range(4)]
    assert sorted(requested(services, book_id, result)) == sorted(expected)


def test_the_top_up_follows_what_the_readings_taught(
    services: Services, client: FlaskClient, book_id: str
) -> None:
    now = utcnow()
    # Author quotes drew six times the engagement of the other types' posts.
    for day in range(1, 13):
        add_published(
            services,
            book_id,
            platform="twitter",
            post_type="author_quote",
            at=now - timedelta(days=day),
            readings=reading(0.06),
        )
    for index, post_type in enumerate(t for t in FICTION if t != "author_quote"):
        for day in (8, 9, 10):
            add_published(
                services,
                book_id,
                platform="twitter",
                post_type=post_type,
                at=now - timedelta(days=day, hours=index),
                readings=reading(0.01),
            )
    put_settings(client, posts_per_day={"twitter": 10})
    result = top_up(services, book_id, None)
    assert result["mix"] == {"twitter": "learned"}
    asked = Counter(requested(services, book_id, result))
    assert sum(asked.values()) == 10
    assert asked["author_quote"] >= 5  # the default mix writes one in ten
    # The posts written in the last week were all author quotes (five of them, written a day
    # before they went out): with the ten new ones, a fifth of the fifteen must try another
    # type, so at least three of the new ones do.
    assert 10 - asked["author_quote"] >= 3


def test_the_scheduler_takes_the_best_free_time_first(
    services: Services, client: FlaskClient, book_id: str
) -> None:
    now = datetime(2027, 5, 3, 4, 0, tzinfo=UTC)  # 06:00 in Berlin: all three slots are free
    # 19:00 posts drew four times the engagement of 14:00 ones, twice that of 09:00 ones.
    for day in range(1, 19):
        for hour, rate in ((9, 0.02), (14, 0.01), (19, 0.04)):
            at = datetime(2027, 5, 3, hour, tzinfo=BERLIN) - timedelta(days=day)
            add_published(
                services,
                book_id,
                platform="twitter",
                post_type="fun_fact",
                at=at.astimezone(UTC),
                readings=[{"likes": round(rate * 1000), "impressions": 1000, "read_at": now}],
            )
    put_settings(client, posts_per_day={"twitter": 3})
    post_id = client.post(
        "/api/generate-posts",
        json={"user_id": "alice", "platforms": ["twitter"], "count_per_platform": 1},
    ).get_json()["posts"][0]["id"]
    with services.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        slot = autonomous.assign_slot(session, post, now).astimezone(BERLIN)
    assert (slot.date().isoformat(), f"{slot:%H:%M}") == ("2027-05-03", "19:00")

    put_settings(client, posts_per_day={"twitter": 3}, learning=False)
    with services.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        slot = autonomous.assign_slot(session, post, now).astimezone(BERLIN)
    assert f"{slot:%H:%M}" == "09:00"  # learning off: the first free time, as before


def test_a_preferred_time_is_taken_only_among_the_free_ones_of_the_first_open_day(
    services: Services, book_id: str
) -> None:
    after = datetime(2027, 5, 3, 4, 0, tzinfo=UTC)
    times = ["09:00", "14:00", "19:00"]
    add_published(
        services,
        book_id,
        platform="twitter",
        post_type="fun_fact",
        at=datetime(2027, 5, 3, 19, tzinfo=BERLIN).astimezone(UTC),
    )
    with services.db.session() as session:

        def pick(preferred: list[str], per_day: int = 3) -> str:
            slot = next_free_slot(
                session,
                book_id=book_id,
                platform="twitter",
                zone=BERLIN,
                slot_times=times,
                posts_per_day=per_day,
                after=after,
                preferred=preferred,
            )
            return slot.astimezone(BERLIN).strftime("%d %H:%M")

        assert pick([]) == "03 09:00"
        assert pick(["14:00", "09:00"]) == "03 14:00"
        assert pick(["19:00", "14:00"]) == "03 14:00"  # 19:00 is taken today
        assert pick(["19:00"]) == "03 09:00"  # the unranked ones keep their order
        assert pick(["19:00"], per_day=1) == "04 19:00"  # today is full: tomorrow's best


def test_a_type_the_book_lacks_the_material_for_is_left_out_but_not_one_the_gate_held_back(
    services: Services, client: FlaskClient, book_id: str
) -> None:
    """Two countdowns written as retailer posts (no launch ahead) leave countdowns out of the
    plan for two weeks; two quote posts written as others because every quote went out lately
    (the gate held them back that day) do not leave quotes out."""
    put_settings(client, posts_per_day={"twitter": 14})
    now = utcnow()
    for day in range(1, 6):  # readings, so the plan is learned
        add_published(
            services,
            book_id,
            platform="twitter",
            post_type=FICTION[day],
            at=now - timedelta(days=day + 1),
            readings=reading(0.01),
        )
    with services.db.session() as session:
        for hours, asked, written, cause in [
            (30, "launch_countdown", "retailer_cta", "lacks"),
            (29, "author_quote", "review_highlight", "gate"),
            (6, "launch_countdown", "retailer_cta", "lacks"),
            (5, "author_quote", "hook_question", "gate"),
        ]:
            session.add(
                Post(
                    book_id=book_id,
                    user_id="alice",
                    platform="twitter",
                    post_type=written,
                    content=f"{written} for {asked}",
                    content_hash="h",
                    status="pending_approval",
                    measured_length=10,
                    limit=280,
                    provider="template",
                    model="template-v1",
                    prompt_hash="p",
                    created_at=now - timedelta(hours=hours),
                    generation_metadata={
                        "requested_post_type": asked,
                        "fallback_cause": cause,
                    },
                )
            )
    with services.db.session() as session:
        book = session.get(Book, book_id)
        assert book is not None
        settings = autonomous.agent_settings(autonomous.load_state(session, book_id))
        plans = [
            learning_store.plan_mix(session, book, "twitter", settings, now=now, n=14, seed=seed)
            for seed in range(5)
        ]
    for plan in plans:
        assert plan.mode == "learned"
        assert plan.left_out == ("launch_countdown",)
        assert "launch_countdown" not in plan.type_counts
        assert any("Left out for now: launch countdown" in line for line in plan.summary())
    assert any("author_quote" in plan.type_counts for plan in plans)
