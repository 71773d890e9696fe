"""The one row type for every benchmark section's figures, the table they make, and its Markdown.

Every section builds `Line`s and hands them to `stack.bench_main`, which prints them and writes
them (`Line.to_json`) to `--json`; `run_all` reads them back with `Line.from_json`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from typing import Any
from typing import Literal

from rich.console import Console
from rich.table import Table

RatioKind = Literal["baseline/ours", "ours/baseline"]
Bound = Literal["min", "max"]


@dataclass(frozen=True)
class Line:
    """One figure: ours, the baseline measured in the same run, their ratio and its target.

    `ratio_kind` says which way the ratio goes ("baseline/ours" is a speed-up for times: higher
    is better). Without a baseline, `ours` itself is held to the target. Without a target the
    line is information only (verdict INFO).
    """

    section: str
    name: str
    unit: str
    ours: float
    baseline: float | None
    baseline_label: str
    ratio_kind: RatioKind | None
    target: float | None
    bound: Bound = "min"
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """The ratio `ratio_kind` names, NaN when its divisor is zero, None without a baseline."""
        if self.baseline is None or self.ratio_kind is None:
            return None
        top, bottom = (
            (self.baseline, self.ours)
            if self.ratio_kind == "baseline/ours"
            else (self.ours, self.baseline)
        )
        return top / bottom if bottom else math.nan

    @property
    def judged(self) -> float | None:
        """What the target applies to: the ratio, or `ours` when there is no baseline."""
        return self.ratio if self.ratio is not None else self.ours

    @property
    def verdict(self) -> Literal["PASS", "MISS", "INFO"]:
        """PASS or MISS against the target (never an assertion); INFO without a target."""
        if self.target is None:
            return "INFO"
        value = self.judged
        if value is None or math.isnan(value):
            return "MISS"
        met = value >= self.target if self.bound == "min" else value <= self.target
        return "PASS" if met else "MISS"

    @property
    def target_text(self) -> str:
        """The target as the table shows it."""
        if self.target is None:
            return "—"
        sign = "≥" if self.bound == "min" else "≤"
        if self.ratio is None:
            return f"{sign} {format_value(self.target)} {self.unit}"
        suffix = "×" if self.ratio_kind == "baseline/ours" else ""
        return f"{sign} {self.target:.2f}{suffix}"

    @property
    def ratio_text(self) -> str:
        """The ratio with its direction, e.g. `12.5× (base/ours)` or `0.34 (ours/base)`."""
        ratio = self.ratio
        if ratio is None:
            return "—"
        if math.isnan(ratio):
            return "n/a"
        if self.ratio_kind == "baseline/ours":
            return f"{ratio:.2f}× (base/ours)"
        return f"{ratio:.2f} (ours/base)"

    def to_json(self) -> dict[str, Any]:
        """The line with its derived values."""
        ratio = self.ratio
        return {
            **asdict(self),
            "ratio": None if ratio is None or math.isnan(ratio) else round(ratio, 4),
            "verdict": self.verdict,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Line:
        """A line back from its `to_json` form (the derived ratio and verdict are dropped)."""
        names = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


def format_value(value: float) -> str:
    """Three significant figures, without scientific notation for the usual ranges."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


VERDICT_STYLES = {"PASS": "green", "MISS": "red", "INFO": "cyan"}


def figure_text(line: Line) -> str:
    """The figure column: name, unit and what it is compared with."""
    text = f"{line.name} ({line.unit})"
    return text + (f" vs {line.baseline_label}" if line.baseline_label else "")


def line_cells(line: Line) -> list[str]:
    """The section, figure, ours, baseline, ratio and target cells of a line."""
    return [
        line.section,
        figure_text(line),
        format_value(line.ours),
        "—" if line.baseline is None else format_value(line.baseline),
        line.ratio_text,
        line.target_text,
    ]


def print_lines(title: str, header: str, lines: Sequence[Line], footnotes: Sequence[str]) -> None:
    """Print the lines as one rich table, with a header line above and footnotes below."""
    console = Console(width=max(Console().width, 160))
    console.print(f"[bold]{title}[/bold]")
    console.print(header)
    table = Table()
    for column in ("section", "figure"):
        table.add_column(column, justify="left")
    for column in ("ours", "baseline", "ratio", "target"):
        table.add_column(column, justify="right")
    table.add_column("verdict", justify="center")
    for line in lines:
        style = VERDICT_STYLES[line.verdict]
        table.add_row(*line_cells(line), f"[{style}]{line.verdict}[/{style}]")
    console.print(table)
    for note in footnotes:
        console.print(f"  {note}")


def markdown_table(lines: Sequence[Line]) -> str:
    """The lines as a GitHub Markdown table."""
    rows = [
        "| # | section | figure | ours | baseline | ratio | target | verdict |",
        "|---:|---|---|---:|---:|---:|---:|:---:|",
    ]
    for number, line in enumerate(lines, 1):
        verdict = f"**{line.verdict}**" if line.verdict == "MISS" else line.verdict
        cells = [str(number), *line_cells(line), verdict]
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows)
