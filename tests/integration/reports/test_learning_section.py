"""The weekly report's "What the agent learned": its figures against the readings, by hand."""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from markupsafe import escape

from bookagent.bootstrap import Services
from bookagent.db.models import Book
from bookagent.domain import quantiles
from bookagent.domain.reports import build_report
from bookagent.domain.reports import store_report
from bookagent.reports.render import render_html
from bookagent.settings import Settings
from tests.support.readings import add_published

WEEK = date(2027, 3, 1)  # a Monday; Europe/Berlin is UTC+1 that week
END = datetime(2027, 3, 7, 23, 0, tzinfo=UTC)  # the week's end: what the report learned by
BERLIN = ZoneInfo("Europe/Berlin")


def at(day: int, hour: int) -> datetime:
    """Local time in Berlin on March `day`, 2027, as UTC."""
    return datetime(2027, 3, day, hour, tzinfo=BERLIN).astimezone(UTC)


def weight(published: datetime) -> float:
    return float(0.5 ** ((END - published).total_seconds() / 86400 / 14))


@pytest.fixture
def settings(make_settings: Any, database_url: str) -> Settings:
    """Each test runs on SQLite and on PostgreSQL (the readings' query and JSON settings)."""
    return make_settings(db={"url": database_url})


@pytest.fixture
def book_id(client: FlaskClient, book_payload: dict[str, Any]) -> str:
    book = client.post("/api/books", json=book_payload).get_json()["book"]
    client.put(
        "/api/autonomous/settings",
        json={"user_id": "alice", "posts_per_day": {"twitter": 2, "mastodon": 1}},
    )
    return str(book["id"])


@pytest.fixture
def report(services: Services, book_id: str) -> dict[str, Any]:
    # Twitter, at 03:00 (no posting time near: the types alone learn from them).
    add_published(
        services,
        book_id,
        platform="twitter",
        post_type="author_quote",
        at=at(2, 3),
        readings=[
            {"likes": 30, "shares": 10, "impressions": 1000, "read_at": at(3, 3)},
            {"likes": 40, "read_at": at(4, 3)},  # likes rise; shares and impressions still hold
        ],
    )
    add_published(
        services,
        book_id,
        platform="twitter",
        post_type="author_quote",
        at=at(3, 3),
        readings=[{"likes": 20, "comments": 10, "impressions": 1000}],
    )
    add_published(
        services,
        book_id,
        platform="twitter",
        post_type="hook_question",
        at=at(4, 3),
        readings=[
            {"likes": 10, "clicks": 10, "impressions": 2000},
            {"likes": 500, "read_at": datetime(2027, 3, 9, tzinfo=UTC)},  # after the week: no
        ],
    )
    add_published(services, book_id, platform="twitter", post_type="fun_fact", at=at(5, 3))
    # Mastodon, at posting times, measured per follower.
    add_published(
        services,
        book_id,
        platform="mastodon",
        post_type="fun_fact",
        at=at(5, 19),
        readings=[{"likes": 12, "followers": 400}],
    )
    add_published(
        services,
        book_id,
        platform="mastodon",
        post_type="fun_fact",
        at=at(6, 9),
        readings=[{"likes": 4, "followers": 400}],
    )
    with services.db.session() as session:
        book = session.get(Book, book_id)
        assert book is not None
        data = build_report(session, book, WEEK, budget_usd=None)
        data["report_id"] = store_report(session, book, WEEK, data, None).id
    return data


def test_the_means_and_intervals_match_the_readings(report: dict[str, Any]) -> None:
    section = report["learning"]
    assert section["model"]["half_life_days"] == 14
    assert section["model"]["exploration_floor"] == 0.2
    twitter = section["platforms"]["twitter"]
    assert twitter["mode"] == "learned"
    assert twitter["observations"] == 3  # the fun fact has no reading
    assert twitter["bases"] == {"impressions": 3, "followers": 0, "count": 0}
    # Raw scores per impression: (40 + 10) / 1000, (20 + 10) / 1000 and (10 + 10) / 2000.
    # A typical post: the median of the types' medians, median(0.04, 0.01) = 0.025.
    s1, s2, s3 = 0.05 / 0.075, 0.03 / 0.055, 0.01 / 0.035
    w1, w2, w3 = weight(at(2, 3)), weight(at(3, 3)), weight(at(4, 3))
    total = w1 + w2
    average = (w1 * s1 + w2 * s2) / total
    # The prior: mean 0.5, kappa 3, alpha 3, beta 3 · 0.1².
    kappa, alpha = 3 + total, 3 + total / 2
    beta = 0.03 + (w1 * (s1 - average) ** 2 + w2 * (s2 - average) ** 2) / 2
    beta += 3 * total * (average - 0.5) ** 2 / (2 * kappa)
    mean = (3 * 0.5 + total * average) / kappa
    half = quantiles.student_t_quantile(0.95, 2 * alpha) * math.sqrt(beta / (alpha * kappa))
    rows = {row["post_type"]: row for row in twitter["post_types"]}
    quote = rows["author_quote"]
    assert quote["posts"] == 2
    assert quote["weight"] == pytest.approx(total, abs=1e-3)
    assert quote["mean"] == pytest.approx(mean, abs=1e-4)
    assert (quote["low"], quote["high"]) == pytest.approx((mean - half, mean + half), abs=1e-4)
    assert quote["vs_typical"] == pytest.approx(mean / (1 - mean), abs=1e-3)
    hook = rows["hook_question"]
    assert hook["posts"] == 1
    assert hook["mean"] == pytest.approx((3 * 0.5 + w3 * s3) / (3 + w3), abs=1e-4)
    untried = rows["fun_fact"]
    assert (untried["posts"], untried["mean"]) == (0, 0.5)
    assert all(row["posts"] == 0 for row in twitter["slots"])  # none went out at a posting time
    assert twitter["plan"]["posts"] == 14
    assert sum(twitter["plan"]["post_types"].values()) == 14
    assert twitter["summary"][0].startswith("Learned from 3 published posts")

    mastodon = section["platforms"]["mastodon"]
    assert mastodon["bases"] == {"impressions": 0, "followers": 2, "count": 0}
    slots = {row["slot"]: row for row in mastodon["slots"]}
    assert (slots["09:00"]["posts"], slots["14:00"]["posts"], slots["19:00"]["posts"]) == (1, 0, 1)
    assert slots["19:00"]["mean"] > slots["14:00"]["mean"] > slots["09:00"]["mean"]


def test_the_section_is_on_the_page_and_in_its_csv_table(
    client: FlaskClient, report: dict[str, Any]
) -> None:
    report_id = report["report_id"]
    page = client.get(f"/api/reports/{report_id}.html").get_data(as_text=True)
    assert "What the agent learned" in page
    assert 'id="chart-learning-twitter" ' in page and 'id="chart-learning-mastodon" ' in page
    assert 'id="learning-twitter"' in page
    for line in report["learning"]["platforms"]["twitter"]["summary"]:
        assert str(escape(line)) in page
    table = client.get(f"/api/reports/{report_id}.csv?table=learning").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(table)))
    quote = next(r for r in rows if r["platform"] == "twitter" and r["name"] == "author_quote")
    expected = next(
        row
        for row in report["learning"]["platforms"]["twitter"]["post_types"]
        if row["post_type"] == "author_quote"
    )
    assert (quote["mode"], quote["kind"], quote["posts"]) == ("learned", "post_type", "2")
    assert float(quote["mean"]) == expected["mean"]
    planned = report["learning"]["platforms"]["twitter"]["plan"]["post_types"]
    assert int(quote["planned"]) == planned.get("author_quote", 0)
    assert {r["kind"] for r in rows} == {"post_type", "slot"}


def test_a_week_without_readings_keeps_the_default_mix_and_draws_no_chart(
    services: Services, book_id: str
) -> None:
    with services.db.session() as session:
        book = session.get(Book, book_id)
        assert book is not None
        data = build_report(session, book, WEEK, budget_usd=None)
    twitter = data["learning"]["platforms"]["twitter"]
    assert twitter["mode"] == "default" and twitter["observations"] == 0
    assert twitter["summary"][0].startswith("No engagement figures yet")
    assert 'id="chart-learning-' not in render_html(data)


def report_with_a_top_quote(
    services: Services, book_id: str, *, day: int, likes: int
) -> dict[str, Any]:
    """The week's report after an author quote on Twitter drew `likes` on March `day`, the most
    of the week."""
    add_published(
        services,
        book_id,
        platform="twitter",
        post_type="author_quote",
        at=at(day, 3),
        readings=[{"likes": likes, "impressions": 1000, "read_at": at(day + 1, 3)}],
        metrics={"likes": likes, "impressions": 1000},
    )
    with services.db.session() as session:
        book = session.get(Book, book_id)
        assert book is not None
        return build_report(session, book, WEEK, budget_usd=None)


def test_where_the_plan_learns_the_advice_does_not_contradict_it(
    services: Services, book_id: str, report: dict[str, Any]
) -> None:
    """One post's "write more of that type" would second-guess a plan that weighs every
    reading; the learning section says what the plan does instead."""
    data = report_with_a_top_quote(services, book_id, day=6, likes=90)
    assert data["engagement"]["top_posts"][0]["platform"] == "twitter"
    assert data["learning"]["platforms"]["twitter"]["mode"] == "learned"
    assert not any("did best" in line for line in data["suggestions"])


@pytest.mark.parametrize(
    ("settings_change", "advice"),
    [
        (
            {"learning": False},
            "twitter: the author quote post did best; write more of that type, or turn "
            "learning on and the agent weighs every post's engagement for you",
        ),
        (
            {"pinned_mix": {"twitter": ["fun_fact", "hook_question"]}},
            "twitter: the author quote post did best; the pinned mix decides what is written "
            "next, so add that type to it to write more",
        ),
    ],
)
def test_where_the_author_chooses_the_mix_the_advice_says_how_to_write_more(
    client: FlaskClient,
    services: Services,
    book_id: str,
    settings_change: dict[str, Any],
    advice: str,
) -> None:
    changed = client.put(
        "/api/autonomous/settings",
        json={"user_id": "alice", "posts_per_day": {"twitter": 2}, **settings_change},
    )
    assert changed.status_code == 200, changed.get_json()
    data = report_with_a_top_quote(services, book_id, day=2, likes=30)
    assert advice in data["suggestions"]
