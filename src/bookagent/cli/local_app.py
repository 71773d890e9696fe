"""Local mode (`--local`): the API's own Flask app, run in this process, with no server.

The commands' one client, `HttpClient`, calls it through `httpx.WSGITransport`, so every command
runs the real routes: the same checks, statuses and answers as over HTTP.

Who calls: the app is built with an admin token made here and held only in this process's memory
(in no environment variable, file or database row); the client sends it as its bearer token. A
served app (`bookagent serve`) builds its settings from the configuration, never from these, so
the token opens nothing there; and this app listens on no socket.

The task queue starts only when a command queues, revokes or counts work; the in-process
scheduler never starts, so a one-off command does not tick the autonomous agent. Closing the
client stops the queue: a task still running after a short grace is marked interrupted.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import httpx
from pydantic import SecretStr

from bookagent.bootstrap import build_services
from bookagent.cli.http_client import HttpClient
from bookagent.db import migrate
from bookagent.domain.ports import QueueHealth
from bookagent.domain.ports import TaskRequest
from bookagent.services import StartableQueue
from bookagent.settings import Settings
from bookagent.web.app import create_app

#: The app answers to this name only; requests never leave the process.
LOCAL_HOST = "localhost"
#: How long closing waits for the tasks still running (commands wait for theirs first).
CLOSE_GRACE_S = 2.0


class LocalApp:
    """The services and the app of one local-mode command, and how to stop them."""

    def __init__(self, settings: Settings) -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrate.upgrade(settings.database_url)
        self.reports_dir = settings.data_dir / "reports"
        token = secrets.token_urlsafe(32)
        self.services = build_services(in_process_settings(settings, token), start_queue=False)
        self.queue = StartOnFirstUse(self.services.require_queue())
        self.services.queue = self.queue
        try:
            self.app = create_app(services=self.services)
        except BaseException:
            self.close()
            raise
        self.client = HttpClient(
            f"http://{LOCAL_HOST}", token, httpx.WSGITransport(app=self.app), local=self
        )

    def close(self) -> None:
        """Stop the queue (if it started) and release the database."""
        self.services.close(grace_s=CLOSE_GRACE_S)


def local_client(settings: Settings) -> HttpClient:
    """The client of `--local`: the configured database migrated, the app built in process."""
    return LocalApp(settings).client


def in_process_settings(settings: Settings, token: str) -> Settings:
    """The configuration for the in-process app: `token` as its admin token, warnings only in the
    log, and none of a public server's defences against other clients (trusted hosts other than
    ours, proxy headers, rate limits), which would only stand in a local command's way."""
    web = settings.web.model_copy(
        update={"trusted_hosts": [LOCAL_HOST], "proxy_count": 0, "rate_limits_enabled": False}
    )
    return settings.model_copy(
        update={"admin_token": SecretStr(token), "log_level": "WARNING", "web": web}
    )


class StartOnFirstUse:
    """The task queue, started (recovery, broker watch) when work is first queued, revoked or
    counted: a command that only reads does none of that."""

    def __init__(self, queue: StartableQueue) -> None:
        self._queue = queue
        self._lock = threading.Lock()
        self.backend = queue.backend
        self.started = False

    def start(self) -> None:
        with self._lock:
            if not self.started:
                self._queue.start()
                self.started = True

    def submit(
        self,
        name: str,
        kwargs: Mapping[str, Any],
        *,
        user_id: str | None,
        time_limit_s: float | None = None,
    ) -> str:
        self.start()
        return self._queue.submit(name, kwargs, user_id=user_id, time_limit_s=time_limit_s)

    def submit_many(self, requests: Sequence[TaskRequest]) -> list[str]:
        self.start()
        return self._queue.submit_many(requests)

    def revoke(self, task_id: str, *, terminate: bool) -> None:
        self.start()
        self._queue.revoke(task_id, terminate=terminate)

    def stats(self) -> dict[str, Any]:
        self.start()
        return self._queue.stats()

    def health(self) -> QueueHealth:
        return self._queue.health()

    def shutdown(self, timeout_s: float) -> None:
        self._queue.shutdown(timeout_s)
