"""Stalled-platform benchmark: with one network's server stalled, how late the other networks'
due posts go out.

Run `python -m benchmarks.stalled` (about a minute) or `--quick`; `--json PATH` also writes the
figures. The stack is the embedded default's queue (SQLite, the thread pool) publishing through
the real ledger to the loopback vendor server of the tests (tests/fakes/social_server.py), which
speaks Mastodon and Bluesky. Each round seeds posts due now on both networks (`POSTS` each), then
runs one scheduler tick (`run_tick`, as beat does every minute), which starts a publishing task
per platform; the figure is the time from the posts' due time until the last Mastodon post is
`published`, the worst of the rounds.

- ours: Bluesky's server stalls every create for `STALL_S` seconds (a network that answers late
  or not at all);
- baseline: the same posts with no stall.

Target: ≤ 2 s with the stall (issue 18: "the other platforms' due posts go out within 2 s of
their time"); the ratio to the baseline shows what the stall costs them (nothing, when no task
waits for another).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fakes.social_server import BLUESKY_HANDLE
from tests.fakes.social_server import BLUESKY_PASSWORD
from tests.fakes.social_server import MASTODON_TOKEN
from tests.fakes.social_server import FakeSocialServer
from tests.support.factories import seed_due_posts

from benchmarks.results import Line
from benchmarks.stack import bench_main
from benchmarks.stack import log
from bookagent.bootstrap import build_services
from bookagent.db import migrate
from bookagent.db.base import utcnow
from bookagent.db.models import Post
from bookagent.services import Services
from bookagent.settings import Settings
from bookagent.tasks.scheduling import run_tick

SECTION = "stalled"
TARGET_S = 2.0
POSTS = 5
STALL_S = 15.0
CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"


@dataclass(frozen=True)
class Plan:
    """How many rounds each row runs."""

    rounds: int

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        """The default or `--quick` plan."""
        return cls(rounds=2 if args.quick else 5)


def services_for(data_dir: Path, server: FakeSocialServer) -> Services:
    """Services on a fresh SQLite database and the thread pool, publishing to `server`."""
    migrate.upgrade(f"sqlite:///{data_dir / 'bookagent.db'}")
    settings = Settings.model_validate(
        {
            "data_dir": str(data_dir),
            "db": {"url": f"sqlite:///{data_dir / 'bookagent.db'}"},
            "queue": {"backend": "thread"},
            "publishers": {
                "mastodon_base_url": server.url,
                "mastodon_access_token": MASTODON_TOKEN,
                "bluesky_service": server.url,
                "bluesky_handle": BLUESKY_HANDLE,
                "bluesky_app_password": BLUESKY_PASSWORD,
                "timeout_s": STALL_S * 2,
            },
        }
    )
    return build_services(settings)


def last_published_after_due(services: Services, ids: list[str], due: float) -> float:
    """Seconds from `due` (monotonic) until every post of `ids` is published (60 s at most)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with services.db.session() as session:
            done = all(
                (post := session.get(Post, post_id)) is not None and post.status == "published"
                for post_id in ids
            )
        if done:
            return time.monotonic() - due
        time.sleep(0.01)
    raise TimeoutError("the Mastodon posts were not published within 60 s")


def one_round(stalled: bool) -> float:
    """Seconds from due to the last Mastodon post published, in one fresh stack."""
    with tempfile.TemporaryDirectory() as folder, FakeSocialServer(stall_s=STALL_S) as server:
        services = services_for(Path(folder), server)
        try:
            services.runner.run(_warm(services), 30)
            mastodon = seed_due_posts(services, POSTS, platform="mastodon", due=utcnow())
            seed_due_posts(services, POSTS, platform="bluesky", due=utcnow())
            if stalled:
                server.inject("stall", path=CREATE_RECORD, times=POSTS)
            due = time.monotonic()
            run_tick(services, services.require_queue(), scheduler="bench", backend="thread_pool")
            return last_published_after_due(services, mastodon, due)
        finally:
            server.stop()  # wakes the stalled handlers, so the pool can stop
            services.close(grace_s=5)


async def _warm(services: Services) -> None:
    """Sign in to both networks first, so the rows time publishing, not the first session."""
    for platform in ("mastodon", "bluesky"):
        await services.publishers.for_platform(platform).check()


def run(plan: Plan, args: argparse.Namespace) -> tuple[list[Line], list[str], dict[str, Any]]:
    """Both rows, `plan.rounds` rounds each; the worst round counts."""
    figures: dict[bool, list[float]] = {}
    for stalled in (False, True):
        log(f"{plan.rounds} rounds, Bluesky {'stalled' if stalled else 'answering'}")
        figures[stalled] = [one_round(stalled) for _ in range(plan.rounds)]
    ours, base = max(figures[True]), max(figures[False])
    line = Line(
        SECTION,
        f"Mastodon's {POSTS} due posts published, with Bluesky's server stalled "
        f"{STALL_S:g} s a create (s after due)",
        "s",
        ours,
        base,
        "no stall",
        "ours/baseline",
        TARGET_S,
        "max",
        {
            "rounds_stalled_s": [round(x, 3) for x in figures[True]],
            "rounds_baseline_s": [round(x, 3) for x in figures[False]],
        },
    )
    notes = [
        f"Thread pool and SQLite; {POSTS} Mastodon and {POSTS} Bluesky posts due at once; one "
        "tick starts a publishing task per platform; the worst of "
        f"{plan.rounds} rounds. The target holds `ours` itself (≤ {TARGET_S:g} s); the ratio "
        "shows what the stall costs the other network.",
    ]
    return [line], notes, {line.name: line.notes}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stalled", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; 130 if interrupted."""
    args = parse_args(argv)
    return bench_main("bookagent stalled-platform benchmark", args, Plan.from_args(args), run)


if __name__ == "__main__":
    sys.exit(main())
