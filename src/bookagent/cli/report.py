"""`bookagent report weekly`: queue the weekly report, wait for it, summarise it, open it."""

from __future__ import annotations

import webbrowser
from datetime import datetime
from typing import Any

import click

from bookagent.cli import output
from bookagent.cli.client import JSON
from bookagent.cli.connection import client_options
from bookagent.cli.connection import connection
from bookagent.cli.connection import open_client
from bookagent.cli.progress import follow_task

FUNNEL = ("generated", "approved", "rejected", "published", "failed", "unconfirmed")


@click.group()
def report() -> None:
    """Reports on what the agent did."""


@report.command()
@click.option(
    "--week",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The Monday the week starts on [default: the last complete week].",
)
@click.option("--open", "open_it", is_flag=True, help="Open the HTML report in a browser.")
@client_options
def weekly(week: datetime | None, open_it: bool) -> None:
    """Write the weekly report (a task), then print its summary and where to read it."""
    conn = connection()
    client = open_client()
    queued = client.queue_weekly_report(conn.target, week.date() if week else None)
    status = follow_task(client, str(queued["task_id"]), "Writing the weekly report")
    result = status.get("result") or {}
    report_id = str(result["report_id"])
    location = client.report_location(report_id)
    if conn.as_json:
        output.emit_json({**status, "report_location": location})
    else:
        show_summary(result.get("report") or {})
        click.echo(f"HTML report: {location}")
    if open_it:
        target = client.report_for_browser(report_id)
        if not webbrowser.open(target):
            output.note(f"No browser could be started; open {target} yourself.")


def show_summary(data: JSON) -> None:
    """The week, the totals, the platform table and the suggestions."""
    period = data.get("period") or {}
    totals = data.get("totals") or {}
    click.echo(
        f"Weekly report for {data.get('title')}: {period.get('week_start')} to "
        f"{period.get('week_end')} ({period.get('timezone')})"
    )
    if data.get("empty"):
        click.echo("Nothing happened that week.")
    output.emit(
        output.grid(
            ("Platform", *(name.capitalize() for name in FUNNEL), "Approval"),
            [
                *(_funnel_row(name, row) for name, row in (data.get("platforms") or {}).items()),
                _funnel_row("total", totals),
            ],
        )
    )
    for line in data.get("suggestions") or []:
        click.echo(f"- {line}")


def _funnel_row(name: str, row: JSON) -> list[Any]:
    decided = row.get("approved", 0) + row.get("rejected", 0)
    rate = row.get("approval_rate", row.get("approved", 0) / decided if decided else None)
    return [name, *(row.get(key, 0) for key in FUNNEL), f"{rate:.0%}" if rate is not None else None]
