"""`LocalClient`: the commands' client straight on the database (`--local`), no server needed.

It calls the same domain and queue functions as the API routes, as a local admin, and answers
the same JSON. The task queue starts only when a command queues or revokes work; the
in-process scheduler never starts, so a one-off command does not tick the autonomous agent.
"""

from __future__ import annotations

import secrets
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any
from typing import Literal

from sqlalchemy.orm import Session

from bookagent.bootstrap import build_services
from bookagent.cli import shapes
from bookagent.cli.client import JSON
from bookagent.cli.client import GenerateRequest
from bookagent.cli.client import PostQuery
from bookagent.cli.client import Target
from bookagent.db import migrate
from bookagent.db.base import utcnow
from bookagent.db.models import Book
from bookagent.db.models import Post
from bookagent.db.models import Report
from bookagent.domain import autonomous as agent
from bookagent.domain import books
from bookagent.domain import generation
from bookagent.domain import posts
from bookagent.domain.identity import LOCAL_CALLER
from bookagent.errors import InvalidInputError
from bookagent.errors import NotFoundError
from bookagent.health import check_scheduler
from bookagent.platforms import normalize_platform
from bookagent.queue import operations as tasks
from bookagent.services import Services
from bookagent.settings import Settings
from bookagent.states import RUNNING_TASK_STATES
from bookagent.tasks.generation import generate

CLOSE_GRACE_S = 2.0


class LocalClient:
    """Works on the configured database through `build_services`, as the local admin."""

    is_local = True

    def __init__(self, settings: Settings) -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrate.upgrade(settings.database_url)
        self.settings = settings
        self.services = build_services(settings, start_queue=False)
        self.caller = LOCAL_CALLER
        self.where = "the local database"
        self._queue_started = False

    # -- books ---------------------------------------------------------------------------------

    def list_books(self, target: Target) -> JSON:
        with self.services.db.session() as session:
            rows = books.list_books(session, self.caller, target.user_id)
            found = [shapes.book_json(b) for b in rows]
        return shapes.ok({"books": found, "count": len(found)})

    def get_book(self, book_id: str) -> JSON:
        with self.services.db.session() as session:
            return shapes.ok(
                {"book": shapes.book_json(books.get_book(session, self.caller, book_id))}
            )

    def create_book(self, fields: JSON) -> JSON:
        with self.services.db.session() as session:
            book = books.create_book(session, self.caller, books.BookCreate.model_validate(fields))
            return shapes.ok({"book": shapes.book_json(book)})

    def replace_book(self, book_id: str, fields: JSON) -> JSON:
        with self.services.db.session() as session:
            book = books.replace_book(
                session, self.caller, book_id, books.BookFields.model_validate(fields)
            )
            return shapes.ok({"book": shapes.book_json(book)})

    # -- generation and tasks ------------------------------------------------------------------

    def generate_posts(self, target: Target, request: GenerateRequest) -> JSON:
        svc = self.services
        platforms = list(dict.fromkeys(normalize_platform(p) for p in request.platforms))
        unknown = [t for t in request.post_types or () if t not in generation.DEFAULT_POST_TYPES]
        if unknown:
            raise InvalidInputError.for_field("post_types", f"unknown post types {unknown}")
        with svc.db.session() as session:
            book = self._book(session, target)
            book_id, owner = book.id, book.user_id
            generation.ensure_budget(session, svc.settings.writers.monthly_budget_usd, utcnow())
        svc.writers.get(request.provider)  # fails now if the writer is not configured
        params: dict[str, Any] = {
            "book_id": book_id,
            "platforms": platforms,
            "count_per_platform": request.count_per_platform,
            "post_types": list(request.post_types) if request.post_types else None,
            "provider": request.provider,
            "seed": secrets.randbelow(2**31),
        }
        total = request.count_per_platform * len(platforms)
        if total <= svc.settings.writers.sync_threshold and not request.run_async:
            result = generate(svc, timeout_s=svc.settings.timeouts.generate_posts_s, **params)
            return shapes.ok(
                {
                    "posts_generated": result["count"],
                    "posts": result["posts"],
                    "rejected": result["rejected"],
                }
            )
        task_id = tasks.submit_task(
            self.with_queue(), "bookagent.generate_posts", params, user_id=owner
        )
        return _queued(
            "content_generation_queued",
            task_id,
            f"Generating {total} posts in background. Check task status for results.",
        )

    def task_status(self, task_id: str) -> JSON:
        return shapes.ok(shapes.task_json(tasks.get_task(self.services, self.caller, task_id)))

    def active_tasks(self, target: Target) -> JSON:
        rows = tasks.list_active(self.services, self.caller, target.user_id)
        return shapes.ok(
            {"active_tasks": [shapes.active_json(r) for r in rows], "count": len(rows)}
        )

    def revoke_task(self, task_id: str, *, terminate: bool) -> JSON:
        row, previous = tasks.revoke_task(
            self.with_queue(), self.caller, task_id, terminate=terminate
        )
        running = previous in RUNNING_TASK_STATES
        result = {
            "task_id": row.id,
            "revoked": True,
            "status": "revoked",
            "terminated": bool(terminate and running),
            "previous_status": previous,
        }
        return shapes.ok({"result": result})

    def task_stats(self) -> JSON:
        return shapes.ok(tasks.task_stats(self.with_queue()))

    # -- posts ---------------------------------------------------------------------------------

    def list_posts(self, target: Target, query: PostQuery) -> JSON:
        filters = posts.PostFilter(
            user_id=target.user_id,
            book_id=target.book_id,
            status=query.status,
            platform=normalize_platform(query.platform) if query.platform else None,
        )
        with self.services.db.session() as session:
            page = posts.list_posts(session, self.caller, filters, limit=query.limit, cursor=None)
            found = [posts.post_to_dict(p) for p in page.posts]
        return shapes.ok({"posts": found, "count": len(found), "next_cursor": page.next_cursor})

    def approve_post(self, target: Target, post_id: str, scheduled_time: datetime | None) -> JSON:
        svc = self.services
        with svc.db.session() as session:
            post = self._post(session, target, post_id)
            post = posts.approve_post(
                session,
                self.caller,
                post_id,
                rules=svc.rules(post.platform),
                now=utcnow(),
                scheduled_time=scheduled_time,
            )
            data = posts.post_to_dict(post)
        return shapes.ok(
            {
                "status": "approved_and_scheduled" if data["scheduled_time"] else "approved",
                "post_id": data["id"],
                "scheduled_time": data["scheduled_time"],
                "post": data,
            }
        )

    def reject_post(self, target: Target, post_id: str, reason: str | None) -> JSON:
        with self.services.db.session() as session:
            self._post(session, target, post_id)
            post = posts.reject_post(session, self.caller, post_id, reason)
            data = posts.post_to_dict(post)
        return shapes.ok({"message": "Post rejected successfully", "post": data})

    # -- the autonomous agent ------------------------------------------------------------------

    def autonomous(self, target: Target, action: Literal["start", "stop"]) -> JSON:
        with self.services.db.session() as session:
            book = self._book(session, target)
            if action == "start":
                _, already = agent.start_agent(session, book.id, utcnow())
                flags = {"status": "autonomous_operation_started", "already_running": already}
            else:
                _, was = agent.stop_agent(session, book.id, utcnow())
                flags = {"status": "autonomous_operation_stopped", "was_running": was}
            book_id = book.id
        return shapes.ok({**flags, "autonomous_status": self._agent_status(Target(None, book_id))})

    def autonomous_status(self, target: Target) -> JSON:
        return shapes.ok({"autonomous_status": self._agent_status(target)})

    # -- reports -------------------------------------------------------------------------------

    def queue_weekly_report(self, target: Target, week_start: date | None) -> JSON:
        if week_start is not None and week_start.weekday() != 0:
            raise InvalidInputError.for_field(
                "week_start", "must be a Monday (weeks run Monday to Sunday)"
            )
        with self.services.db.session() as session:
            book = self._book(session, target)
            book_id, owner = book.id, book.user_id
        task_id = tasks.submit_task(
            self.with_queue(),
            "bookagent.generate_weekly_report",
            {"book_id": book_id, "week_start": week_start.isoformat() if week_start else None},
            user_id=owner,
        )
        return _queued(
            "weekly_report_queued",
            task_id,
            "Writing the weekly report in background. Check task status for results.",
        )

    def report_location(self, report_id: str) -> str:
        return str(self.save_report_html(report_id))

    def report_for_browser(self, report_id: str) -> str:
        return self.save_report_html(report_id).as_uri()

    def save_report_html(self, report_id: str) -> Path:
        """Render the report to `data_dir/reports/<id>.html` and return the file's path."""
        from bookagent.reports.render import render_html  # matplotlib: import only when needed

        with self.services.db.session() as session:
            report = session.get(Report, report_id)
            if report is None or not self.caller.can_act_for(report.user_id):
                raise NotFoundError(f"No report with id {report_id}.")
            data = report.data
        folder = self.settings.data_dir / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        path = (folder / f"{report_id}.html").resolve()
        path.write_text(render_html(data), encoding="utf-8")
        return path

    def close(self) -> None:
        # Commands wait for their tasks; anything still running was interrupted (Ctrl-C).
        self.services.close(grace_s=CLOSE_GRACE_S)

    # -- internals -----------------------------------------------------------------------------

    def with_queue(self) -> Services:
        """The services, with the task queue started on first use (recovery, broker watch).

        The in-process scheduler is left off: a one-off command must not tick the agents.
        """
        if not self._queue_started:
            self.services.require_queue().start()
            self._queue_started = True
        return self.services

    def _book(self, session: Session, target: Target) -> Book:
        return books.resolve_book(
            session, self.caller, user_id=target.user_id, book_id=target.book_id
        )

    def _post(self, session: Session, target: Target, post_id: str) -> Post:
        post = posts.get_post(session, self.caller, post_id)
        if target.user_id and post.user_id != target.user_id:
            raise NotFoundError(f"No post with id {post_id}.")
        return post

    def _agent_status(self, target: Target) -> JSON:
        svc = self.services
        with svc.db.session() as session:
            status = agent.describe_agent(session, self._book(session, target), utcnow())
        scheduler = check_scheduler(svc)
        status["scheduler"] = {
            "backend": scheduler.get("backend") or svc.require_queue().backend,
            "last_tick_at": scheduler.get("last_tick_at"),
            "healthy": scheduler.get("ok", False),
            "detail": scheduler.get("detail"),
        }
        return status


def _queued(status: str, task_id: str, message: str) -> JSON:
    return shapes.ok({"status": status, "task_id": task_id, "message": message})
