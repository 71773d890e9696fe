"""`bookagent doctor`: check each part of a deployment and give a verdict per item.

Checks the configuration, the database (and that its schema is current), the broker, the
Celery workers, the scheduler's heartbeat and every configured publisher, each bounded in time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select

from bookagent.db.base import utcnow
from bookagent.db.migrate import alembic_config
from bookagent.db.models import SchedulerHeartbeat
from bookagent.errors import BookAgentError
from bookagent.queue.broker import ping_broker
from bookagent.queue.broker import redact
from bookagent.queue.celery_app import make_celery
from bookagent.services import Services
from bookagent.settings import describe_unknown
from bookagent.settings import unknown_variables

OK, WARN, FAIL = "ok", "warn", "fail"
CHECK_TIMEOUT_S = 10.0


def first_line(exc: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:200]


@dataclass(frozen=True)
class Verdict:
    """One item's outcome: ok, warn or fail, with a sentence saying why."""

    item: str
    status: str
    detail: str


def check_configuration(services: Services) -> Verdict:
    """The settings loaded (they are validated when loaded); say what they choose, and warn of
    `BOOKAGENT_*` variables no setting reads (a misspelt name is otherwise silently ignored)."""
    s = services.settings
    chosen = (
        f"database {services.db.dialect}, backend {s.queue.backend}, "
        f"writer {s.writers.default}, data dir {s.data_dir}"
    )
    unknown = unknown_variables(os.environ)
    if unknown:
        return Verdict(
            "configuration",
            WARN,
            f"{chosen}; ignored, no setting reads: {describe_unknown(unknown)}",
        )
    return Verdict("configuration", OK, chosen)


def check_database(services: Services) -> Verdict:
    """The database answers and its schema is at the latest migration."""
    try:
        with services.db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except Exception as exc:  # any driver error: the verdict carries its name
        return Verdict("database", FAIL, f"unreachable: {type(exc).__name__}: {exc}"[:300])
    head = ScriptDirectory.from_config(
        alembic_config(services.settings.database_url)
    ).get_current_head()
    if current != head:
        return Verdict(
            "database",
            FAIL,
            f"schema at {current or 'nothing'}, expected {head}: run `bookagent db upgrade`",
        )
    return Verdict("database", OK, f"{services.db.dialect}, schema at {head}")


def check_broker(services: Services) -> Verdict:
    """Redis answers (not needed on the thread-pool backend)."""
    settings = services.settings
    reason = ping_broker(settings.queue.broker_url, settings.queue.broker_ping_timeout_s)
    if reason is None:
        return Verdict("broker", OK, f"{redact(settings.queue.broker_url)} answers")
    if settings.queue.backend == "thread":
        return Verdict("broker", OK, "not used: TASK_BACKEND=thread")
    status = FAIL if settings.queue.backend == "celery" else WARN
    return Verdict("broker", status, f"{reason}; tasks would run on the thread pool")


def check_workers(services: Services) -> Verdict:
    """Some Celery worker answers a ping (needed when tasks go to Celery)."""
    settings = services.settings
    if settings.queue.backend == "thread":
        return Verdict("workers", OK, "the thread pool runs tasks inside the API process")
    if ping_broker(settings.queue.broker_url, settings.queue.broker_ping_timeout_s):
        return Verdict("workers", WARN, "cannot ask: the broker is down")
    app = make_celery(settings)
    try:
        replies = app.control.inspect(timeout=settings.queue.inspect_timeout_s).ping() or {}
    finally:
        app.close()
    if not replies:
        return Verdict("workers", FAIL, "no Celery worker answered: start `bookagent worker`")
    return Verdict("workers", OK, f"{len(replies)} answered: {', '.join(sorted(replies))}")


def check_scheduler(services: Services) -> Verdict:
    """The scheduler ticked in the last two minutes (Celery beat, or the in-process one)."""
    with services.db.autocommit() as session:
        beat = session.scalar(
            select(SchedulerHeartbeat).order_by(SchedulerHeartbeat.last_tick_at.desc())
        )
    if beat is None:
        return Verdict(
            "scheduler",
            WARN,
            "it has never ticked: start `bookagent beat` "
            "(Celery) or `bookagent serve` (thread pool)",
        )
    age = utcnow() - beat.last_tick_at
    if age > timedelta(minutes=2):
        return Verdict(
            "scheduler", FAIL, f"{beat.name} last ticked {int(age.total_seconds())} s ago"
        )
    return Verdict("scheduler", OK, f"{beat.name} ticked {int(age.total_seconds())} s ago")


def check_publishers(services: Services) -> list[Verdict]:
    """A real, bounded call to every publisher that has credentials."""
    verdicts = []
    for platform, row in services.publishers.status().items():
        if not row["configured"] or row["dry_run"]:
            continue
        publisher = services.publishers.for_platform(platform)
        try:
            result = services.runner.run(publisher.check(), CHECK_TIMEOUT_S)
            status, detail = (OK if result.ok else FAIL), result.message
        except BookAgentError as exc:
            status, detail = FAIL, exc.message
        verdicts.append(Verdict(f"publisher {platform}", status, f"{row['publisher']}: {detail}"))
    if not verdicts:
        verdicts.append(Verdict("publishers", OK, "none configured: posts go to the outbox"))
    return verdicts


def run_checks(services: Services) -> list[Verdict]:
    """Every check, in order; a check that crashes is a failure of that item only."""
    checks: list[Callable[[Services], Verdict | list[Verdict]]] = [
        check_configuration,
        check_database,
        check_broker,
        check_workers,
        check_scheduler,
        check_publishers,
    ]
    verdicts: list[Verdict] = []
    for check in checks:
        try:
            outcome = check(services)
        except Exception as exc:  # one broken item must not hide the verdicts of the others
            name = check.__name__.removeprefix("check_")
            outcome = Verdict(name, FAIL, first_line(exc))
        verdicts.extend(outcome if isinstance(outcome, list) else [outcome])
    return verdicts
