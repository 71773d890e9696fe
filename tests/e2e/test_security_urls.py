"""Only http(s) URLs are stored, against the real server (`bookagent serve`).

A post that failed to publish (its webhook is a closed port) is settled with
`POST /api/posts/<id>/resolve`: a `javascript:` `published_url` is refused with 422 naming the
field, an `https://` one is accepted, and the schedule page links to it. A book whose links or
cover image are not http(s) is refused with 422 naming the field.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import BOOK
from tests.support.agent_flow import schedule_one_post
from tests.support.polling import wait_until
from tests.support.processes import BIN
from tests.support.processes import base_env
from tests.support.processes import running
from tests.support.processes import wait_for_http
from tests.support.services import free_port

XSS = "javascript:alert(1)"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real server; facebook posts go to a webhook nobody listens on, so they fail."""
    data = tmp_path_factory.mktemp("security-urls")
    port = free_port()
    env = base_env(
        data,
        TASK_BACKEND="thread",
        PORT=str(port),
        BOOKAGENT_QUEUE__SCHEDULER_INTERVAL_S="1",
        BOOKAGENT_PUBLISHERS__WEBHOOK_URL=f"http://127.0.0.1:{free_port()}/hook",
        BOOKAGENT_PUBLISHERS__WEBHOOK_SECRET="security-urls-webhook-secret",
        BOOKAGENT_PUBLISHERS__MAX_ATTEMPTS="1",
        BOOKAGENT_PUBLISHERS__RETRY_BACKOFF_S="0",
        BOOKAGENT_PUBLISHERS__TIMEOUT_S="2",
    )
    with running([str(BIN / "bookagent"), "serve"], env, data / "serve.log") as proc:
        wait_for_http(f"http://127.0.0.1:{port}/api/health", proc=proc)
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def failed_post(server: str) -> dict[str, Any]:
    """A book, a running agent, and one facebook post whose publishing failed."""
    created = httpx.post(f"{server}/api/books", json=BOOK)
    assert created.status_code == 201, created.text
    post_id = schedule_one_post(server, "facebook", due_in_s=2)

    def failed() -> dict[str, Any] | None:
        post: dict[str, Any] = httpx.get(f"{server}/api/posts/{post_id}").json()["post"]
        return post if post["status"] in ("failed", "unconfirmed") else None

    return wait_until(failed, 60, every_s=0.5, what="the post's publishing to fail")


def resolve(server: str, post_id: str, published_url: object) -> httpx.Response:
    return httpx.post(
        f"{server}/api/posts/{post_id}/resolve",
        json={"published": True, "published_url": published_url},
    )


def assert_422_naming(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["success"] is False and body["code"] == "invalid_input"
    assert field in [detail["field"] for detail in body["details"]], body
    assert field in body["error"]


REFUSED_PUBLISHED_URLS = [
    XSS,
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/x",
    "http://",
]


def test_resolve_refuses_a_javascript_published_url_and_accepts_https(
    server: str, failed_post: dict[str, Any]
) -> None:
    for url in REFUSED_PUBLISHED_URLS:
        assert_422_naming(resolve(server, failed_post["id"], url), "published_url")
        post = httpx.get(f"{server}/api/posts/{failed_post['id']}").json()["post"]
        assert post["status"] == failed_post["status"] and post["published_url"] is None, url
    url = "https://www.facebook.com/lighthouse/posts/123?ref=share"
    response = resolve(server, failed_post["id"], url)
    assert response.status_code == 200, response.text
    post = response.json()["post"]
    assert post["status"] == "published" and post["published_url"] == url
    page = httpx.get(f"{server}/schedule")
    assert page.status_code == 200
    assert f'href="{url.replace("&", "&amp;")}"' in page.text
    assert "javascript:" not in page.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"links": {"amazon": XSS}}, "links.amazon"),
        ({"links": {"landing_page": "JAVASCRIPT:alert(1)"}}, "links.landing_page"),
        ({"links": {"bookshop": XSS}}, "links.bookshop"),
        ({"links": {"website": "//evil.example/x"}}, "links.website"),
        ({"links": {"bookshop": "http://"}}, "links.bookshop"),
        ({"cover_image_url": "data:image/svg+xml,<svg onload=alert(1)>"}, "cover_image_url"),
    ],
)
def test_a_book_with_a_javascript_link_is_refused(
    server: str, change: dict[str, Any], field: str
) -> None:
    user = f"mallory-{uuid.uuid4().hex[:8]}"
    book = {**copy.deepcopy(BOOK), "user_id": user, **change}
    assert_422_naming(httpx.post(f"{server}/api/books", json=book), field)
    listed = httpx.get(f"{server}/api/books", params={"user_id": user})
    assert listed.status_code == 200 and listed.json()["books"] == []


def test_a_book_changed_to_a_javascript_link_is_refused(server: str) -> None:
    created = httpx.post(f"{server}/api/books", json={**copy.deepcopy(BOOK), "user_id": "carol"})
    assert created.status_code == 201, created.text
    book = created.json()["book"]
    patched = httpx.patch(
        f"{server}/api/books/{book['id']}", json={"links": {"website": f"  {XSS}"}}
    )
    assert_422_naming(patched, "links.website")
    fetched = httpx.get(f"{server}/api/books/{book['id']}").json()["book"]
    assert fetched["links"] == book["links"]


def test_a_book_with_https_links_is_stored_as_given(server: str) -> None:
    links = {
        "amazon": "https://www.amazon.com/dp/B000000000",
        "landing_page": "HTTPS://Example.com",
        "bookshop": "http://bookshop.example/lighthouse?utm=1",
    }
    book = {**copy.deepcopy(BOOK), "user_id": "dave", "links": links}
    created = httpx.post(f"{server}/api/books", json=book)
    assert created.status_code == 201, created.text
    assert created.json()["book"]["links"] == {**links, "audible": None}
