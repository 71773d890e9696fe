"""Stored URLs on the dashboard: only an http(s) URL becomes a link, whatever the database holds.

Rows written before URLs were validated may hold `javascript:`; the schedule page must show
them as text, never as an `href`. The book form refuses such links as the API does.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from bookagent.bootstrap import Services
from bookagent.db.base import utcnow
from bookagent.db.models import Post
from bookagent.domain import posts as ops
from bookagent.domain.identity import Caller
from bookagent.errors import InvalidInputError
from tests.integration.dashboard.test_book_form import post_form

HREF = re.compile(r'href="([^"]*)"')


def published_post(
    client: FlaskClient, services: Services, book: dict[str, Any], published_url: str
) -> str:
    """A book's post, marked published an hour ago at `published_url`, straight in the database."""
    client.post("/api/books", json=book)
    generated = client.post(
        "/api/generate-posts",
        json={"user_id": "alice", "platforms": ["twitter"], "count_per_platform": 1},
    )
    assert generated.status_code == 200, generated.get_json()
    post_id = str(generated.get_json()["posts"][0]["id"])
    with services.db.session() as session:
        session.execute(
            update(Post)
            .where(Post.id == post_id)
            .values(
                status="published",
                published_at=utcnow() - timedelta(hours=1),
                published_url=published_url,
            )
        )
    return post_id


@pytest.mark.parametrize(
    "stored",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/x",
    ],
)
def test_a_stored_javascript_url_is_not_a_link_on_the_schedule(
    client: FlaskClient, services: Services, book_payload: dict[str, Any], stored: str
) -> None:
    published_post(client, services, book_payload, stored)
    response = client.get("/schedule")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "status-published" in page  # the post is on the page...
    assert "Open the published post" not in page  # ...without a link to its address
    hrefs = HREF.findall(page)
    assert not [h for h in hrefs if "script" in h.lower() or "evil" in h or h.startswith("data")]
    assert "Published at" in page  # the address is shown as (escaped) text
    assert "<script>alert(1)</script>" not in page


def test_a_stored_https_url_is_a_link_on_the_schedule(
    client: FlaskClient, services: Services, book_payload: dict[str, Any]
) -> None:
    url = "https://x.com/lighthouse/status/1"
    published_post(client, services, book_payload, url)
    page = client.get("/schedule").get_data(as_text=True)
    assert f'href="{url}"' in page and "Open the published post" in page


def test_the_domain_refuses_a_javascript_published_url(
    client: FlaskClient, services: Services, book_payload: dict[str, Any]
) -> None:
    post_id = published_post(client, services, book_payload, "https://x.com/a/status/1")
    with services.db.session() as session:
        session.execute(update(Post).where(Post.id == post_id).values(status="failed"))
    with services.db.session() as session, pytest.raises(InvalidInputError) as raised:
        ops.resolve_post(
            session,
            Caller(user_id=None, is_admin=True, local_mode=True),
            post_id,
            went_out=True,
            published_url="javascript:alert(1)",
            now=utcnow(),
        )
    assert [d.field for d in raised.value.details] == ["published_url"]


@pytest.mark.parametrize(
    ("field", "value", "error_id"),
    [
        ("links.amazon", "javascript:alert(1)", "error-links-amazon"),
        ("links.landing_page", "data:text/html,x", "error-links-landing_page"),
        ("links.other", "bookshop: javascript:alert(1)", "error-links-other"),
        ("cover_image_url", "JAVASCRIPT:alert(1)", "error-cover_image_url"),
    ],
)
def test_the_book_form_refuses_a_javascript_link(
    client: FlaskClient, field: str, value: str, error_id: str
) -> None:
    response = post_form(client, **{field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{error_id}"' in page and "must be a full web address" in page
    assert client.get("/api/books").get_json()["count"] == 0
