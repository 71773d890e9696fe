"""Driving a running server through the agent's loop over HTTP: start the agent, generate one
post, and approve it for a few seconds from now, so the scheduler publishes it."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import httpx


def schedule_one_post(url: str, platform: str, *, due_in_s: float, user_id: str = "alice") -> str:
    """Start `user_id`'s agent (no daily quota) and approve one new `platform` post due in
    `due_in_s` seconds; returns the post's id. The user's book must exist."""
    settings = {"user_id": user_id, "posts_per_day": {}}
    assert httpx.put(f"{url}/api/autonomous/settings", json=settings).status_code == 200
    started = httpx.post(f"{url}/api/autonomous/start", json={"user_id": user_id})
    assert started.status_code == 200, started.text
    generated = httpx.post(
        f"{url}/api/generate-posts",
        json={"user_id": user_id, "platforms": [platform], "count_per_platform": 1},
        timeout=30,
    )
    assert generated.status_code == 200, generated.text
    post_id = str(generated.json()["posts"][0]["id"])
    due = (datetime.now(UTC) + timedelta(seconds=due_in_s)).isoformat()
    approved = httpx.post(
        f"{url}/api/approve-post", json={"post_id": post_id, "scheduled_time": due}
    )
    assert approved.json()["status"] == "approved_and_scheduled", approved.text
    return post_id
