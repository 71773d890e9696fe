"""Parsing, options and error lines, with no server: CliRunner and httpx.MockTransport."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from bookagent.cli.client import ClientError
from bookagent.cli.client import GenerateRequest
from bookagent.cli.client import Target
from bookagent.cli.http_client import HttpClient
from tests.integration.cli.conftest import Cli
from tests.integration.cli.conftest import assert_one_line_error
from tests.support.services import free_port


@pytest.fixture
def nowhere() -> str:
    """A URL where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def bookagent() -> Cli:
    return Cli({})


def test_help_lists_every_command(bookagent: Cli) -> None:
    out = bookagent.ok("--help").stdout
    for name in ("serve", "worker", "beat", "db", "tokens", "book", "generate", "posts", "tasks"):
        assert name in out
    assert "autonomous" in out and "report" in out
    for option in ("--url", "--token", "--user", "--book", "--json", "--local"):
        assert option in out
    assert "approve" in bookagent.ok("posts", "--help").stdout
    assert "revoke" in bookagent.ok("tasks", "--help").stdout


def test_unreachable_server_is_one_line(bookagent: Cli, nowhere: str) -> None:
    result = bookagent("--url", nowhere, "posts", "list")
    assert_one_line_error(result, f"cannot reach {nowhere}: is `bookagent serve` running?")


@pytest.mark.parametrize(
    "args",
    [
        ("--url", "{url}", "tasks", "stats"),
        ("tasks", "stats", "--url", "{url}"),
        ("--url", "http://127.0.0.1:1", "tasks", "stats", "--url", "{url}"),
    ],
)
def test_connection_options_work_before_and_after_the_command(
    bookagent: Cli, nowhere: str, args: tuple[str, ...]
) -> None:
    result = bookagent(*(a.format(url=nowhere) for a in args))
    assert_one_line_error(result, f"cannot reach {nowhere}")


def test_url_comes_from_the_environment(bookagent: Cli, nowhere: str) -> None:
    result = bookagent("autonomous", "status", BOOKAGENT_URL=nowhere)
    assert_one_line_error(result, f"cannot reach {nowhere}")


def test_a_url_without_a_scheme_is_one_line(bookagent: Cli) -> None:
    assert_one_line_error(bookagent("--url", "localhost:5000", "tasks", "list"), "localhost:5000")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("generate", "--count", "0"), "--count"),
        (("generate", "--count", "51"), "--count"),
        (("generate", "--type", "limerick"), "--type"),
        (("generate", "--provider", "gpt9"), "--provider"),
        (("posts", "list", "--status", "lost"), "--status"),
        (("posts", "approve", "abc", "--at", "next tuesday"), "ISO-8601"),
        (("report", "weekly", "--week", "23/11/2026"), "--week"),
        (("book", "set", "--file", "no-such-file.yaml"), "no-such-file.yaml"),
        (("posts", "approve"), "POST_ID"),
    ],
)
def test_bad_arguments_are_usage_errors(
    bookagent: Cli, nowhere: str, args: tuple[str, ...], fragment: str
) -> None:
    result = bookagent("--url", nowhere, *args)
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.output


def test_a_book_file_is_validated_before_anything_is_sent(
    bookagent: Cli, nowhere: str, tmp_path: Path
) -> None:
    path = tmp_path / "book.yaml"
    path.write_text("title: Only a title\ntimezone: Mars/Olympus\n", encoding="utf-8")
    line = assert_one_line_error(bookagent("--url", nowhere, "book", "set", "--file", str(path)))
    for field in ("author: Field required", "blurb: Field required", "timezone: must be an IANA"):
        assert field in line
    assert "cannot reach" not in line


# -- HttpClient, with httpx.MockTransport as the server ---------------------------------------


def recording(status: int, body: object, seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if isinstance(body, str):
            return httpx.Response(status, text=body, headers={"Content-Type": "text/html"})
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handler)


def test_api_error_bodies_become_their_sentence() -> None:
    body = {
        "success": False,
        "error": "Post p1 is rejected; only a pending post can be approved.",
        "code": "conflict",
        "details": [],
    }
    client = HttpClient("http://api.test", None, transport=recording(409, body, []))
    with pytest.raises(ClientError) as caught:
        client.approve_post(Target(), "p1", None)
    assert caught.value.message == body["error"]


def test_a_401_says_how_to_pass_a_token() -> None:
    body = {"success": False, "error": "The bearer token is not valid.", "code": "unauthorized"}
    client = HttpClient("http://api.test", "wrong", transport=recording(401, body, []))
    with pytest.raises(ClientError, match=r"not valid\. \(pass --token or set BOOKAGENT_TOKEN\)"):
        client.task_stats()


def test_a_non_json_error_names_the_status() -> None:
    client = HttpClient("http://api.test", None, transport=recording(502, "<h1>Bad</h1>", []))
    with pytest.raises(ClientError, match="HTTP 502 Bad Gateway"):
        client.task_stats()


def test_a_missing_user_gets_a_hint() -> None:
    body = {"success": False, "error": "user_id: is required", "code": "invalid_input"}
    client = HttpClient("http://api.test", None, transport=recording(422, body, []))
    with pytest.raises(ClientError, match=r"\(pass --user or set BOOKAGENT_USER\)"):
        client.autonomous_status(Target())


def test_a_timeout_is_one_line() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client = HttpClient("http://api.test", None, transport=httpx.MockTransport(handler))
    with pytest.raises(ClientError, match=r"http://api.test did not answer in time"):
        client.task_stats()


def test_requests_carry_the_token_and_leave_out_unset_fields() -> None:
    seen: list[httpx.Request] = []
    queued = {"success": True, "status": "content_generation_queued", "task_id": "t1"}
    client = HttpClient("http://api.test/", "s3cret", transport=recording(202, queued, seen))
    client.generate_posts(
        Target(user_id="alice"),
        GenerateRequest(platforms=("twitter",), count_per_platform=7, run_async=True),
    )
    request = seen[0]
    assert request.url == "http://api.test/api/generate-posts"
    assert request.headers["Authorization"] == "Bearer s3cret"
    assert json.loads(request.content) == {
        "user_id": "alice",
        "platforms": ["twitter"],
        "count_per_platform": 7,
        "async": True,
    }
