"""A weekly report as a standalone HTML page (charts inlined) and its tables as CSV.

The CSV is opened in spreadsheets, and its cells carry text we do not control (a post's content,
a URL), so it is written against formula injection as OWASP recommends
(https://owasp.org/www-community/attacks/CSV_Injection): a text cell that begins with `=`, `+`,
`-`, `@`, a tab or a carriage return gets a leading `'`, which makes a spreadsheet show it as
text instead of evaluating it, and every text cell is quoted (`csv.QUOTE_NONNUMERIC`).

Only text (`str`) cells are neutralized. A number the report computed (an `int` or `float`, such
as a negative count or a rate) is written unquoted and unchanged, so it stays a number in the
spreadsheet: it cannot hold a formula. A number that arrives as text (say a post reading "-3")
is text and is neutralized like any other. An empty value (None) is written as `""`.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from jinja2 import Environment
from jinja2 import PackageLoader
from jinja2 import select_autoescape

from bookagent.errors import NotFoundError

_env = Environment(
    loader=PackageLoader("bookagent.reports", "templates"), autoescape=select_autoescape(["html"])
)

CSV_TABLES = ("platforms", "top_posts", "tasks", "next_week")
#: The per-platform figures of a report, in the CSV's column order.
PLATFORM_COLUMNS = (
    "generated",
    "approved",
    "rejected",
    "published",
    "failed",
    "unconfirmed",
    "approval_rate",
    "publish_success_rate",
)
#: A text cell starting with one of these is read as a formula (or can start one) by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """`value` safe for a spreadsheet: text that could start a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def render_html(report: dict[str, Any]) -> str:
    """The report page; an empty week renders a clear 'nothing happened' report."""
    # matplotlib costs ~0.4 s to import: load it when a report is drawn, not at startup.
    from bookagent.reports.charts import render_charts

    return _env.get_template("report.html").render(r=report, charts=render_charts(report))


def render_csv(report: dict[str, Any], table: str) -> str:
    """One of the report's tables as CSV."""
    if table == "platforms":
        header = ["platform", *PLATFORM_COLUMNS]
        rows = [[name, *(row[k] for k in header[1:])] for name, row in report["platforms"].items()]
    elif table == "top_posts":
        header = ["post_id", "platform", "post_type", "engagement", "url", "content"]
        rows = [[p[k] for k in header] for p in report["engagement"]["top_posts"]]
    elif table == "tasks":
        header = ["task", "count", "failed", "p50_duration_s", "p95_duration_s"]
        rows = [
            [name, *(row[k] for k in header[1:])]
            for name, row in report["task_health"]["by_name"].items()
        ]
    elif table == "next_week":
        header = ["local_time", "platform", "post_type", "post_id"]
        rows = [[s[k] for k in header] for s in report["next_week"]["scheduled"]]
    else:
        raise NotFoundError(f"No table {table!r}; use one of {', '.join(CSV_TABLES)}.")
    buffer = io.StringIO()
    # Every text cell quoted; numbers bare, so they stay numbers (see the module doc).
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(header)
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()
