"""Every dashboard page renders in local mode, with and without a book; errors are HTML pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from markupsafe import escape

from bookagent.bootstrap import Services
from tests.integration.dashboard.conftest import csrf_from
from tests.support.polling import wait_until

PAGES = ["/", "/book", "/generate", "/approvals", "/schedule", "/tasks", "/reports"]


def create_book(client: FlaskClient, payload: dict[str, Any]) -> str:
    response = client.post("/api/books", json=payload)
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["book"]["id"])


def generate(client: FlaskClient, count: int = 2, platforms: list[str] | None = None) -> list[Any]:
    response = client.post(
        "/api/generate-posts",
        json={
            "user_id": "alice",
            "platforms": platforms or ["twitter"],
            "count_per_platform": count,
        },
    )
    assert response.status_code == 200, response.get_json()
    return list(response.get_json()["posts"])


def agent_running(client: FlaskClient) -> bool:
    status = client.get("/api/autonomous/status?user_id=alice").get_json()
    return bool(status["autonomous_status"]["running"])


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_in_local_mode_without_a_book(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Local mode" in page
    assert 'name="csrf-token"' in page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_with_a_book_and_posts(
    client: FlaskClient, book_payload: dict[str, Any], path: str
) -> None:
    create_book(client, book_payload)
    generate(client)
    response = client.get(path)
    assert response.status_code == 200
    assert book_payload["title"] in response.get_data(as_text=True)


def test_pages_load_nothing_from_the_network(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    create_book(client, book_payload)
    for path in PAGES:
        page = client.get(path).get_data(as_text=True)
        resources = re.findall(r'\ssrc="([^"]*)"', page)
        resources += re.findall(r'<link[^>]*href="([^"]*)"', page)
        assert resources, path
        assert all(url.startswith("/") and not url.startswith("//") for url in resources), path


def test_overview_shows_health_heartbeat_and_the_agent(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    create_book(client, book_payload)
    page = client.get("/").get_data(as_text=True)
    assert 'id="health-status"' in page and "Healthy" in page
    assert "Thread pool" in page
    assert 'id="scheduler-heartbeat"' in page
    assert "Start the agent" in page


def test_the_agent_starts_and_stops_from_the_overview(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    create_book(client, book_payload)
    token = csrf_from(client, "/")
    started = client.post("/autonomous", data={"action": "start", "csrf_token": token})
    assert started.status_code == 302
    assert agent_running(client)
    page = client.get("/").get_data(as_text=True)
    assert "The agent is running." in page and "Stop the agent" in page
    client.post("/autonomous", data={"action": "stop", "csrf_token": token})
    assert not agent_running(client)


def test_a_form_without_the_csrf_token_is_refused_with_an_html_page(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    create_book(client, book_payload)
    response = client.post("/autonomous", data={"action": "start"})
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "security token" in response.get_data(as_text=True)
    wrong = client.post("/autonomous", data={"action": "start", "csrf_token": "forged"})
    assert wrong.status_code == 403
    assert not agent_running(client)


def test_approvals_lists_pending_posts_oldest_first_with_their_unit(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    create_book(client, book_payload)
    posts = generate(client, count=3)
    page = client.get("/approvals").get_data(as_text=True)
    positions = [page.index(f'data-post-id="{p["id"]}"') for p in posts]
    assert positions == sorted(positions)
    assert "/ 280 weighted characters" in page


def test_schedule_groups_approved_posts_by_day(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    create_book(client, book_payload)
    post = generate(client, count=1)[0]
    approved = client.post(
        "/api/approve-post",
        json={"post_id": post["id"], "scheduled_time": "2099-06-01T09:30:00+00:00"},
    )
    assert approved.status_code == 200
    far = client.get("/schedule?weeks=520").get_data(as_text=True)
    assert "Nothing is scheduled" in far
    soon = client.get("/schedule").get_data(as_text=True)
    assert escape(post["content"][:40]) not in soon  # 2099 is outside this month's window
    response = client.post("/api/approve-post", json={"post_id": generate(client, 1)[0]["id"]})
    scheduled = response.get_json()["post"]
    page = client.get("/schedule").get_data(as_text=True)
    assert escape(scheduled["content"][:30]) in page  # as the page shows it (' is &#39;)
    assert "scheduled" in page


def test_a_report_page_frames_the_report_with_its_charts(
    client: FlaskClient, services: Services, book_payload: dict[str, Any]
) -> None:
    create_book(client, book_payload)
    queued = client.post("/api/reports/weekly", json={"user_id": "alice"})
    assert queued.status_code == 202
    task_id = queued.get_json()["task_id"]
    final = wait_until(
        lambda: (
            (body := client.get(f"/api/task-status/{task_id}").get_json())["status"]
            in ("SUCCESS", "FAILURE")
            and body
        ),
        what="the weekly report",
    )
    assert final["status"] == "SUCCESS", final
    report_id = final["result"]["report_id"]
    listing = client.get("/reports").get_data(as_text=True)
    assert f'href="/reports/{report_id}"' in listing
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert f'src="/api/reports/{report_id}.html"' in page
    assert client.get(f"/api/reports/{report_id}.html").status_code == 200


def test_unknown_pages_are_html_and_the_api_stays_json(client: FlaskClient) -> None:
    page = client.get("/nowhere")
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert "Page not found" in page.get_data(as_text=True)
    missing_report = client.get("/reports/nope")
    assert missing_report.status_code == 404 and missing_report.mimetype == "text/html"
    api = client.get("/api/nowhere")
    assert api.status_code == 404 and api.get_json()["code"] == "not_found"


def test_tasks_page_shows_active_and_finished_tasks(client: FlaskClient) -> None:
    slow = client.post("/api/tasks/diagnostics", json={"steps": 200, "step_seconds": 0.05})
    quick = client.post("/api/tasks/diagnostics", json={"steps": 1, "step_seconds": 0})
    slow_id, quick_id = slow.get_json()["task_id"], quick.get_json()["task_id"]
    wait_until(
        lambda: client.get(f"/api/task-status/{quick_id}").get_json()["status"] == "SUCCESS",
        what="the quick task",
    )
    page = client.get("/tasks").get_data(as_text=True)
    active, recent = page.split('id="recent-heading"')
    assert f'id="task-{slow_id}"' in active and 'data-action="revoke"' in active
    assert f'id="task-{quick_id}"' in recent and "100%" in recent
    assert client.post(f"/api/tasks/revoke/{slow_id}", json={"terminate": True}).status_code == 200
