"""`bookagent posts show` draws a Mastodon post's content warning as Mastodon does: the warning
line, then the text behind "Show more"."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from bookagent.platforms import measure
from tests.integration.cli.conftest import Cli
from tests.integration.cli.test_posts_show import make_post


def test_show_draws_the_warning_then_folds_the_text(
    local: Cli, client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book_payload["rules"] = {"content_warning": "mentions of grief"}
    post = make_post(client, book_payload, "mastodon")
    out = local.ok("posts", "show", post["id"]).stdout
    lines = [line.strip("│ ").rstrip() for line in out.splitlines()]
    warning = lines.index("CW: mentions of grief")
    assert lines[warning + 1] == "··· Show more"
    assert f"{post['measured_length']} / 500 characters" in out
    assert post["measured_length"] == measure("mastodon", post["content"]) + len(
        "mentions of grief"
    )
