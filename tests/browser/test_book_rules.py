"""The book page's rules in a real browser: rules written in the tone and guidelines are
recognised on save, shown back marked with the words that stated them, and can be changed (a
removed rule stays removed while the words remain)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.browser.conftest import Shots
from tests.browser.conftest import sign_in
from tests.conftest import BOOK

TONE = "Quiet and wry. No emoji, no exclamation marks."
GUIDELINES = (
    "Never say bestselling or unputdownable. Don't compare it to Gone Girl. Use hashtags sparingly."
)


def book_of(server: LiveServer) -> dict[str, Any]:
    """The test server's one book, through the API."""
    books = server.api.get("/api/books").json()["books"]
    assert len(books) == 1, books
    return dict(books[0])


@pytest.fixture
def book_with_rules(server: LiveServer) -> dict[str, Any]:
    """The book the first test creates through the form, or the same made through the API."""
    if not server.api.get("/api/books").json()["books"]:
        body = {**BOOK, "tone": TONE, "content_guidelines": GUIDELINES}
        assert server.api.post("/api/books", json=body).status_code == 201
    return book_of(server)


def fill_required(page: Page) -> None:
    page.fill("#user_id", "alice")
    page.fill("#title", BOOK["title"])
    page.fill("#author", BOOK["author"])
    page.fill("#genre", BOOK["genre"])
    page.fill("#blurb", BOOK["blurb"])
    page.fill("#timezone", BOOK["timezone"])


def test_rules_in_plain_words_are_recognised_shown_and_editable(
    signed_in: Page, server: LiveServer, shots: Shots
) -> None:
    page = signed_in
    page.goto("/book")
    expect(page.get_by_role("group", name="Rules the gate enforces")).to_be_visible()
    expect(page.get_by_label("No emoji")).not_to_be_checked()
    fill_required(page)
    page.fill("#tone", TONE)
    page.fill("#content_guidelines", GUIDELINES)
    page.get_by_label("Banned words and phrases").fill("epic")
    page.get_by_role("button", name="Create the book profile").click()

    flash = page.locator(".flash")
    expect(flash).to_contain_text("Book profile created.")
    expect(flash).to_contain_text("Rules recognised in your tone and guidelines")
    expect(flash).to_contain_text("never say “bestselling”")
    # The recognised rules are shown back, ticked or listed, each marked with its words.
    expect(page.get_by_label("No emoji")).to_be_checked()
    expect(page.get_by_label("No exclamation marks")).to_be_checked()
    expect(page.get_by_label("No comparisons with other books")).not_to_be_checked()
    expect(page.get_by_label("Banned words and phrases")).to_have_value(
        "epic\nbestselling\nunputdownable"
    )
    expect(page.get_by_label("Books and authors never to compare it to")).to_have_value("Gone Girl")
    emoji_mark = page.locator("#recognised-rules-no_emoji")
    expect(emoji_mark).to_contain_text("From your words")
    expect(emoji_mark).to_contain_text("you wrote “No emoji”")
    expect(page.locator("#recognised-rules-no_exclamation")).to_contain_text(
        "you wrote “no exclamation marks”"
    )
    expect(page.get_by_label("No emoji")).to_have_attribute(
        "aria-describedby", "recognised-rules-no_emoji"
    )
    phrases_mark = page.locator("#recognised-rules-banned_phrases")
    expect(phrases_mark).to_contain_text("“bestselling”, “unputdownable”")
    expect(phrases_mark).to_contain_text("Never say bestselling or unputdownable")
    expect(page.locator("#recognised-rules-no_comparisons")).to_have_count(0)
    shots.take(page, "book-rules-recognised")

    book = book_of(server)
    assert book["rules"]["no_emoji"] is True
    assert book["rules"]["banned_phrases"] == ["epic", "bestselling", "unputdownable"]
    assert book["rules"]["banned_comparisons"] == ["Gone Girl"]
    assert {(r["rule"], r["value"]) for r in book["inferred_rules"]} == {
        ("no_emoji", True),
        ("no_exclamation", True),
        ("banned_phrases", "bestselling"),
        ("banned_phrases", "unputdownable"),
        ("banned_comparisons", "Gone Girl"),
    }

    # The author unticks one recognised rule and drops a phrase; the tone still says both.
    page.get_by_label("No emoji").uncheck()
    page.get_by_label("Banned words and phrases").fill("epic\nbestselling")
    page.get_by_label("No comparisons with other books").check()
    page.get_by_role("button", name="Save the book profile").click()
    expect(page.locator(".flash")).to_have_text("Book profile saved.")
    expect(page.get_by_label("No emoji")).not_to_be_checked()
    expect(page.locator("#recognised-rules-no_emoji")).to_have_count(0)
    expect(page.get_by_label("No exclamation marks")).to_be_checked()
    expect(page.get_by_label("No comparisons with other books")).to_be_checked()
    expect(page.get_by_label("Banned words and phrases")).to_have_value("epic\nbestselling")
    expect(page.locator("#recognised-rules-banned_phrases")).to_contain_text("“bestselling”")
    expect(page.locator("#recognised-rules-banned_phrases")).not_to_contain_text("“unputdownable”")
    shots.take(page, "book-rules-edited")

    rules = book_of(server)["rules"]
    assert (rules["no_emoji"], rules["no_exclamation"], rules["no_comparisons"]) == (
        False,
        True,
        True,
    )
    assert rules["banned_phrases"] == ["epic", "bestselling"]

    # Saving again, unchanged, brings nothing back.
    page.get_by_role("button", name="Save the book profile").click()
    expect(page.locator(".flash")).to_have_text("Book profile saved.")
    assert book_of(server)["rules"] == rules


def test_a_rule_line_too_long_is_shown_next_to_its_field(
    signed_in: Page, server: LiveServer, shots: Shots, book_with_rules: dict[str, Any]
) -> None:
    page = signed_in
    page.goto("/book")
    page.get_by_label("Spoilers").fill("the twin\n" + "x" * 201)
    page.get_by_role("button", name="Save the book profile").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Spoilers: line 2:")
    expect(page.get_by_label("Spoilers")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-rules-spoilers")).to_contain_text("line 2:")
    shots.take(page, "book-rules-error")
    assert book_of(server)["rules"]["spoilers"] == []


def test_the_rules_fit_a_375px_screen(
    new_context: Callable[..., BrowserContext],
    server: LiveServer,
    shots: Shots,
    book_with_rules: dict[str, Any],
) -> None:
    page = new_context(viewport={"width": 375, "height": 800}).new_page()
    sign_in(page, server.admin_token)
    page.goto("/book")
    expect(page.locator("#recognised-rules-no_exclamation")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
    shots.take(page, "book-rules-375px")
