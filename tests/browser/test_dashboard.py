"""The dashboard in a real browser against a live server: sign in, describe the book, generate,
approve, reject, edit past the limit, approve by keyboard alone, write a report with charts, and
fit every page on a 375 px wide screen."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.browser.conftest import Shots
from tests.browser.conftest import copy_to_docs
from tests.browser.conftest import sign_in
from tests.conftest import BOOK
from tests.support.polling import wait_until

PAGES = ["/", "/book", "/generate", "/approvals", "/schedule", "/tasks", "/reports"]


# -- seeding through the API (with the admin token) ------------------------------------------------


def ensure_book(server: LiveServer) -> dict[str, Any]:
    """The one book of the test server, created through the API if the form has not made it."""
    books = server.api.get("/api/books").json()["books"]
    if books:
        return dict(books[0])
    created = server.api.post("/api/books", json=BOOK)
    assert created.status_code == 201, created.text
    return dict(created.json()["book"])


def pending_posts(server: LiveServer, book: dict[str, Any]) -> list[dict[str, Any]]:
    """The book's pending posts, oldest first."""
    answer = server.api.get(f"/api/pending-posts/{book['user_id']}", params={"book_id": book["id"]})
    return list(answer.json()["posts"])


def ensure_pending(
    server: LiveServer, book: dict[str, Any], count: int, platform: str = "twitter"
) -> list[dict[str, Any]]:
    """At least `count` pending posts on `platform` (generated at once: 5 or fewer)."""
    have = [p for p in pending_posts(server, book) if p["platform"] == platform]
    if len(have) < count:
        answer = server.api.post(
            "/api/generate-posts",
            json={"book_id": book["id"], "platforms": [platform], "count_per_platform": count},
        )
        assert answer.status_code == 200, answer.text
    return [p for p in pending_posts(server, book) if p["platform"] == platform]


def wait_for_task(server: LiveServer, task_id: str) -> dict[str, Any]:
    """Poll a task until it finishes; return its status document."""

    def finished() -> dict[str, Any] | None:
        body = server.api.get(f"/api/task-status/{task_id}").json()
        return dict(body) if body["status"] in ("SUCCESS", "FAILURE", "REVOKED") else None

    return wait_until(finished, timeout_s=120, every_s=0.25, what=f"task {task_id}")


def publish_some_posts(server: LiveServer, book: dict[str, Any]) -> int:
    """Approve two posts for two seconds from now, then run the daily routine to publish them."""
    generated = server.api.post(
        "/api/generate-posts",
        json={"book_id": book["id"], "platforms": ["twitter", "mastodon"], "count_per_platform": 1},
    )
    assert generated.status_code == 200, generated.text
    when = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    for post in generated.json()["posts"]:
        approved = server.api.post(
            "/api/approve-post", json={"post_id": post["id"], "scheduled_time": when}
        )
        assert approved.status_code == 200, approved.text
    time.sleep(3)
    daily = server.api.post("/api/autonomous/execute-daily", json={"book_id": book["id"]})
    assert daily.status_code == 202, daily.text
    assert wait_for_task(server, daily.json()["task_id"])["status"] == "SUCCESS"
    published = server.api.get(
        "/api/posts", params={"book_id": book["id"], "status": "published"}
    ).json()["posts"]
    return len(published)


# -- the tests, in the order an author meets the dashboard -----------------------------------------


def test_sign_in_with_the_token(
    new_context: Callable[..., BrowserContext], server: LiveServer, shots: Shots
) -> None:
    context = new_context()
    page = context.new_page()
    page.goto("/")
    expect(page).to_have_url(f"{server.url}/signin?next=/")
    shots.take(page, "signin")

    page.get_by_label("API token").fill("not-the-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That token is not valid")
    shots.take(page, "signin-bad-token")

    page.get_by_label("API token").fill(server.admin_token)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/")
    expect(page.get_by_text("Signed in as an admin")).to_be_visible()
    expect(page.locator("#health-status")).to_have_text("Healthy")
    expect(page.locator("#scheduler-heartbeat")).to_be_visible()
    shots.take(page, "overview-signed-in")

    cookie = next(c for c in context.cookies() if c["name"] == "bookagent_session")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert server.admin_token not in cookie["value"]


def test_create_the_book_profile(signed_in: Page, server: LiveServer, shots: Shots) -> None:
    page = signed_in
    page.goto("/book")
    expect(page.get_by_role("heading", level=1)).to_have_text("New book profile")
    page.fill("#user_id", "alice")
    page.fill("#title", BOOK["title"])
    page.fill("#author", BOOK["author"])
    page.fill("#genre", BOOK["genre"])
    page.fill("#blurb", BOOK["blurb"])
    page.fill("#target_audience", BOOK["target_audience"])
    page.fill("#key_themes", ", ".join(BOOK["key_themes"]))
    page.fill("#tone", BOOK["tone"])
    page.fill("#hashtags", " ".join(BOOK["hashtags"]))
    page.fill("#links-amazon", "amazon dot com")  # not a URL: the form must say so
    page.fill("#links-landing_page", BOOK["links"]["landing_page"])
    page.fill("#launch_date", BOOK["launch_date"])
    page.fill("#price", BOOK["price"])
    page.fill("#quotes", "\n".join(BOOK["quotes"]))
    page.fill("#reviews", "A luminous, aching novel. | Book Review Weekly")
    page.fill("#timezone", BOOK["timezone"])
    page.get_by_role("button", name="Create the book profile").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page.locator("#error-links-amazon")).to_contain_text("full web address")
    expect(page.locator("#links-amazon")).to_have_attribute("aria-invalid", "true")
    shots.take(page, "book-field-error")

    page.fill("#links-amazon", BOOK["links"]["amazon"])
    page.get_by_role("button", name="Create the book profile").click()
    expect(page.get_by_role("status").first).to_contain_text("Book profile created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book profile")
    shots.take(page, "book-created")

    books = server.api.get("/api/books").json()["books"]
    assert len(books) == 1
    book = books[0]
    assert (book["title"], book["user_id"], book["timezone"]) == (
        BOOK["title"],
        "alice",
        "Europe/Berlin",
    )
    assert book["reviews"] == [
        {"text": "A luminous, aching novel.", "source": "Book Review Weekly"}
    ]
    assert book["quotes"] == BOOK["quotes"]
    assert book["human_in_loop"] is True


def test_generate_eight_posts_and_watch_the_progress_reach_100(
    signed_in: Page, server: LiveServer, shots: Shots
) -> None:
    book = ensure_book(server)
    before = len(pending_posts(server, book))
    page = signed_in
    page.goto("/generate")
    expect(page.get_by_label("X", exact=True)).to_be_checked()
    expect(page.get_by_label("Facebook")).to_be_checked()
    page.get_by_label("Posts per platform").fill("4")
    shots.take(page, "generate-form")
    page.get_by_role("button", name="Generate").click()

    bar = page.locator("#generate-progress")
    seen: list[float] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        value = float(bar.evaluate("el => el.value"))
        if not seen or seen[-1] != value:
            seen.append(value)
        if value >= 100:
            break
        time.sleep(0.05)
    assert seen and seen[-1] == 100, seen
    assert seen == sorted(seen), f"the bar went backwards: {seen}"
    expect(page.locator("#generate-status")).to_contain_text("100%")
    expect(page.locator("#generate-status")).to_contain_text("8 posts written")
    expect(page.locator("#to-approvals")).to_be_focused()
    shots.take(page, "generate-done")
    assert len(pending_posts(server, book)) >= before + 8


def test_approve_one_post_and_reject_one(signed_in: Page, server: LiveServer, shots: Shots) -> None:
    book = ensure_book(server)
    ensure_pending(server, book, 2)
    page = signed_in
    page.goto("/approvals")
    cards = page.locator("article.post")
    expect(cards.first).to_be_visible()
    docs_shot = shots.take(page, "approvals", full_page=False)
    copy_to_docs(docs_shot, "dashboard.png")

    first, second = cards.nth(0), cards.nth(1)
    approved_id = first.get_attribute("data-post-id")
    rejected_id = second.get_attribute("data-post-id")
    first.get_by_role("button", name="Approve").click()
    expect(first.locator(".outcome")).to_contain_text("Approved. Scheduled for")

    second.get_by_role("button", name="Reject").click()
    second.get_by_label("Why reject it?").fill("Too salesy for this week")
    second.get_by_role("button", name="Reject the post").click()
    expect(second.locator(".outcome")).to_have_text("Rejected: Too salesy for this week")
    shots.take(page, "approved-and-rejected")

    approved = server.api.get(f"/api/posts/{approved_id}").json()["post"]
    rejected = server.api.get(f"/api/posts/{rejected_id}").json()["post"]
    assert approved["status"] == "scheduled" and approved["scheduled_time"]
    assert rejected["status"] == "rejected"
    assert rejected["rejection_reason"] == "Too salesy for this week"


def test_an_edit_past_the_limit_shows_the_error_and_is_not_saved(
    signed_in: Page, server: LiveServer, shots: Shots
) -> None:
    book = ensure_book(server)
    ensure_pending(server, book, 1, platform="twitter")
    page = signed_in
    page.goto("/approvals")
    card = page.locator('article.post[data-platform="twitter"]').first
    post_id = card.get_attribute("data-post-id")
    original = server.api.get(f"/api/posts/{post_id}").json()["post"]["content"]

    card.get_by_role("button", name="Edit").click()
    editor = card.locator("form.editor textarea")
    expect(editor).to_be_focused()
    counter = card.locator(".editor .counter")
    expect(counter).to_contain_text("/ 280 weighted characters")
    editor.fill("The sea keeps what it is given. " * 10)  # 320 characters
    expect(counter).to_have_class("counter over")
    expect(counter).to_contain_text("320 / 280")
    error = card.locator(".editor .field-error")
    expect(error).to_contain_text("over the twitter limit of 280")
    save = card.get_by_role("button", name="Save the edit")
    expect(save).to_have_attribute("aria-disabled", "true")
    save.click(force=True)  # aria-disabled still takes clicks: the page must refuse to save
    expect(error).to_be_visible()
    expect(editor).to_be_visible()
    expect(editor).to_have_attribute("aria-invalid", "true")
    shots.take(page, "edit-over-the-limit")

    assert server.api.get(f"/api/posts/{post_id}").json()["post"]["content"] == original
    editor.fill(original)
    expect(counter).not_to_have_class("counter over")


def test_approve_with_the_keyboard_alone(signed_in: Page, server: LiveServer, shots: Shots) -> None:
    book = ensure_book(server)
    ensure_pending(server, book, 1)
    page = signed_in
    page.goto("/approvals")
    expect(page.locator("article.post").first).to_be_visible()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.action") == "approve":
            break
    else:
        raise AssertionError("Tab never reached an Approve button")
    post_id = page.evaluate("document.activeElement.closest('article').dataset.postId")
    card = page.locator(f'article.post[data-post-id="{post_id}"]')
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused button shows no focus ring"
    shots.take(page, "keyboard-focus-on-approve", full_page=False)

    page.keyboard.press("Enter")
    outcome = card.locator(".outcome")
    expect(outcome).to_contain_text("Approved.")
    expect(outcome).to_be_focused()  # focus lands on the result, ready for the next Tab
    shots.take(page, "keyboard-approved", full_page=False)
    assert server.api.get(f"/api/posts/{post_id}").json()["post"]["status"] == "scheduled"


def test_weekly_report_with_its_charts(signed_in: Page, server: LiveServer, shots: Shots) -> None:
    book = ensure_book(server)
    assert publish_some_posts(server, book) >= 2

    page = signed_in
    page.goto("/reports")
    shots.take(page, "reports-before")
    page.get_by_role("button", name="Write the report").click()
    page.wait_for_url("**/reports/*", timeout=120_000)
    frame = page.frame_locator("#report-frame")
    chart = frame.locator("#chart-posts-per-day")
    expect(chart).to_be_visible()
    expect(frame.locator("#chart-funnel")).to_be_visible()
    assert chart.evaluate("img => img.naturalWidth") > 100
    expect(frame.locator("#nothing-happened")).to_have_count(0)
    # the frame grows to its content, so the page (not the frame) scrolls
    page.wait_for_function("document.getElementById('report-frame').offsetHeight > 600")
    shots.take(page, "report-with-charts")
    docs_shot = shots.directory / "report-chart.png"
    page.locator("#report-frame").screenshot(path=str(docs_shot))
    copy_to_docs(docs_shot, "report-chart.png")

    # A week with nothing in it says so plainly.
    empty = server.api.post(
        "/api/reports/weekly", json={"book_id": book["id"], "week_start": "2020-01-06"}
    )
    report_id = wait_for_task(server, empty.json()["task_id"])["result"]["report_id"]
    page.goto(f"/reports/{report_id}")
    expect(page.frame_locator("#report-frame").locator("#nothing-happened")).to_be_visible()
    shots.take(page, "report-empty-week")


def test_revoke_a_running_task_from_the_tasks_page(
    signed_in: Page, server: LiveServer, shots: Shots
) -> None:
    queued = server.api.post("/api/tasks/diagnostics", json={"steps": 60, "step_seconds": 0.5})
    assert queued.status_code == 202, queued.text
    task_id = queued.json()["task_id"]
    page = signed_in
    page.goto("/tasks")
    row = page.locator(f"#task-{task_id}")
    expect(row).to_be_visible()
    expect(row.locator('[data-role="status"]')).to_have_text("PROGRESS", timeout=20_000)
    expect(row.locator('[data-role="progress-text"]')).to_contain_text(" of 60", timeout=20_000)
    shots.take(page, "tasks-running")
    row.get_by_role("button", name="Revoke").click()
    expect(row.locator('[data-role="status"]')).to_have_text("REVOKED", timeout=30_000)
    expect(row.get_by_role("button", name="Revoke")).to_have_count(0)
    shots.take(page, "tasks-revoked")
    assert wait_for_task(server, task_id)["status"] == "REVOKED"


def test_every_page_fits_a_375px_screen(
    new_context: Callable[..., BrowserContext], server: LiveServer, shots: Shots
) -> None:
    book = ensure_book(server)
    ensure_pending(server, book, 1)
    page = new_context(viewport={"width": 375, "height": 800}).new_page()
    page.goto("/signin")
    paths = ["/signin"]
    widths = {"/signin": page.evaluate("document.documentElement.scrollWidth")}
    shots.take(page, "375-signin")
    sign_in(page, server.admin_token)
    reports = server.api.get("/api/reports").json()["reports"]
    extra = [f"/reports/{reports[0]['id']}"] if reports else []
    for path in [*PAGES, *extra]:
        page.goto(path)
        page.wait_for_load_state("load")
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
        paths.append(path)
        name = path.strip("/").replace("/", "-") or "overview"
        shots.take(page, f"375-{name[:40]}")
    too_wide = {path: width for path, width in widths.items() if width > 375}
    assert not too_wide, f"pages scroll sideways at 375 px: {too_wide}"
