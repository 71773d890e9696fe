"""The report's charts, drawn with matplotlib (no display needed), embedded as PNG data URIs."""

from __future__ import annotations

import base64
import io
from typing import Any

# Figure objects render straight to PNG without pyplot, so no GUI backend is ever involved.
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

FUNNEL_STEPS = ("generated", "approved", "published")


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def posts_per_day_chart(per_day: dict[str, dict[str, int]]) -> str | None:
    """Stacked bars of published posts per day per platform; None if nothing was published."""
    if not per_day:
        return None
    days = sorted(next(iter(per_day.values())))
    figure = Figure(figsize=(7, 3.2))
    axes = figure.subplots()
    bottom = [0] * len(days)
    for platform, counts in sorted(per_day.items()):
        values = [counts.get(day, 0) for day in days]
        axes.bar([d[5:] for d in days], values, bottom=bottom, label=platform)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_title("Posts published per day")
    axes.set_ylabel("posts")
    axes.legend(fontsize=8, frameon=False)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(figure)


def funnel_chart(totals: dict[str, Any]) -> str | None:
    """Horizontal bars: generated → approved → published; None for an empty week."""
    values = [int(totals.get(step, 0)) for step in FUNNEL_STEPS]
    if not any(values):
        return None
    figure = Figure(figsize=(7, 2.4))
    axes = figure.subplots()
    axes.barh(list(reversed(FUNNEL_STEPS)), list(reversed(values)), color="#4c72b0")
    for index, value in enumerate(reversed(values)):
        axes.text(value, index, f" {value}", va="center")
    axes.set_title("Funnel: generated → approved → published")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(figure)


def render_charts(report: dict[str, Any]) -> dict[str, str | None]:
    """Both charts of a report, as data URIs."""
    return {
        "posts_per_day": posts_per_day_chart(report.get("posts_per_day", {})),
        "funnel": funnel_chart(report.get("totals", {})),
    }
