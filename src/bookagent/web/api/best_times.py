"""`/api/books/<id>/best-times`: the best time to post on each platform, learned or default.

The answer is `bookagent.domain.best_times`' (via `learning_store.best_times_by_platform`), as of
now: per platform the agent posts to or the book has readings on.
"""

from __future__ import annotations

from flask import Response

from bookagent.db.base import utcnow
from bookagent.domain import autonomous as agent
from bookagent.domain import best_times as timing
from bookagent.domain import learning
from bookagent.domain import learning_store
from bookagent.domain.books import get_book
from bookagent.web.api.blueprints import api_blueprint
from bookagent.web.api.schemas import BookPath
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.envelope import ok

blueprint = api_blueprint("best_times", __name__)


@blueprint.get("/books/<book_id>/best-times")
def best_times(path: BookPath) -> Response:
    """The best times to post per platform: learned from the book's engagement once a platform
    has enough readings, else the platform's defaults (404 for a book the caller cannot see)."""
    with services().db.session() as session:
        book = get_book(session, caller(), path.book_id)
        settings = agent.agent_settings(agent.load_state(session, book.id))
        found = learning_store.best_times_by_platform(session, book, settings, utcnow())
        return ok(
            {
                "book_id": book.id,
                "timezone": book.timezone,
                "model": {
                    "lookback_days": timing.LOOKBACK.days,
                    "min_posts": timing.MIN_POSTS,
                    "min_window_posts": timing.MIN_WINDOW_POSTS,
                    "window_hours": timing.WINDOW_HOURS,
                    "credible_level": learning.CREDIBLE_LEVEL,
                },
                "platforms": {times.platform: times.to_json() for times in found},
            }
        )
