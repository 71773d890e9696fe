"""The thread pool's own duties: crash recovery, graceful shutdown and overrun marking."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bookagent.bootstrap import Services
from bookagent.db.base import utcnow
from bookagent.db.models.tasks import TaskRecord
from bookagent.queue.records import TaskStore
from bookagent.queue.thread_queue import ThreadPoolTaskQueue
from tests.support.polling import wait_until

DEAD_OWNER = "ghost-host:999999:thread_pool"


def left_behind(
    services: Services,
    task_id: str,
    *,
    status: str,
    idempotent: bool,
    worker: str = DEAD_OWNER,
    heartbeat_age_s: float = 0.0,
) -> None:
    """A row as a crashed process would leave it."""
    store = TaskStore(services.db)
    store.create(
        task_id,
        "bookagent.run_diagnostics",
        {"steps": 2, "step_seconds": 0.01},
        user_id=None,
        backend="thread_pool",
        time_limit_s=30,
        idempotent=idempotent,
        worker=worker,
    )
    with services.db.session() as session:
        session.execute(
            update(TaskRecord)
            .where(TaskRecord.id == task_id)
            .values(
                status=status,
                started_at=utcnow() if status != "PENDING" else None,
                heartbeat_at=utcnow() - timedelta(seconds=heartbeat_age_s),
            )
        )


def new_pool(services: Services, **kwargs: float) -> ThreadPoolTaskQueue:
    return ThreadPoolTaskQueue(services, max_workers=2, monitor_interval_s=0.2, **kwargs)


def test_recovery_requeues_idempotent_and_fails_the_rest(services: Services) -> None:
    left_behind(services, "idem", status="STARTED", idempotent=True, heartbeat_age_s=600)
    left_behind(services, "once", status="PROGRESS", idempotent=False, heartbeat_age_s=600)
    left_behind(services, "queued", status="PENDING", idempotent=True, heartbeat_age_s=600)
    pool = new_pool(services)
    pool.start()
    store = TaskStore(services.db)
    try:
        wait_until(lambda: store.get("idem").status == "SUCCESS", 10, what="idem re-run")
        wait_until(lambda: store.get("queued").status == "SUCCESS", 10, what="queued re-run")
        once = store.get("once")
        assert (once.status, once.error_type) == ("FAILURE", "Interrupted")
        assert store.get("idem").attempts == 1
        assert store.count_active() == 0
    finally:
        pool.shutdown(2)


def test_rows_of_a_dead_local_process_are_recovered_at_once(services: Services) -> None:
    import socket

    dead_local = f"{socket.gethostname()}:999999:thread_pool"  # no such pid on this host
    left_behind(services, "fresh", status="STARTED", idempotent=False, worker=dead_local)
    pool = new_pool(services)
    pool.start()
    try:
        row = TaskStore(services.db).get("fresh")
        assert (row.status, row.error_type) == ("FAILURE", "Interrupted")
    finally:
        pool.shutdown(2)


def test_a_live_owner_with_a_fresh_heartbeat_is_left_alone(services: Services) -> None:
    left_behind(
        services, "busy", status="STARTED", idempotent=True, worker="other-host:1:thread_pool"
    )
    pool = new_pool(services)
    pool.recover()
    assert TaskStore(services.db).get("busy").status == "STARTED"
    pool.shutdown(1)


def test_graceful_shutdown_marks_what_remains(services: Services) -> None:
    pool = new_pool(services)
    pool.start()
    store = TaskStore(services.db)
    long_idempotent = pool.submit(
        "bookagent.run_diagnostics", {"steps": 500, "step_seconds": 0.05}, user_id=None
    )
    long_once = pool.submit(
        "bookagent.run_diagnostics", {"steps": 500, "step_seconds": 0.05}, user_id=None
    )
    with services.db.session() as session:
        session.execute(
            update(TaskRecord).where(TaskRecord.id == long_once).values(idempotent=False)
        )
    quick = pool.submit("bookagent.run_diagnostics", {"steps": 1, "step_seconds": 0}, user_id=None)
    wait_until(lambda: store.get(long_once).status == "PROGRESS", 10, what="running")
    pool.shutdown(timeout_s=0.3)

    once = store.get(long_once)
    assert (once.status, once.error_type) == ("FAILURE", "Interrupted")
    assert store.get(long_idempotent).status == "PENDING"  # left for the next process
    assert store.get(quick).status in ("PENDING", "SUCCESS")
    assert store.count_active() == sum(
        store.get(t).status == "PENDING" for t in (long_idempotent, quick)
    )

    successor = new_pool(services, stale_after_s=0.0)
    successor.start()
    try:
        wait_until(
            lambda: store.get(long_idempotent).status in ("PROGRESS", "STARTED"),
            10,
            what="the next process to pick the task up",
        )
    finally:
        successor.shutdown(0.1)


def test_submit_after_shutdown_is_refused(services: Services) -> None:
    import pytest

    from bookagent.errors import ServiceUnavailableError

    pool = new_pool(services)
    pool.shutdown(0)
    with pytest.raises(ServiceUnavailableError):
        pool.submit("bookagent.run_noop", {}, user_id=None)


def test_overdue_rows_are_marked_time_limit_exceeded(services: Services) -> None:
    left_behind(services, "slow", status="STARTED", idempotent=True, worker="elsewhere/1")
    with services.db.session() as session:
        session.execute(
            update(TaskRecord)
            .where(TaskRecord.id == "slow")
            .values(time_limit_s=1, started_at=utcnow() - timedelta(seconds=60))
        )
    pool = new_pool(services)
    pool.sweep_overdue()
    row = TaskStore(services.db).get("slow")
    assert (row.status, row.error_type) == ("FAILURE", "TimeLimitExceeded")
    pool.shutdown(0)


def test_overdue_celery_rows_are_left_for_their_redelivery(services: Services) -> None:
    store = TaskStore(services.db)
    store.create(
        "celery-row",
        "bookagent.run_noop",
        {},
        user_id=None,
        backend="celery",
        time_limit_s=1,
        idempotent=True,
        worker="celery@host/42",
    )
    with services.db.session() as session:
        session.execute(
            update(TaskRecord)
            .where(TaskRecord.id == "celery-row")
            .values(status="STARTED", started_at=utcnow() - timedelta(seconds=60))
        )
    pool = new_pool(services)
    pool.sweep_overdue()
    assert store.get("celery-row").status == "STARTED"
    pool.shutdown(0)


def test_two_processes_recovering_one_dead_owner_requeue_each_row_once(services: Services) -> None:
    left_behind(services, "orphan", status="STARTED", idempotent=True, heartbeat_age_s=600)
    store = TaskStore(services.db)
    row = store.get("orphan")
    first = store.requeue("orphan", "process-a", previous_owner=row.worker)
    second = store.requeue("orphan", "process-b", previous_owner=row.worker)
    assert (first, second) == (True, False)
    assert store.get("orphan").worker == "process-a"
