"""The autonomous agent: start, stop, status, settings, and running the daily routine now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response
from sqlalchemy.orm import Session

from bookagent.db.base import utcnow
from bookagent.domain import autonomous as agent
from bookagent.domain.books import resolve_book
from bookagent.domain.link_tracking import check_short_links
from bookagent.health import check_scheduler
from bookagent.queue.operations import submit_task
from bookagent.web.api.blueprints import QUEUED
from bookagent.web.api.blueprints import api_blueprint
from bookagent.web.api.schemas import BookRef
from bookagent.web.api.schemas import Identifier
from bookagent.web.api.tasks import queued
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.envelope import ok
from bookagent.web.timeouts import timed_route

blueprint = api_blueprint("autonomous", __name__)


class SettingsBody(agent.AgentSettings):
    """New agent settings for a book."""

    user_id: Identifier | None = None
    book_id: Identifier | None = None


def _status(book_ref: BookRef) -> dict[str, Any]:
    svc = services()
    with svc.db.session() as session:
        book = resolve_book(session, caller(), user_id=book_ref.user_id, book_id=book_ref.book_id)
        status = agent.describe_agent(session, book, utcnow())
    scheduler = check_scheduler(svc)
    status["scheduler"] = {
        "backend": scheduler.get("backend") or svc.require_queue().backend,
        "last_tick_at": scheduler.get("last_tick_at"),
        "healthy": scheduler.get("ok", False),
        "detail": scheduler.get("detail"),
    }
    return status


# start_agent or stop_agent: (session, book_id, now) -> (state, the agent ran before)
_Switch = Callable[[Session, str, datetime], tuple[object, bool]]


def _switch(body: BookRef, switch: _Switch, status: str, flag: str) -> Response:
    """Turn the agent of a book on or off with `switch`; `flag` names what it was before.

    The answer is `{"status": status, flag: <the switch's bool>, "autonomous_status": ...}`,
    the status read after the change is committed.
    """
    with services().db.session() as session:
        book = resolve_book(session, caller(), user_id=body.user_id, book_id=body.book_id)
        _, before = switch(session, book.id, utcnow())
        book_ref = BookRef(book_id=book.id)
    return ok({"status": status, flag: before, "autonomous_status": _status(book_ref)})


@blueprint.post("/autonomous/start")
@timed_route("autonomous_start_s")
def start(body: BookRef) -> Response:
    """Start the agent for a book (idempotent; survives restarts)."""
    return _switch(body, agent.start_agent, "autonomous_operation_started", "already_running")


@blueprint.post("/autonomous/stop")
@timed_route("autonomous_stop_s")
def stop(body: BookRef) -> Response:
    """Stop the agent for a book (idempotent)."""
    return _switch(body, agent.stop_agent, "autonomous_operation_stopped", "was_running")


@blueprint.get("/autonomous/status")
@timed_route("autonomous_status_s")
def status(query: BookRef) -> Response:
    """The agent's state: running, next runs, last daily run, scheduler heartbeat, settings."""
    return ok({"autonomous_status": _status(query)})


@blueprint.post("/autonomous/execute-daily", responses=QUEUED)
def execute_daily(body: BookRef) -> Response:
    """Run the daily routine now, as a task."""
    svc = services()
    with svc.db.session() as session:
        book = resolve_book(session, caller(), user_id=body.user_id, book_id=body.book_id)
        book_id, owner = book.id, book.user_id
    task_id = submit_task(svc, "bookagent.run_daily", {"book_id": book_id}, user_id=owner)
    return queued(
        "daily_operations_queued",
        task_id,
        "Running the daily routine in background. Check task status for results.",
    )


@blueprint.get("/autonomous/settings")
def get_settings(query: BookRef) -> Response:
    """The agent settings of a book."""
    with services().db.session() as session:
        book = resolve_book(session, caller(), user_id=query.user_id, book_id=query.book_id)
        state = agent.load_state(session, book.id)
        return ok({"book_id": book.id, "settings": agent.agent_settings(state).model_dump()})


@blueprint.put("/autonomous/settings")
def put_settings(body: SettingsBody) -> Response:
    """Replace the agent settings of a book."""
    with services().db.session() as session:
        book = resolve_book(session, caller(), user_id=body.user_id, book_id=body.book_id)
        new = agent.AgentSettings.model_validate(body.model_dump(exclude={"user_id", "book_id"}))
        check_short_links(new.link_tracking, services().settings.web.public_url)
        agent.update_settings(session, book.id, new)
        return ok({"book_id": book.id, "settings": new.model_dump()})
