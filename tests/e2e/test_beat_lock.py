"""Only one Celery beat may schedule: the second waits on the Redis lock until the first leaves."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bookagent.queue.worker import acquire_beat_lock
from tests.conftest import SettingsFactory
from tests.support.polling import wait_until
from tests.support.redis_server import PrivateRedis

pytestmark = pytest.mark.redis


def test_second_beat_stands_by_until_the_lock_is_free(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    try:
        settings = make_settings(queue={"broker_url": server.url})
        first = acquire_beat_lock(settings)
        acquired = threading.Event()

        def second() -> None:
            lock = acquire_beat_lock(settings, poll_s=0.05)
            acquired.set()
            lock.release()

        thread = threading.Thread(target=second, daemon=True)
        thread.start()
        assert not acquired.wait(0.5), "a second beat took the lock while the first held it"
        first.release()
        wait_until(acquired.is_set, 5, what="the standby beat to take over")
        thread.join(5)
    finally:
        server.stop()
