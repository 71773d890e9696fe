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

#: How the report names each mode of a platform's learning plan.
MODE_LABELS = {
    "learned": "learned from engagement",
    "default": "the default mix (no engagement figures yet)",
    "pinned": "a mix pinned by the author",
    "off": "learning off (the default mix)",
}
CSV_TABLES = ("platforms", "top_posts", "clicks", "tasks", "next_week", "learning")
#: A post's clicks in the week's report, in the CSV's column order.
CLICK_COLUMNS = ("post_id", "platform", "post_type", "clicks", "counted", "short_links", "url")
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
#: A learned post type's or posting time's figures, in the CSV's column order.
LEARNING_COLUMNS = ("posts", "weight", "mean", "low", "high", "vs_typical", "planned")
#: A text cell starting with one of these is read as a formula (or can start one) by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def vs_typical(score: float) -> str:
    """A learned score in [0, 1] as a multiple of a typical post's engagement ("1.4×")."""
    if score >= 1:
        return "∞×"
    ratio = score / (1 - score)
    return f"{ratio:.2f}×" if ratio < 0.1 else f"{ratio:.1f}×"


_env.filters["vs_typical"] = vs_typical


def csv_cell(value: Any) -> Any:
    """`value` safe for a spreadsheet: text that could start a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def render_html(report: dict[str, Any]) -> str:
    """The report page; an empty week renders a clear 'nothing happened' report."""
    # matplotlib costs ~0.4 s to import: load it when a report is drawn, not at startup.
    from bookagent.reports.charts import learning_charts
    from bookagent.reports.charts import render_charts

    return _env.get_template("report.html").render(
        r=report,
        charts=render_charts(report),
        learning_charts=learning_charts(report),
        mode_labels=MODE_LABELS,
    )


def learning_rows(report: dict[str, Any]) -> list[list[Any]]:
    """One row per platform and post type or posting time of "What the agent learned" (none
    in a report written before the agent learned)."""
    rows = []
    platforms = (report.get("learning") or {}).get("platforms", {})
    for platform, section in platforms.items():
        for kind, key, plan in (
            ("post_type", "post_types", section["plan"]["post_types"]),
            ("slot", "slots", section["plan"]["slots"]),
        ):
            for row in section[key]:
                name = row[kind]
                figures = [row[k] for k in LEARNING_COLUMNS[:-1]]
                rows.append([platform, section["mode"], kind, name, *figures, plan.get(name, 0)])
    return rows


def render_csv(report: dict[str, Any], table: str) -> str:
    """One of the report's tables as CSV."""
    if table == "platforms":
        header = ["platform", *PLATFORM_COLUMNS]
        rows = [[name, *(row[k] for k in header[1:])] for name, row in report["platforms"].items()]
    elif table == "top_posts":
        header = ["post_id", "platform", "post_type", "engagement", "url", "content"]
        rows = [[p[k] for k in header] for p in report["engagement"]["top_posts"]]
    elif table == "clicks":
        header = [*CLICK_COLUMNS, "content"]
        # A report written before clicks were kept has no such section: an empty table.
        rows = [[p[k] for k in header] for p in (report.get("clicks") or {}).get("posts", [])]
    elif table == "tasks":
        header = ["task", "count", "failed", "p50_duration_s", "p95_duration_s"]
        rows = [
            [name, *(row[k] for k in header[1:])]
            for name, row in report["task_health"]["by_name"].items()
        ]
    elif table == "next_week":
        header = ["local_time", "platform", "post_type", "post_id"]
        rows = [[s[k] for k in header] for s in report["next_week"]["scheduled"]]
    elif table == "learning":
        header = ["platform", "mode", "kind", "name", *LEARNING_COLUMNS]
        rows = learning_rows(report)
    else:
        raise NotFoundError(f"No table {table!r}; use one of {', '.join(CSV_TABLES)}.")
    buffer = io.StringIO()
    # Every text cell quoted; numbers bare, so they stay numbers (see the module doc).
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(header)
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()
