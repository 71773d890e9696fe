"""The overview shows the mix each platform gets: learned, default, pinned or learning off."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.db.base import utcnow
from bookagent.domain.categories import DEFAULT_MIX
from tests.support.readings import add_published


def mix_of(page: str, platform: str) -> tuple[str, str]:
    """The mode and the plain text of a platform's mix on the overview."""
    found = re.search(rf'<dd id="mix-{platform}" data-mode="(\w+)">(.*?)</dd>', page, re.S)
    assert found, f"no mix for {platform}"
    return found.group(1), " ".join(re.sub(r"<[^>]+>", "", found.group(2)).split())


def test_the_overview_shows_each_platforms_mix(
    services: Services, client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book_id = client.post("/api/books", json=book_payload).get_json()["book"]["id"]
    client.put(
        "/api/autonomous/settings",
        json={
            "user_id": "alice",
            "posts_per_day": {"twitter": 2, "mastodon": 1, "bluesky": 1, "facebook": 0},
            "pinned_mix": {"bluesky": ["author_quote", "review_highlight"]},
        },
    )
    now = utcnow()
    # Author quotes drew six times the engagement of every other type's posts.
    for index, post_type in enumerate(DEFAULT_MIX["fiction"]):
        for day in range(1, 9 if post_type == "author_quote" else 3):
            add_published(
                services,
                book_id,
                platform="twitter",
                post_type=post_type,
                at=now - timedelta(days=day, hours=index),
                readings=[
                    {"likes": 60 if post_type == "author_quote" else 10, "impressions": 1000}
                ],
            )
    page = client.get("/").get_data(as_text=True)
    assert 'id="agent-mix"' in page
    mode, text = mix_of(page, "twitter")
    assert mode == "learned" and text.startswith("Learned: author quote")
    counts = [int(n) for n in re.findall(r" (\d+)(?:,|\s)", text)]
    assert sum(counts) == 14  # a week of two a day
    assert mix_of(page, "bluesky") == ("pinned", "Pinned: author quote, review highlight")
    assert mix_of(page, "mastodon") == ("default", "Default mix: no engagement figures yet")
    assert 'id="mix-facebook"' not in page  # the agent does not post there

    client.put(
        "/api/autonomous/settings",
        json={"user_id": "alice", "posts_per_day": {"twitter": 2}, "learning": False},
    )
    page = client.get("/").get_data(as_text=True)
    assert mix_of(page, "twitter") == ("off", "Learning off: the default mix")
