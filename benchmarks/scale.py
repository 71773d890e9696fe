"""Scale benchmark: do the task routes stay fast as the `tasks` table grows?

Run `python -m benchmarks.scale` (about two and a half minutes on 2 cores, most of it seeding) or
`--quick` (200,000 rows, fewer requests: about 20 s); `--json PATH` also writes the figures. Two
fresh PostgreSQL databases get a realistic history of task rows, one 1,000 rows and one 2,000,000;
each is served by its own `bookagent serve` (Celery backend, 2 workers × 8 threads, no Celery
worker needed). One keep-alive client then times `GET /api/task-status/<id>` (random existing ids),
`GET /api/tasks/active` and `GET /api/tasks/stats`, one request at a time, both servers in
interleaved rounds. The figure is the p50 latency with 2M rows against the p50 with 1k rows; the
target is at most 1.5× growth. The stats route reuses its row aggregates for a few seconds
(`queue.stats_cache_s`), so its p50 is mostly a cache hit: one more line times the aggregates
themselves (`TaskStore.stats()`, in-process, uncached), which a request pays whenever the cache has
expired, and the route's p99 is in the notes.

The history goes in the way an existing deployment's did: the schema at revision 0002 (before
`task_rollups`), the rows streamed by COPY as they are generated (secondary indexes dropped for
the load and built again after), then Alembic's upgrade to head, whose 0003 rolls the finished
rows up into `task_rollups` (one GROUP BY, no table rewrite): the steady state of a
deployment whose stats roll finished rows up as they go, where only the active rows (and the
few finished since the last roll-up: none here) are counted live. The seeding checks that the
rollup plus the live rows count exactly what a GROUP BY of the table counts, then VACUUM
ANALYZE (the steady state autovacuum keeps a table in); its times are in the notes.

Every route is then profiled: the statements its `TaskStore` call issues are captured
in-process, and each one is run under `EXPLAIN (ANALYZE, BUFFERS)` on both databases, so a miss
names the query that grows and how PostgreSQL runs it.

The history: a few dozen active rows (PENDING, RETRY, STARTED, PROGRESS, the same number at both
sizes: the active set does not grow with the history), the rest finished over 90 days (about 88%
SUCCESS, 9% FAILURE, 3% REVOKED), over seven task names with their own durations, 50 users (and
none for the periodic tasks), results the size the tasks write (a generation result holds its
posts).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from alembic import command
from sqlalchemy import event

from benchmarks.bulk_load import dsn_of
from benchmarks.bulk_load import without_secondary_indexes
from benchmarks.harness import interleave
from benchmarks.harness import percentile
from benchmarks.results import Line
from benchmarks.stack import DEFAULT_POSTGRES_URL
from benchmarks.stack import DEFAULT_REDIS_URL
from benchmarks.stack import SERVE_THREADS
from benchmarks.stack import SERVE_WORKERS
from benchmarks.stack import Scratch
from benchmarks.stack import Server
from benchmarks.stack import bench_main
from benchmarks.stack import log
from benchmarks.stack import ours_env
from benchmarks.stack import wait_http_ok
from bookagent.db import migrate
from bookagent.db.session import Database
from bookagent.queue.records import TaskStore
from bookagent.queue.task_view import TASKS
from bookagent.queue.task_view import select_tasks

SECTION = "scale"
GROWTH_TARGET = 1.5
#: The large table's rows: by default, and with `--quick`.
LARGE_ROWS = 2_000_000
QUICK_LARGE_ROWS = 200_000
#: The schema the history is loaded into: the last revision before `task_rollups` (0003).
HISTORY_REVISION = "0002"
ACTIVE_ROWS = 40
HISTORY_DAYS = 90
USERS = [f"user-{i:02d}" for i in range(50)]
# name: (share of the rows, typical duration in seconds, periodic: no user)
TASK_MIX: dict[str, tuple[float, float, bool]] = {
    "bookagent.generate_posts": (0.35, 9.0, False),
    "bookagent.publish_due": (0.25, 0.6, True),
    "bookagent.tick_scheduler": (0.20, 0.15, True),
    "bookagent.run_daily": (0.10, 25.0, False),
    "bookagent.run_diagnostics": (0.05, 2.5, False),
    "bookagent.generate_weekly_report": (0.03, 40.0, False),
    "bookagent.run_noop": (0.02, 0.01, False),
}
ROUTES = ("task-status", "tasks/active", "tasks/stats")
COLUMNS = (
    "id",
    "name",
    "status",
    "kwargs",
    "user_id",
    "backend",
    "worker",
    "progress_current",
    "progress_total",
    "progress_message",
    "result",
    "error_type",
    "error_message",
    "revoked",
    "terminate_requested",
    "idempotent",
    "time_limit_s",
    "attempts",
    "created_at",
    "started_at",
    "finished_at",
    "heartbeat_at",
)


@dataclass(frozen=True)
class Plan:
    """How much work the run does."""

    small: int
    large: int
    requests: int
    rounds: int
    warmup: int

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        """The default or `--quick` plan, with any explicit overrides."""
        quick = bool(args.quick)
        return cls(
            small=args.small,
            large=args.large or (QUICK_LARGE_ROWS if quick else LARGE_ROWS),
            requests=args.requests or (40 if quick else 200),
            rounds=2 if quick else 4,
            warmup=10 if quick else 20,
        )


# -- the history -------------------------------------------------------------------------------


def post_json(rng: random.Random, index: int) -> dict[str, Any]:
    """A generated post as a generation task's result holds it (trimmed to its usual fields)."""
    platform = rng.choice(["twitter", "facebook", "instagram", "mastodon", "bluesky"])
    return {
        "id": uuid.UUID(int=rng.getrandbits(128)).hex,
        "platform": platform,
        "post_type": rng.choice(["hook_question", "quote", "review", "launch", "theme"]),
        "content": f"Post {index}: what would you keep if the sea took everything else? #BookTok",
        "status": "pending_review",
        "measured_length": 78,
        "created_at": "2026-11-01T10:00:00+00:00",
    }


NAMES = list(TASK_MIX)
NAME_WEIGHTS = list(itertools.accumulate(TASK_MIX[n][0] for n in NAMES))
FINISHED_STATES = ["SUCCESS", "FAILURE", "REVOKED"]
FINISHED_WEIGHTS = list(itertools.accumulate([88, 9, 3]))


def finished_row(rng: random.Random, now: datetime, number: int) -> tuple[Any, ...]:
    """One finished task row (SUCCESS, FAILURE or REVOKED)."""
    name = rng.choices(NAMES, cum_weights=NAME_WEIGHTS)[0]
    _, typical_s, periodic = TASK_MIX[name]
    status = rng.choices(FINISHED_STATES, cum_weights=FINISHED_WEIGHTS)[0]
    created = now - timedelta(seconds=rng.uniform(600, HISTORY_DAYS * 86400))
    queued_s = rng.expovariate(1 / 0.05)
    duration_s = rng.lognormvariate(0, 0.6) * typical_s
    user = None if periodic else rng.choice(USERS)
    kwargs: dict[str, Any] = {}
    result: dict[str, Any] | None = None
    error_type = error_message = None
    started: datetime | None = created + timedelta(seconds=queued_s)
    finished = (started or created) + timedelta(seconds=duration_s)
    if name == "bookagent.generate_posts":
        count = rng.choice([6, 8, 10, 12])
        kwargs = {"book_id": uuid.uuid4().hex, "platforms": ["twitter", "facebook"], "seed": number}
        if status == "SUCCESS":
            result = {
                "posts": [post_json(rng, i) for i in range(count)],
                "count": count,
                "rejected": [],
            }
    elif name == "bookagent.publish_due":
        result = {"published": rng.randint(0, 5), "failed": 0} if status == "SUCCESS" else None
    elif name in ("bookagent.run_daily", "bookagent.generate_weekly_report"):
        kwargs = {"book_id": uuid.uuid4().hex}
        result = {"report_id": uuid.uuid4().hex} if status == "SUCCESS" else None
    elif status == "SUCCESS":
        result = {}
    if status == "FAILURE":
        error_type = rng.choice(["ProviderUnavailable", "TimeLimitExceeded", "Interrupted"])
        error_message = "The writer's vendor did not answer in time."
    if status == "REVOKED":
        started = None if rng.random() < 0.5 else started
        finished = created + timedelta(seconds=rng.uniform(1, 60))
    return (
        uuid.UUID(int=rng.getrandbits(128)).hex,
        name,
        status,
        json.dumps(kwargs),
        user,
        "celery",
        f"celery@bench/{rng.randint(1000, 9999)}",
        1 if status == "SUCCESS" else 0,
        1,
        None,
        None if result is None else json.dumps(result),
        error_type,
        error_message,
        status == "REVOKED",
        False,
        True,
        300.0,
        1,
        created,
        started,
        finished,
        finished,
    )


def active_row(rng: random.Random, now: datetime, index: int) -> tuple[Any, ...]:
    """One active row: recent, with a fresh heartbeat and a long time limit (never swept)."""
    status = ("PENDING", "RETRY", "STARTED", "PROGRESS")[index % 4]
    name = rng.choice(["bookagent.generate_posts", "bookagent.run_daily", "bookagent.publish_due"])
    created = now - timedelta(seconds=rng.uniform(1, 120))
    running = status in ("STARTED", "PROGRESS")
    return (
        uuid.UUID(int=rng.getrandbits(128)).hex,
        name,
        status,
        json.dumps({"book_id": uuid.uuid4().hex}),
        rng.choice(USERS),
        "celery",
        f"celery@bench/{rng.randint(1000, 9999)}" if running else None,
        2 if status == "PROGRESS" else 0,
        6,
        "2 of 6 posts written" if status == "PROGRESS" else None,
        None,
        None,
        None,
        False,
        False,
        True,
        3600.0,
        1 if running else 0,
        created,
        created + timedelta(seconds=0.05) if running else None,
        None,
        now,
    )


@dataclass
class Seeded:
    """One seeded database: ids for the status route, its size, and the seconds each step took."""

    ids: list[str]
    size: str = "?"
    seconds: dict[str, float] = field(default_factory=dict)


def copy_history(url: str, rows: int, seed: int) -> None:
    """COPY `rows` task rows (ACTIVE_ROWS of them active) into `url`, each row written as it is
    generated (nothing is held in memory), in one transaction."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with psycopg.connect(dsn_of(url)) as conn:
        with without_secondary_indexes(conn, "tasks"), conn.cursor() as cursor:
            copy_sql = f"COPY tasks ({', '.join(COLUMNS)}) FROM STDIN"
            with cursor.copy(copy_sql) as copy:
                for index in range(ACTIVE_ROWS):
                    copy.write_row(active_row(rng, now, index))
                for number in range(rows - ACTIVE_ROWS):
                    copy.write_row(finished_row(rng, now, number))
        conn.commit()


def check_counts(url: str) -> None:
    """Raise unless `TaskStore.stats()` (rollup plus live rows) counts what a GROUP BY counts."""
    with psycopg.connect(dsn_of(url)) as conn:
        table = Counter(
            {
                (name, status): count
                for name, status, count in conn.execute(
                    "SELECT name, status, count(*) FROM tasks GROUP BY name, status"
                )
            }
        )
    db = Database.from_url(url)
    try:
        by_name = TaskStore(db).stats()["by_name"]
    finally:
        db.dispose()
    for name, entry in by_name.items():
        rows = {status: n for (n_name, status), n in table.items() if n_name == name}
        expected = (sum(rows.values()), rows.get("SUCCESS", 0), rows.get("FAILURE", 0))
        if (entry["count"], entry["succeeded"], entry["failed"]) != expected:
            raise RuntimeError(f"stats() miscounts {name}: {entry} against {rows}")
    if set(by_name) != {name for name, _ in table}:
        raise RuntimeError(f"stats() names {sorted(by_name)}, the table {sorted(table)}")


def seed_tasks(url: str, rows: int, seed: int) -> Seeded:
    """An existing deployment's history in a fresh database `url`, brought up to date.

    The schema at HISTORY_REVISION, the rows by COPY, then the upgrade to head (0003 rolls the
    finished rows up), the counts checked, VACUUM ANALYZE. Returns 500 ids picked at random from
    the table, for the status route, and the time of each step."""
    seconds: dict[str, float] = {}
    started = time.monotonic()
    migrate.upgrade(url, HISTORY_REVISION)
    copy_history(url, rows, seed)
    seconds["copy"] = time.monotonic() - started
    started = time.monotonic()
    # Alembic itself rather than `migrate.upgrade`, whose fast path trusts HEAD_REVISION.
    command.upgrade(migrate.alembic_config(url), "head")
    seconds["upgrade"] = time.monotonic() - started
    started = time.monotonic()
    check_counts(url)
    with psycopg.connect(dsn_of(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE tasks")
        seconds["vacuum"] = time.monotonic() - started
        picked = conn.execute("SELECT id FROM tasks ORDER BY random() LIMIT 500").fetchall()
    return Seeded([str(row[0]) for row in picked], table_size(url), seconds)


def seed_line(seeded: Seeded) -> str:
    """`123.4 s (copy 100.1 s, upgrade 5.2 s, vacuum 18.1 s)`: the seeding's times."""
    steps = ", ".join(f"{step} {s:.1f} s" for step, s in seeded.seconds.items())
    return f"{sum(seeded.seconds.values()):.1f} s ({steps})"


def table_size(url: str) -> str:
    """The table's size on disk, with its TOAST and indexes."""
    with psycopg.connect(dsn_of(url)) as conn:
        row = conn.execute("SELECT pg_size_pretty(pg_total_relation_size('tasks'))").fetchone()
    return str(row[0]) if row else "?"


# -- latency -----------------------------------------------------------------------------------


@dataclass
class Samples:
    """Latencies in seconds per route, and the requests that did not answer 200."""

    by_route: dict[str, list[float]] = field(default_factory=lambda: {r: [] for r in ROUTES})
    errors: int = 0
    first_error: str | None = None


def route_path(route: str, ids: list[str], i: int) -> str:
    """The path of request number `i` of `route`."""
    if route == "task-status":
        return f"/api/task-status/{ids[i % len(ids)]}"
    return f"/api/{route}"


def timed_requests(
    client: httpx.Client, route: str, ids: list[str], count: int, first: int, into: Samples | None
) -> None:
    """`count` sequential requests of `route` (into `into`, or discarded for a warm-up)."""
    for i in range(first, first + count):
        started = time.perf_counter()
        response = client.get(route_path(route, ids, i))
        elapsed = time.perf_counter() - started
        if into is None:
            continue
        if response.status_code != 200:
            into.errors += 1
            into.first_error = into.first_error or f"{route}: HTTP {response.status_code}"
        into.by_route[route].append(elapsed)


def measure(
    plan: Plan, servers: dict[str, Server], ids: dict[str, list[str]]
) -> dict[str, Samples]:
    """Warm each server up, then `plan.requests` per route and size in interleaved rounds."""
    samples = {size: Samples() for size in servers}
    clients = {size: httpx.Client(base_url=s.url, timeout=30.0) for size, s in servers.items()}
    try:
        for size, client in clients.items():
            for route in ROUTES:
                timed_requests(client, route, ids[size], plan.warmup, 0, None)
        per_round = max(plan.requests // plan.rounds, 1)

        def side(size: str) -> Callable[[int], None]:
            def run_round(round_index: int) -> None:
                for route in ROUTES:
                    first = round_index * per_round
                    timed_requests(clients[size], route, ids[size], per_round, first, samples[size])

            return run_round

        interleave(plan.rounds, [side(size) for size in servers])
    finally:
        for client in clients.values():
            client.close()
    return samples


# -- profiles ----------------------------------------------------------------------------------


@dataclass
class Statement:
    """One SQL statement a route's store call issues, with its timings at both sizes."""

    sql: str
    parameters: Any
    client_ms: dict[str, float] = field(default_factory=dict)
    execution_ms: dict[str, float] = field(default_factory=dict)
    plan: dict[str, list[str]] = field(default_factory=dict)


def capture(db: Database, call: Callable[[], Any]) -> list[tuple[str, Any, float]]:
    """The statements `call` runs on `db`, with their client-side milliseconds."""
    seen: list[tuple[str, Any, float]] = []
    started: list[float] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        started.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters, (time.perf_counter() - started.pop()) * 1000))

    engines = (db.engine, db.direct)  # transactions, and the autocommit reads and writes
    for engine in engines:
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
    try:
        call()
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
    return seen


def uncaptured(db: Database, route: str, task_id: str) -> list[tuple[str, Any, float]]:
    """The statement of a route whose call runs outside SQLAlchemy's events: the status read
    is a prebuilt SELECT run on a raw connection (`Database.prepared`). No client time."""
    if route != "task-status":
        return []
    compiled = select_tasks().where(TASKS.c.id == task_id).compile(dialect=db.engine.dialect)
    return [(compiled.string, compiled.params, float("nan"))]


def store_calls(store: TaskStore, task_id: str) -> dict[str, Callable[[], Any]]:
    """What each route asks of the task store (local mode: the caller is an admin)."""
    return {
        "task-status": lambda: store.find(task_id),
        "tasks/active": lambda: store.active(None),
        "tasks/stats": store.stats,
    }


def explain(url: str, sql: str, parameters: Any) -> tuple[float, list[str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of one statement: (execution ms, the plan's lines)."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", parameters).fetchall()
        conn.rollback()
    lines = [str(r[0]) for r in rows]
    execution = next(
        (float(line.split(":")[1].split()[0]) for line in lines if line.startswith("Execution")),
        float("nan"),
    )
    return execution, lines


def profile(urls: dict[str, str], ids: dict[str, list[str]]) -> dict[str, list[Statement]]:
    """Per route: its statements, timed in-process and EXPLAIN ANALYZEd at both sizes."""
    profiles: dict[str, list[Statement]] = {}
    for size, url in urls.items():
        db = Database.from_url(url)
        try:
            store = TaskStore(db)
            for route, call in store_calls(store, ids[size][0]).items():
                call()  # warm: connections and compiled statements
                captured = capture(db, call) or uncaptured(db, route, ids[size][0])
                statements = profiles.setdefault(route, [])
                for sql, parameters, client_ms in captured:
                    # The same statement at the other size: by its text and name parameter (the
                    # per-name queries come in each database's own order of the names).
                    fresh = Statement(sql, parameters)
                    statement = next((s for s in statements if label(s) == label(fresh)), fresh)
                    if statement is fresh:
                        statements.append(fresh)
                    statement.client_ms[size] = round(client_ms, 3)
                    execution_ms, plan = explain(url, sql, parameters)
                    statement.execution_ms[size] = execution_ms
                    statement.plan[size] = plan
        finally:
            db.dispose()
    return profiles


def time_store_stats(urls: dict[str, str], calls: int, rounds: int) -> dict[str, list[float]]:
    """Seconds per `TaskStore.stats()` call at each size, in-process and uncached: what the
    stats route pays whenever its cache has expired, interleaved in rounds."""
    databases = {size: Database.from_url(url) for size, url in urls.items()}
    samples: dict[str, list[float]] = {size: [] for size in urls}
    try:
        for db in databases.values():
            TaskStore(db).stats()  # warm: connections and compiled statements

        def side(size: str) -> Callable[[int], None]:
            store = TaskStore(databases[size])

            def run_round(_: int) -> None:
                for _call in range(max(calls // rounds, 1)):
                    started = time.perf_counter()
                    store.stats()
                    samples[size].append(time.perf_counter() - started)

            return run_round

        interleave(rounds, [side(size) for size in urls])
    finally:
        for db in databases.values():
            db.dispose()
    return samples


def one_line(sql: str, width: int = 160) -> str:
    """A statement on one line, cut to `width` characters."""
    text = " ".join(sql.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def label(statement: Statement) -> str:
    """The statement on one line, its `name` parameter (the per-name queries) shown first."""
    parameters = statement.parameters if isinstance(statement.parameters, dict) else {}
    prefix = f"[name={parameters['name_1']}] " if "name_1" in parameters else ""
    return prefix + one_line(statement.sql, 400)


# -- figures -----------------------------------------------------------------------------------


def size_notes(small: list[float], large: list[float]) -> dict[str, dict[str, float]]:
    """The spread of each size's samples, in milliseconds, for a line's notes."""
    return {
        size: {
            "n": len(values),
            "p50_ms": round(percentile(values, 50) * 1000, 3),
            "p90_ms": round(percentile(values, 90) * 1000, 3),
            "p99_ms": round(percentile(values, 99) * 1000, 3),
        }
        for size, values in (("small", small), ("large", large))
    }


def figures(
    plan: Plan, samples: dict[str, Samples], store_stats: dict[str, list[float]]
) -> list[Line]:
    """p50 at the large size against p50 at the small size, per route; and the uncached
    aggregates behind the stats route."""
    lines = []
    for route in ROUTES:
        small, large = samples["small"].by_route[route], samples["large"].by_route[route]
        lines.append(
            Line(
                SECTION,
                f"GET /api/{route}{'/<id>' if route == 'task-status' else ''} p50, "
                f"{plan.large:,} task rows",
                "ms",
                percentile(large, 50) * 1000,
                percentile(small, 50) * 1000,
                f"{plan.small:,} rows",
                "ours/baseline",
                GROWTH_TARGET,
                "max",
                size_notes(small, large),
            )
        )
    small, large = store_stats["small"], store_stats["large"]
    lines.append(
        Line(
            SECTION,
            f"tasks/stats aggregates uncached (`TaskStore.stats()`, paid when the route's cache "
            f"has expired) p50, {plan.large:,} task rows",
            "ms",
            percentile(large, 50) * 1000,
            percentile(small, 50) * 1000,
            f"{plan.small:,} rows",
            "ours/baseline",
            GROWTH_TARGET,
            "max",
            size_notes(small, large),
        )
    )
    return lines


def footnotes(
    plan: Plan,
    lines: list[Line],
    profiles: dict[str, list[Statement]],
    sizes: dict[str, str],
    samples: dict[str, Samples],
) -> list[str]:
    """How the figures were taken, and the profile of every statement of every route."""
    notes = [
        f"Two PostgreSQL databases ({plan.small:,} rows: {sizes['small']}; {plan.large:,} rows: "
        f"{sizes['large']}), each behind its own `bookagent serve` (celery backend, "
        f"{SERVE_WORKERS} × {SERVE_THREADS}); one keep-alive client, one request at a time, "
        f"{plan.requests} requests per route and size in {plan.rounds} interleaved rounds after "
        f"{plan.warmup} warm-up requests. Ratio = p50 at {plan.large:,} / p50 at {plan.small:,}.",
    ]
    for line in lines:
        small, large = line.notes["small"], line.notes["large"]
        notes.append(
            f"{line.name.split(' p50')[0]}: p50/p90/p99 {small['p50_ms']}/{small['p90_ms']}/"
            f"{small['p99_ms']} ms at {plan.small:,} rows, {large['p50_ms']}/{large['p90_ms']}/"
            f"{large['p99_ms']} ms at {plan.large:,}"
        )
    for size, sample in samples.items():
        if sample.errors:
            notes.append(f"{size}: {sample.errors} errors (first: {sample.first_error})")
    missed = set(missed_routes(lines))
    for route, statements in profiles.items():
        if route in missed:  # run_all renders the missed routes' profiles as a table
            total_small = sum(s.execution_ms.get("small", 0.0) for s in statements)
            total_large = sum(s.execution_ms.get("large", 0.0) for s in statements)
            notes.append(
                f"profile {route} (missed): {len(statements)} statements, {total_small:.2f} → "
                f"{total_large:.2f} ms in all (EXPLAIN ANALYZE execution)"
            )
            continue
        for statement in statements:
            small = statement.execution_ms.get("small", float("nan"))
            large = statement.execution_ms.get("large", float("nan"))
            notes.append(
                f"profile {route}: {small:.3f} → {large:.3f} ms (EXPLAIN ANALYZE execution) "
                f"`{label(statement)[:150]}`"
            )
    return notes


def missed_routes(lines: list[Line]) -> list[str]:
    """The routes whose figure missed (the uncached stats line counts for the stats route)."""
    routes = [*ROUTES, "tasks/stats"]
    return list(
        dict.fromkeys(r for line, r in zip(lines, routes, strict=True) if line.verdict == "MISS")
    )


def missed_profiles(
    lines: list[Line], profiles: dict[str, list[Statement]]
) -> dict[str, list[dict[str, Any]]]:
    """For each route that missed its target: its statements, slowest first, with the plan."""
    missed: dict[str, list[dict[str, Any]]] = {}
    for route in missed_routes(lines):
        statements = sorted(
            profiles.get(route, []), key=lambda s: -s.execution_ms.get("large", 0.0)
        )
        missed[route] = [
            {
                "sql": label(s),
                "execution_ms": s.execution_ms,
                "client_ms": s.client_ms,
                "plan_large": s.plan.get("large", []),
            }
            for s in statements
        ]
    return missed


# -- the run -----------------------------------------------------------------------------------


def run(plan: Plan, args: argparse.Namespace) -> tuple[list[Line], list[str], dict[str, Any]]:
    """Seed, serve, measure, profile; tear everything down whatever happens."""
    with Scratch(
        "bookagent-bench-scale-",
        postgres_url=args.postgres_url,
        redis_url=args.redis_url,
        keep_logs=args.keep_logs,
    ) as scratch:
        urls: dict[str, str] = {}
        ids: dict[str, list[str]] = {}
        seeded: dict[str, Seeded] = {}
        for size, rows in (("small", plan.small), ("large", plan.large)):
            urls[size] = scratch.postgres()
            log(f"seeding {rows:,} task rows ({size})")
            seeded[size] = seed_tasks(urls[size], rows, seed=rows)
            ids[size] = seeded[size].ids
            log(f"seeded in {seed_line(seeded[size])} ({seeded[size].size})")
        sizes = {size: s.size for size, s in seeded.items()}
        servers = {
            size: scratch.start_ours(
                f"ours-{size}",
                ours_env(
                    scratch.path(size),
                    backend="celery",
                    redis_url=scratch.redis(),
                    database_url=url,
                ),
                workers=SERVE_WORKERS,
                threads=SERVE_THREADS,
            )
            for size, url in urls.items()
        }
        for server in servers.values():
            wait_http_ok(server.url + "/api/health", server.child)
        log(f"timing {', '.join(ROUTES)}: {plan.requests} requests per route and size")
        samples = measure(plan, servers, ids)
        for server in servers.values():
            scratch.children.stop(server.child)
        log("timing TaskStore.stats() uncached, in-process")
        store_stats = time_store_stats(urls, max(plan.requests // 4, 10), plan.rounds)
        log("profiling each route's statements (EXPLAIN ANALYZE)")
        profiles = profile(urls, ids)
        lines = figures(plan, samples, store_stats)
        notes = footnotes(plan, lines, profiles, sizes, samples)
        notes.insert(
            1,
            "Seeding (COPY at revision 0002, upgrade to head rolling the history up, count "
            "check and VACUUM ANALYZE): "
            + "; ".join(f"{size} {seed_line(s)}" for size, s in seeded.items()),
        )
        details = {
            "table_size": sizes,
            "seeding_s": {size: s.seconds for size, s in seeded.items()},
            "profiles": {
                route: [
                    {
                        "sql": label(s),
                        "execution_ms": s.execution_ms,
                        "client_ms": s.client_ms,
                        "plan": s.plan,
                    }
                    for s in statements
                ]
                for route, statements in profiles.items()
            },
            "missed": missed_profiles(lines, profiles),
        }
        return lines, notes, details


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_LARGE_ROWS:,} rows in the large table, fewer requests (40 per route)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument("--small", type=int, default=1_000, help="rows of the small table")
    parser.add_argument(
        "--large", type=int, help=f"rows of the large table (default {LARGE_ROWS:,})"
    )
    parser.add_argument("--requests", type=int, help="requests per route and size (default 200)")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="a Redis index to FLUSHDB")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="admin connection")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; 130 if interrupted."""
    args = parse_args(argv)
    return bench_main("bookagent scale benchmark", args, Plan.from_args(args), run)


if __name__ == "__main__":
    sys.exit(main())
