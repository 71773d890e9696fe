"""Starting the Celery worker and Celery beat (with a Redis lock so only one beat schedules).

Both take the factory of their Celery app (`bookagent.bootstrap.build_worker_app`, which registers
the tasks): the queue never imports the tasks.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable

import redis
from celery import Celery
from celery.signals import worker_shutting_down

from bookagent.logs import configure_logging
from bookagent.queue.broker import redact
from bookagent.queue.celery_app import beat_schedule
from bookagent.settings import Settings

AppFactory = Callable[[Settings], Celery]

log = logging.getLogger(__name__)

MAX_WORKER_RESTARTS = 100
RESTART_DELAY_S = 2.0
BEAT_LOCK_KEY = "bookagent:beat-lock"
BEAT_LOCK_TTL_S = 90
BEAT_LOCK_RENEW_S = 30


def run_worker(
    settings: Settings,
    create_app: AppFactory,
    *,
    concurrency: int,
    loglevel: str,
    pool: str = "prefork",
    hostname: str | None = None,
) -> None:
    """Run a Celery worker consuming the bookagent queue (blocks until it stops)."""
    configure_logging(loglevel)
    app = create_app(settings)
    argv = [
        "worker",
        f"--concurrency={concurrency}",
        f"--loglevel={loglevel}",
        f"--pool={pool}",
        "--queues=bookagent",
    ]
    if hostname:
        argv.append(f"--hostname={hostname}")
    stopping = threading.Event()
    worker_shutting_down.connect(lambda **_: stopping.set(), weak=False)
    restarts = 0
    while True:
        log.info("starting Celery worker on %s", redact(settings.queue.broker_url))
        try:
            app.worker_main(argv)
        except SystemExit as exc:
            code = exc.code
        else:
            code = 0
        if stopping.is_set() or restarts >= MAX_WORKER_RESTARTS:
            raise SystemExit(code)
        # The worker stopped without being asked to: kombu 5.7 exits this way (code 0) when
        # Redis disappears while a task is unacked. Start it again so the queue is consumed.
        restarts += 1
        log.error(
            "Celery worker exited unasked (code %s); restart %d of %d in %.0f s",
            code,
            restarts,
            MAX_WORKER_RESTARTS,
            RESTART_DELAY_S,
        )
        time.sleep(RESTART_DELAY_S)


def acquire_beat_lock(settings: Settings, *, poll_s: float = 10.0) -> redis.lock.Lock:
    """Wait until this process holds the beat lock; a second beat stays on standby."""
    client = redis.Redis.from_url(
        settings.queue.broker_url, socket_timeout=5, socket_connect_timeout=2
    )
    lock: redis.lock.Lock = client.lock(BEAT_LOCK_KEY, timeout=BEAT_LOCK_TTL_S, thread_local=False)
    while not lock.acquire(blocking=False):
        log.info("another beat holds the lock; standing by")
        time.sleep(poll_s)
    return lock


def keep_beat_lock(lock: redis.lock.Lock, stop: threading.Event) -> threading.Thread:
    """Renew the lock in the background; if it is lost, exit so two beats never schedule."""

    def _renew() -> None:
        while not stop.wait(BEAT_LOCK_RENEW_S):
            try:
                lock.reacquire()
            except (redis.RedisError, redis.exceptions.LockError) as exc:
                log.error(
                    "beat lock lost (%s); exiting so a single beat remains", type(exc).__name__
                )
                os._exit(3)

    thread = threading.Thread(target=_renew, name="bookagent-beat-lock", daemon=True)
    thread.start()
    return thread


def run_beat(settings: Settings, create_app: AppFactory, *, loglevel: str) -> None:
    """Run Celery beat (the scheduler tick every minute, the daily prune), holding the beat lock."""
    configure_logging(loglevel)
    lock = acquire_beat_lock(settings)
    stop = threading.Event()
    keep_beat_lock(lock, stop)
    app = create_app(settings)
    app.conf.beat_schedule = beat_schedule(settings)
    schedule_file = settings.data_dir / "celerybeat-schedule"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        app.Beat(loglevel=loglevel, schedule=str(schedule_file)).run()
    finally:
        stop.set()
        with contextlib.suppress(redis.exceptions.LockError):
            lock.release()
