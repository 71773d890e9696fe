"""The weekly report: every figure against a hand-computed answer, and the empty week."""

from __future__ import annotations

import csv
import io
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.db.models import Book
from bookagent.db.models import Post
from bookagent.db.models import SchedulerOutage
from bookagent.db.models import TaskRecord
from bookagent.domain.reports import build_report
from tests.support.polling import wait_until

WEEK = date(2027, 3, 1)  # a Monday; Europe/Berlin is UTC+1 that week
T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)  # inside the week


def at(days: float, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def add_post(services: Services, book_id: str, platform: str, status: str, **times: Any) -> str:
    with services.db.session() as session:
        post = Post(
            book_id=book_id,
            user_id="alice",
            platform=platform,
            post_type=times.pop("post_type", "hook_question"),
            content=times.pop("content", f"{platform} {status}"),
            content_hash="h",
            status=status,
            measured_length=10,
            limit=280,
            provider="template",
            model="template-v1",
            prompt_hash="p",
            cost_usd=times.pop("cost_usd", 0.0),
            created_at=times.pop("created_at", at(0)),
            updated_at=times.pop("updated_at", at(0)),
            **times,
        )
        session.add(post)
        session.flush()
        return post.id


@pytest.fixture
def book_id(client: FlaskClient, book_payload: dict[str, Any]) -> str:
    return str(client.post("/api/books", json=book_payload).get_json()["book"]["id"])


@pytest.fixture
def seeded(services: Services, book_id: str) -> str:
    # twitter: 3 generated, 2 approved, 1 rejected, 2 published (Tue, Wed), 1 failed
    best = add_post(
        services,
        book_id,
        "twitter",
        "published",
        approved_at=at(0),
        published_at=at(1),
        metrics={"likes": 10, "reposts": 2, "impressions": 900, "followers": 4000},
        cost_usd=0.25,
        post_type="author_quote",
        content="The best one",
    )
    add_post(
        services,
        book_id,
        "twitter",
        "published",
        approved_at=at(0, 1),
        published_at=at(2),
        metrics={"likes": 3},
        cost_usd=0.25,
    )
    add_post(services, book_id, "twitter", "rejected", updated_at=at(1))
    add_post(services, book_id, "twitter", "failed", created_at=at(-10), updated_at=at(3))
    # instagram: 5 generated, 1 approved, 4 rejected
    add_post(services, book_id, "instagram", "approved", approved_at=at(1))
    for i in range(4):
        add_post(services, book_id, "instagram", "rejected", updated_at=at(1, i))
    # outside the week: counted nowhere
    add_post(
        services,
        book_id,
        "twitter",
        "published",
        created_at=at(-7),
        approved_at=at(-7),
        published_at=at(-6),
        cost_usd=5.0,
    )
    with services.db.session() as session:
        for i, (seconds, status) in enumerate([(1, "SUCCESS"), (3, "FAILURE")]):
            session.add(
                TaskRecord(
                    id=f"t{i}",
                    name="bookagent.generate_posts",
                    status=status,
                    user_id="alice",
                    backend="thread_pool",
                    created_at=at(0),
                    started_at=at(0),
                    finished_at=at(0) + timedelta(seconds=seconds),
                )
            )
        session.add(SchedulerOutage(scheduler="in-process", started_at=at(2), ended_at=at(2, 0.5)))
    return best


def test_every_figure_matches_the_hand_computed_answer(
    services: Services, book_id: str, seeded: str
) -> None:
    with services.db.session() as session:
        book = session.get(Book, book_id)
        assert book is not None
        report = build_report(session, book, WEEK, budget_usd=10.0)
    assert report["period"]["start_utc"] == "2027-02-28T23:00:00+00:00"
    assert report["platforms"]["twitter"] == {
        "generated": 3,
        "approved": 2,
        "rejected": 1,
        "published": 2,
        "failed": 1,
        "unconfirmed": 0,
        "approval_rate": round(2 / 3, 4),
        "publish_success_rate": round(2 / 3, 4),
    }
    assert report["platforms"]["instagram"] == {
        "generated": 5,
        "approved": 1,
        "rejected": 4,
        "published": 0,
        "failed": 0,
        "unconfirmed": 0,
        "approval_rate": 0.2,
        "publish_success_rate": None,
    }
    assert report["totals"] == {
        "generated": 8,
        "approved": 3,
        "rejected": 5,
        "published": 2,
        "failed": 1,
        "unconfirmed": 0,
    }
    assert report["posts_per_day"]["twitter"]["2027-03-02"] == 1
    assert report["posts_per_day"]["twitter"]["2027-03-03"] == 1
    assert sum(report["posts_per_day"]["twitter"].values()) == 2
    assert report["engagement"]["total"] == 15
    assert report["engagement"]["top_posts"][0]["post_id"] == seeded
    assert report["engagement"]["top_posts"][0]["engagement"] == 12
    tasks = report["task_health"]["by_name"]["bookagent.generate_posts"]
    assert tasks == {"count": 2, "failed": 1, "p50_duration_s": 1.0, "p95_duration_s": 3.0}
    assert report["task_health"]["scheduler_down_s"] == 1800.0
    assert report["ai_spend"]["week_usd"] == 0.5
    assert report["ai_spend"]["monthly_budget_usd"] == 10.0
    advice = " | ".join(report["suggestions"])
    assert "instagram: 1 of 5 approved" in advice
    assert "twitter: 1 failed publish" in advice
    assert "the author quote post did best" in advice
    assert "scheduler was down for 0.5 h" in advice
    assert report["empty"] is False


def test_an_empty_week_renders_a_nothing_happened_report(client: FlaskClient, book_id: str) -> None:
    response = client.post(
        "/api/reports/weekly", json={"user_id": "alice", "week_start": "2020-01-06"}
    )
    assert response.status_code == 202
    assert response.get_json()["status"] == "weekly_report_queued"
    task_id = response.get_json()["task_id"]
    status = wait_until(
        lambda: (
            (s := client.get(f"/api/task-status/{task_id}").get_json())["status"]
            in ("SUCCESS", "FAILURE")
            and s
        ),
        30,
        what="report task",
    )
    assert status["status"] == "SUCCESS", status.get("error")
    report_id = status["result"]["report_id"]
    assert status["result"]["report"]["empty"] is True
    html = client.get(f"/api/reports/{report_id}.html")
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert 'id="nothing-happened"' in html.get_data(as_text=True)


def test_report_is_stored_once_per_week_with_charts_and_csv(
    client: FlaskClient, book_id: str, seeded: str
) -> None:
    ids = set()
    for _ in range(2):
        task_id = client.post(
            "/api/reports/weekly", json={"user_id": "alice", "week_start": WEEK.isoformat()}
        ).get_json()["task_id"]
        status = wait_until(
            lambda t=task_id: (
                (s := client.get(f"/api/task-status/{t}").get_json())["status"] == "SUCCESS" and s
            ),
            30,
        )
        ids.add(status["result"]["report_id"])
    assert len(ids) == 1
    report_id = ids.pop()
    listed = client.get("/api/reports").get_json()
    assert [r["id"] for r in listed["reports"]] == [report_id]
    page = client.get(f"/api/reports/{report_id}.html").get_data(as_text=True)
    assert page.count('src="data:image/png;base64,') == 2
    as_json = client.get(f"/api/reports/{report_id}").get_json()
    assert as_json["report"]["totals"]["published"] == 2
    table = client.get(f"/api/reports/{report_id}.csv?table=platforms")
    rows = list(csv.DictReader(io.StringIO(table.get_data(as_text=True))))
    assert {r["platform"]: r["published"] for r in rows} == {"instagram": "0", "twitter": "2"}
    assert client.get(f"/api/reports/{report_id}.csv?table=nope").status_code == 404
    assert (
        client.post(
            "/api/reports/weekly", json={"user_id": "alice", "week_start": "2027-03-02"}
        ).status_code
        == 422
    )
    assert client.get("/api/reports/nope").status_code == 404
