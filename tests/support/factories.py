"""Factories for rows the tests (and benchmarks) need in bulk, written straight to the database."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from bookagent.bootstrap import Services
from bookagent.db.models import Book
from bookagent.db.models import Post
from bookagent.domain.identity import ensure_user
from bookagent.domain.posts import content_hash


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
            post = Post(
                book_id=book.id,
                user_id=user_id,
                platform=platform,
                post_type="hook_question",
                content=text,
                content_hash=content_hash(text),
                status="scheduled",
                scheduled_time=due,
                measured_length=len(text),
                limit=500,
                provider="template",
                model="t",
                prompt_hash="p",
            )
            session.add(post)
            session.flush()
            ids.append(post.id)
    return ids
