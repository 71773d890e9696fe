"""The autonomous agent: start/stop/status, settings, slots on approval, ticks and the routine."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.db.models import DailyRun
from bookagent.db.models import Post
from bookagent.publishers.outbox import outbox_file
from bookagent.settings import Settings
from bookagent.tasks.scheduling import run_tick
from bookagent.web.app import create_app
from tests.conftest import SettingsFactory
from tests.support.polling import wait_until


@pytest.fixture
def book(client: FlaskClient, book_payload: dict[str, Any]) -> dict[str, Any]:
    return dict(client.post("/api/books", json=book_payload).get_json()["book"])


def test_start_stop_are_idempotent_and_status_is_complete(
    client: FlaskClient, book: dict[str, Any]
) -> None:
    first = client.post("/api/autonomous/start", json={"user_id": "alice"}).get_json()
    assert first["status"] == "autonomous_operation_started"
    assert first["already_running"] is False
    again = client.post("/api/autonomous/start", json={"user_id": "alice"}).get_json()
    assert again["already_running"] is True
    status = client.get("/api/autonomous/status?user_id=alice").get_json()["autonomous_status"]
    assert status["running"] is True and status["started_at"]
    for key in (
        "next_daily_run_at",
        "next_weekly_report_at",
        "last_daily_run",
        "scheduler",
        "settings",
    ):
        assert key in status
    assert set(status["scheduler"]) >= {"backend", "last_tick_at", "healthy"}
    stopped = client.post("/api/autonomous/stop", json={"book_id": book["id"]}).get_json()
    assert stopped["status"] == "autonomous_operation_stopped"
    assert stopped["autonomous_status"]["running"] is False
    assert client.post("/api/autonomous/stop", json={"user_id": "alice"}).status_code == 200


def test_agent_state_survives_a_restart(
    make_settings: SettingsFactory, book_payload: dict[str, Any]
) -> None:
    settings = make_settings()
    first = build_services(settings)
    client = create_app(services=first).test_client()
    client.post("/api/books", json=book_payload)
    client.post("/api/autonomous/start", json={"user_id": "alice"})
    first.close(grace_s=1)
    second = build_services(settings)
    try:
        status = (
            create_app(services=second)
            .test_client()
            .get("/api/autonomous/status?user_id=alice")
            .get_json()["autonomous_status"]
        )
        assert status["running"] is True
    finally:
        second.close(grace_s=1)


def test_settings_are_validated_and_stored(client: FlaskClient, book: dict[str, Any]) -> None:
    bad = client.put(
        "/api/autonomous/settings", json={"user_id": "alice", "default_slots": ["25:00"]}
    )
    assert bad.status_code == 422
    assert (
        client.put(
            "/api/autonomous/settings", json={"user_id": "alice", "posts_per_day": {"myspace": 1}}
        ).status_code
        == 422
    )
    good = client.put(
        "/api/autonomous/settings",
        json={
            "user_id": "alice",
            "posts_per_day": {"x": 2, "mastodon": 1},
            "slots": {"twitter": ["08:15", "20:45"]},
            "auto_approve": True,
            "weekly_report_day": "friday",
        },
    )
    assert good.status_code == 200
    stored = client.get("/api/autonomous/settings?user_id=alice").get_json()["settings"]
    assert stored["posts_per_day"] == {"twitter": 2, "mastodon": 1}
    assert stored["slots"] == {"twitter": ["08:15", "20:45"]}
    assert stored["weekly_report_day"] == "friday"


def test_approving_without_a_time_takes_the_next_free_slot(
    client: FlaskClient, book: dict[str, Any]
) -> None:
    client.put(
        "/api/autonomous/settings",
        json={
            "user_id": "alice",
            "posts_per_day": {"twitter": 2},
            "slots": {"twitter": ["09:00", "14:00", "19:00"]},
        },
    )
    posts = client.post(
        "/api/generate-posts",
        json={"user_id": "alice", "platforms": ["twitter"], "count_per_platform": 5},
    ).get_json()
    ids = [p["id"] for p in posts["posts"]]
    times = []
    for post_id in ids:
        body = client.post("/api/approve-post", json={"post_id": post_id}).get_json()
        assert body["status"] == "approved_and_scheduled"
        times.append(datetime.fromisoformat(body["scheduled_time"]))
    local = [t.astimezone(ZoneInfo("Europe/Berlin")) for t in times]
    assert times == sorted(times) and len(set(times)) == 5
    per_day: dict[Any, int] = {}
    for moment in local:
        assert moment.strftime("%H:%M") in ("09:00", "14:00", "19:00")
        per_day[moment.date()] = per_day.get(moment.date(), 0) + 1
    assert max(per_day.values()) <= 2
    schedule = client.get("/api/schedule").get_json()
    assert [r["post_id"] for r in schedule["schedule"]] == ids


def test_two_ticks_give_one_daily_run_per_book_per_day(
    services: Services, client: FlaskClient, book: dict[str, Any]
) -> None:
    client.put("/api/autonomous/settings", json={"user_id": "alice", "daily_run_time": "00:00"})
    client.post("/api/autonomous/start", json={"user_id": "alice"})
    queue = services.require_queue()
    first = run_tick(services, queue, scheduler="test-a", backend="thread_pool")
    second = run_tick(services, queue, scheduler="test-b", backend="thread_pool")
    assert len(first["daily_runs"]) == 1 and second["daily_runs"] == []
    with services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(DailyRun)) == 1


def test_two_scheduler_processes_give_one_daily_run(
    database_url: str, make_settings: SettingsFactory, book_payload: dict[str, Any], tmp_path: Path
) -> None:
    settings: Settings = make_settings(db={"url": database_url})
    services = build_services(settings)
    client = create_app(services=services).test_client()
    try:
        client.post("/api/books", json=book_payload)
        client.put("/api/autonomous/settings", json={"user_id": "alice", "daily_run_time": "00:00"})
        client.post("/api/autonomous/start", json={"user_id": "alice"})
        script = (
            "import json,sys\n"
            "from bookagent.settings import Settings\n"
            "from bookagent.bootstrap import build_services\n"
            "from bookagent.tasks.scheduling import run_tick\n"
            "s = Settings.model_validate_json(sys.argv[1])\n"
            "svc = build_services(s, start_queue=False)\n"
            "print(json.dumps(run_tick(svc, svc.require_queue(), scheduler=sys.argv[2],"
            " backend='thread_pool')['daily_runs']))\n"
        )
        config = settings.model_dump_json()
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", script, config, f"proc-{i}"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for i in range(2)
        ]
        outputs = [p.communicate(timeout=60) for p in procs]
        assert all(p.returncode == 0 for p in procs), outputs
        claimed = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
        assert sorted(len(c) for c in claimed) == [0, 1]
        with services.db.session() as session:
            assert session.scalar(select(func.count()).select_from(DailyRun)) == 1
    finally:
        services.close(grace_s=1)


def test_execute_daily_tops_up_approves_schedules_and_publishes(
    services: Services, client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    client.post("/api/books", json={**book_payload, "human_in_loop": False})
    client.put(
        "/api/autonomous/settings",
        json={"user_id": "alice", "posts_per_day": {"twitter": 2, "bluesky": 1}},
    )
    response = client.post("/api/autonomous/execute-daily", json={"user_id": "alice"})
    assert response.status_code == 202
    assert response.get_json()["status"] == "daily_operations_queued"
    task_id = response.get_json()["task_id"]
    status = wait_until(
        lambda: (
            (s := client.get(f"/api/task-status/{task_id}").get_json())["status"]
            in ("SUCCESS", "FAILURE")
            and s
        ),
        60,
        what="daily routine",
    )
    assert status["status"] == "SUCCESS", status.get("error")
    steps = status["result"]["steps"]
    assert steps["top_up"]["written"] == {"twitter": 2, "bluesky": 1}
    assert steps["auto_approve"]["approved"] == 3
    assert steps["schedule"]["scheduled"] == 3
    assert all(step["ok"] for step in steps.values())

    # Bring the slots forward to now: the next routine publishes them to the outbox, once.
    with services.db.session() as session:
        session.execute(
            update(Post).values(scheduled_time=datetime.now(UTC) - timedelta(seconds=1))
        )
    again = client.post("/api/autonomous/execute-daily", json={"user_id": "alice"}).get_json()
    done = wait_until(
        lambda: (
            (s := client.get(f"/api/task-status/{again['task_id']}").get_json())["status"]
            == "SUCCESS"
            and s
        ),
        60,
    )
    assert done["result"]["steps"]["top_up"]["written"] == {}
    assert done["result"]["steps"]["publish"]["outcomes"] == {"published": 3}
    published = client.get("/api/posts?status=published").get_json()["posts"]
    assert len(published) == 3
    for post in published:
        assert not Path(post["published_url"]).is_absolute()  # relative to the outbox
        assert outbox_file(services.publishers.outbox_dir, post["published_url"]).exists()
    last = client.get("/api/autonomous/status?user_id=alice").get_json()["autonomous_status"][
        "last_daily_run"
    ]
    assert last["status"] == "done" and set(last["steps"]) == {
        "evergreen",
        "top_up",
        "auto_approve",
        "schedule",
        "publish",
        "metrics",
    }


def test_auto_approval_holds_a_post_without_the_image_its_platform_needs(
    services: Services, client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    """An Instagram post whose card could not be drawn waits for the author; the others go."""
    from bookagent.tasks.daily import auto_approve

    book = client.post("/api/books", json={**book_payload, "human_in_loop": False}).get_json()
    book_id = book["book"]["id"]
    made = client.post(
        "/api/generate-posts",
        json={"book_id": book_id, "platforms": ["instagram", "twitter"], "count_per_platform": 1},
    ).get_json()["posts"]
    bare = next(post for post in made if post["platform"] == "instagram")
    with services.db.session() as session:
        stored = session.get(Post, bare["id"])
        assert stored is not None
        stored.media = []
    assert auto_approve(services, book_id) == {"approved": 1, "held_for_media": 1}
    assert client.get(f"/api/posts/{bare['id']}").get_json()["post"]["status"] == (
        "pending_approval"
    )
