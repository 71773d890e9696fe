"""The schedule page shows the best time to post on each platform, learned or default, and
suggests a posting time when the learned best window holds none of the author's."""

from __future__ import annotations

import html
import re
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.db.base import utcnow
from tests.support.readings import add_published

BERLIN = ZoneInfo("Europe/Berlin")  # the test book's timezone


def text_of(page: str, element_id: str) -> str:
    """The plain text of the element with this id (its tags dropped, spaces collapsed)."""
    found = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, f"no #{element_id}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split())


def evening_posts(services: Services, book_id: str, platform: str) -> None:
    """24 posts on weekdays at 09:30, 14:30 and 19:30 Berlin time; the evening's draw twice."""
    day = utcnow().astimezone(BERLIN).date() - timedelta(days=1)
    weekdays: list[Any] = []
    while len(weekdays) < 8:
        if day.weekday() < 5:
            weekdays.append(day)
        day -= timedelta(days=1)
    for hour, likes in ((9, 10), (14, 11), (19, 20)):
        for date in weekdays:
            at = datetime(date.year, date.month, date.day, hour, 30, tzinfo=BERLIN)
            figures = {"likes": likes, "impressions": 1000, "read_at": at + timedelta(hours=1)}
            add_published(
                services,
                book_id,
                platform=platform,
                post_type="fun_fact",
                at=at,
                readings=[figures],
            )


def test_the_schedule_page_shows_learned_and_default_best_times_with_a_slot_tip(
    services: Services, client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book_id = client.post("/api/books", json=book_payload).get_json()["book"]["id"]
    client.put(
        "/api/autonomous/settings",
        json={
            "user_id": "alice",
            "posts_per_day": {"bluesky": 1, "mastodon": 1, "twitter": 1},
            "slots": {"bluesky": ["09:00", "14:00"], "twitter": ["08:00", "19:00"]},
        },
    )
    evening_posts(services, book_id, "bluesky")
    evening_posts(services, book_id, "twitter")
    now = utcnow()
    for day in range(1, 8):
        at = now - timedelta(days=day)
        add_published(
            services,
            book_id,
            platform="mastodon",
            post_type="author_quote",
            at=at,
            readings=[{"likes": 3, "impressions": 500, "read_at": at + timedelta(hours=1)}],
        )
    response = client.get("/schedule")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'aria-labelledby="best-times-heading"' in page
    assert "Best times to post" in page

    bluesky = text_of(page, "best-times-bluesky")
    assert "best 18:00–21:00 on weekdays (learned from 24 posts)" in bluesky
    assert "a typical post's engagement (90% credible:" in bluesky
    assert 'id="best-times-bluesky" data-source="learned"' in page
    tip = text_of(page, "best-times-bluesky-tip")
    assert "none of your posting times (09:00, 14:00) falls in 18:00–21:00" in tip
    assert "posting time at 19:00" in tip

    # X learned the same evening, but the author already posts at 19:00 there: no tip.
    assert "best 18:00–21:00 on weekdays" in text_of(page, "best-times-twitter")
    assert 'id="best-times-twitter-tip"' not in page

    mastodon = text_of(page, "best-times-mastodon")
    assert mastodon == (
        "09:00–12:00 on weekdays (default until 20 posts have engagement; 7 so far)"
    )
    assert 'id="best-times-mastodon-tip"' not in page
    assert re.search(r"<dt>Mastodon</dt>\s*<dd id=\"best-times-mastodon\"", page)


def test_a_new_book_sees_the_defaults_of_its_platforms(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    client.post("/api/books", json=book_payload)
    page = client.get("/schedule").get_data(as_text=True)
    assert text_of(page, "best-times-twitter").endswith(
        "(default until 20 posts have engagement; 0 so far)"
    )
    assert 'id="best-times-facebook" data-source="default"' in page


def test_without_a_book_there_are_no_best_times(client: FlaskClient) -> None:
    page = client.get("/schedule").get_data(as_text=True)
    assert "create your book profile" in page
    assert "Best times to post" not in page
