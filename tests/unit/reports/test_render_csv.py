"""The report's CSV against formula injection (OWASP): text neutralized, numbers left numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from bookagent.reports.render import PLATFORM_COLUMNS
from bookagent.reports.render import csv_cell
from bookagent.reports.render import render_csv


def top_posts(*contents: Any, engagement: Any = 7) -> dict[str, Any]:
    posts = [
        {
            "post_id": f"p{i}",
            "platform": "twitter",
            "post_type": "hook_question",
            "engagement": engagement,
            "url": None,
            "content": content,
        }
        for i, content in enumerate(contents)
    ]
    return {"engagement": {"top_posts": posts}}


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("https://evil.example","x")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1,1)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_a_text_cell_that_could_start_a_formula_gets_a_quote(text: str) -> None:
    assert csv_cell(text) == "'" + text
    body = render_csv(top_posts(text), "top_posts")
    [row] = list(csv.DictReader(io.StringIO(body)))
    assert row["content"] == "'" + text
    assert f"\"'{text[0]}" in body  # the neutralized cell is quoted


@pytest.mark.parametrize("text", ["Plain words", " =not first", "", "'already quoted", "1+1"])
def test_other_text_is_unchanged(text: str) -> None:
    assert csv_cell(text) == text


@pytest.mark.parametrize("number", [-3, -0.25, 0, 12, 1.5, True])
def test_numbers_stay_numbers(number: Any) -> None:
    assert csv_cell(number) is number
    body = render_csv(top_posts("hello", engagement=number), "top_posts")
    assert f'"hook_question",{number},""' in body  # bare, so a spreadsheet reads a number


def test_none_is_an_empty_cell_and_every_table_is_neutralized() -> None:
    report = {
        "platforms": {"=evil": dict.fromkeys(PLATFORM_COLUMNS, -1)},
        "task_health": {
            "by_name": {
                "@task": {"count": 1, "failed": 0, "p50_duration_s": None, "p95_duration_s": -0.5}
            }
        },
        "next_week": {
            "scheduled": [
                {"local_time": "+01:00", "platform": "x", "post_type": "t", "post_id": "-id"}
            ]
        },
    }
    assert render_csv(report, "platforms").splitlines()[1] == '"\'=evil",-1,-1,-1,-1,-1,-1,-1,-1'
    assert render_csv(report, "tasks").splitlines()[1] == '"\'@task",1,0,"",-0.5'
    assert render_csv(report, "next_week").splitlines()[1] == '"\'+01:00","x","t","\'-id"'
