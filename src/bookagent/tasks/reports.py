"""The weekly report task (`bookagent.generate_weekly_report`): build, store once per week."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from typing import Any

from bookagent.db.base import utcnow
from bookagent.db.models import Book
from bookagent.domain import reports
from bookagent.errors import NotFoundError

if TYPE_CHECKING:
    from bookagent.tasks.context import TaskContext


def generate_weekly_report(
    ctx: TaskContext, *, book_id: str, week_start: str | None = None
) -> dict[str, Any]:
    """Build the report of a week (default: the last complete one) and store it."""
    services = ctx.services
    with services.db.session() as session:
        book = session.get(Book, book_id)
        if book is None:
            raise NotFoundError(f"No book with id {book_id}.")
        week = (
            date.fromisoformat(week_start) if week_start else reports.default_week(book, utcnow())
        )
        ctx.progress(0, 2, "computing figures")
        data = reports.build_report(
            session, book, week, budget_usd=services.settings.writers.monthly_budget_usd
        )
        stored = reports.store_report(session, book, week, data, ctx.task_id)
        report_id = stored.id
    ctx.progress(2, 2, "stored")
    return {"report_id": report_id, "report": data, "html_url": f"/api/reports/{report_id}.html"}
