"""SIGKILL a Celery worker (its whole process group) with 50 generation tasks in flight, then
restart it: every task ends SUCCESS, and every post exists exactly once.

Tasks ack late and are rejected on worker loss, so Redis hands the killed worker's unacked
messages back after the visibility timeout (20 s here); a redelivered generation task skips the
(task_id, task_index) slots it already stored. The side effect is counted where it lands: rows in
the posts table.
"""

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
from tests.support.celery_worker import FAST_TIMEOUTS
from tests.support.celery_worker import CeleryWorker
from tests.support.polling import wait_until
from tests.support.redis_server import PrivateRedis

pytestmark = pytest.mark.celery

TASKS = 50
POSTS_PER_TASK = 2
LLM_LATENCY_S = 0.5

# FAST_TIMEOUTS (10 s limits, 20 s visibility), with room for a cold pool child's first task
# (it imports the OpenAI SDK after the fork): a hard limit of 14 + 5 s still stays under 20 s.
TIMEOUTS = {**FAST_TIMEOUTS, "BOOKAGENT_TIMEOUTS__GENERATE_TASK_S": "14"}

OVERDUE_SWEEP_BUG = (
    "bookagent bug: the API process's fallback thread-pool monitor (ThreadPoolTaskQueue."
    "sweep_overdue -> TaskStore.overdue, which has no backend filter) marked the killed Celery "
    "tasks FAILURE TimeLimitExceeded at time_limit + 10 s, before Redis redelivered them "
    "(visibility timeout); the redelivery then skipped the finished rows"
)


@pytest.fixture
def slow_llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(latency_s=LLM_LATENCY_S, reply=unique_replies(seed=1)) as server:
        yield server


def test_killed_worker_with_50_tasks_in_flight_loses_and_duplicates_nothing(
    serve: Callable[..., ChaosServer],
    celery_workers: Callable[..., CeleryWorker],
    api_for: Callable[[str], Api],
    private_redis: PrivateRedis,
    postgres_url: str,
    slow_llm: FakeLLMServer,
    measure: Callable[..., None],
) -> None:
    writer = {
        "BOOKAGENT_WRITER": "openai",
        "OPENAI_BASE_URL": slow_llm.openai_base_url,
        # One draft at a time: a killed task has stored some of its posts and not others.
        "BOOKAGENT_WRITERS__CONCURRENCY": "1",
        **TIMEOUTS,
    }
    worker = celery_workers(postgres_url, private_redis.url, concurrency=4, **writer)
    worker.start()
    server = serve(
        "api", postgres_url, TASK_BACKEND="celery", CELERY_BROKER_URL=private_redis.url, **writer
    )
    api = api_for(server.url)
    api.ok("POST", "/api/books", BOOK, expect=201)
    db = Database.from_url(postgres_url)
    try:
        task_ids = [
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
            for _ in range(TASKS)
        ]
        assert all(api.task(t)["backend"] == "celery" for t in task_ids[:3])

        def half_written() -> bool:
            # A task has stored one of its two posts: the kill lands mid-task.
            with db.session() as session:
                counts = session.execute(
                    select(Post.task_id, func.count()).group_by(Post.task_id)
                ).all()
            return any(count == 1 for _, count in counts)

        wait_until(half_written, 60, every_s=0.02, what="a task with one of its posts written")
        worker.kill()  # SIGKILL the main process and its pool children together
        killed_at = time.monotonic()
        with db.session() as session:
            at_kill = dict(session.execute(select(TaskRecord.id, TaskRecord.status)).all())
            posts_at_kill = session.scalar(select(func.count()).select_from(Post))
        running = {t for t, s in at_kill.items() if s in ("STARTED", "PROGRESS")}
        unfinished = sum(1 for s in at_kill.values() if s not in ("SUCCESS", "FAILURE"))

        worker.start()
        finals = {task_id: api.wait_task(task_id, timeout_s=120) for task_id in task_ids}
        recovered_s = elapsed_since(killed_at)

        with db.session() as session:
            rows = session.execute(select(Post.task_id, Post.task_index)).all()
            tasks = session.scalars(select(TaskRecord).where(TaskRecord.id.in_(task_ids))).all()
        per_task = Counter(task_id for task_id, _ in rows)
        statuses = Counter(t.status for t in tasks)
        attempts = Counter(t.attempts for t in tasks)
        failed = {
            t.id: f"{t.error_type}: {t.error_message}" for t in tasks if t.status != "SUCCESS"
        }
        measure(
            tasks_in_flight_at_kill=unfinished,
            tasks_running_at_kill=len(running),
            posts_stored_at_kill=posts_at_kill,
            final_statuses=dict(statuses),
            posts_total=len(rows),
            posts_unique_task_index=len(set(rows)),
            attempts_histogram=dict(attempts),
            llm_requests=len(slow_llm.requests),
            seconds_from_kill_to_all_finished=recovered_s,
        )
        assert unfinished >= TASKS - 4, f"only {unfinished} tasks were in flight at the kill"
        assert running, "no task was running when the worker was killed"
        # Exactly once at the side effect, whatever else happened.
        assert len(set(rows)) == len(rows), "a (task_id, task_index) was stored twice"
        assert all(count <= POSTS_PER_TASK for count in per_task.values()), per_task

        if failed:
            logs = server.logs()
            swept = all(
                tid in running
                and failed[tid].startswith("TimeLimitExceeded")
                and f"task overran its time limit task_id={tid}" in logs
                for tid in failed
            )
            if swept:
                pytest.xfail(f"{OVERDUE_SWEEP_BUG}: {len(failed)} tasks ended {failed}")
        assert statuses == Counter({"SUCCESS": TASKS}), (
            f"not every task succeeded: {dict(statuses)}; failed: {failed}; {finals}"
        )
        assert len(rows) == TASKS * POSTS_PER_TASK, f"{len(rows)} posts, wanted exactly 100"
        assert set(per_task) == set(task_ids) and set(per_task.values()) == {POSTS_PER_TASK}
        assert attempts[2] >= 1, f"no task was redelivered after the kill: {dict(attempts)}"
        listed = api.ok("GET", "/api/posts?limit=200")  # the API agrees with the table
        assert listed["count"] == TASKS * POSTS_PER_TASK
    finally:
        db.dispose()
