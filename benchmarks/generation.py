"""Generation benchmark: how fast drafts are written and gated, alone and in a batch.

Run `python -m benchmarks.generation` (about half a minute), `--quick` (a shorter throughput
run) or `--full` (also measures the sequential batch instead of estimating it, +40 s); `--json
PATH` also writes the figures. It measures:

1. the template writer's validated posts per second on one core: `TemplateWriter.write` then
   `check_draft`, as `bookagent.domain.generation.write_one` does (constraints from
   `get_rules(platform)`, `avoid` and `recent` = the platform's last 20 accepted texts), over the
   8 platforms and the 10 post types, with the process pinned to CPU 0;
2. the wall time of a 20-post `write_batch` whose writer takes 2 s per draft, at several
   concurrencies, against the sequential time (20 × 2 s, or measured with `--full`); and the
   same batch through the real `OpenAIWriter` and SDK against a loopback fake server.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import sys
import threading
import time
from collections import Counter
from collections import defaultdict
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.results import Line
from benchmarks.stack import bench_main
from benchmarks.stack import log
from bookagent.domain.generation import Accepted
from bookagent.domain.generation import Outcome
from bookagent.domain.generation import plan_slots
from bookagent.domain.generation import write_batch
from bookagent.domain.ports import ContentWriter
from bookagent.domain.ports import Draft
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Review
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import check_draft
from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.platforms import PlatformRules
from bookagent.platforms import get_rules
from bookagent.settings import Settings
from bookagent.writers.openai import OpenAIWriter
from bookagent.writers.template import POST_TYPES
from bookagent.writers.template import TemplateWriter

SECTION = "generation"
THROUGHPUT_TARGET = 2000.0
SPEEDUP_TARGET = 8.0
WRITER_LATENCY_S = 2.0
BATCH_SIZE = 20
RECENT_KEPT = 20
PINNED_CPU = 0
# The canonical platforms (`x` is an alias of `twitter`, not a platform of its own).
PLATFORMS: tuple[str, ...] = tuple(p for p in SUPPORTED_PLATFORMS if p != "x")

# A complete profile, like the one the tests use (tests/conftest.py `BOOK`).
BOOK = BookProfile(
    id="bench-book",
    user_id="alice",
    title="The Lighthouse Keeper",
    author="A. Writer",
    genre="literary fiction",
    blurb="A keeper of a remote lighthouse finds a message in a bottle from her late husband.",
    target_audience="readers of quiet, character-driven fiction",
    key_themes=("grief", "the sea"),
    tone="warm, wry",
    links={
        "amazon": "https://www.amazon.com/dp/B000000000",
        "audible": None,
        "landing_page": "https://example.com/lighthouse",
    },
    launch_date=date(2027, 3, 1),
    price="4.99 USD",
    quotes=("The sea keeps what it is given, and returns what it must.",),
    reviews=(Review("A luminous, aching novel.", "Book Review Weekly"),),
    hashtags=("#BookTok", "LiteraryFiction"),
    timezone="Europe/Berlin",
)

# -- figure 1: template writer throughput ------------------------------------------------------


def constraints_for(
    rules: PlatformRules, post_type: str, seed: int, avoid: Sequence[str], attempt: int = 0
) -> WriteConstraints:
    """The constraints `write_one` builds for one slot."""
    return WriteConstraints.for_platform(
        rules,
        post_type,
        seed=seed,
        attempt=attempt,
        avoid=tuple(avoid),
    )


@dataclass
class Throughput:
    """Posts written and accepted, and the seconds spent, in total and per platform."""

    written: int = 0
    accepted: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    per_platform_s: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    per_platform_n: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        """Validated (accepted) posts per second."""
        return self.accepted / self.seconds if self.seconds else 0.0

    @property
    def cpu_rate(self) -> float:
        """Validated posts per CPU-second of this process: what the core could do unshared."""
        return self.accepted / self.cpu_seconds if self.cpu_seconds else 0.0

    def platform_rates(self) -> dict[str, float]:
        """Posts per second on each platform."""
        return {
            name: round(self.per_platform_n[name] / seconds, 1)
            for name, seconds in self.per_platform_s.items()
            if seconds
        }


async def write_and_check(
    writer: ContentWriter, duration_s: float, first_seed: int, into: Throughput
) -> int:
    """Write post after post for `duration_s`, cycling platforms and post types; the next seed.

    Each post is written then gated with `check_draft` against the platform's last 20 accepted
    texts, exactly as the pipeline does; accepted texts join that list.
    """
    rules = {name: get_rules(name) for name in PLATFORMS}
    grounding = Grounding.from_book(BOOK)
    recent: dict[str, list[str]] = {name: [] for name in PLATFORMS}
    seed = first_seed
    clock = time.perf_counter
    started, cpu_started = clock(), time.process_time()
    while clock() - started < duration_s:
        for platform in PLATFORMS:
            platform_rules, kept = rules[platform], recent[platform]
            t0 = clock()
            for post_type in POST_TYPES:
                seed += 1
                draft = await writer.write(
                    BOOK, constraints_for(platform_rules, post_type, seed, kept)
                )
                report = check_draft(
                    BOOK, platform_rules, draft.content, recent=kept, grounding=grounding
                )
                into.written += 1
                if report.ok:
                    into.accepted += 1
                    kept.append(draft.content)
                    del kept[:-RECENT_KEPT]
            into.per_platform_s[platform] += clock() - t0
            into.per_platform_n[platform] += len(POST_TYPES)
    into.seconds += clock() - started
    into.cpu_seconds += time.process_time() - cpu_started
    return seed


@contextmanager
def pinned_to_one_core(cpu: int) -> Iterator[bool]:
    """Run the block on CPU `cpu` only (yields False where affinity is not supported)."""
    if not hasattr(os, "sched_setaffinity"):
        yield False
        return
    previous = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield True
    finally:
        os.sched_setaffinity(0, previous)


def measure_throughput(duration_s: float, warmup_s: float) -> list[Line]:
    """Figure 1: the template writer's validated posts per second on one core.

    Two lines: per wall-clock second (the figure) and per CPU-second of this process, which
    is what the core does when nothing else runs on it (the machine may be shared).
    """
    writer = TemplateWriter()  # one long-lived instance, as the writer registry keeps
    with pinned_to_one_core(PINNED_CPU) as pinned:
        seed = asyncio.run(write_and_check(writer, warmup_s, 0, Throughput()))
        result = Throughput()
        asyncio.run(write_and_check(writer, duration_s, seed, result))
    per_platform = result.platform_rates()
    notes = {
        "written": result.written,
        "accepted": result.accepted,
        "seconds": round(result.seconds, 3),
        "cpu_seconds": round(result.cpu_seconds, 3),
        "pinned_cpu": PINNED_CPU if pinned else None,
        "posts_per_s_by_platform": per_platform,
        "slowest_platform": min(per_platform, key=per_platform.__getitem__),
    }
    # Information of the run goes with the first line only.
    rates = {"s": (result.rate, notes), "CPU-s": (result.cpu_rate, {})}
    return [
        Line(
            SECTION,
            f"template writer: validated posts/{per}, one core",
            "posts/s",
            rate,
            None,
            "",
            None,
            THROUGHPUT_TARGET,
            "min",
            line_notes,
        )
        for per, (rate, line_notes) in rates.items()
    ]


# -- figure 2: a batch against a slow writer ----------------------------------------------------


class SlowTemplateWriter:
    """The template writer behind a fixed delay: an LLM's latency without its network."""

    name = "slow-template"
    model = "template-v1"

    def __init__(self, latency_s: float) -> None:
        self.latency_s = latency_s
        self._inner = TemplateWriter()

    async def write(self, book: BookProfile, constraints: WriteConstraints) -> Draft:
        """Wait `latency_s`, then write a (valid) template draft."""
        await asyncio.sleep(self.latency_s)
        return await self._inner.write(book, constraints)


def batch_slots() -> tuple[list[Any], dict[str, PlatformRules]]:
    """20 slots over every platform, and the rules for them, as `generate_posts` plans them."""
    per_platform = math.ceil(BATCH_SIZE / len(PLATFORMS))
    slots = plan_slots(PLATFORMS, per_platform, None, seed=7)[:BATCH_SIZE]
    return slots, {name: get_rules(name) for name in PLATFORMS}


async def run_batch(writer: ContentWriter, concurrency: int) -> tuple[float, list[Outcome]]:
    """Seconds of wall time for one 20-post `write_batch`, and its outcomes."""
    slots, rules = batch_slots()
    started = time.perf_counter()
    outcomes = await write_batch(
        writer, BOOK, slots, rules, {}, concurrency=concurrency, on_outcome=lambda _o, _d: None
    )
    return time.perf_counter() - started, outcomes


def batch_line(
    label: str,
    seconds: float,
    outcomes: Sequence[Outcome],
    sequential_s: float,
    measured: bool,
    **notes: Any,
) -> Line:
    """A batch figure: its wall time beside the sequential time (a speed-up, a minimum)."""
    accepted = sum(isinstance(o, Accepted) for o in outcomes)
    calls = sum(o.attempts for o in outcomes if isinstance(o, Accepted))
    return Line(
        SECTION,
        f"{BATCH_SIZE}-post batch, {label}",
        "s",
        seconds,
        sequential_s,
        "sequential" + ("" if measured else " (est.)"),
        "baseline/ours",
        SPEEDUP_TARGET,
        "min",
        {"accepted": accepted, "writer_calls_of_accepted": calls, "slots": len(outcomes), **notes},
    )


def measure_batches(concurrencies: Sequence[int], measure_sequential: bool) -> list[Line]:
    """Figure 2 with the slow template writer, at each concurrency (and optionally at 1)."""
    writer = SlowTemplateWriter(WRITER_LATENCY_S)
    sequential_s = BATCH_SIZE * WRITER_LATENCY_S
    if measure_sequential:
        log(f"sequential batch (concurrency 1, about {sequential_s:.0f} s)")
        sequential_s, _ = asyncio.run(run_batch(writer, 1))
    lines = []
    for concurrency in concurrencies:
        log(f"batch at concurrency {concurrency}")
        seconds, outcomes = asyncio.run(run_batch(writer, concurrency))
        label = f"{WRITER_LATENCY_S:g} s sleep writer, c={concurrency}"
        lines.append(batch_line(label, seconds, outcomes, sequential_s, measure_sequential))
    return lines


def grounded_replies(count: int) -> list[str]:
    """`count` distinct texts that pass `check_draft` on every platform and differ enough from
    each other that the batch's dedupe keeps them all: the fake model's replies."""
    writer = TemplateWriter()
    all_rules = [get_rules(name) for name in PLATFORMS]
    strict = get_rules("twitter")
    replies: list[str] = []
    for seed in itertools.count():
        if len(replies) >= count:
            break
        c = constraints_for(strict, POST_TYPES[seed % len(POST_TYPES)], seed, replies)
        c = replace(c, hashtags_min=1, hashtags_max=1)
        text = asyncio.run(writer.write(BOOK, c)).content
        if all(check_draft(BOOK, r, text, recent=replies).ok for r in all_rules):
            replies.append(text)
    return replies


def measure_openai_batch(concurrency: int) -> Line:
    """Figure 2 through the real OpenAI writer and SDK, against the loopback fake server."""
    # The fake server lives with the tests; the benchmark runs from the repository root.
    from tests.fakes.llm_server import FakeLLMServer
    from tests.fakes.llm_server import RecordedRequest

    pool = grounded_replies(3 * BATCH_SIZE)
    numbers = itertools.count()
    lock = threading.Lock()

    def reply(_request: RecordedRequest) -> str:
        with lock:  # the server answers on one thread per request
            return pool[next(numbers) % len(pool)]

    async def batch(base_url: str) -> tuple[float, list[Outcome]]:
        async with OpenAIWriter(api_key=None, base_url=base_url, model="bench") as writer:
            return await run_batch(writer, concurrency)

    log(f"batch through OpenAIWriter and the fake server at concurrency {concurrency}")
    with FakeLLMServer(latency_s=WRITER_LATENCY_S, reply=reply) as server:
        seconds, outcomes = asyncio.run(batch(server.openai_base_url))
        requests = len(server.requests)
    label = f"OpenAIWriter + fake LLM ({WRITER_LATENCY_S:g} s), c={concurrency}"
    sequential_s = BATCH_SIZE * WRITER_LATENCY_S
    return batch_line(label, seconds, outcomes, sequential_s, False, requests=requests)


# -- the command line --------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How much work each measurement does."""

    throughput_s: float
    warmup_s: float
    default_concurrency: int
    concurrencies: tuple[int, ...]
    measure_sequential: bool
    openai: bool

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        """The default, `--quick` or `--full` plan."""
        default = Settings().writers.concurrency
        concurrencies = tuple(dict.fromkeys((default, _least_concurrency(), BATCH_SIZE)))
        return cls(
            throughput_s=args.seconds or (2.0 if args.quick else 10.0),
            warmup_s=0.5 if args.quick else 1.0,
            default_concurrency=default,
            concurrencies=concurrencies,
            measure_sequential=bool(args.full),
            openai=not args.no_openai,
        )


def _speedup(concurrency: int) -> float:
    """The ideal speed-up of a batch over the sequential time: whole waves of one latency."""
    return BATCH_SIZE / math.ceil(BATCH_SIZE / concurrency)


def _least_concurrency() -> int:
    """The least concurrency whose ideal speed-up reaches the target (10 for 20 posts, 8×)."""
    return next(c for c in range(1, BATCH_SIZE + 1) if _speedup(c) >= SPEEDUP_TARGET)


def footnotes(plan: Plan, throughput: Line) -> list[str]:
    """What the reader needs to read the table right."""
    notes = throughput.notes
    by_platform = notes["posts_per_s_by_platform"]
    default = plan.default_concurrency
    sequential = (
        "measured at concurrency 1"
        if plan.measure_sequential
        else f"{BATCH_SIZE} × {WRITER_LATENCY_S:g} s (estimate; --full measures it)"
    )
    return [
        f"Throughput: {notes['accepted']:,} posts accepted of {notes['written']:,} written in "
        f"{notes['seconds']:.1f} s ({notes['cpu_seconds']:.1f} s CPU), pinned to CPU "
        f"{notes['pinned_cpu']}, one TemplateWriter instance; posts/s by platform: "
        + ", ".join(f"{k} {v:,.0f}" for k, v in by_platform.items()),
        f"Batch: {BATCH_SIZE} slots over {len(PLATFORMS)} platforms; a {WRITER_LATENCY_S:g} s "
        f"writer runs in waves of `concurrency` (c), so the speed-up is at most "
        f"{BATCH_SIZE}/ceil({BATCH_SIZE}/c): {_speedup(default):.2f}× at the default "
        f"c={default}; c ≥ {_least_concurrency()} reaches {SPEEDUP_TARGET:.0f}×. Sequential = "
        f"{sequential}; ratio = sequential / ours.",
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generation", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (2 s of throughput)")
    parser.add_argument("--full", action="store_true", help="also measure the sequential batch")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument("--seconds", type=float, help="seconds of throughput measurement")
    parser.add_argument(
        "--no-openai", action="store_true", help="skip the OpenAIWriter + fake server batch"
    )
    return parser.parse_args(argv)


def run(plan: Plan, _args: argparse.Namespace) -> tuple[list[Line], list[str], dict[str, Any]]:
    """Measure the throughput, then the batches."""
    log(f"template writer throughput on one core ({plan.throughput_s:g} s)")
    throughput = measure_throughput(plan.throughput_s, plan.warmup_s)
    lines = [*throughput, *measure_batches(plan.concurrencies, plan.measure_sequential)]
    if plan.openai:
        lines.append(measure_openai_batch(plan.default_concurrency))
    return lines, footnotes(plan, throughput[0]), {}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; 130 if interrupted."""
    args = parse_args(argv)
    title = "bookagent generation benchmark" + (" (--full)" if args.full else "")
    return bench_main(title, args, Plan.from_args(args), run)


if __name__ == "__main__":
    sys.exit(main())
