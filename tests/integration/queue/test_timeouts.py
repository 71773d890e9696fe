"""Route timeouts answer 504 and cancel the work behind them; the async runner cancels too."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from bookagent.bootstrap import Services
from bookagent.errors import OperationTimeoutError
from bookagent.queue.runner import AsyncRunner
from bookagent.queue.signals import TaskCancelled
from bookagent.web.app import create_app
from bookagent.web.timeouts import route_token
from bookagent.web.timeouts import timed_route
from tests.conftest import SettingsFactory
from tests.support.polling import wait_until


def test_a_slow_route_answers_504_and_its_work_is_cancelled(make_settings: SettingsFactory) -> None:
    from bookagent.bootstrap import build_services

    services = build_services(make_settings(timeouts={"approve_post_s": 0.3}))
    app = create_app(services=services)
    stopped = threading.Event()

    @app.post("/api/_slow")
    @timed_route("approve_post_s")
    def slow() -> Any:
        token = route_token()
        try:
            for _ in range(200):
                token.sleep(0.05)
        except TaskCancelled:
            stopped.set()
            raise
        return {"finished": True}

    try:
        response = app.test_client().post("/api/_slow")
        assert response.status_code == 504
        assert response.get_json() == {
            "success": False,
            "error": "Operation timed out after 0.3 seconds",
            "code": "timeout",
            "details": [],
            "timeout_s": 0.3,
        }
        wait_until(stopped.is_set, 5, what="the route's work to be cancelled")
    finally:
        services.close(grace_s=1)


def test_a_quick_route_is_unaffected(services: Services) -> None:
    app = create_app(services=services)

    @app.get("/api/_quick")
    @timed_route("approve_post_s")
    def quick() -> Any:
        return {"ok": True}

    assert app.test_client().get("/api/_quick").get_json() == {"ok": True}


def test_run_async_safe_cancels_the_coroutine_on_timeout() -> None:
    runner = AsyncRunner()
    cancelled = threading.Event()

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def quick() -> int:
        await asyncio.sleep(0.01)
        return 42

    try:
        with pytest.raises(OperationTimeoutError):
            runner.run(slow(), timeout_s=0.2)
        wait_until(cancelled.is_set, 5, what="the coroutine to be cancelled")
        assert runner.run(quick(), timeout_s=5) == 42  # the same long-lived loop keeps working
    finally:
        runner.close()
