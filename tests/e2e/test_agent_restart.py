"""Start the agent, restart the service, and it still runs and publishes on time (outbox)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from bookagent.publishers.outbox import outbox_file
from tests.conftest import BOOK
from tests.support.agent_flow import schedule_one_post
from tests.support.celery_worker import CeleryWorker
from tests.support.celery_worker import flush_broker
from tests.support.polling import wait_until
from tests.support.processes import BIN
from tests.support.processes import base_env
from tests.support.processes import running
from tests.support.processes import wait_for_http
from tests.support.services import free_port
from tests.support.services import require_redis


@contextmanager
def api_server(env: dict[str, str], data: Path, name: str) -> Iterator[str]:
    port = free_port()
    with running(
        [str(BIN / "bookagent"), "serve", "--port", str(port)], env, data / f"{name}.log"
    ) as proc:
        wait_for_http(f"http://127.0.0.1:{port}/api/health", proc=proc)
        yield f"http://127.0.0.1:{port}"


def prepare(url: str) -> str:
    """A book, a running agent, and one approved post due in a few seconds; returns its id."""
    assert httpx.post(f"{url}/api/books", json=BOOK).status_code == 201
    return schedule_one_post(url, "twitter", due_in_s=8)


def assert_published_after_restart(url: str, post_id: str, data: Path) -> None:
    status = httpx.get(f"{url}/api/autonomous/status?user_id=alice").json()
    assert status["autonomous_status"]["running"] is True
    post = wait_until(
        lambda: (
            (p := httpx.get(f"{url}/api/posts/{post_id}").json()["post"])["status"] == "published"
            and p
        ),
        60,
        every_s=0.5,
        what="the post to be published",
    )
    published_at = datetime.fromisoformat(post["published_at"])
    assert published_at >= datetime.fromisoformat(post["scheduled_time"])
    # The outbox url is relative to the outbox of whichever process published it (under `data`).
    assert not Path(post["published_url"]).is_absolute()
    outboxes = [data / "outbox", *data.glob("*/outbox")]
    assert any(outbox_file(o, post["published_url"]).exists() for o in outboxes), outboxes


def test_thread_pool_agent_survives_a_restart(tmp_path: Path) -> None:
    env = base_env(tmp_path, TASK_BACKEND="thread", BOOKAGENT_QUEUE__SCHEDULER_INTERVAL_S="1")
    with api_server(env, tmp_path, "first") as url:
        post_id = prepare(url)
    with api_server(env, tmp_path, "second") as url:
        assert_published_after_restart(url, post_id, tmp_path)


@pytest.mark.celery
def test_celery_agent_survives_a_restart(tmp_path: Path, postgres_url: str) -> None:
    broker = require_redis()
    flush_broker(broker)
    # The API and the workers keep their own data folders; the posts' images (a generated post
    # may carry a card) must be in one folder that they all see.
    extra: dict[str, Any] = {
        "BOOKAGENT_QUEUE__SCHEDULER_INTERVAL_S": "1",
        "BOOKAGENT_MEDIA_DIR": str(tmp_path / "media"),
    }
    env = base_env(
        tmp_path,
        TASK_BACKEND="celery",
        DATABASE_URL=postgres_url,
        CELERY_BROKER_URL=broker,
        **extra,
    )

    def stack(name: str) -> ExitStack:
        stack = ExitStack()
        worker = CeleryWorker(tmp_path / f"worker-{name}", postgres_url, broker, extra_env=extra)
        worker.start()
        stack.callback(worker.stop)
        stack.enter_context(
            running(
                [
                    str(
                        BIN / "bookagent",
                    ),
                    "beat",
                ],
                env,
                tmp_path / f"beat-{name}.log",
            )
        )
        return stack

    with stack("first"), api_server(env, tmp_path, "api-first") as url:
        post_id = prepare(url)
    time.sleep(1)
    with stack("second"), api_server(env, tmp_path, "api-second") as url:
        assert_published_after_restart(url, post_id, tmp_path)
