"""`/l/<code>`: a 302 to the post's tracked link that counts a reader's click (its time alone),
not a bot's nor a HEAD; 404 JSON for an unknown or malformed code; and the counted clicks in the
post's metrics, the daily metrics step and the weekly report. The link-tracking settings are
validated. On SQLite and on the real PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import select

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.db.models import Book
from bookagent.db.models import LinkClick
from bookagent.db.models import MetricReading
from bookagent.db.models import Post
from bookagent.domain.reports import build_report
from bookagent.domain.short_links import short_codes
from bookagent.reports.render import render_csv
from bookagent.reports.render import render_html
from bookagent.settings import Settings
from bookagent.tasks.daily import collect_metrics
from bookagent.tasks.publishing import publish_one
from bookagent.web.app import create_app
from tests.conftest import SettingsFactory
from tests.support.link_posts import AMAZON
from tests.support.link_posts import LANDING
from tests.support.link_posts import due_post
from tests.support.link_posts import published_post
from tests.support.link_posts import seed_book
from tests.support.link_posts import set_tracking

PUBLIC_URL = "https://books.example.com"
BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.2 Mobile/15E148 Safari/604.1"
)
BOTS = (
    "Twitterbot/1.0",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
    "http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "WhatsApp/2.23.20.0 A",
    "curl/8.4.0",
    "",
)


@pytest.fixture
def settings(make_settings: SettingsFactory, database_url: str) -> Settings:
    return make_settings(
        db={"url": database_url},
        web={"public_url": PUBLIC_URL, "trusted_hosts": ["localhost", "books.example.com"]},
    )


def linked_post(services: Services, url: str = AMAZON) -> tuple[str, str, str]:
    """A published post with a short link to `url`: (book id, post id, code)."""
    book_id = seed_book(services)
    post_id = published_post(services, book_id, f"Buy it: {url}")
    with services.db.session() as session:
        codes = short_codes(session, post_id, [url])
    return book_id, post_id, codes[url]


def click(client: FlaskClient, code: str, agent: str | None = BROWSER, method: str = "GET") -> Any:
    """Visit the short link with `agent` as the User-Agent (None: without the header)."""
    if agent is None:
        saved = client.environ_base.pop("HTTP_USER_AGENT", None)  # the test client's default
        try:
            return client.open(f"/l/{code}", method=method)
        finally:
            if saved is not None:
                client.environ_base["HTTP_USER_AGENT"] = saved
    return client.open(f"/l/{code}", method=method, headers={"User-Agent": agent})


def clicks(services: Services) -> int:
    with services.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(LinkClick)) or 0)


def test_a_click_is_a_302_and_stores_its_time_alone(
    client: FlaskClient, services: Services
) -> None:
    _, _, code = linked_post(services)
    before = datetime.now(UTC)
    answer = click(client, code)
    assert answer.status_code == 302
    assert answer.headers["Location"] == AMAZON
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in answer.headers
    with services.db.session() as session:
        [row] = session.scalars(select(LinkClick))
        assert row.code == code and before <= row.clicked_at <= datetime.now(UTC)
        # nothing about who clicked: the table has no column to hold it
        columns = {c["name"] for c in inspect(session.connection()).get_columns("link_clicks")}
    assert columns == {"id", "code", "clicked_at"}


@pytest.mark.parametrize("agent", BOTS)
def test_a_bot_follows_the_link_without_counting(
    client: FlaskClient, services: Services, agent: str
) -> None:
    _, _, code = linked_post(services)
    answer = click(client, code, agent)
    assert answer.status_code == 302 and answer.headers["Location"] == AMAZON
    assert clicks(services) == 0


def test_no_user_agent_and_head_requests_do_not_count(
    client: FlaskClient, services: Services
) -> None:
    _, _, code = linked_post(services)
    assert click(client, code, agent=None).status_code == 302
    head = click(client, code, method="HEAD")
    assert head.status_code == 302 and head.headers["Location"] == AMAZON
    assert clicks(services) == 0
    assert click(client, code).status_code == 302
    assert clicks(services) == 1


@pytest.mark.parametrize(
    "path",
    ["/l/Zz9Zz9Zz", "/l/abc$def", "/l/" + "a" * 17, "/l/abc/def", "/l/..%2Fapi", "/l/%00"],
)
def test_an_unknown_or_malformed_code_is_a_404_in_json(
    client: FlaskClient, services: Services, path: str
) -> None:
    linked_post(services)
    answer = client.get(path, headers={"User-Agent": BROWSER})
    assert answer.status_code == 404
    body = answer.get_json()
    assert body["success"] is False and body["code"] == "not_found"
    assert clicks(services) == 0


def test_an_empty_code_or_a_wrong_method_answers_json_too(client: FlaskClient) -> None:
    empty = client.get("/l/", headers={"User-Agent": BROWSER})
    assert empty.status_code == 404 and empty.get_json()["code"] == "not_found"
    posted = client.post("/l/abcdefgh", headers={"User-Agent": BROWSER})
    assert posted.status_code == 405 and posted.get_json()["success"] is False


def test_clicks_reach_the_posts_metrics_once_and_never_lower_an_imported_figure(
    client: FlaskClient, services: Services
) -> None:
    _, post_id, code = linked_post(services)
    for agent in (BROWSER, BROWSER, "Twitterbot/1.0", BROWSER):
        click(client, code, agent)
    body = client.get(f"/api/posts/{post_id}/metrics").get_json()
    [reading] = body["readings"]
    assert reading["source"] == "clicks" and reading["clicks"] == 3
    assert reading["likes"] is None  # the counter gives clicks alone
    assert body["latest"] == {"clicks": 3}
    # read again with no new click: no second reading
    assert client.get(f"/api/posts/{post_id}/metrics").get_json()["count"] == 1
    # the platform's own figure (imported) is larger: it stands, the count is not added to it
    imported = client.post(f"/api/posts/{post_id}/metrics", json={"clicks": 10, "likes": 4})
    assert imported.status_code == 201, imported.get_json()
    click(client, code)
    body = client.get(f"/api/posts/{post_id}/metrics").get_json()
    assert body["count"] == 2 and body["latest"] == {"likes": 4, "clicks": 10}
    # until the count goes past it
    for _ in range(7):
        click(client, code)
    body = client.get(f"/api/posts/{post_id}/metrics").get_json()
    assert body["count"] == 3 and body["latest"] == {"likes": 4, "clicks": 11}
    assert body["readings"][-1]["source"] == "clicks"


def test_the_daily_metrics_step_records_the_counted_clicks(
    client: FlaskClient, services: Services
) -> None:
    book_id, post_id, code = linked_post(services)
    click(client, code)
    click(client, code)
    assert collect_metrics(services, book_id) == {"updated": 1}
    assert collect_metrics(services, book_id) == {"updated": 0}  # nothing new
    with services.db.session() as session:
        [row] = session.scalars(select(MetricReading).where(MetricReading.post_id == post_id))
        assert (row.source, row.clicks) == ("clicks", 2)
        post = session.get(Post, post_id)
        assert post is not None and post.metrics == {"clicks": 2}


def test_a_published_short_link_leads_to_the_tagged_link(
    client: FlaskClient, services: Services, settings: Settings
) -> None:
    """End to end: short links on, a Mastodon post (to the outbox), a reader clicks it."""
    book_id = seed_book(services)
    set_tracking(services, book_id, short_links=True)
    post_id = due_post(services, book_id, "mastodon", f"Read it: {LANDING} #BookTok")
    assert publish_one(services, post_id) == "published"
    [record_path] = Path(settings.data_dir, "outbox", "mastodon").glob("*/*.json")
    record = json.loads(record_path.read_text("utf-8"))
    [short] = record["links"]
    assert record["content"] == f"Read it: {short} #BookTok" and short.startswith(PUBLIC_URL)
    answer = click(client, short.removeprefix(PUBLIC_URL).removeprefix("/l/"))
    assert answer.status_code == 302
    assert answer.headers["Location"] == (
        f"{LANDING}?utm_source=mastodon&utm_medium=social"
        f"&utm_campaign=the-lighthouse-keeper&utm_content={post_id}"
    )
    assert client.get(f"/api/posts/{post_id}/metrics").get_json()["latest"] == {"clicks": 1}


def test_the_weekly_report_shows_clicks_per_post(client: FlaskClient, services: Services) -> None:
    book_id, post_id, code = linked_post(services)
    other = published_post(services, book_id, "No link, clicks imported")
    when = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # in the week of Monday 2026-11-30 (UTC)
    with services.db.session() as session:
        for each in (post_id, other):
            post = session.get(Post, each)
            assert post is not None
            post.published_at = when
    for _ in range(3):
        click(client, code)
    client.post(f"/api/posts/{other}/metrics", json={"clicks": 2})
    with services.db.session() as session:
        book = session.get(Book, book_id)
        assert book is not None
        report = build_report(session, book, date(2026, 11, 30), budget_usd=None)
    section = report["clicks"]
    assert (section["known"], section["total"], section["counted"]) == (True, 5, 3)
    assert [
        (p["post_id"], p["clicks"], p["counted"], p["short_links"]) for p in section["posts"]
    ] == [
        (post_id, 3, 3, 1),
        (other, 2, 0, 0),
    ]
    assert report["engagement"]["total"] == 5  # clicks are engagement
    page = render_html(report)
    assert 'id="clicks-by-post"' in page and "(3 counted on bookagent's short links)" in page
    rows = list(csv.reader(io.StringIO(render_csv(report, "clicks"))))
    assert rows[0] == [
        "post_id",
        "platform",
        "post_type",
        "clicks",
        "counted",
        "short_links",
        "url",
        "content",
    ]
    assert rows[1][:6] == [post_id, "mastodon", "hook_question", "3", "3", "1"]


def test_a_report_written_before_clicks_were_kept_still_renders(services: Services) -> None:
    book_id = seed_book(services)
    with services.db.session() as session:
        book = session.get(Book, book_id)
        assert book is not None
        report = build_report(session, book, date(2026, 11, 30), budget_usd=None)
    assert report["clicks"] == {"known": False, "total": 0, "counted": 0, "posts": []}
    assert "No clicks are known for this week" in render_html(report)
    del report["clicks"]
    assert "written before clicks were kept" in render_html(report)
    assert len(list(csv.reader(io.StringIO(render_csv(report, "clicks"))))) == 1  # the header


def test_link_tracking_settings_are_validated(client: FlaskClient, services: Services) -> None:
    book_id = seed_book(services, links={"amazon": AMAZON, "bookshop": LANDING})
    put = {"book_id": book_id, "link_tracking": {"untracked": ["kobo"]}}
    answer = client.put("/api/autonomous/settings", json=put)
    assert answer.status_code == 422
    [detail] = answer.get_json()["details"]
    assert detail["field"] == "link_tracking.untracked" and "kobo" in detail["message"]
    good = {"utm": True, "short_links": True, "untracked": ["bookshop", "audible"]}
    answer = client.put(
        "/api/autonomous/settings", json={"book_id": book_id, "link_tracking": good}
    )
    assert answer.status_code == 200, answer.get_json()
    settings = client.get(f"/api/autonomous/settings?book_id={book_id}").get_json()["settings"]
    assert settings["link_tracking"] == good
    # a book whose settings never named link tracking: tags on, short links off
    other = seed_book(services)
    defaults = client.get(f"/api/autonomous/settings?book_id={other}").get_json()["settings"]
    assert defaults["link_tracking"] == {"utm": True, "short_links": False, "untracked": []}


def test_short_links_need_the_public_address(
    make_settings: SettingsFactory, database_url: str
) -> None:
    services = build_services(make_settings(db={"url": database_url}), start_queue=False)
    try:
        client = create_app(services=services).test_client()
        book_id = seed_book(services)
        answer = client.put(
            "/api/autonomous/settings",
            json={"book_id": book_id, "link_tracking": {"short_links": True}},
        )
        assert answer.status_code == 422
        assert answer.get_json()["details"][0]["field"] == "link_tracking.short_links"
    finally:
        services.close(grace_s=0)


def test_clicks_past_an_addresss_allowance_are_followed_but_not_counted(
    make_settings: SettingsFactory, database_url: str
) -> None:
    settings = make_settings(
        db={"url": database_url},
        web={
            "public_url": PUBLIC_URL,
            "trusted_hosts": ["localhost", "books.example.com"],
            "click_rate_limit": "3 per minute",
        },
    )
    services = build_services(settings)
    try:
        app = create_app(services=services)
        client = app.test_client()
        _, _, code = linked_post(services)
        answers = [click(client, code) for _ in range(5)]
        assert [a.status_code for a in answers] == [302] * 5  # every reader is sent on
        assert {a.headers["Location"] for a in answers} == {AMAZON}
        assert clicks(services) == 3  # ... and a script counts no more than the allowance
        other = click(client, code, agent=BROWSER, method="GET")
        assert other.status_code == 302 and clicks(services) == 3
    finally:
        services.close(grace_s=5)
