"""The report's charts, drawn with matplotlib (no display needed), embedded as PNG data URIs."""

from __future__ import annotations

import base64
import io
import math
from typing import Any

# Figure objects render straight to PNG without pyplot, so no GUI backend is ever involved.
from matplotlib.axes import Axes
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


#: The learning chart's widest x range (powers of two), as multiples of a typical post.
RATIO_POWERS = (-3, 3)


def _ratio(score: float) -> float:
    """A score in [0, 1] as a multiple of a typical post (0.5 → 1×), kept on the chart."""
    low, high = (2.0**power for power in RATIO_POWERS)
    value = score / (1 - score) if score < 1 else high
    return min(max(value, low), high)


def _powers(rows: list[dict[str, Any]]) -> range:
    """The powers of two the x axis spans: the rows' intervals, ½× to 2× at the least."""
    values = [_ratio(row[key]) for row in rows for key in ("low", "high")]
    low = min(-1, *(math.floor(math.log2(v)) for v in values))
    high = max(1, *(math.ceil(math.log2(v)) for v in values))
    return range(max(low, RATIO_POWERS[0]), min(high, RATIO_POWERS[1]) + 1)


def _tick(value: float) -> str:
    return f"{value:g}×" if value >= 1 else f"1/{round(1 / value)}×"


def learning_chart(platform: str, section: dict[str, Any]) -> str | None:
    """Each post type's and posting time's mean engagement (× a typical post, log scale) with
    its credible interval, and the posts planned for next week; None before any reading."""
    if not section.get("observations"):
        return None
    plan = section.get("plan", {})
    panels = [
        (title, rows, plan.get(kind, {}))
        for title, rows, kind in (
            ("post types", section["post_types"], "post_types"),
            ("posting times", section["slots"], "slots"),
        )
        if rows
    ]
    powers = _powers([row for _, rows, _ in panels for row in rows])
    heights = [len(rows) + 1.2 for _, rows, _ in panels]
    figure = Figure(figsize=(7, 0.3 * sum(heights) + 1.0))
    grid = figure.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": heights})
    for axes, (title, rows, planned) in zip(grid[:, 0], panels, strict=True):
        _interval_panel(axes, f"{platform}: {title}", list(reversed(rows)), planned, powers)
    grid[-1, 0].set_xlabel(
        "engagement vs a typical post (dot: mean; bar: 90% credible interval; (n): posts)"
    )
    figure.tight_layout()
    return _png(figure)


def _interval_panel(
    axes: Axes, title: str, rows: list[dict[str, Any]], planned: dict[str, int], powers: range
) -> None:
    """One panel: a row per post type (or time) from the bottom up, its planned count at right."""
    names = [str(row.get("post_type") or row.get("slot")) for row in rows]
    ys = list(range(len(rows)))
    colours = ["#4c72b0" if row["posts"] else "#b0b0b0" for row in rows]  # grey: untried
    lows = [_ratio(row["low"]) for row in rows]
    highs = [_ratio(row["high"]) for row in rows]
    axes.hlines(ys, lows, highs, colors=colours, linewidth=2)
    axes.scatter([_ratio(row["mean"]) for row in rows], ys, color=colours, zorder=3, s=22)
    axes.axvline(1, color="#888", linestyle="--", linewidth=1)
    axes.set_xscale("log")
    ticks = [2.0**power for power in powers]
    axes.set_xlim(ticks[0], ticks[-1])
    axes.set_xticks(ticks, [_tick(t) for t in ticks])
    axes.minorticks_off()
    labels = [
        f"{name.replace('_', ' ')} ({row['posts']})" for name, row in zip(names, rows, strict=True)
    ]
    axes.set_yticks(ys, labels)
    axes.set_ylim(-0.7, len(rows) - 0.3)
    axes.set_title(title, loc="left", fontsize=10)
    right = axes.secondary_yaxis("right")
    right.set_yticks(ys, [str(planned.get(name, 0)) for name in names])
    right.set_ylabel("planned next week", fontsize=8)
    right.tick_params(length=0)


def learning_charts(report: dict[str, Any]) -> dict[str, str]:
    """The learning chart of every platform that has readings, by platform."""
    platforms = (report.get("learning") or {}).get("platforms", {})
    charts = {name: learning_chart(name, section) for name, section in platforms.items()}
    return {name: chart for name, chart in charts.items() if chart is not None}
