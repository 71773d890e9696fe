"""`/api/posts/<id>/metrics` and `/api/metrics/import`: readings of a published post's figures,
its history, its latest figures, and CSV imports that store all rows or none."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from bookagent.bootstrap import Services
from bookagent.db.models import MetricReading
from bookagent.db.models import Post
from bookagent.domain.identity import create_token
from bookagent.domain.metric_import import MAX_IMPORT_ROWS
from bookagent.settings import Settings
from tests.conftest import SettingsFactory
from tests.support.factories import seed_due_posts

HEADER = "post,likes,shares,comments,clicks,impressions,at"


@pytest.fixture
def settings(make_settings: SettingsFactory, database_url: str) -> Settings:
    """Every test here runs on SQLite and on the real PostgreSQL."""
    return make_settings(db={"url": database_url})


def published_posts(
    services: Services,
    count: int = 1,
    *,
    platform: str = "mastodon",
    user_id: str = "alice",
    urls: list[str] | None = None,
    remote_ids: list[str] | None = None,
) -> list[str]:
    """`count` published posts of one new book; `urls` and `remote_ids` are theirs in order."""
    ids = seed_due_posts(services, count, platform=platform, user_id=user_id)
    with services.db.session() as session:
        for index, post_id in enumerate(ids):
            post = session.get(Post, post_id)
            assert post is not None
            post.status = "published"
            post.published_at = datetime.now(UTC) - timedelta(days=2)
            post.published_url = urls[index] if urls else f"https://example.test/p/{post_id}"
            post.remote_id = remote_ids[index] if remote_ids else None
    return ids


def reading_count(services: Services) -> int:
    with services.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(MetricReading)) or 0)


def bearer(services: Services, user_id: str) -> dict[str, str]:
    with services.db.session() as session:
        _, secret = create_token(session, user_id=user_id, is_admin=False)
    return {"Authorization": f"Bearer {secret}"}


def test_a_reading_is_stored_and_becomes_the_posts_latest_figures(
    client: FlaskClient, services: Services
) -> None:
    [post_id] = published_posts(services)
    answer = client.post(
        f"/api/posts/{post_id}/metrics",
        json={"likes": 12, "comments": 3, "read_at": "2026-12-01T09:30:00+01:00"},
    )
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    reading = body["reading"]
    assert reading["post_id"] == post_id and reading["source"] == "import"
    assert reading["read_at"] == "2026-12-01T08:30:00+00:00"
    assert (reading["likes"], reading["comments"], reading["shares"]) == (12, 3, None)
    assert body["post"]["metrics"] == {"likes": 12, "comments": 3}
    assert body["latest"] == {"likes": 12, "comments": 3}
    assert body["metrics_updated_at"] == "2026-12-01T08:30:00+00:00"


def test_history_is_oldest_first_and_latest_merges_each_figures_newest_reading(
    client: FlaskClient, services: Services
) -> None:
    [post_id] = published_posts(services)
    url = f"/api/posts/{post_id}/metrics"
    sent = [  # out of order: the latest figures follow read_at, not arrival
        {"likes": 20, "shares": 4, "read_at": "2026-12-03T10:00:00+00:00"},
        {"likes": 5, "clicks": 7, "impressions": 100, "read_at": "2026-12-01T10:00:00+00:00"},
        {"likes": 11, "read_at": "2026-12-02T10:00:00+00:00"},
        {"clicks": 9},  # now
    ]
    for body in sent:
        assert client.post(url, json=body).status_code == 201
    history = client.get(url).get_json()
    assert history["post_id"] == post_id and history["count"] == 4
    assert [r["likes"] for r in history["readings"]] == [5, 11, 20, None]
    assert history["readings"][0]["read_at"] == "2026-12-01T10:00:00+00:00"
    assert history["latest"] == {"likes": 20, "shares": 4, "clicks": 9, "impressions": 100}
    assert history["metrics_updated_at"] == history["readings"][-1]["read_at"]
    post = client.get(f"/api/posts/{post_id}").get_json()["post"]
    assert post["metrics"] == history["latest"]


def test_a_post_with_old_metrics_keys_keeps_them_under_the_stable_names(
    client: FlaskClient, services: Services
) -> None:
    [post_id] = published_posts(services)
    with services.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.metrics = {"likes": 10, "reposts": 2, "replies": 1, "quotes": 1}
    assert client.post(f"/api/posts/{post_id}/metrics", json={"clicks": 4}).status_code == 201
    latest = client.get(f"/api/posts/{post_id}/metrics").get_json()["latest"]
    assert latest == {"likes": 10, "shares": 2, "comments": 2, "clicks": 4}


def test_a_post_the_caller_may_not_see_is_not_found(
    client: FlaskClient, services: Services
) -> None:
    [post_id] = published_posts(services, user_id="bob")
    alice = bearer(services, "alice")
    url = f"/api/posts/{post_id}/metrics"
    assert client.post(url, json={"likes": 1}, headers=alice).status_code == 404
    assert client.get(url, headers=alice).status_code == 404
    assert client.get("/api/posts/nope/metrics", headers=alice).status_code == 404
    assert reading_count(services) == 0


def test_a_post_not_yet_published_has_no_engagement(
    client: FlaskClient, services: Services
) -> None:
    [post_id] = seed_due_posts(services, 1, platform="mastodon")
    answer = client.post(f"/api/posts/{post_id}/metrics", json={"likes": 1})
    assert answer.status_code == 409
    assert "scheduled, not published" in answer.get_json()["error"]


def test_bad_values_are_422_naming_the_field(client: FlaskClient, services: Services) -> None:
    [post_id] = published_posts(services)
    url = f"/api/posts/{post_id}/metrics"
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"likes": -1}, "likes"),
        ({"shares": 1.5}, "shares"),
        ({"comments": "3"}, "comments"),  # a number, not a text
        ({"clicks": True}, "clicks"),
        ({"impressions": 2**31}, "impressions"),
        ({"likes": 1, "read_at": "soon"}, "read_at"),
        ({"likes": 1, "read_at": future}, "read_at"),
        ({"likes": 1, "favourites": 2}, "favourites"),
        ({}, "figures"),
        ({"likes": None}, "figures"),
    ]
    for body, field in cases:
        answer = client.post(url, json=body)
        assert answer.status_code == 422, (body, answer.get_json())
        assert field in [d["field"] for d in answer.get_json()["details"]], (body, answer.json)
    assert reading_count(services) == 0


def test_an_import_stores_every_row_and_updates_each_post(
    client: FlaskClient, services: Services
) -> None:
    first, second = published_posts(services, 2)
    text = "\n".join(
        [
            HEADER,
            f"{first},3,1,0,,,2026-12-01T10:00:00+00:00",
            f"{first},8,2,1,5,400,2026-12-02T10:00:00+00:00",
            f"{second},1,,,,,",
            "",  # blank lines are skipped
        ]
    )
    answer = client.post("/api/metrics/import", json={"csv": text})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["imported"] == 3 and answer.get_json()["posts"] == 2
    history = client.get(f"/api/posts/{first}/metrics").get_json()
    assert [r["likes"] for r in history["readings"]] == [3, 8]
    assert {r["source"] for r in history["readings"]} == {"import"}
    assert history["latest"] == {
        "likes": 8,
        "shares": 2,
        "comments": 1,
        "clicks": 5,
        "impressions": 400,
    }
    assert client.get(f"/api/posts/{second}/metrics").get_json()["latest"] == {"likes": 1}


def test_an_import_with_three_bad_rows_reports_each_line_and_imports_nothing(
    client: FlaskClient, services: Services
) -> None:
    [post_id] = published_posts(services)
    text = "\n".join(
        [
            HEADER,
            f"{post_id},3,1,0,,,",
            f"{post_id},-2,1,0,,,",  # line 3: a negative figure
            f"{post_id},4,,,,,",
            "no-such-post,1,,,,,",  # line 5: no such post
            f"{post_id},,,,,,2026-12-01",  # line 6: no figure
            f"{post_id},5,,,,,",
        ]
    )
    answer = client.post("/api/metrics/import", json={"csv": text})
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["code"] == "invalid_rows"
    assert "3 rows are not valid (line 3, 5, 6); nothing was imported" in body["error"]
    assert [(e["line"], e["field"]) for e in body["errors"]] == [
        (3, "likes"),
        (5, "post"),
        (6, "figures"),
    ]
    assert body["errors"][0]["message"] == "must be 0 or more"
    assert "no-such-post" in body["errors"][1]["message"]
    assert [d["field"] for d in body["details"]] == ["likes", "post", "figures"]
    assert body["details"][0]["message"] == "line 3: must be 0 or more"
    assert reading_count(services) == 0  # not even the good rows
    assert client.get(f"/api/posts/{post_id}/metrics").get_json()["latest"] == {}


def test_an_import_names_a_post_by_its_published_url_or_its_page(
    client: FlaskClient, services: Services
) -> None:
    mastodon, x = published_posts(
        services,
        2,
        urls=["https://mastodon.social/@author/113000000000000001", "https://example.test/x"],
        remote_ids=["113000000000000001", "1880000000000000042"],
    )
    with services.db.session() as session:
        post = session.get(Post, x)
        assert post is not None
        post.platform = "twitter"
    bluesky_ids = published_posts(
        services,
        1,
        platform="bluesky",
        urls=["https://example.test/bsky"],
        remote_ids=["at://did:plc:abc/app.bsky.feed.post/3lbxyzabcde22"],
    )
    text = "\n".join(
        [
            "post,likes",
            "https://mastodon.social/@author/113000000000000001,4",  # its published_url
            "https://x.com/author/status/1880000000000000042,6",  # its page on X
            "https://bsky.app/profile/author.bsky.social/post/3lbxyzabcde22,8",  # by handle
        ]
    )
    answer = client.post("/api/metrics/import", json={"csv": text})
    assert answer.status_code == 200, answer.get_json()
    for post_id, likes in ((mastodon, 4), (x, 6), (bluesky_ids[0], 8)):
        assert client.get(f"/api/posts/{post_id}/metrics").get_json()["latest"] == {"likes": likes}


def test_an_import_refuses_another_users_post_and_an_unknown_address(
    client: FlaskClient, services: Services
) -> None:
    [bobs] = published_posts(services, user_id="bob", urls=["https://example.test/bob"])
    [alices] = published_posts(services, user_id="alice")
    alice = bearer(services, "alice")
    text = f"post,likes\n{bobs},1\nhttps://example.test/bob,1\n{alices},2\n"
    answer = client.post("/api/metrics/import", json={"csv": text}, headers=alice)
    assert answer.status_code == 422
    assert [(e["line"], e["field"]) for e in answer.get_json()["errors"]] == [
        (2, "post"),
        (3, "post"),
    ]
    assert reading_count(services) == 0


def test_an_import_checks_its_header(client: FlaskClient, services: Services) -> None:
    [post_id] = published_posts(services)
    cases = [
        ("post,like\n", (1, "like")),  # a misspelt figure would import nothing
        ("likes,shares\n", (1, "post")),
        ("post,likes,likes\n", (1, "likes")),
    ]
    for header, expected in cases:
        answer = client.post("/api/metrics/import", json={"csv": f"{header}{post_id},1\n"})
        assert answer.status_code == 422, header
        assert [(e["line"], e["field"]) for e in answer.get_json()["errors"]] == [expected]
    # Columns in any order, `read_at` for `at`, a BOM and a spreadsheet's trailing commas.
    text = f"\ufeffAT,Post,Likes,,\n2026-12-01,{post_id},3,,\n"
    assert client.post("/api/metrics/import", json={"csv": text}).status_code == 200
    empty = client.post("/api/metrics/import", json={"csv": HEADER + "\n"})
    assert empty.status_code == 422 and empty.get_json()["details"][0]["field"] == "csv"


def test_an_import_is_bounded_in_rows_and_bytes(client: FlaskClient, services: Services) -> None:
    [post_id] = published_posts(services)
    rows = "".join(f"{post_id},{n}\n" for n in range(MAX_IMPORT_ROWS + 1))
    too_many = client.post("/api/metrics/import", json={"csv": "post,likes\n" + rows})
    assert too_many.status_code == 422
    assert too_many.get_json()["details"][0]["field"] == "csv"
    assert "more than 10,000 rows" in too_many.get_json()["error"]
    # Over the API's body limit (web.max_body_bytes, 1 MiB by default): 413 before any parsing.
    huge = "post,likes\n" + f"{post_id},1\n" * 40_000
    assert client.post("/api/metrics/import", json={"csv": huge}).status_code == 413
    assert reading_count(services) == 0
    exactly = "".join(f"{post_id},{n}\n" for n in range(MAX_IMPORT_ROWS))
    done = client.post("/api/metrics/import", json={"csv": "post,likes\n" + exactly})
    assert done.status_code == 200 and done.get_json()["imported"] == MAX_IMPORT_ROWS
    assert client.get(f"/api/posts/{post_id}/metrics").get_json()["latest"] == {
        "likes": MAX_IMPORT_ROWS - 1  # rows of one post and time: the last line is the latest
    }
