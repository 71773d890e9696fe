"""The approval page's preview in a real browser: each pending post drawn as its platform shows it
(X's short links, LinkedIn's fold with "…more", Instagram's image box and "link in bio"), and the
preview following the author's edit, then the saved text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.conftest import BOOK

X_LINK = "https://example.com/lighthouse/pre-order-the-lighthouse-keeper"
X_TEXT = f"The sea keeps what it is given.\n\nPre-order it here: {X_LINK} #LiteraryFiction"
LINKEDIN_TEXT = (
    "Every writer has one story they had to tell.\n"
    "Mine began with a keeper of a remote lighthouse.\n"
    "It took me years to find its ending.\n"
    "Read more: https://example.com/lighthouse #LiteraryFiction"
)
X_EDIT_LINK = "https://www.amazon.com/dp/B000000000"
X_EDIT = f"A message in a bottle, and a keeper who reads it. {X_EDIT_LINK} #BookTok"
X_EDIT_WEIGHT = 50 + 23 + 9  # the link weighs 23 however long it is


def seed(server: LiveServer) -> dict[str, dict[str, Any]]:
    """The book and one pending post on X, LinkedIn and Instagram, X and LinkedIn rewritten."""
    created = server.api.post("/api/books", json=BOOK)
    assert created.status_code == 201, created.text
    generated = server.api.post(
        "/api/generate-posts",
        json={
            "book_id": created.json()["book"]["id"],
            "platforms": ["twitter", "linkedin", "instagram"],
            "count_per_platform": 1,
        },
    )
    assert generated.status_code == 200, generated.text
    posts = {post["platform"]: post for post in generated.json()["posts"]}
    for platform, text in (("twitter", X_TEXT), ("linkedin", LINKEDIN_TEXT)):
        without_images(server, posts[platform]["id"])  # a post with an image shows no link card
        edited = server.api.patch(f"/api/posts/{posts[platform]['id']}", json={"content": text})
        assert edited.status_code == 200, edited.text
        posts[platform] = edited.json()["post"]
    return posts


def without_images(server: LiveServer, post_id: str) -> None:
    """Take away the card generation may have drawn for a post."""
    answer = server.api.patch(f"/api/posts/{post_id}/media", json={"media": []})
    assert answer.status_code == 200, answer.text


def shoot(page: Page, folder: Path, name: str) -> None:
    """A screenshot of the viewport, kept with the test's temporary files (not the repository's
    shared test-artifacts, which other sessions' runs empty)."""
    page.screenshot(path=str(folder / f"{name}.png"))


def card_of(page: Page, platform: str) -> Locator:
    return page.locator(f'article.post[data-platform="{platform}"]')


def test_each_pending_post_is_previewed_and_follows_the_edit(
    signed_in: Page, server: LiveServer, tmp_path: Path
) -> None:
    posts = seed(server)
    page = signed_in
    page.goto("/approvals")

    x = card_of(page, "twitter").locator("section.preview")
    expect(x.locator(".preview-platform")).to_have_text("X")
    link = x.locator(".preview-text .preview-link")
    expect(link).to_have_text("example.com/lighthouse/pre…")
    expect(link).to_have_attribute("title", X_LINK)
    expect(x.locator(".preview-text .preview-tag")).to_have_text("#LiteraryFiction")
    expect(x.locator(".preview-card-host")).to_have_text("example.com")
    expect(x.locator(".preview-count")).to_have_text(
        f"{posts['twitter']['measured_length']} / 280 weighted characters"
    )
    expect(x.locator(".preview-more")).to_have_count(0)
    expect(x.locator(".preview-media")).to_be_hidden()
    shoot(page, tmp_path, "preview-x")

    linkedin = card_of(page, "linkedin")
    preview = linkedin.locator("section.preview")
    expect(preview.locator(".preview-platform")).to_have_text("LinkedIn")
    more = preview.get_by_role("button", name="…more")
    expect(more).to_have_attribute("aria-expanded", "false")
    rest = preview.locator(".preview-rest")
    expect(rest).to_be_hidden()
    expect(preview.locator(".preview-text")).to_contain_text("It took me years to find its ending.")
    expect(preview.locator(".preview-card-url")).to_have_text("https://example.com/lighthouse")
    expect(preview.locator(".preview-count")).to_have_text(
        f"{len(LINKEDIN_TEXT)} / 3000 code points"
    )
    linkedin.scroll_into_view_if_needed()
    shoot(page, tmp_path, "preview-linkedin-folded")
    more.click()
    expect(rest).to_be_visible()
    expect(rest).to_contain_text("Read more: https://example.com/lighthouse #LiteraryFiction")
    expect(preview.get_by_role("button", name="Show less")).to_have_attribute(
        "aria-expanded", "true"
    )
    shoot(page, tmp_path, "preview-linkedin-expanded")

    instagram = card_of(page, "instagram").locator("section.preview")
    expect(instagram.locator(".preview-media")).to_be_visible()
    card = posts["instagram"]["media"][0]  # generation drew it a card
    expect(instagram.locator(".preview-media img.preview-image")).to_have_attribute(
        "alt", card["alt_text"]
    )
    expect(instagram.locator(".preview-note")).to_contain_text("Link in bio")
    expect(instagram.locator(".preview-card")).to_be_hidden()
    expect(instagram.locator(".preview-count")).to_contain_text("/ 2200 code points")
    card_of(page, "instagram").scroll_into_view_if_needed()
    shoot(page, tmp_path, "preview-instagram")

    # Editing: the preview follows the text (debounced), then goes back on Cancel.
    article = card_of(page, "twitter")
    article.get_by_role("button", name="Edit").click()
    article.locator("textarea").fill(X_EDIT)
    expect(x).to_have_class("preview draft")
    expect(x.locator(".preview-state")).to_have_text("preview of your edit")
    expect(x.locator(".preview-link")).to_have_text("amazon.com/dp/B000000000")
    expect(x.locator(".preview-card-host")).to_have_text("amazon.com")
    expect(x.locator(".preview-count")).to_have_text(f"{X_EDIT_WEIGHT} / 280 weighted characters")
    shoot(page, tmp_path, "preview-x-editing")
    article.get_by_role("button", name="Cancel").click()
    expect(x).to_have_class("preview")
    expect(x.locator(".preview-link")).to_have_text("example.com/lighthouse/pre…")

    # Saving: the preview now shows the saved text, no longer as a draft.
    article.get_by_role("button", name="Edit").click()
    expect(x).to_have_class("preview draft")
    article.get_by_role("button", name="Save the edit").click()
    expect(article.locator(".outcome")).to_have_text("Edit saved.")
    expect(x).to_have_class("preview")
    expect(x.locator(".preview-state")).to_have_text("preview")
    expect(x.locator(".preview-link")).to_have_text("amazon.com/dp/B000000000")
    saved = server.api.get(f"/api/posts/{posts['twitter']['id']}").json()["post"]
    assert saved["content"] == X_EDIT


def test_post_text_is_shown_as_text_never_as_html(signed_in: Page, server: LiveServer) -> None:
    books = server.api.get("/api/books").json()["books"]
    generated = server.api.post(
        "/api/generate-posts",
        json={"book_id": books[0]["id"], "platforms": ["mastodon"], "count_per_platform": 1},
    )
    post = generated.json()["posts"][0]
    text = "<img src=x onerror=window.pwned=1> <b>bold?</b> #LiteraryFiction"
    edited = server.api.patch(f"/api/posts/{post['id']}", json={"content": text})
    assert edited.status_code == 200, edited.text
    page = signed_in
    page.goto("/approvals")
    preview = page.locator(f'article.post[data-post-id="{post["id"]}"] section.preview')
    expect(preview.locator(".preview-platform")).to_have_text("Mastodon")
    expect(preview.locator(".preview-text")).to_contain_text("<img src=x onerror=window.pwned=1>")
    expect(preview.locator(".preview-text img, .preview-text b")).to_have_count(0)
    assert page.evaluate("window.pwned") is None


THREAD = (
    "One winter, one lighthouse, one message in a bottle. https://example.com/lighthouse"
    "\n\n---\n\n"
    "A line from the book: “The sea keeps what it is given, and returns what it must.”"
    "\n\n---\n\n"
    "Pre-order it now: https://www.amazon.com/dp/B000000000 #LiteraryFiction"
)


def test_a_thread_is_previewed_post_by_post(
    signed_in: Page, server: LiveServer, tmp_path: Path
) -> None:
    """An X post written as a thread: each post drawn under the one before, with its own count
    and link card; the whole counts its longest post."""
    # The module's book, if an earlier test made it: the dashboard shows the first book.
    books = server.api.get("/api/books").json()["books"]
    if books:
        book_id = books[0]["id"]
    else:
        created = server.api.post("/api/books", json=BOOK)
        assert created.status_code == 201, created.text
        book_id = created.json()["book"]["id"]
    generated = server.api.post(
        "/api/generate-posts",
        json={"book_id": book_id, "platforms": ["twitter"], "count_per_platform": 1},
    )
    post = generated.json()["posts"][0]
    without_images(server, post["id"])
    edited = server.api.patch(f"/api/posts/{post['id']}", json={"content": THREAD})
    assert edited.status_code == 200, edited.text
    saved = edited.json()["post"]
    assert len(saved["preview"]["thread"]) == 3
    page = signed_in
    page.goto("/approvals")
    article = page.locator(f'article.post[data-post-id="{post["id"]}"]')
    preview = article.locator("section.preview")
    posts = preview.locator(".preview-thread-post")
    expect(posts).to_have_count(3)
    expect(posts.nth(0).locator(".preview-thread-index")).to_have_text("1/3")
    expect(posts.nth(1)).to_contain_text("The sea keeps what it is given")
    expect(posts.nth(2).locator(".preview-tag")).to_have_text("#LiteraryFiction")
    expect(posts.nth(2).locator(".preview-card-host")).to_have_text("amazon.com")
    expect(posts.nth(0).locator(".preview-card-host")).to_have_text("example.com")
    lengths = [part["length"] for part in saved["preview"]["thread"]]
    for index, length in enumerate(lengths):
        expect(posts.nth(index).locator(".preview-thread-count")).to_have_text(f"{length} / 280")
    expect(preview.locator(".preview-count")).to_have_text(
        f"A thread of 3 posts; the longest is {max(lengths)} / 280 weighted characters"
    )
    assert saved["measured_length"] == max(lengths)
    expect(preview.locator("[data-role='preview-card']")).to_be_hidden()
    article.scroll_into_view_if_needed()
    shoot(page, tmp_path, "preview-x-thread")
