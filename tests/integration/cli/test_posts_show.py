"""`bookagent posts show`: a post in a box as its platform shows it, from the API's preview."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient

from tests.integration.cli.conftest import Cli
from tests.integration.cli.conftest import assert_one_line_error

LINKEDIN_TEXT = (
    "A keeper of a remote lighthouse.\n"
    "A message in a bottle.\n"
    "A story about grief and the sea.\n"
    "Read more: https://example.com/lighthouse #LiteraryFiction"
)


def make_post(client: FlaskClient, book: dict[str, Any], platform: str) -> dict[str, Any]:
    """A pending post of alice's book, made through the API on the CLI's own database."""
    if not client.get("/api/books").get_json()["books"]:
        assert client.post("/api/books", json=book).status_code == 201
    answer = client.post(
        "/api/generate-posts",
        json={"user_id": "alice", "platforms": [platform], "count_per_platform": 1},
    )
    assert answer.status_code == 200, answer.get_json()
    return dict(answer.get_json()["posts"][0])


def test_show_draws_the_post_as_linkedin_folds_it(
    local: Cli, client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    post = make_post(client, book_payload, "linkedin")
    edited = client.patch(f"/api/posts/{post['id']}", json={"content": LINKEDIN_TEXT})
    assert edited.status_code == 200, edited.get_json()
    # Without an image (the writer may have given it a card): LinkedIn draws the link's card.
    bare = client.patch(f"/api/posts/{post['id']}/media", json={"media": []})
    assert bare.status_code == 200, bare.get_json()

    out = local.ok("posts", "show", post["id"]).stdout
    lines = [line.strip("│ ").rstrip() for line in out.splitlines()]
    assert post["id"] in out and "pending_approval" in out
    assert any(line.startswith("╭─ LinkedIn ") for line in out.splitlines())
    fold = lines.index("··· more")
    assert lines[fold - 1] == "A story about grief and the sea."
    assert "Read more: https://example.com/lighthouse #LiteraryFiction" in lines[fold + 1]
    assert any(line.strip("│ ") == "example.com" for line in lines[fold:])  # the link card
    assert f"{len(LINKEDIN_TEXT)} / 3000 code points" in out


def test_show_wraps_the_text_inside_a_feed_wide_box(
    local: Cli, client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    post = make_post(client, book_payload, "twitter")
    out = local.ok("posts", "show", post["id"], COLUMNS="200").stdout
    box = [line for line in out.splitlines() if line.startswith(("╭", "│", "╰"))]
    assert box and max(len(line) for line in box) <= 64
    assert box[0].startswith("╭─ X ")
    assert f"{post['measured_length']} / 280 weighted characters" in out


def test_show_gives_instagram_an_image_box_and_the_link_in_bio_note(
    local: Cli, client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    post = make_post(client, book_payload, "instagram")
    out = local.ok("posts", "show", post["id"]).stdout
    assert "╭─ Instagram " in out
    assert "Image" in out and "Alt text: A " in out  # the card the writer gave it
    assert "Link in bio" in out
    assert "/ 2200 code points" in out


def test_show_keeps_brackets_as_text_and_json_gives_the_api_body(
    local: Cli, client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    post = make_post(client, book_payload, "mastodon")
    text = "[bold]Not markup[/bold] :books: #LiteraryFiction"
    assert client.patch(f"/api/posts/{post['id']}", json={"content": text}).status_code == 200
    assert text in local.ok("posts", "show", post["id"]).stdout

    body = json.loads(local.ok("posts", "show", post["id"], "--json").stdout)
    assert body["post"]["id"] == post["id"]
    assert body["post"]["preview"]["label"] == "Mastodon"


def test_show_of_an_unknown_post_is_a_one_line_error(local: Cli) -> None:
    assert_one_line_error(local("posts", "show", "no-such-post"), "No post with id no-such-post")
