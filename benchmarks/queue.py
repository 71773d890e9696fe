"""Queue benchmark: our task API and queue against plain Celery, on both task backends.

Run `python -m benchmarks.queue` (one to two minutes) or `python -m benchmarks.queue --quick`
(about 30 seconds); `--json PATH` also writes the figures. For the Celery backend and the
thread-pool backend it measures, each against a baseline measured in the same run:

1. submit throughput: `POST /api/tasks/diagnostics` against a bare Flask route that only calls
   `apply_async` on a plain Celery app;
2. status throughput: `GET /api/task-status/<id>` against a bare route returning
   `AsyncResult(id).state`;
3. submit-to-SUCCESS latency of a no-op task (p50, p99): `submit("bookagent.run_noop")` and
   polling its row, against `apply_async` on a plain Celery worker and polling its state.

Every HTTP side is one gunicorn gthread worker (a child process) driven by the same httpx client
(N threads, keep-alive). The script makes and removes everything it uses: a Redis database
index, a PostgreSQL database, a SQLite file, the servers and the workers.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from celery import Celery

from benchmarks import raw_celery_app
from benchmarks.harness import BIN
from benchmarks.harness import Child
from benchmarks.harness import LoadResult
from benchmarks.harness import RequestFn
from benchmarks.harness import child_env
from benchmarks.harness import free_port
from benchmarks.harness import gunicorn_args
from benchmarks.harness import interleave
from benchmarks.harness import percentile
from benchmarks.harness import run_load
from benchmarks.harness import wait_for_http
from benchmarks.results import Line
from benchmarks.stack import DEFAULT_POSTGRES_URL
from benchmarks.stack import Scratch
from benchmarks.stack import Server
from benchmarks.stack import bench_main
from benchmarks.stack import flush_redis
from benchmarks.stack import log
from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.db import migrate
from bookagent.db.session import Database
from bookagent.logs import configure_logging
from bookagent.queue.records import TaskStore
from bookagent.settings import Settings

SECTION = "queue"
DIAGNOSTICS_BODY = {"steps": 1, "step_seconds": 0}
SUBMIT_TARGET = 0.6
STATUS_TARGET = 0.6
LATENCY_TARGET = 2.0
POLL_S = 0.002
TASK_TIMEOUT_S = 20.0
WORKER_CONCURRENCY = 2
FINISHED_BADLY = ("FAILURE", "REVOKED")
BARE_LABEL = "bare Flask+Celery"
RAW_LABEL = "raw Celery worker"


@dataclass(frozen=True)
class Plan:
    """How much work each measurement does."""

    requests: int
    concurrency: int
    latency_tasks: int
    rounds: int
    warmup_requests: int
    warmup_tasks: int
    server_threads: int

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        """The default or `--quick` plan, with any explicit overrides."""
        quick = bool(args.quick)
        return cls(
            requests=args.requests or (300 if quick else 2000),
            concurrency=args.concurrency,
            latency_tasks=args.latency_tasks or (50 if quick else 200),
            rounds=args.rounds or (2 if quick else 4),
            warmup_requests=40 if quick else 100,
            warmup_tasks=6 if quick else 10,
            server_threads=args.server_threads,
        )


@dataclass(frozen=True)
class Stack:
    """Where the two backends keep their state for this run."""

    workdir: Path
    redis_url: str
    postgres_url: str
    sqlite_url: str

    def ours_env(self, backend: str) -> dict[str, str]:
        """The environment of our server or worker for `backend` (`celery` or `thread`)."""
        database_url = self.postgres_url if backend == "celery" else self.sqlite_url
        return child_env(
            BOOKAGENT_DATA_DIR=str(self.workdir / backend),
            BOOKAGENT_LOG_LEVEL="WARNING",
            DATABASE_URL=database_url,
            TASK_BACKEND=backend,
            CELERY_BROKER_URL=self.redis_url,
            CELERY_LOG_LEVEL="warning",
            CELERY_CONCURRENCY=str(WORKER_CONCURRENCY),
        )

    def settings(self, backend: str) -> Settings:
        """Settings for building our services in this process."""
        return Settings(
            data_dir=self.workdir / f"inproc-{backend}",
            log_level="WARNING",
            admin_token=None,
            db={"url": self.postgres_url if backend == "celery" else self.sqlite_url},
            queue={"backend": backend, "broker_url": self.redis_url},
        )


# -- servers and workers -----------------------------------------------------------------------


def start_server(
    scratch: Scratch, name: str, target: str, env: dict[str, str], threads: int
) -> Server:
    """Start one gunicorn worker for `target` on a free port (`wait_ready` checks readiness)."""
    port = free_port()
    child = scratch.start(name, gunicorn_args(target, port, threads=threads), env)
    return Server(child, f"http://127.0.0.1:{port}")


def wait_ready(server: Server, probe: str) -> None:
    """Wait until the server answers `probe`."""
    wait_for_http(server.url + probe, server.child)


def wait_worker(app: Celery, child: Child, hostname_prefix: str, timeout_s: float = 60.0) -> None:
    """Wait until a worker whose node name starts with `hostname_prefix` answers a ping."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        child.check_alive()
        replies = app.control.inspect(timeout=0.5).ping() or {}
        if any(node.startswith(hostname_prefix) for node in replies):
            return
    raise TimeoutError(f"{child.name} did not answer a ping:\n{child.log_tail()}")


# -- throughput --------------------------------------------------------------------------------


@dataclass
class Pair:
    """Our side and the baseline side of one throughput comparison."""

    ours: LoadResult
    bare: LoadResult


def settled() -> None:
    """Nothing to wait for after a round."""


@dataclass(frozen=True)
class Side:
    """One server under load: where it is, what to ask it and what it must answer."""

    url: str
    request: RequestFn
    expect: int
    #: Called after each of this side's rounds, off the clock: work the server still does in the
    #: background (the thread pool running submitted tasks) must not slow the other side down.
    settle: Callable[[], None] = settled


def compare_load(plan: Plan, ours: Side, bare: Side) -> Pair:
    """Warm both servers up, then run `plan.requests` per side in interleaved rounds."""
    for side in (ours, bare):
        run_load(
            side.url,
            side.request,
            total=plan.warmup_requests,
            concurrency=plan.concurrency,
            expect=side.expect,
        )
        side.settle()
    pair = Pair(LoadResult(), LoadResult())
    per_round = max(plan.requests // plan.rounds, plan.concurrency)

    def round_of(side: Side, into: LoadResult) -> Callable[[int], None]:
        def run_round(_: int) -> None:
            run_load(
                side.url,
                side.request,
                total=per_round,
                concurrency=plan.concurrency,
                expect=side.expect,
                into=into,
            )
            side.settle()

        return run_round

    interleave(plan.rounds, [round_of(ours, pair.ours), round_of(bare, pair.bare)])
    return pair


def drainer(db: Database, timeout_s: float = 120.0) -> Callable[[], None]:
    """Wait until no task row in `db` is still pending or running."""
    store = TaskStore(db)

    def drain() -> None:
        deadline = time.monotonic() + timeout_s
        while store.count_active() > 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"tasks still active after {timeout_s:g}s")
            time.sleep(0.05)

    return drain


def submitter(path: str, ids: list[str]) -> RequestFn:
    """A request function that POSTs the diagnostics body to `path` and keeps the task ids."""

    def request(client: httpx.Client, _: int) -> httpx.Response:
        response = client.post(path, json=DIAGNOSTICS_BODY)
        if response.status_code == 202:
            ids.append(response.json()["task_id"])
        return response

    return request


def status_reader(prefix: str, ids: list[str]) -> RequestFn:
    """A request function that GETs `<prefix><id>` over the known ids, in turn."""

    def request(client: httpx.Client, i: int) -> httpx.Response:
        return client.get(prefix + ids[i % len(ids)])

    return request


def throughput_line(backend: str, name: str, pair: Pair, target: float) -> Line:
    """A req/s line (ours / baseline, a minimum), with the run details in its notes."""
    return Line(
        SECTION,
        f"{backend}: {name}",
        "req/s",
        pair.ours.rate,
        pair.bare.rate,
        BARE_LABEL,
        "ours/baseline",
        target,
        "min",
        {"ours": load_notes(pair.ours), "baseline": load_notes(pair.bare)},
    )


def load_notes(result: LoadResult) -> dict[str, Any]:
    """What a load run did, for the JSON output and the footnotes."""
    return {
        "requests": result.requests,
        "seconds": round(result.seconds, 3),
        "errors": result.errors,
        "first_error": result.first_error,
        "client_cpu_cores": round(result.client_cpu_s / result.seconds, 2) if result.seconds else 0,
    }


# -- latency -----------------------------------------------------------------------------------

Probe = Callable[[], float]


def wait_until(read_status: Callable[[], str | None], started: float, what: str) -> float:
    """Poll `read_status` every POLL_S until SUCCESS; the seconds since `started`."""
    while True:
        status = read_status()
        if status == "SUCCESS":
            return time.perf_counter() - started
        if status in FINISHED_BADLY:
            raise RuntimeError(f"{what} ended {status}")
        if time.perf_counter() - started > TASK_TIMEOUT_S:
            raise TimeoutError(f"{what} not finished after {TASK_TIMEOUT_S:g}s (last: {status})")
        time.sleep(POLL_S)


def ours_probe(services: Services) -> Probe:
    """Submit `bookagent.run_noop` through our queue and poll its row until SUCCESS."""
    queue = services.require_queue()
    store = TaskStore(services.db)

    def probe() -> float:
        started = time.perf_counter()
        task_id = queue.submit("bookagent.run_noop", {}, user_id=None)

        def status() -> str | None:
            row = store.find(task_id)
            return row.status if row is not None else None

        return wait_until(status, started, f"bookagent.run_noop {task_id}")

    return probe


def raw_probe(app: Celery) -> Probe:
    """`apply_async` the raw no-op task and poll its state in the result backend."""
    noop = app.tasks[raw_celery_app.NOOP_TASK]

    def probe() -> float:
        started = time.perf_counter()
        result = noop.apply_async()
        return wait_until(lambda: str(result.state), started, f"raw.noop {result.id}")

    return probe


def measure_latency(plan: Plan, probes: dict[str, Probe]) -> dict[str, list[float]]:
    """Warm each probe up, then take `plan.latency_tasks` samples each, interleaved in blocks."""
    samples: dict[str, list[float]] = {name: [] for name in probes}
    for probe in probes.values():
        for _ in range(plan.warmup_tasks):
            probe()
    per_block = max(plan.latency_tasks // plan.rounds, 1)

    def block(name: str) -> Callable[[int], None]:
        def run(_: int) -> None:
            samples[name].extend(probes[name]() for _ in range(per_block))

        return run

    interleave(plan.rounds, [block(name) for name in probes])
    return samples


def latency_lines(
    backend: str, ours: list[float], raw: list[float], baseline_label: str
) -> list[Line]:
    """p50 and p99 lines in milliseconds (ours / baseline, a maximum)."""
    return [
        Line(
            SECTION,
            f"{backend}: no-op submit→SUCCESS p{pct}",
            "ms",
            percentile(ours, pct) * 1000,
            percentile(raw, pct) * 1000,
            baseline_label,
            "ours/baseline",
            LATENCY_TARGET,
            "max",
            {"samples_ours": len(ours), "samples_baseline": len(raw)},
        )
        for pct in (50, 99)
    ]


def latency_summary(values: list[float]) -> dict[str, float]:
    """Milliseconds: min, mean, p50, p90, p99, max."""
    ms = [v * 1000 for v in values]
    return {
        "n": len(ms),
        "min": round(min(ms), 3),
        "mean": round(sum(ms) / len(ms), 3),
        "p50": round(percentile(ms, 50), 3),
        "p90": round(percentile(ms, 90), 3),
        "p99": round(percentile(ms, 99), 3),
        "max": round(max(ms), 3),
    }


# -- the run -----------------------------------------------------------------------------------


def run(plan: Plan, args: argparse.Namespace) -> tuple[list[Line], list[str], dict[str, Any]]:
    """Set everything up, measure, and tear everything down (whatever happens)."""
    lines: dict[str, list[Line]] = {"celery": [], "thread": []}
    configure_logging("WARNING")  # our in-process services log only what goes wrong
    with (
        Scratch(
            "bookagent-bench-",
            postgres_url=args.postgres_url,
            redis_url=args.redis_url,
            keep_logs=args.keep_logs,
        ) as scratch,
        ExitStack() as cleanup,
    ):
        redis_url, postgres_url = scratch.redis(), scratch.postgres()
        sqlite_path = scratch.path("thread") / "bookagent.db"
        stack = Stack(scratch.workdir, redis_url, postgres_url, f"sqlite:///{sqlite_path}")
        log(f"migrating {postgres_url.rsplit('/', 1)[1]} and {sqlite_path.name}")
        migrate.upgrade(stack.postgres_url)
        migrate.upgrade(stack.sqlite_url)

        raw_env = child_env(BENCH_REDIS_URL=stack.redis_url)
        threads = plan.server_threads
        log("starting servers: ours (celery), ours (thread), bare Flask+Celery")
        ours_app = "bookagent.web.app:create_app()"
        servers = {
            backend: start_server(
                scratch, f"ours-{backend}", ours_app, stack.ours_env(backend), threads
            )
            for backend in ("celery", "thread")
        }
        bare = start_server(
            scratch, "bare", "benchmarks.raw_celery_app:create_bare_app()", raw_env, threads
        )
        for server in servers.values():
            wait_ready(server, "/api/task-status/0")
        wait_ready(bare, "/bare/status/0")

        # Submitted diagnostics run at once on the thread backend, inside its server.
        thread_db = Database.from_url(stack.sqlite_url)
        cleanup.callback(thread_db.dispose)
        settle = {"celery": settled, "thread": drainer(thread_db)}
        ids: dict[str, list[str]] = {}
        bare_ids: list[str] = []
        for backend, server in servers.items():
            log(f"submit throughput, {backend}: {plan.requests} requests per side")
            ids[backend] = []
            pair = compare_load(
                plan,
                Side(
                    server.url,
                    submitter("/api/tasks/diagnostics", ids[backend]),
                    202,
                    settle[backend],
                ),
                Side(bare.url, submitter("/bare/submit", bare_ids), 202),
            )
            lines[backend].append(throughput_line(backend, "submit POST", pair, SUBMIT_TARGET))

        # The bare status route should read results that exist, as ours reads rows that exist.
        raw_app = raw_celery_app.make_raw_app(stack.redis_url)
        cleanup.callback(raw_app.close)
        for task_id in bare_ids:
            raw_app.backend.store_result(task_id, None, "SUCCESS")

        for backend, server in servers.items():
            log(f"status throughput, {backend}: {plan.requests} requests per side")
            pair = compare_load(
                plan,
                Side(server.url, status_reader("/api/task-status/", ids[backend]), 200),
                Side(bare.url, status_reader("/bare/status/", bare_ids), 200),
            )
            lines[backend].append(throughput_line(backend, "status GET", pair, STATUS_TARGET))

        log("stopping servers; emptying the queues")
        for server in [*servers.values(), bare]:
            scratch.children.stop(server.child)
        flush_redis(stack.redis_url)

        log("starting workers: ours (bookagent worker) and raw Celery")
        tag = f"{os.getpid()}-{uuid.uuid4().hex[:6]}"
        ours_worker = scratch.start(
            "ours-worker",
            [str(BIN / "bookagent"), "worker", f"--hostname=bench-ours-{tag}@%h"],
            stack.ours_env("celery"),
        )
        raw_worker = scratch.start(
            "raw-worker",
            [
                str(BIN / "celery"),
                "-A",
                "benchmarks.raw_celery_app:app",
                "worker",
                "--pool=prefork",
                f"--concurrency={WORKER_CONCURRENCY}",
                f"--queues={raw_celery_app.RAW_QUEUE}",
                "--loglevel=WARNING",
                f"--hostname=bench-raw-{tag}@%h",
            ],
            raw_env,
        )
        wait_worker(raw_app, ours_worker, f"bench-ours-{tag}@")
        wait_worker(raw_app, raw_worker, f"bench-raw-{tag}@")

        celery_services = build_services(stack.settings("celery"))
        cleanup.callback(celery_services.close, 1.0)
        thread_services = build_services(stack.settings("thread"))
        cleanup.callback(thread_services.close, 1.0)
        log(f"latency: {plan.latency_tasks} no-op tasks per side")
        samples = measure_latency(
            plan,
            {
                "celery": ours_probe(celery_services),
                "raw": raw_probe(raw_app),
                "thread": ours_probe(thread_services),
            },
        )
        lines["celery"] += latency_lines("celery", samples["celery"], samples["raw"], RAW_LABEL)
        lines["thread"] += latency_lines(
            "thread", samples["thread"], samples["raw"], f"{RAW_LABEL} (same samples)"
        )
        latency_ms = {name: latency_summary(v) for name, v in samples.items()}
        log("done; cleaning up")
    ordered = [*lines["celery"], *lines["thread"]]  # per backend: submit, status, latency
    return ordered, footnotes(plan, ordered, latency_ms), {"latency_ms": latency_ms}


def footnotes(plan: Plan, lines: list[Line], latency_ms: dict[str, dict[str, float]]) -> list[str]:
    """How the figures were taken, and anything that went wrong while taking them."""
    notes = [
        f"HTTP: each side is one gunicorn gthread worker × {plan.server_threads} threads on "
        f"127.0.0.1; client httpx, {plan.concurrency} keep-alive threads, {plan.requests} "
        f"requests per side in {plan.rounds} interleaved rounds. Ratio = ours / baseline.",
        "ours: local mode (no API tokens); celery = PostgreSQL + Redis, thread = SQLite; submit "
        "body {steps: 1, step_seconds: 0}. No worker runs during the celery HTTP runs; the thread "
        "backend runs each submitted task inside its server during the run, and what is left at "
        "the end of a round is drained off the clock.",
        f"Latency: {plan.latency_tasks} sequential no-op tasks per side, polled every "
        f"{POLL_S * 1000:g} ms (ours: the task row; raw: AsyncResult.state); both workers "
        f"prefork -c {WORKER_CONCURRENCY}. The thread backend's baseline is the same raw Celery "
        "samples as celery's.",
    ]
    for line in lines:
        if line.unit != "req/s":
            continue
        sides = []
        for side in ("ours", "baseline"):
            note = line.notes[side]
            text = (
                f"{side} {note['requests']} req in {note['seconds']} s, client CPU "
                f"{note['client_cpu_cores']} cores, {note['errors']} errors"
            )
            if note["first_error"]:
                text += f" (first: {note['first_error'][:160]})"
            sides.append(text)
        notes.append(f"{line.name}: " + "; ".join(sides))
    notes.append(
        "no-op latency ms (p50/p90/p99): "
        + "; ".join(
            f"{name} {v['p50']}/{v['p90']}/{v['p99']}" for name, v in sorted(latency_ms.items())
        )
    )
    return notes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.queue", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (300 requests, 50 tasks)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument("--requests", type=int, help="requests per side (default 2000)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--latency-tasks", type=int, help="no-op tasks per side (default 200)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 4, quick 2)")
    parser.add_argument(
        "--server-threads", type=int, default=8, help="gunicorn threads per server (default 8)"
    )
    parser.add_argument(
        "--redis-url",
        default=raw_celery_app.DEFAULT_REDIS_URL,
        help="a Redis database index the run may FLUSHDB (default %(default)s)",
    )
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help="a PostgreSQL database to connect to while creating and dropping the benchmark one",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; 130 if interrupted."""
    args = parse_args(argv)
    return bench_main("bookagent queue benchmark", args, Plan.from_args(args), run)


if __name__ == "__main__":
    sys.exit(main())
