"""Pictures in a real browser: the cover uploaded on the Book page, a post's images on the approval
page (the first large, the rest as thumbnails, each with its alt text), the alt text edited and
the post approved, and approval refused, and said so, for a post its platform would not show."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.browser.conftest import Shots
from tests.browser.conftest import copy_to_docs
from tests.conftest import BOOK

TEXT = (
    "A keeper of a remote lighthouse finds a message in a bottle from her late husband.\n\n"
    "The Lighthouse Keeper is a story about grief and the sea. Out March 1, 2027.\n\n"
    "#LiteraryFiction #BookTok"
)
COVER_ALT = "The cover of The Lighthouse Keeper by A. Writer."
NEW_ALT = (
    "A white lighthouse on a dark cliff, its beam across a night sky with a full moon; "
    "the title in gold above it."
)


def cover_file(folder: Path) -> Path:
    """A book cover to upload: a lighthouse under a night sky, the title and the author (PNG)."""
    width, height = 600, 900
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):  # dusk to night
        shade = 30 + y * 60 // height
        draw.line([(0, y), (width, y)], fill=(shade // 2, shade // 2 + 10, shade + 40))
    draw.ellipse([430, 250, 500, 320], fill=(245, 240, 215))
    draw.polygon([(0, 900), (0, 700), (260, 640), (600, 720), (600, 900)], fill=(22, 26, 34))
    draw.polygon([(270, 640), (330, 640), (318, 420), (282, 420)], fill=(236, 232, 222))
    draw.rectangle([276, 390, 324, 420], fill=(200, 60, 50))
    draw.polygon([(300, 405), (600, 340), (600, 470)], fill=(250, 236, 170))
    title, author = ImageFont.load_default(size=46), ImageFont.load_default(size=30)
    for line, top in (("THE LIGHTHOUSE", 70), ("KEEPER", 126)):
        draw.text((width // 2, top), line, font=title, fill=(236, 200, 110), anchor="mt")
    draw.text((width // 2, 820), "A. WRITER", font=author, fill=(236, 232, 222), anchor="mt")
    path = folder / "cover.png"
    image.save(path, "PNG")
    return path


def seed(server: LiveServer) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The book, and a pending post on Facebook (no image) and Instagram (the card generation
    drew for it)."""
    created = server.api.post("/api/books", json=BOOK)
    assert created.status_code == 201, created.text
    book = created.json()["book"]
    generated = server.api.post(
        "/api/generate-posts",
        json={
            "book_id": book["id"],
            "platforms": ["facebook", "instagram"],
            "count_per_platform": 1,
            "post_types": ["behind_the_scenes"],
        },
    )
    assert generated.status_code == 200, generated.text
    posts = {post["platform"]: post for post in generated.json()["posts"]}
    # Text of its own: the writer's varies, and its emoji have no font in a bare container.
    edited = server.api.patch(f"/api/posts/{posts['facebook']['id']}", json={"content": TEXT})
    assert edited.status_code == 200, edited.text
    return book, posts


def card_of(page: Page, post_id: str) -> Locator:
    return page.locator(f'article.post[data-post-id="{post_id}"]')


def drop_images(server: LiveServer, post_id: str) -> None:
    """Leave a post without images, as one whose card could not be drawn (the API never would)."""
    with sqlite3.connect(server.data_dir / "bookagent.db") as db:
        db.execute("UPDATE posts SET media = ? WHERE id = ?", (json.dumps([]), post_id))


def test_the_cover_is_uploaded_on_the_book_page(
    signed_in: Page, server: LiveServer, shots: Shots, tmp_path: Path
) -> None:
    book, _ = seed(server)
    page = signed_in
    page.goto("/book")
    section = page.locator("#book-assets")
    cover = section.locator("#asset-cover")
    expect(cover).to_contain_text("No cover yet")
    cover.get_by_role("button", name="Upload", exact=True).click()  # nothing chosen yet
    expect(cover.locator(".field-error")).to_contain_text("Choose a PNG, JPEG or WebP file")
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("not a picture")
    cover.get_by_label("Upload the cover").set_input_files(str(not_an_image))
    cover.get_by_role("button", name="Upload", exact=True).click()
    expect(cover.locator(".field-error")).to_have_text("file: must be a PNG, JPEG or WebP image")
    cover.get_by_label("Upload the cover").set_input_files(str(cover_file(tmp_path)))
    cover.get_by_role("button", name="Upload", exact=True).click()
    image = cover.locator(".asset-frame img")
    expect(image).to_have_attribute("alt", "Cover of The Lighthouse Keeper")
    expect(cover.locator(".asset-facts")).to_contain_text("600 × 900 px")
    expect(cover.get_by_label("Replace the cover")).to_be_visible()
    expect(cover.locator(".field-error")).to_be_hidden()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 600", arg=image.element_handle()
    )
    shots.take(page, "book-cover-uploaded", full_page=False)
    assets = server.api.get(f"/api/books/{book['id']}/assets").json()["assets"]
    assert [(a["kind"], a["mime"], a["width"], a["height"]) for a in assets] == [
        ("cover", "image/png", 600, 900)
    ]
    page.reload()
    expect(page.locator("#asset-cover .asset-frame img")).to_be_visible()


def test_a_post_gets_the_cover_new_alt_text_and_is_approved(
    signed_in: Page, server: LiveServer, shots: Shots
) -> None:
    book = server.api.get("/api/books").json()["books"][0]
    posts = {
        post["platform"]: post
        for post in server.api.get(
            f"/api/pending-posts/{book['user_id']}", params={"book_id": book["id"]}
        ).json()["posts"]
    }
    facebook_post, instagram_post = posts["facebook"], posts["instagram"]
    assert facebook_post["media"] == [] and len(instagram_post["media"]) == 1
    page = signed_in
    page.goto("/approvals")

    # The card generation drew for Instagram: shown large, its alt text as the image's alt.
    instagram = card_of(page, instagram_post["id"])
    card = instagram_post["media"][0]
    shown = instagram.locator(".preview-media img.preview-image")
    expect(shown).to_have_attribute("alt", card["alt_text"])
    expect(instagram.locator(".image-row textarea")).to_have_value(card["alt_text"])

    # Facebook: the book's cover on a post with no image, then the author's own alt text.
    facebook = card_of(page, facebook_post["id"])
    facebook.get_by_role("button", name="Use the book’s cover").click()
    expect(facebook.locator(".outcome")).to_have_text("The book’s cover is now the post’s image.")
    large = facebook.locator(".preview-media img.preview-image")
    expect(large).to_have_attribute("alt", COVER_ALT)
    alt_box = facebook.get_by_label("Alt text of image 1 (the book’s cover)")
    expect(alt_box).to_have_value(COVER_ALT)
    alt_box.fill(NEW_ALT)
    facebook.get_by_role("button", name="Save the alt text").click()
    expect(facebook.locator(".outcome")).to_have_text("Alt text saved.")
    expect(large).to_have_attribute("alt", NEW_ALT)
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 600", arg=large.element_handle()
    )
    saved = server.api.get(f"/api/posts/{facebook_post['id']}").json()["post"]
    assert [(m["kind"], m["alt_text"]) for m in saved["media"]] == [("cover", NEW_ALT)]
    # The page's own first fetch of the queue, answered late, does not undo the edits.
    page.wait_for_load_state("networkidle")
    expect(facebook.locator(".image-row")).to_have_count(1)
    expect(large).to_have_attribute("alt", NEW_ALT)
    # The page as the README shows it: from the top down to the end of the post's card.
    page.evaluate("window.scrollTo(0, 0)")
    bottom = facebook.evaluate("article => article.getBoundingClientRect().bottom + window.scrollY")
    page.set_viewport_size({"width": 1200, "height": min(1600, max(900, int(bottom) + 24))})
    docs_shot = shots.take(page, "approval-with-image", full_page=False)
    copy_to_docs(docs_shot, "approval-with-image.png")

    facebook.get_by_role("button", name="Approve").click()
    expect(facebook.locator(".outcome")).to_contain_text("Approved.")
    approved = server.api.get(f"/api/posts/{facebook_post['id']}").json()["post"]
    assert approved["status"] == "scheduled"
    assert approved["media"][0]["alt_text"] == NEW_ALT


def test_approval_is_refused_and_shown_for_a_post_without_its_required_image(
    signed_in: Page, server: LiveServer, shots: Shots
) -> None:
    book = server.api.get("/api/books").json()["books"][0]
    pending = server.api.get(
        f"/api/pending-posts/{book['user_id']}", params={"book_id": book["id"]}
    ).json()["posts"]
    post = next(p for p in pending if p["platform"] == "instagram")
    drop_images(server, post["id"])
    page = signed_in
    page.goto("/approvals")
    article = card_of(page, post["id"])
    expect(article.locator(".preview-media")).to_contain_text("No image yet: Instagram needs one.")
    problems = article.locator(".media-problems")
    expect(problems).to_be_visible()
    expect(problems).to_contain_text("Instagram posts need an image.")
    # The only image cannot be removed either: here there is none left to remove.
    expect(article.locator(".image-row")).to_have_count(0)
    expect(article.get_by_text("This post has no images.")).to_be_visible()

    article.get_by_role("button", name="Approve").click()
    outcome = article.locator(".outcome")
    expect(outcome).to_contain_text("media: Instagram posts need an image.")
    expect(outcome).to_have_class("outcome error-message")
    expect(outcome).to_be_focused()
    article.scroll_into_view_if_needed()
    shots.take(page, "approval-refused-no-image", full_page=False)
    assert server.api.get(f"/api/posts/{post['id']}").json()["post"]["status"] == (
        "pending_approval"
    )

    article.get_by_role("button", name="Use the book’s cover").click()
    expect(problems).to_be_hidden()
    expect(article.locator(".preview-media img.preview-image")).to_have_attribute("alt", COVER_ALT)
    # Removing the only image of an Instagram post is refused, with the reason.
    article.get_by_role("button", name="Remove image 1").click()
    expect(article.locator(".image-editor .field-error")).to_contain_text(
        "Instagram never shows a post without an image"
    )
    article.get_by_role("button", name="Approve").click()
    expect(outcome).to_contain_text("Approved.")
