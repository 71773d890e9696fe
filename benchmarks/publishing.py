"""Publishing benchmark: the ledger's publish throughput to a loopback webhook at 1, 4, 16 workers.

Ours: `publish_one` for every due post (claim, attempt row, signed POST, outcome), with N worker
threads, each with its own Services (its own connection pool and event loop), on PostgreSQL.
Baseline, in the same run: the same N threads POSTing the same signed payloads straight through
`WebhookPublisher.publish` with no ledger. Both sides build their publishers before the clock
starts (ours through the Services' registry, which keeps them, as a running worker does). The
receiver is the test suite's fake webhook server, which checks every signature; afterwards we
check it holds each post exactly once.

Run: `.venv/bin/python -m benchmarks.publishing [--quick] [--posts N] [--json PATH]`.
"""

from __future__ import annotations

import argparse
import gc
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fakes.social_server import WEBHOOK_PATH
from tests.fakes.social_server import WEBHOOK_SECRET
from tests.fakes.social_server import FakeSocialServer
from tests.support.factories import seed_due_posts

from benchmarks.results import Line
from benchmarks.stack import DEFAULT_POSTGRES_URL
from benchmarks.stack import DEFAULT_REDIS_URL
from benchmarks.stack import Scratch
from benchmarks.stack import bench_main
from benchmarks.stack import log
from bookagent.bootstrap import build_services
from bookagent.db import migrate
from bookagent.db.models import Post
from bookagent.domain.publishing import idempotency_key
from bookagent.domain.publishing import publish_request
from bookagent.publishers.webhook import WebhookPublisher
from bookagent.settings import Settings
from bookagent.tasks.publishing import publish_one

SECTION = "publishing"
CONCURRENCY = (1, 4, 16)
TARGET_RATIO = 0.5  # the ledger's bookkeeping may cost at most half the raw throughput
PLATFORM = "facebook"  # a webhook platform by default
BASELINE_LABEL = "raw signed webhook POSTs"


@dataclass(frozen=True)
class Plan:
    """How much work each measurement does."""

    posts: int
    concurrency: tuple[int, ...] = CONCURRENCY

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        """The default or `--quick` plan, or `--posts` posts per run."""
        return cls(posts=args.posts or (120 if args.quick else 600))


def run_threads(workers: int, items: list[Any], work: Any) -> float:
    """Hand `items` to `workers` threads (each pops the next); returns elapsed seconds."""
    lock = threading.Lock()
    pending = list(items)

    def loop(index: int) -> None:
        while True:
            with lock:
                if not pending:
                    return
                item = pending.pop()
            work(index, item)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(workers)]
    # The harness's garbage (migrations, seeding, the receiver's records) is collected before
    # either side's clock starts, so neither pays a full collection for it.
    gc.collect()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def measure(
    settings: Settings, server: FakeSocialServer, workers: int, posts: int
) -> tuple[float, float]:
    """(ours, baseline) in posts per second at one concurrency."""
    pool = [build_services(settings, start_queue=False) for _ in range(workers)]
    try:
        ids = seed_due_posts(pool[0], posts, platform=PLATFORM, user_id="bench")
        for services in pool:  # built before the clock starts, as the baseline's publishers are
            services.publishers.for_platform(PLATFORM)
        before = server.created("webhook")
        elapsed = run_threads(workers, ids, lambda i, post_id: publish_one(pool[i], post_id))
        assert server.created("webhook") - before == posts, "a post was not published once"
        ours = posts / elapsed

        with pool[0].db.session() as session:
            requests = [publish_request(p) for p in session.query(Post).filter(Post.id.in_(ids))]
            keys = {p.id: idempotency_key(p) for p in session.query(Post).filter(Post.id.in_(ids))}
        publisher_settings = settings.publishers
        raw = [
            WebhookPublisher(str(publisher_settings.webhook_url), WEBHOOK_SECRET, PLATFORM, 10.0)
            for _ in range(workers)
        ]
        elapsed = run_threads(
            workers,
            requests,
            lambda i, request: pool[i].runner.run(
                raw[i].publish(request, keys[request.post_id]), 30
            ),
        )
        for index, publisher in enumerate(raw):
            pool[index].runner.run(publisher.aclose(), 10)
        baseline = posts / elapsed
        return ours, baseline
    finally:
        for services in pool:
            services.close(grace_s=0)


def run(plan: Plan, args: argparse.Namespace) -> tuple[list[Line], list[str], dict[str, Any]]:
    """Make a scratch database and the receiver, measure each concurrency, remove both."""
    lines: list[Line] = []
    with (
        Scratch(
            "bookagent-bench-publishing-",
            postgres_url=args.postgres_url,
            redis_url=DEFAULT_REDIS_URL,  # unused: the thread backend, publish_one called directly
        ) as scratch,
        FakeSocialServer() as server,
    ):
        url = scratch.postgres()
        migrate.upgrade(url)
        settings = Settings(
            data_dir=scratch.path("data"),
            log_level="WARNING",
            db={"url": url},
            queue={"backend": "thread"},
            publishers={
                "webhook_url": server.url + WEBHOOK_PATH,
                "webhook_secret": WEBHOOK_SECRET,
                "timeout_s": 10,
            },
        )
        for workers in plan.concurrency:
            log(f"{plan.posts} posts per side at {workers} worker(s)")
            ours, baseline = measure(settings, server, workers, plan.posts)
            lines.append(
                Line(
                    SECTION,
                    f"ledger: publish throughput, {workers} worker(s)",
                    "posts/s",
                    ours,
                    baseline,
                    BASELINE_LABEL,
                    "ours/baseline",
                    TARGET_RATIO,
                    "min",
                    {"posts": plan.posts, "workers": workers},
                )
            )
    notes = [
        f"{plan.posts} due posts per run on PostgreSQL, each worker thread with its own "
        "Services; ours = claim + attempt row + signed POST + outcome, baseline = the signed "
        "POST only; the receiver verified every signature and held each post exactly once. "
        "Ratio = ours / baseline.",
    ]
    return lines, notes, {}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.publishing", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer posts per run (120)")
    parser.add_argument("--posts", type=int, help="posts per run (default 600)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; 130 if interrupted."""
    args = parse_args(argv)
    return bench_main("bookagent publishing benchmark", args, Plan.from_args(args), run)


if __name__ == "__main__":
    sys.exit(main())
