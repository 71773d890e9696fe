"""An edited text is checked for the day it goes out: relative dates ("tomorrow") are refused in
a post with no scheduled day, and counted from the scheduled day (in the book's timezone) when
the edit comes with the approval; `POST /api/posts/measure` with a `book_id` grounds a new text
in that book. Over HTTP, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from bookagent.settings import Settings
from tests.conftest import SettingsFactory

# The book launches twelve weeks from today, in Europe/Berlin (tests/conftest.py): the days below
# stay ahead of the test run, whenever it runs.
LAUNCH = date.today() + timedelta(weeks=12)


def before_launch(days: int, at: str) -> str:
    """A scheduled time `days` before the launch date, at `at` (a time, with any offset)."""
    return f"{(LAUNCH - timedelta(days=days)).isoformat()}T{at}"


TOMORROW = "The Lighthouse Keeper is out tomorrow. Pre-order it now. #BookTok"
OTHER = "Tomorrow a keeper opens a bottle and her whole winter changes. #BookTok"


@pytest.fixture
def settings(make_settings: SettingsFactory, database_url: str) -> Settings:
    return make_settings(db={"url": database_url})


@pytest.fixture
def pending(client: FlaskClient, book_payload: dict[str, Any]) -> list[str]:
    """The ids of three pending twitter posts of the book."""
    book = {**book_payload, "launch_date": LAUNCH.isoformat()}
    assert client.post("/api/books", json=book).status_code == 201
    ids = []
    for seed in (1, 2, 3):
        answer = client.post(
            "/api/generate-posts",
            json={"user_id": "alice", "platforms": ["twitter"], "seed": seed, "count": 1},
        )
        assert answer.status_code == 200, answer.get_json()
        ids += [post["id"] for post in answer.get_json()["posts"]]
    return ids


def messages(answer: Any) -> list[str]:
    return [v["message"] for v in answer.get_json()["validation"]["violations"]]


def test_a_relative_date_in_an_unscheduled_post_is_refused(
    client: FlaskClient, pending: list[str]
) -> None:
    answer = client.patch(f"/api/posts/{pending[0]}", json={"content": TOMORROW})

    assert answer.status_code == 422
    body = answer.get_json()
    assert body["details"][0]["field"] == "content"
    assert messages(answer) == [
        "“tomorrow” is a relative date, but the post has no scheduled day to count from: "
        "write the date itself."
    ]


def test_an_edit_approved_for_a_day_counts_from_that_day(
    client: FlaskClient, pending: list[str]
) -> None:
    # The day before the launch, Berlin time: "tomorrow" is the launch date.
    approved = client.post(
        "/api/approve-post",
        json={
            "post_id": pending[0],
            "content": TOMORROW,
            "scheduled_time": before_launch(1, "10:00:00"),
        },
    )
    assert approved.status_code == 200, approved.get_json()
    post = approved.get_json()["post"]
    assert post["content"] == TOMORROW and post["status"] == "scheduled"

    # A week before it, "tomorrow" is no day of the book's: refused, and nothing changes.
    early = client.post(
        "/api/approve-post",
        json={
            "post_id": pending[1],
            "content": OTHER,
            "scheduled_time": before_launch(8, "10:00:00"),
        },
    )
    assert early.status_code == 422
    assert messages(early) == [
        "“Tomorrow” is not the launch date, an event's date or the day the post goes out."
    ]
    kept = client.get(f"/api/posts/{pending[1]}").get_json()["post"]
    assert kept["status"] == "pending_approval" and kept["content"] != OTHER
    assert kept["scheduled_time"] is None


def test_the_scheduled_day_is_the_books_local_day(client: FlaskClient, pending: list[str]) -> None:
    # 23:30 UTC the day before the launch is past midnight in Berlin (UTC+1 or +2): the launch
    # day, so "tomorrow" would be the day after it.
    answer = client.post(
        "/api/approve-post",
        json={
            "post_id": pending[2],
            "content": TOMORROW,
            "scheduled_time": before_launch(1, "23:30:00+00:00"),
        },
    )
    assert answer.status_code == 422
    assert "is not the launch date" in messages(answer)[0]
    # "Out today" on that day is the launch.
    today = TOMORROW.replace("out tomorrow", "out today")
    answer = client.post(
        "/api/approve-post",
        json={
            "post_id": pending[2],
            "content": today,
            "scheduled_time": before_launch(1, "23:30:00Z"),
        },
    )
    assert answer.status_code == 200, answer.get_json()


def test_measure_with_a_book_grounds_a_new_text_in_it(
    client: FlaskClient, pending: list[str]
) -> None:
    book_id = client.get(f"/api/posts/{pending[0]}").get_json()["post"]["book_id"]
    text = "The Lighthouse Keeper, now only $0.99. #BookTok"

    alone = client.post("/api/posts/measure", json={"platform": "twitter", "content": text})
    assert alone.status_code == 200 and alone.get_json()["ok"] is True  # limits only

    grounded = client.post(
        "/api/posts/measure", json={"platform": "twitter", "book_id": book_id, "content": text}
    )
    assert grounded.status_code == 200
    body = grounded.get_json()
    assert body["ok"] is False and body["book_id"] == book_id
    assert [v["code"] for v in body["violations"]] == ["ungrounded_price"]

    fine = client.post(
        "/api/posts/measure",
        json={"platform": "twitter", "book_id": book_id, "content": "Now $4.99. #BookTok"},
    )
    assert fine.get_json()["ok"] is True, fine.get_json()

    unknown = client.post(
        "/api/posts/measure", json={"platform": "twitter", "book_id": "nope", "content": text}
    )
    assert unknown.status_code == 404
    assert unknown.get_json()["code"] == "not_found"
