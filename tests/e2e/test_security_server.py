"""Attacks on a real server (`bookagent serve` on a free port): each test is one item of the
security hardening (docs/SECURITY.md), and each failed on the code before it."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import BOOK
from tests.support.polling import wait_until
from tests.support.processes import BIN
from tests.support.processes import base_env
from tests.support.processes import running
from tests.support.processes import wait_for_http
from tests.support.services import free_port
from tests.support.services import require_redis

ADMIN_TOKEN = "an-admin-token-long-enough-for-a-public-server-0123"


class Server:
    """A running `bookagent serve`: its base URL, data dir and log."""

    def __init__(self, url: str, port: int, data: Path, log: Path, env: dict[str, str]) -> None:
        self.url, self.port, self.data, self.log, self.env = url, port, data, log, env

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "bookagent"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )


@contextmanager
def serve(data: Path, *, host: str = "127.0.0.1", **env_extra: str) -> Iterator[Server]:
    port = free_port()
    env = base_env(data, **{"TASK_BACKEND": "thread", **env_extra})
    log = data / "serve.log"
    args = [str(BIN / "bookagent"), "serve", "--host", host, "--port", str(port), "--workers", "1"]
    with running(args, env, log) as proc:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/api/health", proc=proc)
        yield Server(url, port, data, log, env)


def create_token(data: Path, *args: str) -> tuple[str, str]:
    """A token made with the CLI: (secret, id)."""
    done = subprocess.run(
        [str(BIN / "bookagent"), "tokens", "create", *args],
        env=base_env(data),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    token_id = re.search(r"token id (\w+)", done.stderr)
    assert token_id is not None, done.stderr
    return done.stdout.strip(), token_id.group(1)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_api_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is False and body["error"]
    return body


# -- 1. auth fails closed ------------------------------------------------------------------------


def test_a_public_server_whose_last_token_is_revoked_refuses_everyone(tmp_path: Path) -> None:
    token, token_id = create_token(tmp_path, "--user", "alice")
    with serve(tmp_path, host="0.0.0.0") as server:
        assert httpx.get(f"{server.url}/api/books", headers=bearer(token)).status_code == 200
        server.cli("tokens", "revoke", token_id)

        def refused() -> bool:  # a revoked token is forgotten within web.auth_cache_s
            answer = httpx.get(f"{server.url}/api/books", headers=bearer(token))
            return answer.status_code == 401

        wait_until(refused, timeout_s=10, what="the revoked token to stop working")
        assert_api_error(httpx.get(f"{server.url}/api/books"), 401)
        assert_api_error(httpx.post(f"{server.url}/api/tasks/diagnostics", json={}), 401)
        assert_api_error(httpx.get(f"{server.url}/api/books", headers=bearer(token)), 401)
        page = httpx.get(f"{server.url}/")
        assert page.status_code == 302 and "/signin" in page.headers["location"]


@pytest.fixture(scope="module")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("local")) as server:
        yield server


@pytest.mark.parametrize("header", ["X-Forwarded-For", "X-Real-IP"])
def test_local_mode_refuses_a_request_relayed_from_another_machine(
    local_server: Server, header: str
) -> None:
    relayed = {header: "203.0.113.9"}
    body = assert_api_error(httpx.get(f"{local_server.url}/api/books", headers=relayed), 403)
    assert body["code"] == "local_mode"
    assert httpx.get(f"{local_server.url}/", headers=relayed).status_code == 403
    assert httpx.get(f"{local_server.url}/metrics", headers=relayed).status_code == 403
    # From this machine, local mode answers as before.
    assert httpx.get(f"{local_server.url}/api/books").status_code == 200
    local = {header: "127.0.0.1"}
    assert httpx.get(f"{local_server.url}/api/books", headers=local).status_code == 200


def test_a_short_admin_token_is_refused_on_a_public_address(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(BIN / "bookagent"), "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        env=base_env(tmp_path, TASK_BACKEND="thread", BOOKAGENT_ADMIN_TOKEN="short-secret"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "BOOKAGENT_ADMIN_TOKEN is 12 characters" in result.stderr
    assert "at least 32" in result.stderr and "Traceback" not in result.stderr


# -- 2. DNS rebinding ----------------------------------------------------------------------------


def test_an_untrusted_host_is_refused(local_server: Server) -> None:
    evil = f"rebind.evil.example:{local_server.port}"
    headers = {"Host": evil, "Origin": f"http://{evil}"}
    response = httpx.post(f"{local_server.url}/api/books", json=BOOK, headers=headers)
    body = assert_api_error(response, 400)
    assert "rebind.evil.example" in body["error"]
    assert httpx.get(f"{local_server.url}/", headers={"Host": evil}).status_code == 400
    listed = httpx.get(f"{local_server.url}/api/books").json()["books"]
    assert not [b for b in listed if b["title"] == BOOK["title"]]
    for host in ("localhost", "127.0.0.1", "[::1]"):
        ok = httpx.get(f"{local_server.url}/api/books", headers={"Host": f"{host}:1"})
        assert ok.status_code == 200, host


def test_the_trusted_hosts_are_a_setting(tmp_path: Path) -> None:
    with serve(tmp_path, BOOKAGENT_WEB__TRUSTED_HOSTS="books.example.org,localhost") as server:
        named = httpx.get(f"{server.url}/api/books", headers={"Host": "books.example.org"})
        assert named.status_code == 200
        assert_api_error(httpx.get(f"{server.url}/api/books"), 400)  # 127.0.0.1 is not listed


# -- 3. rate limits, 4. sign-out, 7. exposure ----------------------------------------------------


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("guarded")
    with serve(
        data,
        BOOKAGENT_ADMIN_TOKEN=ADMIN_TOKEN,
        BOOKAGENT_WEB__SIGNIN_RATE_LIMIT="5 per minute",
        BOOKAGENT_WEB__GENERATE_RATE_LIMIT="3 per minute",
        BOOKAGENT_WEB__METRICS_BIND=f"127.0.0.1:{free_port()}",
    ) as server:
        yield server


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match is not None, page[:500]
    return match.group(1)


def test_bad_sign_ins_are_slowed_per_address(tmp_path: Path) -> None:
    with serve(tmp_path, BOOKAGENT_ADMIN_TOKEN=ADMIN_TOKEN) as server:
        statuses = []
        with httpx.Client(base_url=server.url) as browser:
            for attempt in range(15):
                csrf = _csrf(browser.get("/signin").text)
                answer = browser.post(
                    "/signin", data={"token": f"guess-{attempt}", "csrf_token": csrf}
                )
                statuses.append(answer.status_code)
            assert statuses[:5] == [401] * 5
            assert statuses[-1] == 429 and int(answer.headers["Retry-After"]) > 0
            # The right token is refused too while the address is over its limit.
            csrf = _csrf(browser.get("/signin").text)
            late = browser.post("/signin", data={"token": ADMIN_TOKEN, "csrf_token": csrf})
            assert late.status_code == 429


def test_bad_bearer_tokens_are_slowed_per_address(tmp_path: Path) -> None:
    limits = {"BOOKAGENT_WEB__AUTH_FAILURE_RATE_LIMIT": "8 per minute"}
    with serve(tmp_path, BOOKAGENT_ADMIN_TOKEN=ADMIN_TOKEN, **limits) as server:
        answers = [
            httpx.get(f"{server.url}/api/books", headers=bearer(f"wrong-{i}")) for i in range(12)
        ]
        assert [a.status_code for a in answers[:8]] == [401] * 8
        last = answers[-1]
        body = assert_api_error(last, 429)
        assert body["code"] == "too_many_requests"
        assert int(last.headers["Retry-After"]) > 0
        # While the address is over its limit, even the right token gets no answer.
        assert_api_error(httpx.get(f"{server.url}/api/books", headers=bearer(ADMIN_TOKEN)), 429)


def test_the_expensive_routes_are_limited_per_user(guarded_server: Server) -> None:
    user, _ = create_token(guarded_server.data, "--user", "carol")
    book = httpx.post(
        f"{guarded_server.url}/api/books", json={**BOOK, "user_id": "carol"}, headers=bearer(user)
    )
    assert book.status_code == 201, book.text
    request = {
        "book_id": book.json()["book"]["id"],
        "platforms": ["mastodon"],
        "count_per_platform": 1,
    }
    answers = [
        httpx.post(f"{guarded_server.url}/api/generate-posts", json=request, headers=bearer(user))
        for _ in range(4)
    ]
    assert all(a.status_code in (200, 202) for a in answers[:3]), [a.text for a in answers]
    body = assert_api_error(answers[3], 429)
    assert body["code"] == "too_many_requests"
    assert int(answers[3].headers["Retry-After"]) > 0
    # Another user has an allowance of their own.
    other, _ = create_token(guarded_server.data, "--user", "dave")
    book2 = httpx.post(
        f"{guarded_server.url}/api/books", json={**BOOK, "user_id": "dave"}, headers=bearer(other)
    )
    request2 = {**request, "book_id": book2.json()["book"]["id"]}
    again = httpx.post(
        f"{guarded_server.url}/api/generate-posts", json=request2, headers=bearer(other)
    )
    assert again.status_code in (200, 202), again.text


def test_sign_out_ends_the_session_for_every_copy_of_the_cookie(guarded_server: Server) -> None:
    with httpx.Client(base_url=guarded_server.url) as browser:
        csrf = _csrf(browser.get("/signin").text)
        signed_in = browser.post("/signin", data={"token": ADMIN_TOKEN, "csrf_token": csrf})
        assert signed_in.status_code == 302
        stolen = dict(browser.cookies)
        assert browser.get("/").status_code == 200
        csrf = _csrf(browser.get("/").text)
        assert browser.post("/signout", data={"csrf_token": csrf}).status_code == 302
    replay = httpx.get(f"{guarded_server.url}/", cookies=stolen)
    assert replay.status_code == 302 and "/signin" in replay.headers["location"]
    assert_api_error(httpx.get(f"{guarded_server.url}/api/books", cookies=stolen), 401)


def test_revoking_a_token_ends_its_dashboard_sessions(guarded_server: Server) -> None:
    token, token_id = create_token(guarded_server.data, "--user", "erin")
    with httpx.Client(base_url=guarded_server.url) as browser:
        csrf = _csrf(browser.get("/signin").text)
        assert browser.post("/signin", data={"token": token, "csrf_token": csrf}).is_redirect
        assert browser.get("/api/books").status_code == 200
        guarded_server.cli("tokens", "revoke", token_id)
        wait_until(lambda: browser.get("/api/books").status_code == 401, timeout_s=10)


def test_metrics_need_the_admin_token_or_the_metrics_address(guarded_server: Server) -> None:
    user, _ = create_token(guarded_server.data, "--user", "frank")
    assert httpx.get(f"{guarded_server.url}/metrics").status_code == 401
    assert httpx.get(f"{guarded_server.url}/metrics", headers=bearer(user)).status_code == 403
    admin = httpx.get(f"{guarded_server.url}/metrics", headers=bearer(ADMIN_TOKEN))
    assert admin.status_code == 200 and "bookagent_http_requests_total" in admin.text
    metrics_bind = guarded_server.env["BOOKAGENT_WEB__METRICS_BIND"]
    scraped = httpx.get(f"http://{metrics_bind}/metrics")
    assert scraped.status_code == 200 and "bookagent_tasks" in scraped.text
    # The metrics address serves nothing else, whatever the Host header says.
    admin_api = httpx.get(f"http://{metrics_bind}/api/books", headers=bearer(ADMIN_TOKEN))
    assert admin_api.status_code == 404
    assert httpx.get(f"http://{metrics_bind}/api/health").status_code == 404
    host = {"Host": f"127.0.0.1:{guarded_server.port}"}
    assert httpx.get(f"http://{metrics_bind}/api/books", headers=host).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/tasks/stats"),
        ("GET", "/api/platform-status"),
        ("GET", "/api/test-platform/mastodon"),
    ],
)
def test_operator_routes_are_admin_only(guarded_server: Server, method: str, path: str) -> None:
    user, _ = create_token(guarded_server.data, "--user", "gina")
    denied = httpx.request(method, f"{guarded_server.url}{path}", headers=bearer(user))
    assert_api_error(denied, 403)
    allowed = httpx.request(
        method, f"{guarded_server.url}{path}", headers=bearer(ADMIN_TOKEN), timeout=30
    )
    assert allowed.status_code == 200, allowed.text


# -- 8. bad input, 9. headers, 11. request ids ---------------------------------------------------


def test_deeply_nested_json_is_a_400(local_server: Server) -> None:
    body = "[" * 50_000 + "]" * 50_000
    response = httpx.post(
        f"{local_server.url}/api/books",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert_api_error(response, 400)
    assert "Traceback" not in response.text


def test_a_chunked_body_over_the_limit_is_a_413(local_server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"title": "'
        for _ in range(40):
            yield b"x" * 64 * 1024
        yield b'"}'

    response = httpx.post(
        f"{local_server.url}/api/books",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers  # really chunked
    assert_api_error(response, 413)


def test_api_answers_are_not_cached_and_not_sniffed(local_server: Server) -> None:
    for path in ("/api/books", "/api/health", "/api/nowhere"):
        response = httpx.get(f"{local_server.url}{path}")
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path


def test_the_report_page_has_its_own_strict_policy(local_server: Server) -> None:
    book = httpx.post(f"{local_server.url}/api/books", json={**BOOK, "title": "Report Book"})
    assert book.status_code == 201, book.text
    queued = httpx.post(
        f"{local_server.url}/api/reports/weekly",
        json={"book_id": book.json()["book"]["id"], "week_start": "2020-01-06"},
    )
    assert queued.status_code == 202, queued.text
    task_url = f"{local_server.url}/api/task-status/{queued.json()['task_id']}"

    def finished() -> dict[str, Any] | None:
        status = httpx.get(task_url).json()
        return status if status["status"] in ("SUCCESS", "FAILURE") else None

    done = wait_until(finished, timeout_s=60, what="the weekly report")
    report_id = done["result"]["report_id"]
    page = httpx.get(f"{local_server.url}/api/reports/{report_id}.html")
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert "script-src" not in policy  # no script may run in a report
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    dashboard = httpx.get(f"{local_server.url}/")
    assert "frame-ancestors 'none'" in dashboard.headers["Content-Security-Policy"]


@pytest.mark.parametrize("forged", ["x" * 65, "abc def", "a%0Aforged", "ok;rm"])
def test_a_forged_request_id_is_replaced(local_server: Server, forged: str) -> None:
    response = httpx.get(f"{local_server.url}/api/books", headers={"X-Request-ID": forged})
    echoed = response.headers["X-Request-ID"]
    assert echoed != forged and re.fullmatch(r"[0-9a-f]{16}", echoed)
    assert forged not in local_server.log.read_text(errors="replace")


def test_a_well_formed_request_id_is_kept(local_server: Server) -> None:
    response = httpx.get(f"{local_server.url}/api/books", headers={"X-Request-ID": "trace-42-A"})
    assert response.headers["X-Request-ID"] == "trace-42-A"


def test_rate_limits_are_shared_through_redis_by_every_api_process(tmp_path: Path) -> None:
    """Two API servers of one deployment (one database) on a Redis broker count together."""
    broker = require_redis()
    env = {
        "BOOKAGENT_ADMIN_TOKEN": ADMIN_TOKEN,
        "BOOKAGENT_WEB__AUTH_FAILURE_RATE_LIMIT": "8 per minute",
        "TASK_BACKEND": "celery",
        "CELERY_BROKER_URL": broker,
    }
    with serve(tmp_path, **env) as first, serve(tmp_path, **env) as second:
        for i in range(5):
            assert httpx.get(f"{first.url}/api/books", headers=bearer(f"a{i}")).status_code == 401
        answers = [
            httpx.get(f"{second.url}/api/books", headers=bearer(f"b{i}")).status_code
            for i in range(5)
        ]
        assert answers == [401, 401, 401, 429, 429]
        assert httpx.get(f"{first.url}/api/books", headers=bearer("c")).status_code == 429
