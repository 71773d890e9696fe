"""The reports pages: the list with a button to write this week's report, and one report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bookagent.db.base import utcnow
from bookagent.db.models import Report
from bookagent.errors import NotFoundError
from bookagent.reports.render import CSV_TABLES
from bookagent.web.api.reports import report_summary
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.dashboard.formatting import zone
from bookagent.web.dashboard.page import choose_book
from bookagent.web.dashboard.page import render_page

REPORTS_SHOWN = 100


def reports_page() -> str:
    """The current book's reports, newest week first."""
    svc, who = services(), caller()
    rows: list[dict[str, Any]] = []
    weeks: dict[str, str] = {}
    with svc.db.session() as session:
        books, book = choose_book(session, who)
        if book is not None:
            statement = (
                select(Report)
                .where(Report.book_id == book.id)
                .order_by(Report.week_start.desc(), Report.created_at.desc())
                .limit(REPORTS_SHOWN)
            )
            rows = [report_summary(r) for r in session.scalars(statement)]
            today = utcnow().astimezone(zone(book.timezone)).date()
            monday = today - timedelta(days=today.weekday())
            weeks = {
                "this": monday.isoformat(),
                "last": (monday - timedelta(days=7)).isoformat(),
            }
    return render_page(
        "reports.html", title="Reports", books=books, book=book, reports=rows, weeks=weeks
    )


def report_page(report_id: str) -> str:
    """One report: its figures and charts (the API's HTML rendering, framed) and CSV links."""
    who = caller()
    with services().db.session() as session:
        report = session.get(Report, report_id)
        if report is None or not who.can_act_for(report.user_id):
            raise NotFoundError(f"No report with id {report_id}.")
        summary = report_summary(report)
        title = str(report.data.get("title") or "Weekly report")
    return render_page(
        "report.html",
        title=f"Report for the week of {summary['week_start']}",
        report=summary,
        book_title=title,
        csv_tables=CSV_TABLES,
    )
