"""A book with retailer links and due posts that carry them, for the link-tracking tests."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from bookagent.bootstrap import Services
from bookagent.db.models import Book
from bookagent.db.models import Post
from bookagent.domain import autonomous
from bookagent.domain.identity import ensure_user
from bookagent.domain.posts import content_hash
from bookagent.platforms.hashtags import post_entities

AMAZON = "https://www.amazon.com/dp/B0SALT1234?tag=lighthouse-20&th=1"
LANDING = "https://lighthouse-book.com/buy"
FOREIGN = "https://en.wikipedia.org/wiki/Lighthouse"
TITLE = "The Lighthouse Keeper"
LINKS: dict[str, str | None] = {"amazon": AMAZON, "audible": None, "landing_page": LANDING}


def seed_book(
    services: Services, *, title: str = TITLE, links: dict[str, str | None] | None = None
) -> str:
    """A book of alice's with retailer links; its id."""
    with services.db.session() as session:
        ensure_user(session, "alice")
        book = Book(
            user_id="alice",
            title=title,
            author="A. Writer",
            genre="literary fiction",
            blurb="A keeper of a lighthouse.",
            links=dict(LINKS if links is None else links),
        )
        session.add(book)
        session.flush()
        return book.id


def due_post(
    services: Services,
    book_id: str,
    platform: str,
    content: str,
    *,
    pin: dict[str, Any] | None = None,
    status: str = "scheduled",
) -> str:
    """A post of the book due now (its hashtags and links read from `content`); its id."""
    tags, links = post_entities(platform, content)
    with services.db.session() as session:
        post = Post(
            book_id=book_id,
            user_id="alice",
            platform=platform,
            post_type="hook_question",
            content=content,
            content_hash=content_hash(content),
            hashtags=list(tags),
            links=list(links),
            status=status,
            scheduled_time=datetime.now(UTC) - timedelta(minutes=1),
            measured_length=len(content),
            limit=500,
            provider="template",
            model="t",
            prompt_hash="p",
            generation_metadata={"pin": pin} if pin else {},
        )
        session.add(post)
        session.flush()
        return post.id


def set_tracking(services: Services, book_id: str, **tracking: Any) -> None:
    """Store the book's `link_tracking` settings (the rest of its agent settings default)."""
    with services.db.session() as session:
        state = autonomous.load_state(session, book_id)
        settings = autonomous.AgentSettings.model_validate(
            {**(state.settings or {}), "link_tracking": tracking}
        )
        state.settings = settings.model_dump()


def published_post(services: Services, book_id: str, content: str = "A post") -> str:
    """A post of the book published two days ago; its id."""
    post_id = due_post(services, book_id, "mastodon", content, status="published")
    with services.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.published_at = datetime.now(UTC) - timedelta(days=2)
        post.published_url = f"https://mastodon.example/@alice/{post_id}"
    return post_id
