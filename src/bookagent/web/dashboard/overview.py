"""The overview page: service health, the scheduler's heartbeat, the agent's on/off switch and
the mix of post types it writes on each platform."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from bookagent.db.base import utcnow
from bookagent.db.models import Post
from bookagent.domain import autonomous as agent
from bookagent.domain import learning_store
from bookagent.domain.posts import PENDING
from bookagent.health import collect_health
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.dashboard.page import choose_book
from bookagent.web.dashboard.page import render_page


def overview() -> str:
    """Health, heartbeat, past-due posts, the approval backlog and the agent of the book."""
    svc, who = services(), caller()
    health = collect_health(svc)
    status, pending, mix = None, 0, []
    with svc.db.session() as session:
        books, book = choose_book(session, who)
        if book is not None:
            now = utcnow()
            status = agent.describe_agent(session, book, now)
            # The mix each platform gets this week: learned, default, pinned or learning off.
            settings = agent.agent_settings(agent.load_state(session, book.id))
            mix = learning_store.week_plans(session, book, settings, now)
            pending = (
                session.scalar(
                    select(func.count())
                    .select_from(Post)
                    .where(Post.book_id == book.id, Post.status == PENDING)
                )
                or 0
            )
    return render_page(
        "overview.html",
        title="Overview",
        books=books,
        book=book,
        health=health,
        agent=status,
        pending=int(pending),
        mix=mix,
    )


def switch_agent() -> BaseResponse:
    """Start or stop the agent of the current book (both are idempotent)."""
    action = request.form.get("action")
    with services().db.session() as session:
        _, book = choose_book(session, caller())
        if book is None:
            flash("Create your book profile first.")
            return redirect(url_for("dashboard.book"))
        if action == "start":
            _, already = agent.start_agent(session, book.id, utcnow())
            flash("The agent was already running." if already else "The agent is running.")
        elif action == "stop":
            _, was_running = agent.stop_agent(session, book.id, utcnow())
            flash("The agent is stopped." if was_running else "The agent was already stopped.")
        else:
            flash("Choose start or stop.")
    return redirect(url_for("dashboard.overview"))
