"""SIGKILL the API process (the gunicorn master and its workers) on the thread-pool backend while
tasks run in it, then restart it: the new process recovers the dead one's rows, so no task stays
STARTED or PROGRESS (idempotent tasks are re-queued and succeed, others end FAILURE Interrupted),
and no post is stored twice."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator

import pytest
from sqlalchemy import func
from sqlalchemy import select

from bookagent.db.models import Post
from bookagent.db.models.tasks import TaskRecord
from bookagent.db.session import Database
from tests.chaos.conftest import Api
from tests.chaos.conftest import ChaosServer
from tests.chaos.conftest import elapsed_since
from tests.chaos.conftest import unique_replies
from tests.conftest import BOOK
from tests.fakes.llm_server import FakeLLMServer
from tests.support.polling import wait_until

GENERATION_TASKS = 12
POSTS_PER_TASK = 2
DIAGNOSTICS_TASKS = 4


@pytest.fixture
def slow_llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(latency_s=0.5, reply=unique_replies(seed=2)) as server:
        yield server


def test_killed_api_process_leaves_no_task_running_and_no_duplicate(
    serve: Callable[..., ChaosServer],
    api_for: Callable[[str], Api],
    postgres_url: str,
    slow_llm: FakeLLMServer,
    measure: Callable[..., None],
) -> None:
    server = serve(
        "api",
        postgres_url,
        TASK_BACKEND="thread",
        BOOKAGENT_WRITER="openai",
        OPENAI_BASE_URL=slow_llm.openai_base_url,
        BOOKAGENT_WRITERS__CONCURRENCY="1",
    )
    api = api_for(server.url)
    api.ok("POST", "/api/books", BOOK, expect=201)
    db = Database.from_url(postgres_url)
    try:
        generation = [
            api.ok(
                "POST",
                "/api/generate-posts",
                {
                    "user_id": "alice",
                    "platforms": ["twitter"],
                    "count_per_platform": POSTS_PER_TASK,
                    "async": True,
                },
                expect=202,
            )["task_id"]
            for _ in range(GENERATION_TASKS)
        ]
        diagnostics = [api.diagnostics(steps=6, step_seconds=0.5) for _ in range(DIAGNOSTICS_TASKS)]
        everything = generation + diagnostics

        def half_written() -> bool:
            with db.session() as session:
                counts = session.execute(
                    select(Post.task_id, func.count()).group_by(Post.task_id)
                ).all()
            return any(count == 1 for _, count in counts)

        wait_until(half_written, 60, every_s=0.02, what="a task with one of its posts written")
        pids = server.pids()
        server.kill()
        killed_at = time.monotonic()
        with db.session() as session:
            at_kill = dict(session.execute(select(TaskRecord.id, TaskRecord.status)).all())
            posts_at_kill = session.scalar(select(func.count()).select_from(Post))
        at_kill_counts = Counter(at_kill.values())

        server.start()  # same port, same database: the new workers recover the dead rows
        finals = {t: api.wait_task(t, timeout_s=90) for t in everything}
        recovered_s = elapsed_since(killed_at)

        with db.session() as session:
            rows = session.execute(select(Post.task_id, Post.task_index)).all()
            tasks = session.scalars(select(TaskRecord).where(TaskRecord.id.in_(everything))).all()
            still_active = session.scalar(
                select(func.count())
                .select_from(TaskRecord)
                .where(TaskRecord.status.in_(("PENDING", "STARTED", "PROGRESS", "RETRY")))
            )
        statuses = Counter(t.status for t in tasks)
        per_task = Counter(task_id for task_id, _ in rows)
        # How often the restarted server re-queued each row (each gunicorn worker recovers).
        requeued = Counter(
            line.split("task_id=", 1)[1].split()[0]
            for line in server.logs().splitlines()
            if "re-queued interrupted task" in line
        )
        measure(
            processes_killed=len(pids),
            tasks_at_kill=dict(at_kill_counts),
            posts_stored_at_kill=posts_at_kill,
            final_statuses=dict(statuses),
            attempts_histogram=dict(Counter(t.attempts for t in tasks)),
            posts_total=len(rows),
            posts_unique_task_index=len(set(rows)),
            rows_still_active=still_active,
            requeue_count_histogram=dict(Counter(requeued.values())),
            llm_requests=len(slow_llm.requests),
            seconds_from_kill_to_all_finished=recovered_s,
        )
        assert len(pids) == 3, f"expected a master and 2 workers, killed {pids}"
        assert at_kill_counts["STARTED"] + at_kill_counts["PROGRESS"] >= 1, at_kill_counts
        assert still_active == 0, "a task row stayed active after the restart"
        for task in tasks:
            if task.idempotent:
                assert task.status == "SUCCESS", f"{task.id} {task.name}: {finals[task.id]}"
            else:
                assert (task.status, task.error_type) in (
                    ("SUCCESS", None),
                    ("FAILURE", "Interrupted"),
                ), finals[task.id]
        assert len(set(rows)) == len(rows), "a (task_id, task_index) was stored twice"
        assert len(rows) == GENERATION_TASKS * POSTS_PER_TASK, f"{len(rows)} posts"
        assert set(per_task) == set(generation) and set(per_task.values()) == {POSTS_PER_TASK}
    finally:
        db.dispose()
