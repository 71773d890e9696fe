"""Footprint benchmark: idle memory and cold start of the API server and the Celery worker.

Run `python -m benchmarks.footprint` (about a minute) or `--quick` (one start of each); `--json
PATH` also writes the figures. Each start is measured from `Popen` to the first answer:

- API: `bookagent serve` (Celery backend on PostgreSQL and Redis, the schema already up to date,
  gunicorn gthread 2 workers × 8 threads, its defaults) until `GET /api/health` answers 200;
  baseline: a bare Flask app (one health route, `benchmarks.before_app:create_bare_app()`) under
  plain gunicorn with the same settings;
- the dependency floor (information): the bare Flask app again, but each worker first imports
  every third-party module that our API server holds once it has answered a health check (found
  by doing what `bookagent serve` and one of its workers do, in a child process): the cold start
  our dependencies alone set, with no code of ours;
- worker: `bookagent worker` (prefork, concurrency 4, its default) until it answers a ping;
  baseline: a bare Celery worker with one trivial task (`benchmarks.raw_celery_app`), same pool
  and concurrency, on the same Redis.

Then, once every worker process is up, after 20 health requests (API) and a settling pause, the
resident set (VmRSS) of the master and of each child is read from /proc: the figures are the sum
(master + workers) and the mean per worker (or pool child); the proportional set size (Pss, which
splits pages shared after fork) is in the notes. The sides alternate; each figure is the median
of the starts.

The targets are this benchmark's own (nothing documents one): the API may weigh and start up to
4× a bare Flask app (it carries an ORM, validation, the queue client and the LLM SDKs); the
worker, whose baseline already holds Celery, up to 2× a bare Celery worker.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import httpx

from benchmarks import raw_celery_app
from benchmarks.harness import BIN
from benchmarks.harness import Child
from benchmarks.harness import child_env
from benchmarks.harness import free_port
from benchmarks.results import Line
from benchmarks.stack import DEFAULT_POSTGRES_URL
from benchmarks.stack import DEFAULT_REDIS_URL
from benchmarks.stack import SERVE_THREADS
from benchmarks.stack import SERVE_WORKERS
from benchmarks.stack import Scratch
from benchmarks.stack import bare_gunicorn_args
from benchmarks.stack import bench_main
from benchmarks.stack import log
from benchmarks.stack import ours_env
from benchmarks.stack import serve_args
from benchmarks.stack import wait_http_ok
from bookagent.db import migrate

SECTION = "footprint"
API_TARGET = 4.0
WORKER_TARGET = 2.0
WORKER_CONCURRENCY = 4  # `bookagent worker`'s default (Settings.queue.concurrency)
HEALTH_REQUESTS = 20
PING_TIMEOUT_S = 0.2


@dataclass(frozen=True)
class Plan:
    """How many starts of each side, and how long to let a started process settle."""

    starts: int
    settle_s: float

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        """The default or `--quick` plan."""
        return cls(
            starts=args.starts or (1 if args.quick else 3),
            settle_s=1.0 if args.quick else 2.0,
        )


# -- /proc -------------------------------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    """The direct children of `pid` (from /proc/*/stat)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) is in parentheses and may hold spaces: split after it.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def memory_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, Pss) of a process in KiB (Pss 0 where smaps_rollup is not readable)."""
    rss = pss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


@dataclass
class Footprint:
    """One start of one side: its cold start and its processes' memory once settled."""

    start_s: float
    master_rss_kib: int
    children_rss_kib: list[int]
    total_pss_kib: int

    @property
    def total_rss_mib(self) -> float:
        """Master plus children, MiB."""
        return (self.master_rss_kib + sum(self.children_rss_kib)) / 1024

    @property
    def per_child_rss_mib(self) -> float:
        """The mean child, MiB."""
        if not self.children_rss_kib:
            return 0.0
        return sum(self.children_rss_kib) / len(self.children_rss_kib) / 1024


def read_footprint(pid: int, start_s: float) -> Footprint:
    """The memory of `pid` and its children now."""
    master_rss, master_pss = memory_kib(pid)
    children = [memory_kib(child) for child in children_of(pid)]
    return Footprint(
        start_s=start_s,
        master_rss_kib=master_rss,
        children_rss_kib=[rss for rss, _ in children],
        total_pss_kib=master_pss + sum(pss for _, pss in children),
    )


def wait_children(pid: int, count: int, child: Child, timeout_s: float = 60.0) -> None:
    """Wait until `pid` has `count` children (every gunicorn worker or pool process is up)."""
    deadline = time.monotonic() + timeout_s
    while len(children_of(pid)) < count:
        child.check_alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{child.name}: fewer than {count} child processes")
        time.sleep(0.05)


# -- one start of each side --------------------------------------------------------------------


@dataclass
class Side:
    """One side's starts."""

    label: str
    starts: list[Footprint] = field(default_factory=list)

    def median(self, value: Callable[[Footprint], float]) -> float:
        """The median over the starts."""
        return float(statistics.median(value(f) for f in self.starts))


def start_api(
    scratch: Scratch, name: str, args: list[str], env: dict[str, str], port: int, plan: Plan
) -> Footprint:
    """Start an API server on `port`, time its first 200 from /api/health, settle, read its
    memory."""
    started = time.monotonic()
    child = scratch.start(name, args, env)
    try:
        answered = wait_http_ok(
            f"http://127.0.0.1:{port}/api/health", child, timeout_s=120.0, poll_s=0.02
        )
        wait_children(child.proc.pid, SERVE_WORKERS, child)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10.0) as client:
            for _ in range(HEALTH_REQUESTS):
                client.get("/api/health")
        time.sleep(plan.settle_s)
        return read_footprint(child.proc.pid, answered - started)
    finally:
        scratch.children.stop(child)


def start_worker(
    scratch: Scratch, name: str, args: list[str], env: dict[str, str], node: str, plan: Plan
) -> Footprint:
    """Start a Celery worker, time its first answer to a ping, settle, read its memory."""
    app = raw_celery_app.make_raw_app(scratch.redis_url)
    started = time.monotonic()
    child = scratch.start(name, args, env)
    try:
        deadline = started + 120.0
        while True:
            child.check_alive()
            if app.control.ping(destination=[node], timeout=PING_TIMEOUT_S):
                answered = time.monotonic()
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not answer a ping:\n{child.log_tail()}")
        wait_children(child.proc.pid, WORKER_CONCURRENCY, child)
        time.sleep(plan.settle_s)
        return read_footprint(child.proc.pid, answered - started)
    finally:
        scratch.children.stop(child)
        app.close()


# -- the dependency floor -----------------------------------------------------------------------

#: What `bookagent serve` does before its first answer: the master imports the CLI and the server
#: and brings the schema up to date; a worker builds the app and its services; one health check.
_SERVE_STEPS = """
import json, sys
import bookagent.cli
from bookagent.bootstrap import build_services
from bookagent.db import migrate
from bookagent.settings import load_settings
from bookagent.web.app import create_app
from bookagent.web.server import run_server
settings = load_settings()
migrate.upgrade(settings.database_url)
services = build_services(settings)
assert create_app(services=services).test_client().get("/api/health").status_code == 200
services.close()
ours = set(sys.stdlib_module_names)
print(json.dumps([
    name for name in sys.modules
    if name.partition(".")[0] not in ours and not name.startswith(("bookagent", "_"))
    and "._" not in name
]))
"""


def dependency_modules(env: dict[str, str]) -> list[str]:
    """The third-party modules (public ones, in import order) our API server holds once it has
    answered a health check."""
    done = subprocess.run(
        [str(BIN / "python"), "-c", _SERVE_STEPS],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"listing the server's modules failed:\n{done.stderr[-2000:]}")
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return modules


# -- figures -----------------------------------------------------------------------------------


def figures(sides: dict[str, Side]) -> list[Line]:
    """RSS total and per child, and cold start, of each pair."""
    lines = []
    pairs = (
        ("api", "bare_api", "API server", API_TARGET, "worker"),
        ("worker", "bare_worker", "Celery worker", WORKER_TARGET, "pool child"),
    )
    for ours_key, bare_key, what, target, child_word in pairs:
        ours, bare = sides[ours_key], sides[bare_key]
        measures: list[tuple[str, str, Callable[[Footprint], float]]] = [
            (f"{what}: idle RSS, master + children", "MiB", lambda f: f.total_rss_mib),
            (f"{what}: idle RSS per {child_word}", "MiB", lambda f: f.per_child_rss_mib),
            (
                f"{what}: cold start (to first "
                + ("200 from /api/health" if ours_key == "api" else "ping answer")
                + ")",
                "s",
                lambda f: f.start_s,
            ),
        ]
        for name, unit, value in measures:
            lines.append(
                Line(
                    SECTION,
                    name,
                    unit,
                    ours.median(value),
                    bare.median(value),
                    bare.label,
                    "ours/baseline",
                    target,
                    "max",
                    {
                        "ours": [round(value(f), 3) for f in ours.starts],
                        "baseline": [round(value(f), 3) for f in bare.starts],
                    },
                )
            )
    floor, bare = sides["imports_api"], sides["bare_api"]
    lines.append(
        Line(
            SECTION,
            "API server: cold start of the dependency floor (a bare Flask app that first imports "
            "the third-party modules our server holds, no code of ours)",
            "s",
            floor.median(lambda f: f.start_s),
            bare.median(lambda f: f.start_s),
            bare.label,
            "ours/baseline",
            None,
            notes={
                "floor": [round(f.start_s, 3) for f in floor.starts],
                "baseline": [round(f.start_s, 3) for f in bare.starts],
            },
        )
    )
    return lines


def footnotes(plan: Plan, sides: dict[str, Side]) -> list[str]:
    """How the figures were taken, and the PSS of each side."""
    notes = [
        f"{plan.starts} start(s) per side, alternating; medians. API: gunicorn gthread "
        f"{SERVE_WORKERS} × {SERVE_THREADS} on both sides (`bookagent serve` on the Celery "
        "backend with PostgreSQL and Redis, schema up to date; baseline plain gunicorn, one "
        f"health route). Worker: prefork -c {WORKER_CONCURRENCY} on both sides, same Redis. "
        f"Memory read from /proc after every child was up, {HEALTH_REQUESTS} health requests "
        f"(API) and {plan.settle_s:g} s; ratio = ours / baseline.",
        "Dependency floor: the bare app under the same gunicorn settings, each worker importing "
        "first every public third-party module a `bookagent serve` process holds after its "
        "first health check; its ratio is the least any server of ours built on these libraries "
        "can show against the bare app.",
    ]
    for side in sides.values():
        pss = side.median(lambda f: f.total_pss_kib / 1024)
        master = side.median(lambda f: f.master_rss_kib / 1024)
        notes.append(
            f"{side.label}: master RSS {master:.1f} MiB, total PSS {pss:.1f} MiB (shared pages "
            "counted once)"
        )
    return notes


# -- the run -----------------------------------------------------------------------------------


def run(plan: Plan, args: argparse.Namespace) -> tuple[list[Line], list[str], dict[str, Any]]:
    """Start each side `plan.starts` times, alternating; tear everything down whatever happens."""
    with Scratch(
        "bookagent-bench-footprint-",
        postgres_url=args.postgres_url,
        redis_url=args.redis_url,
        keep_logs=args.keep_logs,
    ) as scratch:
        database_url = scratch.postgres()
        migrate.upgrade(database_url)
        redis_url = scratch.redis()
        env = ours_env(
            scratch.path("ours"), backend="celery", redis_url=redis_url, database_url=database_url
        )
        bare_env = child_env(BENCH_REDIS_URL=redis_url)
        modules = dependency_modules(env)
        imports_env = {**bare_env, "BENCH_IMPORT_MODULES": ",".join(modules)}
        host = socket.gethostname()
        sides = {
            "api": Side("bookagent serve"),
            "bare_api": Side("bare Flask app"),
            "imports_api": Side(f"bare Flask app importing our {len(modules)} dependency modules"),
            "worker": Side("bookagent worker"),
            "bare_worker": Side("bare Celery worker"),
        }

        def ours_api() -> Footprint:
            port = free_port()
            args = serve_args(port, workers=SERVE_WORKERS, threads=SERVE_THREADS)
            return start_api(scratch, "ours-api", args, env, port, plan)

        def bare_app(name: str, factory: str, app_env: dict[str, str]) -> Callable[[], Footprint]:
            def start() -> Footprint:
                port = free_port()
                args = bare_gunicorn_args(
                    f"benchmarks.before_app:{factory}()",
                    port,
                    workers=SERVE_WORKERS,
                    threads=SERVE_THREADS,
                )
                return start_api(scratch, name, args, app_env, port, plan)

            return start

        def ours_worker() -> Footprint:
            node = f"bench-fp-ours-{uuid.uuid4().hex[:8]}@{host}"
            args = [
                str(BIN / "bookagent"),
                "worker",
                f"--concurrency={WORKER_CONCURRENCY}",
                f"--hostname={node}",
            ]
            return start_worker(scratch, "ours-worker", args, env, node, plan)

        def bare_worker() -> Footprint:
            node = f"bench-fp-raw-{uuid.uuid4().hex[:8]}@{host}"
            args = [
                str(BIN / "celery"),
                "-A",
                "benchmarks.raw_celery_app:app",
                "worker",
                "--pool=prefork",
                f"--concurrency={WORKER_CONCURRENCY}",
                f"--queues={raw_celery_app.RAW_QUEUE}",
                "--loglevel=WARNING",
                f"--hostname={node}",
            ]
            return start_worker(scratch, "bare-worker", args, bare_env, node, plan)

        starters: dict[str, Callable[[], Footprint]] = {
            "api": ours_api,
            "bare_api": bare_app("bare-api", "create_bare_app", bare_env),
            "imports_api": bare_app("imports-api", "create_imports_app", imports_env),
            "worker": ours_worker,
            "bare_worker": bare_worker,
        }
        order = list(starters)
        for round_index in range(plan.starts):
            shift = round_index % len(order)
            for key in [*order[shift:], *order[:shift]]:
                log(f"start {round_index + 1}/{plan.starts}: {sides[key].label}")
                sides[key].starts.append(starters[key]())
        lines = figures(sides)
        details = {key: [asdict(f) for f in side.starts] for key, side in sides.items()}
        return lines, footnotes(plan, sides), details


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.footprint", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one start of each side")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument("--starts", type=int, help="starts per side (default 3, quick 1)")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="a Redis index to FLUSHDB")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="admin connection")
    parser.add_argument("--keep-logs", action="store_true", help="keep the processes' logs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; 130 if interrupted."""
    args = parse_args(argv)
    return bench_main("bookagent footprint benchmark", args, Plan.from_args(args), run)


if __name__ == "__main__":
    sys.exit(main())
