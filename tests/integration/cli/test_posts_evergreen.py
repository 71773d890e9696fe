"""`bookagent posts evergreen`: mark a published post evergreen, or stop with --off."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.db.models import Post
from tests.integration.cli.conftest import Cli
from tests.integration.cli.conftest import assert_one_line_error
from tests.integration.cli.test_posts_show import make_post


def test_evergreen_marks_a_published_post_and_off_unmarks_it(
    local: Cli, client: FlaskClient, services: Services, book_payload: dict[str, Any]
) -> None:
    post = make_post(client, book_payload, "twitter")
    refused = local("posts", "evergreen", post["id"])
    assert_one_line_error(refused, "only a published post can be marked evergreen")

    with services.db.session() as session:
        row = session.get(Post, post["id"])
        assert row is not None
        row.status, row.published_at = "published", datetime.now(UTC) - timedelta(days=1)
    out = local.ok("posts", "evergreen", post["id"]).stdout
    assert f"Post {post['id']} (twitter) is evergreen." in out
    assert "Evergreen" in local.ok("posts", "show", post["id"]).stdout
    body = json.loads(local.ok("posts", "evergreen", post["id"], "--off", "--json").stdout)
    assert body["post"]["evergreen"] is False
    assert "is no longer evergreen" in local.ok("posts", "evergreen", post["id"], "--off").stdout
    assert_one_line_error(local("posts", "evergreen", "no-such-post"), "No post with id")
