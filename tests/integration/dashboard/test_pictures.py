"""Pictures on the dashboard: the Book page's cover and author photo (upload with the session's
CSRF token), and the approval page's images, their media problems and the cover to use."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.db.models import Post
from tests.integration.dashboard.conftest import ADMIN_TOKEN
from tests.integration.dashboard.conftest import csrf_from
from tests.integration.dashboard.conftest import sign_in
from tests.integration.web.upload_images import image_bytes
from tests.integration.web.upload_images import upload

_MEDIA = re.compile(r"data-media='([^']*)'")


def make_book(client: FlaskClient, book_payload: dict[str, Any]) -> str:
    created = client.post("/api/books", json=book_payload)
    assert created.status_code == 201, created.get_json()
    return str(created.get_json()["book"]["id"])


def test_the_book_page_offers_the_uploads_and_shows_the_cover(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    assert 'id="book-assets"' not in client.get("/book").get_data(as_text=True)  # no book yet
    book_id = make_book(client, book_payload)
    page = client.get("/book").get_data(as_text=True)
    assert 'id="book-assets"' in page and "book_assets.js" in page
    assert page.count('enctype="multipart/form-data"') == 2
    assert 'accept="image/png,image/jpeg,image/webp"' in page
    assert "No cover yet" in page and "No author photo yet" in page
    cover = upload(client, book_id, image_bytes("JPEG", (120, 180))).get_json()["asset"]
    page = client.get("/book").get_data(as_text=True)
    assert f'src="/api/books/{book_id}/assets/cover?v={cover["key"][:12]}"' in page
    assert 'alt="Cover of The Lighthouse Keeper"' in page
    assert "120 × 180 px" in page
    assert "No cover yet" not in page and "No author photo yet" in page
    assert "Replace the cover" in page and "Upload the author photo" in page
    assert 'id="book-assets"' not in client.get("/book?new=1").get_data(as_text=True)


def test_a_signed_in_upload_needs_the_csrf_header(
    auth_client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    sign_in(auth_client, ADMIN_TOKEN)
    token = csrf_from(auth_client, "/")
    book_id = auth_client.post(
        "/api/books", json=book_payload, headers={"X-CSRF-Token": token}
    ).get_json()["book"]["id"]
    refused = upload(auth_client, book_id, image_bytes("PNG"))
    assert refused.status_code == 403 and refused.get_json()["code"] == "csrf_failed"
    uploaded = upload(auth_client, book_id, image_bytes("PNG"), headers={"X-CSRF-Token": token})
    assert uploaded.status_code == 201, uploaded.get_json()
    assert auth_client.get(f"/api/books/{book_id}/assets/cover").status_code == 200
    page = auth_client.get("/book").get_data(as_text=True)
    assert f"/api/books/{book_id}/assets/cover?v=" in page


def approvals_article(page: str, post_id: str) -> str:
    start = page.index(f'data-post-id="{post_id}"')
    return page[start : page.index("</article>", start)]


def test_the_approval_page_carries_each_posts_images_and_its_problems(
    client: FlaskClient, services: Services, book_payload: dict[str, Any]
) -> None:
    book_id = make_book(client, book_payload)
    generated = client.post(
        "/api/generate-posts",
        json={"book_id": book_id, "platforms": ["instagram", "twitter"], "count_per_platform": 1},
    ).get_json()["posts"]
    posts = {post["platform"]: post for post in generated}
    instagram, twitter = posts["instagram"], posts["twitter"]
    with services.db.session() as session:
        stored = session.get(Post, instagram["id"])
        assert stored is not None
        card = stored.media[0]
        stored.media = [{**card, "alt_text": ""}]  # a card without alt text
        plain = session.get(Post, twitter["id"])
        assert plain is not None
        plain.media = []  # an X post of a type that goes without a card

    page = client.get("/approvals").get_data(as_text=True)
    article = approvals_article(page, instagram["id"])
    media = json.loads(html.unescape(_MEDIA.search(article).group(1)))  # type: ignore[union-attr]
    assert media == [{**card, "alt_text": "", "url": f"/api/posts/{instagram['id']}/media/0"}]
    assert 'data-requires-media="true"' in article
    problems = article[article.index('data-role="media-problems"') :]
    assert problems.startswith('data-role="media-problems">')  # shown, not hidden
    assert "Image 1 has no alt text for screen readers." in problems
    assert "Use the book’s cover" not in article
    assert "first upload it on the" in article

    other = approvals_article(page, twitter["id"])
    assert "data-media='[]'" in other and 'data-requires-media="false"' in other
    assert 'data-role="media-problems" hidden' in other

    upload(client, book_id, image_bytes("PNG"))
    page = client.get("/approvals").get_data(as_text=True)
    assert 'data-action="use-cover">Use the book’s cover' in approvals_article(page, twitter["id"])


def test_alt_text_in_the_page_is_data_not_markup(
    client: FlaskClient, services: Services, book_payload: dict[str, Any]
) -> None:
    book_id = make_book(client, book_payload)
    post = client.post(
        "/api/generate-posts",
        json={"book_id": book_id, "platforms": ["instagram"], "count_per_platform": 1},
    ).get_json()["posts"][0]
    hostile = "'><img src=x onerror=alert(1)> </script>"
    answer = client.patch(
        f"/api/posts/{post['id']}/media",
        json={"media": [{"key": post["media"][0]["key"], "alt_text": hostile}]},
    )
    assert answer.status_code == 200, answer.get_json()
    article = approvals_article(client.get("/approvals").get_data(as_text=True), post["id"])
    assert "<img src=x" not in article and "</script>" not in article
    media = json.loads(html.unescape(_MEDIA.search(article).group(1)))  # type: ignore[union-attr]
    assert media[0]["alt_text"] == hostile.strip()
