"""Weekly reports: queue one, list them, and fetch one as JSON, HTML (with charts) or CSV."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response
from pydantic import BaseModel
from pydantic import field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from bookagent.db.models import Report
from bookagent.domain.books import resolve_book
from bookagent.domain.identity import Caller
from bookagent.errors import NotFoundError
from bookagent.queue.operations import submit_task
from bookagent.reports.render import render_csv
from bookagent.reports.render import render_html
from bookagent.web.api.blueprints import QUEUED
from bookagent.web.api.blueprints import api_blueprint
from bookagent.web.api.schemas import BookRef
from bookagent.web.api.schemas import Identifier
from bookagent.web.api.schemas import UserQuery
from bookagent.web.api.tasks import queued
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.envelope import iso
from bookagent.web.envelope import ok

blueprint = api_blueprint("reports", __name__)


class WeeklyBody(BookRef):
    """Which book and week (a Monday; default: the last complete week)."""

    week_start: date | None = None

    @field_validator("week_start")
    @classmethod
    def _monday(cls, value: date | None) -> date | None:
        if value is not None and value.weekday() != 0:
            raise ValueError("must be a Monday (weeks run Monday to Sunday)")
        return value


class ReportPath(BaseModel):
    """A report id in the path."""

    report_id: Identifier


class CsvQuery(BaseModel):
    """Which table of the report to export."""

    table: str = "platforms"


def _report(session: Session, who: Caller, report_id: str) -> Report:
    report = session.get(Report, report_id)
    if report is None or not who.can_act_for(report.user_id):
        raise NotFoundError(f"No report with id {report_id}.")
    return report


def report_summary(report: Report) -> dict[str, Any]:
    """A report in a list: its ids, week and headline figures."""
    return {
        "id": report.id,
        "book_id": report.book_id,
        "week_start": report.week_start.isoformat(),
        "created_at": iso(report.created_at),
        "totals": report.data.get("totals"),
        "html_url": f"/api/reports/{report.id}.html",
    }


@blueprint.post("/reports/weekly", responses=QUEUED)
def queue_weekly(body: WeeklyBody) -> Response:
    """Queue the weekly report; the task's result holds it, and it is stored."""
    svc = services()
    with svc.db.session() as session:
        book = resolve_book(session, caller(), user_id=body.user_id, book_id=body.book_id)
        book_id, owner = book.id, book.user_id
    task_id = submit_task(
        svc,
        "bookagent.generate_weekly_report",
        {
            "book_id": book_id,
            "week_start": body.week_start.isoformat() if body.week_start else None,
        },
        user_id=owner,
    )
    return queued(
        "weekly_report_queued",
        task_id,
        "Writing the weekly report in background. Check task status for results.",
    )


@blueprint.get("/reports")
def list_reports(query: UserQuery) -> Response:
    """Reports, newest week first."""
    who = caller()
    with services().db.session() as session:
        statement = select(Report).order_by(Report.week_start.desc(), Report.id)
        owner = query.user_id or (None if who.is_admin else who.user_id)
        if owner is not None:
            who.resolve_user(owner)
            statement = statement.where(Report.user_id == owner)
        rows = [report_summary(r) for r in session.scalars(statement.limit(200))]
    return ok({"reports": rows, "count": len(rows)})


@blueprint.get("/reports/<report_id>")
def get_report(path: ReportPath) -> Response:
    """One report as JSON."""
    with services().db.session() as session:
        report = _report(session, caller(), path.report_id)
        return ok({**report_summary(report), "report": report.data})


@blueprint.get(
    "/reports/<report_id>.html",
    responses={
        200: {
            "description": "The report page",
            "content": {"text/html": {"schema": {"type": "string"}}},
        }
    },
)
def report_html(path: ReportPath) -> Response:
    """The report as a standalone HTML page with its charts."""
    with services().db.session() as session:
        data = _report(session, caller(), path.report_id).data
    return Response(render_html(data), mimetype="text/html")


@blueprint.get(
    "/reports/<report_id>.csv",
    responses={
        200: {
            "description": "One table as CSV",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def report_csv(path: ReportPath, query: CsvQuery) -> Response:
    """One table of the report as CSV (`?table=platforms|top_posts|tasks|next_week`)."""
    with services().db.session() as session:
        data = _report(session, caller(), path.report_id).data
    body = render_csv(data, query.table)
    filename = f"report-{path.report_id}-{query.table}.csv"
    disposition = f'attachment; filename="{filename}"'
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": disposition})
