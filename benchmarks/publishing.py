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
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from tests.fakes.social_server import WEBHOOK_PATH
from tests.fakes.social_server import WEBHOOK_SECRET
from tests.fakes.social_server import FakeSocialServer
from tests.support.factories import seed_due_posts

from benchmarks.harness import Figure
from benchmarks.harness import machine_info
from benchmarks.harness import machine_line
from benchmarks.harness import print_table
from benchmarks.harness import write_json
from benchmarks.queue import create_postgres_database
from benchmarks.queue import drop_postgres_database
from bookagent.bootstrap import build_services
from bookagent.db import migrate
from bookagent.db.models import Post
from bookagent.domain.publishing import idempotency_key
from bookagent.domain.publishing import publish_request
from bookagent.publishers.webhook import WebhookPublisher
from bookagent.settings import Settings
from bookagent.tasks.publishing import publish_one

CONCURRENCY = (1, 4, 16)
TARGET_RATIO = 0.5  # the ledger's bookkeeping may cost at most half the raw throughput
PLATFORM = "facebook"  # a webhook platform by default


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer posts per run")
    parser.add_argument("--posts", type=int, default=None, help="posts per run")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    posts = args.posts or (120 if args.quick else 600)
    info = machine_info()
    figures: list[Figure] = []
    with ExitStack() as cleanup:
        name, url = create_postgres_database(args.postgres_url)
        cleanup.callback(drop_postgres_database, args.postgres_url, name)
        migrate.upgrade(url)
        server = cleanup.enter_context(FakeSocialServer())
        data_dir = Path(cleanup.enter_context(tempfile.TemporaryDirectory()))
        settings = Settings(
            data_dir=data_dir,
            log_level="WARNING",
            db={"url": url},
            queue={"backend": "thread"},
            publishers={
                "webhook_url": server.url + WEBHOOK_PATH,
                "webhook_secret": WEBHOOK_SECRET,
                "timeout_s": 10,
            },
        )
        for workers in CONCURRENCY:
            ours, baseline = measure(settings, server, workers, posts)
            figures.append(
                Figure(
                    backend="ledger",
                    name=f"publish throughput, {workers} worker(s)",
                    unit="posts/s",
                    ours=ours,
                    baseline=baseline,
                    baseline_label="raw signed webhook POSTs",
                    target=TARGET_RATIO,
                    bound="min",
                    notes={"posts": posts, "workers": workers},
                )
            )
    print_table(
        "bookagent publishing benchmark",
        machine_line(info),
        figures,
        [
            f"{posts} due posts per run on PostgreSQL; each worker thread has its own Services.",
            "ours = claim + attempt row + signed POST + outcome; baseline = the signed POST only.",
            "The receiver verified every signature and held each post exactly once.",
        ],
    )
    if args.json:
        write_json(args.json, {"machine": info, "figures": [f.to_json() for f in figures]})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
