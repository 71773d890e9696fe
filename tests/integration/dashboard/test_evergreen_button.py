"""The schedule's evergreen button: on published posts only, showing the post's mark."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.db.models import Post


def test_published_posts_on_the_schedule_have_an_evergreen_button(
    client: FlaskClient, services: Services, book_payload: dict[str, Any]
) -> None:
    client.post("/api/books", json=book_payload)
    made = client.post(
        "/api/generate-posts",
        json={"user_id": "alice", "platforms": ["twitter"], "count_per_platform": 2},
    ).get_json()["posts"]
    out, planned = made[0]["id"], made[1]["id"]
    with services.db.session() as session:
        row = session.get(Post, out)
        assert row is not None
        row.status, row.published_at = "published", datetime.now(UTC) - timedelta(hours=2)
    client.post(
        "/api/approve-post",
        json={
            "post_id": planned,
            "scheduled_time": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        },
    )
    page = client.get("/schedule").get_data(as_text=True)
    assert f'data-evergreen-post="{out}" aria-pressed="false"' in page
    assert f'data-evergreen-post="{planned}"' not in page  # not published: nothing to repeat
    assert "evergreen.js" in page
    assert client.get("/static/evergreen.js").status_code == 200

    assert client.put(f"/api/posts/{out}/evergreen").status_code == 200
    page = client.get("/schedule").get_data(as_text=True)
    assert f'data-evergreen-post="{out}" aria-pressed="true"' in page
    assert "Evergreen: stop repeating" in page
