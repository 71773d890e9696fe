"""Rendering a dashboard page: the caller, the author's books and the one being worked on."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import g
from flask import render_template
from flask import session as cookie_session
from flask import url_for
from sqlalchemy.orm import Session

from bookagent.db.models import Book
from bookagent.domain.books import list_books
from bookagent.domain.identity import Caller
from bookagent.web.auth import is_auth_enabled
from bookagent.web.context import services

_CURRENT_BOOK = "book_id"


def choose_book(session: Session, who: Caller) -> tuple[list[Book], Book | None]:
    """The caller's books and the current one: the one picked last, else the first."""
    books = list_books(session, who)
    chosen = cookie_session.get(_CURRENT_BOOK)
    current = next((b for b in books if b.id == chosen), books[0] if books else None)
    return books, current


def remember_book(book_id: str) -> None:
    """Make `book_id` the current book of this browser session."""
    cookie_session[_CURRENT_BOOK] = book_id


def render_page(template: str, *, title: str, **context: Any) -> str:
    """Render a page with what every page shows: the caller, the books, the current book."""
    who: Caller | None = g.get("caller")
    if who is not None and "books" not in context:
        with services().db.session() as session:
            context["books"], context["book"] = choose_book(session, who)
    return render_template(
        template,
        title=title,
        viewer=who,
        auth_enabled=is_auth_enabled(services()),
        **context,
    )


def safe_next(target: str | None) -> str:
    """A local path to return to after signing in; anything else (another site) goes home."""
    home = url_for("dashboard.overview")
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return home
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else home
