"""`--local` runs the API's own Flask app in this process, as an admin that no request from
outside the process can be: its token lives in this process's memory only."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bookagent.bootstrap import build_services
from bookagent.cli.client import GenerateRequest
from bookagent.cli.client import Target
from bookagent.cli.local_app import CLOSE_GRACE_S
from bookagent.cli.local_app import LocalApp
from bookagent.cli.local_app import in_process_settings
from bookagent.db.models import ApiToken
from bookagent.domain.identity import create_token
from bookagent.domain.identity import hash_token
from bookagent.domain.identity import revoke_token
from bookagent.settings import Settings
from bookagent.states import FINISHED_TASK_STATES
from bookagent.states import TaskState
from bookagent.web.app import create_app
from tests.integration.cli.conftest import Cli
from tests.support.processes import BIN
from tests.support.processes import base_env

REMOTE = {"REMOTE_ADDR": "203.0.113.7"}


@pytest.fixture
def local(settings: Settings) -> Iterator[LocalApp]:
    opened = LocalApp(settings)
    yield opened
    opened.client.close()


def bearer(local: LocalApp) -> str:
    """The Authorization header the local client sends."""
    return str(local.client._http.headers["Authorization"])


def wait_finished(local: LocalApp, task_id: str, timeout_s: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = local.client.task_status(task_id)
        if status["status"] in FINISHED_TASK_STATES:
            return status
        time.sleep(0.05)
    raise AssertionError(f"task {task_id} did not finish")


def test_the_local_token_opens_no_served_app(local: LocalApp, settings: Settings) -> None:
    header = bearer(local)
    token = header.removeprefix("Bearer ")
    assert len(token) >= 32
    assert local.client.list_books(Target())["success"] is True  # an admin: every user's books

    # Nothing outside this process learnt it: not the environment, the configuration, the database.
    assert token not in os.environ.values()
    assert settings.admin_token is None
    served = build_services(settings, start_queue=False)  # what `bookagent serve` builds
    try:
        assert served.settings.admin_token_value is None
        with served.db.session() as session:
            row, _ = create_token(session, user_id="alice", is_admin=False)
            row_id = row.id
            stored = select(ApiToken.id).where(ApiToken.token_hash == hash_token(token))
            assert session.scalar(stored) is None
        app = create_app(services=served)
        http = app.test_client()
        # Auth on (a token exists): the local token is just a wrong token, remote or not.
        for environ in (REMOTE, {}):
            answer = http.get("/api/books", headers={"Authorization": header}, environ_base=environ)
            assert answer.status_code == 401, answer.get_json()
        # Local mode (no token at all): another host is refused whatever it sends.
        with served.db.session() as session:
            revoke_token(session, row_id)
        answer = http.get("/api/books", headers={"Authorization": header}, environ_base=REMOTE)
        assert answer.status_code == 403 and answer.get_json()["code"] == "local_mode"
    finally:
        served.close(grace_s=0)


def test_the_in_process_app_itself_wants_the_token(local: LocalApp) -> None:
    # Being in this process, or on loopback, is not what makes the caller an admin: the token is.
    http = local.app.test_client()
    assert http.get("/api/books").status_code == 401
    wrong = {"Authorization": "Bearer " + "x" * 43}
    assert http.get("/api/books", headers=wrong).status_code == 401
    assert http.get("/api/books", headers={"Authorization": bearer(local)}).status_code == 200


def test_each_command_makes_its_own_token(local: LocalApp, settings: Settings) -> None:
    other = LocalApp(settings)
    try:
        assert bearer(other) != bearer(local)
    finally:
        other.client.close()


def test_the_in_process_settings_leave_the_configuration_alone(settings: Settings) -> None:
    configured = settings.model_copy(
        update={"web": settings.web.model_copy(update={"trusted_hosts": ["books.example.com"]})}
    )
    inside = in_process_settings(configured, "t" * 43)
    assert inside.admin_token_value == "t" * 43
    assert inside.web.trusted_hosts == ["localhost"] and not inside.web.rate_limits_enabled
    assert configured.admin_token is None
    assert configured.web.trusted_hosts == ["books.example.com"]
    assert configured.web.rate_limits_enabled


def test_the_queue_starts_on_first_work_and_the_scheduler_never(
    local: LocalApp, book_payload: dict[str, Any]
) -> None:
    client = local.client
    client.create_book(book_payload)
    client.list_books(Target())
    client.active_tasks(Target())
    client.autonomous(Target(user_id="alice"), "start")
    assert client.autonomous_status(Target(user_id="alice"))["autonomous_status"]["running"]
    assert not local.queue.started
    assert local.services.scheduler is None

    request = GenerateRequest(platforms=("twitter",), count_per_platform=2, run_async=True)
    queued = client.generate_posts(Target(user_id="alice"), request)
    assert local.queue.started
    status = wait_finished(local, queued["task_id"])
    assert (status["status"], status["backend"]) == ("SUCCESS", "thread_pool")
    assert local.services.scheduler is None


def test_closing_hands_back_the_work_it_could_not_finish(settings: Settings) -> None:
    local = LocalApp(settings)
    answer = local.client._http.post(
        "/api/tasks/diagnostics", json={"steps": 200, "step_seconds": 0.1}
    )
    assert answer.status_code == 202
    task_id = answer.json()["task_id"]
    deadline = time.monotonic() + 10
    while local.client.task_status(task_id)["status"] == TaskState.PENDING:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    started = time.monotonic()
    local.client.close()  # the command's end: a short grace, then the task is stopped
    assert time.monotonic() - started < CLOSE_GRACE_S + 5
    after = LocalApp(settings)
    try:
        status = after.client.task_status(task_id)
    finally:
        after.client.close()
    # Not left running: an idempotent task goes back to PENDING for the next queue to recover.
    assert status["status"] in (TaskState.PENDING, *FINISHED_TASK_STATES), status
    assert status["status"] != TaskState.SUCCESS


def test_local_mode_is_an_admin_even_once_tokens_exist(
    local_env: dict[str, str], book_file: Path
) -> None:
    bookagent = Cli({**local_env, "BOOKAGENT_ADMIN_TOKEN": "a" * 40}, prefix=("--local",))
    bookagent.ok("tokens", "create", "--user", "bob")
    assert "Created book" in bookagent.ok("book", "set", "--file", str(book_file)).stderr
    assert (
        "2 post(s) generated"
        in bookagent.ok("generate", "--platform", "twitter", "--count", "2").stdout
    )


def test_a_local_command_that_queued_work_exits_when_done(tmp_path: Path, book_file: Path) -> None:
    # A real process: the queue it started and the app it built must not keep it alive.
    env = base_env(tmp_path / "data", TASK_BACKEND="thread", BOOKAGENT_USER="alice")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(BIN / "bookagent"), "--local", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        return done

    run("book", "set", "--file", str(book_file))
    queued = run("generate", "--platform", "twitter", "--count", "6")
    assert "the task runs in this process" in queued.stderr
    assert "6 post(s) generated" in queued.stdout
    assert "0 active task(s)." in run("tasks", "list").stdout
