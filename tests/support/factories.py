"""Factories for rows the tests (and benchmarks) need in bulk, written straight to the database."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from bookagent.bootstrap import Services
from bookagent.db.models import Book
from bookagent.db.models import Post
from bookagent.domain.identity import ensure_user
from bookagent.domain.posts import content_hash


def post_row(book_id: str, content: str, **fields: Any) -> Post:
    """A post of `book_id` saying `content`, with a valid row's other columns filled in (a
    pending template post on Twitter by alice) unless `fields` says otherwise; not added."""
    values: dict[str, Any] = {
        "user_id": "alice",
        "platform": "twitter",
        "post_type": "hook_question",
        "content_hash": content_hash(content),
        "status": "pending_approval",
        "measured_length": len(content),
        "limit": 280,
        "provider": "template",
        "model": "template-v1",
        "prompt_hash": "p",
    }
    return Post(book_id=book_id, content=content, **(values | fields))


def seed_due_posts(
    services: Services,
    count: int,
    *,
    platform: str = "facebook",
    user_id: str = "alice",
    due: datetime | None = None,
) -> list[str]:
    """A book and `count` scheduled posts whose time has come; returns their ids."""
    due = due or datetime.now(UTC) - timedelta(minutes=1)
    with services.db.session() as session:
        ensure_user(session, user_id)
        book = Book(user_id=user_id, title="T", author="A", genre="g", blurb="b")
        session.add(book)
        session.flush()
        ids = []
        for i in range(count):
            text = f"Post number {i} about the sea #BookTok"
            post = post_row(
                book.id,
                text,
                user_id=user_id,
                platform=platform,
                status="scheduled",
                scheduled_time=due,
                limit=500,
            )
            session.add(post)
            session.flush()
            ids.append(post.id)
    return ids
