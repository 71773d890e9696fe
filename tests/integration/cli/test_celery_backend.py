"""`generate --wait` on the Celery backend: a live server and a real worker on Redis and
PostgreSQL. In CI (CI=true) a missing Redis or PostgreSQL fails these tests; elsewhere it skips."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.cli.conftest import Cli
from tests.support.celery_worker import CeleryWorker
from tests.support.celery_worker import flush_broker
from tests.support.processes import BIN
from tests.support.processes import base_env
from tests.support.processes import running
from tests.support.processes import wait_for_http
from tests.support.services import free_port
from tests.support.services import require_redis

pytestmark = [pytest.mark.celery, pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture(scope="module")
def broker() -> str:
    """The test Redis database, emptied."""
    url = require_redis()
    flush_broker(url)
    return url


@pytest.fixture(scope="module")
def worker(pg_url: str, broker: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One real `bookagent worker` on the broker and the session's PostgreSQL database."""
    started = CeleryWorker(tmp_path_factory.mktemp("celery-worker"), pg_url, broker)
    started.start()
    yield
    started.stop()


@pytest.fixture(scope="module")
def celery_server(
    pg_url: str, broker: str, worker: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`bookagent serve` with TASK_BACKEND=celery, on the worker's database."""
    data = tmp_path_factory.mktemp("celery-serve")
    port = free_port()
    env = base_env(
        data, TASK_BACKEND="celery", CELERY_BROKER_URL=broker, DATABASE_URL=pg_url, PORT=str(port)
    )
    with running([str(BIN / "bookagent"), "serve"], env, data / "serve.log") as proc:
        wait_for_http(f"http://127.0.0.1:{port}/api/health", proc=proc)
        yield f"http://127.0.0.1:{port}"


def test_generate_wait_follows_a_celery_task_to_the_total(
    celery_server: str, book_file: Path
) -> None:
    author = Cli({"BOOKAGENT_URL": celery_server, "BOOKAGENT_USER": f"c{uuid.uuid4().hex[:8]}"})
    author.ok("book", "set", "--file", str(book_file))

    result = author.ok(
        "generate", "--platform", "twitter", "--platform", "instagram", "--count", "6", "--wait"
    )
    assert "12/12" in result.stderr
    assert "12 post(s) generated, 0 rejected." in result.stdout

    task_id = result.stderr.split("Waiting for task ")[1].split()[0]
    status = json.loads(author.ok("tasks", "show", task_id, "--json").stdout)
    assert status["backend"] == "celery"
    assert status["status"] == "SUCCESS" and status["result"]["count"] == 12
    assert status["progress"] == {
        "current": 12,
        "total": 12,
        "percent": 100.0,
        "message": "12 of 12 posts written",
    }
    pending = json.loads(
        author.ok("posts", "list", "--status", "pending_approval", "--json").stdout
    )
    assert pending["count"] == 12
    assert json.loads(author.ok("tasks", "stats", "--json").stdout)["backend"] == "celery"


def test_local_mode_queues_on_celery_too(
    pg_url: str, broker: str, worker: None, book_file: Path, tmp_path: Path
) -> None:
    local = Cli(
        {
            "BOOKAGENT_DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": pg_url,
            "TASK_BACKEND": "celery",
            "CELERY_BROKER_URL": broker,
            "BOOKAGENT_USER": f"l{uuid.uuid4().hex[:8]}",
        },
        prefix=("--local",),
    )
    local.ok("book", "set", "--file", str(book_file))
    queued = local.ok("generate", "--platform", "mastodon", "--count", "6")
    task_id = queued.stdout.strip()
    assert "the task runs in this process" not in queued.stderr
    followed = local.ok("tasks", "show", task_id, "--wait", "--json")
    assert "6/6" in followed.stderr
    status = json.loads(followed.stdout)
    assert (status["backend"], status["status"]) == ("celery", "SUCCESS")
