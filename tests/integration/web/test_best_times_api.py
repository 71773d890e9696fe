"""`GET /api/books/<id>/best-times`: learned windows per platform once there are enough
readings, the platform's defaults before, and the book routes' auth."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.db.base import utcnow
from bookagent.domain.identity import create_token
from bookagent.settings import Settings
from tests.conftest import SettingsFactory
from tests.support.readings import add_published

BERLIN = ZoneInfo("Europe/Berlin")  # the test book's timezone


@pytest.fixture
def settings(make_settings: SettingsFactory, database_url: str) -> Settings:
    """Each test runs on SQLite and on PostgreSQL."""
    return make_settings(db={"url": database_url})


def local_weekdays(now: datetime, hour: int, count: int) -> list[datetime]:
    """The last `count` weekdays before today in Berlin, at `hour`:30 Berlin time."""
    days: list[datetime] = []
    day = now.astimezone(BERLIN).date() - timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(datetime(day.year, day.month, day.day, hour, 30, tzinfo=BERLIN))
        day -= timedelta(days=1)
    return days


def reading(rate: float, at: datetime) -> list[dict[str, Any]]:
    """One reading an hour after `at` (so a post of last night is read by now)."""
    return [{"likes": round(rate * 1000), "impressions": 1000, "read_at": at + timedelta(hours=1)}]


def seed(services: Services, client: FlaskClient, book_payload: dict[str, Any]) -> str:
    """A Berlin book: 24 Bluesky posts (evenings draw twice the rest), 7 Mastodon posts with
    readings and one without, one Facebook post; the agent posts to Bluesky and Mastodon."""
    book_id = str(client.post("/api/books", json=book_payload).get_json()["book"]["id"])
    put = client.put(
        "/api/autonomous/settings",
        json={
            "user_id": "alice",
            "posts_per_day": {"bluesky": 1, "mastodon": 1},
            "slots": {"bluesky": ["09:00", "14:00"]},
        },
    )
    assert put.status_code == 200, put.get_json()
    now = utcnow()
    for hour, rate in ((9, 0.01), (14, 0.011), (19, 0.02)):
        for at in local_weekdays(now, hour, 8):
            add_published(
                services,
                book_id,
                platform="bluesky",
                post_type="fun_fact",
                at=at,
                readings=reading(rate, at),
            )
    for index, at in enumerate(local_weekdays(now, 10, 8)):
        add_published(
            services,
            book_id,
            platform="mastodon",
            post_type="author_quote",
            at=at,
            readings=reading(0.01, at) if index < 7 else None,
        )
    add_published(
        services,
        book_id,
        platform="facebook",
        post_type="fun_fact",
        at=now - timedelta(days=2),
        readings=reading(0.01, now - timedelta(days=2)),
    )
    return book_id


def test_best_times_are_learned_per_platform_once_there_are_enough_readings(
    services: Services, client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book_id = seed(services, client, book_payload)
    response = client.get(f"/api/books/{book_id}/best-times")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["success"] is True
    assert body["book_id"] == book_id and body["timezone"] == "Europe/Berlin"
    assert body["model"] == {
        "lookback_days": 56,
        "min_posts": 20,
        "min_window_posts": 3,
        "window_hours": 3,
        "credible_level": 0.9,
    }
    platforms = body["platforms"]
    # The agent's platforms, and Facebook, where the book has readings.
    assert sorted(platforms) == ["bluesky", "facebook", "mastodon"]

    bluesky = platforms["bluesky"]
    assert bluesky["source"] == "learned"
    assert (bluesky["readings"], bluesky["threshold"], bluesky["needed"]) == (24, 20, 0)
    best = bluesky["windows"][0]
    assert (best["days"], best["start"], best["end"], best["posts"]) == (
        "weekdays",
        "18:00",
        "21:00",
        8,
    )
    assert best["low"] < best["score"] < best["high"]
    assert best["score"] > bluesky["windows"][1]["score"]
    assert bluesky["summary"] == "best 18:00–21:00 on weekdays (learned from 24 posts)"
    # The author posts at 09:00 and 14:00 only: a posting time in the evening is suggested.
    assert bluesky["slots"] == ["09:00", "14:00"]
    assert bluesky["suggested_slot"] == "19:00"

    mastodon = platforms["mastodon"]
    assert mastodon["source"] == "default"
    assert (mastodon["readings"], mastodon["needed"]) == (7, 13)  # the unread post is not one
    assert mastodon["windows"][0]["start"] == "09:00" and mastodon["windows"][0]["score"] is None
    assert mastodon["summary"].endswith("(default until 20 posts have engagement; 7 so far)")
    assert mastodon["note"].startswith("default: ")
    assert mastodon["suggested_slot"] is None
    assert mastodon["slots"] == ["09:00", "14:00", "19:00"]  # the default posting times

    assert platforms["facebook"]["source"] == "default"
    assert platforms["facebook"]["readings"] == 1


def test_a_book_with_no_readings_gets_the_defaults_of_the_agents_platforms(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book_id = client.post("/api/books", json=book_payload).get_json()["book"]["id"]
    body = client.get(f"/api/books/{book_id}/best-times").get_json()
    # Default settings post to X and Facebook.
    assert sorted(body["platforms"]) == ["facebook", "twitter"]
    for times in body["platforms"].values():
        assert times["source"] == "default"
        assert (times["readings"], times["needed"]) == (0, 20)


def test_an_unknown_book_is_404(client: FlaskClient) -> None:
    response = client.get("/api/books/nope/best-times")
    assert response.status_code == 404
    assert response.get_json()["success"] is False


def test_another_users_book_is_404_and_without_a_token_401(
    client: FlaskClient, services: Services, book_payload: dict[str, Any]
) -> None:
    with services.db.session() as session:
        _, alice = create_token(session, user_id="alice", is_admin=False)
        _, bob = create_token(session, user_id="bob", is_admin=False)
    as_alice = {"Authorization": f"Bearer {alice}"}
    created = client.post("/api/books", json={**book_payload, "user_id": None}, headers=as_alice)
    book_id = created.get_json()["book"]["id"]
    path = f"/api/books/{book_id}/best-times"
    assert client.get(path, headers=as_alice).status_code == 200
    assert client.get(path, headers={"Authorization": f"Bearer {bob}"}).status_code == 404
    assert client.get(path).status_code == 401
