"""Gate benchmark: drafts the full gate checks per second, and validated template posts per second.

Run `python -m benchmarks.gate` (about half a minute) or `--quick`; `--json PATH` also writes the
figures. Two profiles: a typical one (`benchmarks.generation.BOOK` filled in as authors fill a
profile, with the author's rules set: no "!", banned phrases, a banned comparison, a spoiler, a
required pre-launch word) and the largest one the API accepts (`tests/support/worst_profile.py`:
every field at its limit). Every post is written for one fixed pre-launch day, so the launch
phase is the same in every run. It measures, on one core (the process pinned to CPU 0), in CPU time:

1. `check_draft` of template drafts never checked before in this process: the drafts are written
   as `write_one` writes them (the platform's limits; to avoid, the last 20 accepted posts of the
   platform, and of each other platform as `elsewhere`) and checked against the same posts, in a
   child process, so the checks timed here start from cold caches, as the gate's first check of
   a new draft does; the profile's `Grounding` is built before the clock starts (once per
   profile version, a figure of its own in the JSON);
2. the template writer and the gate together: `TemplateWriter.write`, then `check_draft`, as
   `write_one` does, over the 8 platforms and the 10 post types; accepted posts count.

Target: ≥ 2,000 validated posts/s for the template writer on one core. The gate's rows are held
to it too: the writer cannot validate posts faster than the gate checks them.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from benchmarks.generation import BOOK
from benchmarks.generation import PINNED_CPU
from benchmarks.generation import PLATFORMS
from benchmarks.generation import pinned_to_one_core
from benchmarks.results import Line
from benchmarks.stack import bench_main
from benchmarks.stack import log
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import AuthorRules
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Event
from bookagent.domain.profile import Review
from bookagent.domain.profile import launch_phase
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import check_draft
from bookagent.platforms import get_rules
from bookagent.writers.template import POST_TYPES
from bookagent.writers.template import TemplateWriter

SECTION = "gate"
TARGET = 2000.0
RECENT_KEPT = 20
#: The day every post is written and checked for: before both profiles' launch (March 1, 2027).
DAY = date(2027, 1, 15)
# `benchmarks/generation.py`'s book, filled in as an author typically fills a profile: a blurb
# of a few sentences, several themes, quotes and reviews, an award, an event and some rules.
TYPICAL = replace(
    BOOK,
    id="bench-gate-typical",
    blurb=(
        "A keeper of a remote lighthouse finds a message in a bottle from her late husband. "
        "It is dated the week before he drowned. As winter storms cut the island off, she "
        "follows his clues along the coast. What she finds will change how she remembers him."
    ),
    key_themes=("grief", "the sea", "second chances", "small-town secrets"),
    quotes=(
        "The sea keeps what it is given, and returns what it must.",
        "Every light is a promise to someone you will never meet.",
        "She had kept the lamp burning for years, and never once for herself.",
    ),
    reviews=(
        Review("A luminous, aching novel.", "Book Review Weekly"),
        Review("Quietly devastating and full of salt air.", "The Coastal Times"),
        Review("I read it in one sitting and then called my sister.", "Goodreads reader"),
    ),
    awards=("Winner of the 2026 Harbour Prize for Fiction",),
    events=(Event(date(2027, 2, 20), "Reading at the Harbour Bookshop"),),
    rules=AuthorRules(
        no_exclamation=True,
        banned_phrases=("page-turner", "unputdownable"),
        banned_comparisons=("Moby-Dick",),
        spoilers=("the husband returns",),
        required_words={"pre_launch": ("pre-order",)},
    ),
)
PROFILES = ("typical", "largest")
#: A draft as the gate checks it: (platform, content, the platform's recent posts, the other
#: platforms' recent posts).
Written = tuple[str, str, tuple[str, ...], tuple[str, ...]]


def profile(name: str) -> BookProfile:
    """The profile called `name` in `PROFILES`."""
    if name == "typical":
        return TYPICAL
    # The largest profile lives with the tests; the benchmark runs from the repository root.
    from tests.support.worst_profile import worst_profile

    return worst_profile()


@dataclass(frozen=True)
class Plan:
    """How much work each measurement does."""

    drafts: int
    writer_s: float
    warmup_s: float

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        """The default or `--quick` plan."""
        if args.quick:
            return cls(drafts=400, writer_s=1.5, warmup_s=0.5)
        return cls(drafts=2000, writer_s=5.0, warmup_s=1.0)


def constraints(
    platform: str, post_type: str, seed: int, own: Sequence[str], others: Sequence[str]
) -> WriteConstraints:
    """The constraints `write_one` builds for one slot, for the benchmark's day."""
    return WriteConstraints.for_platform(
        get_rules(platform),
        post_type,
        seed=seed,
        avoid=tuple(own),  # as `BatchState` passes them
        elsewhere=tuple(others),
        on=DAY,
    )


def slot(i: int) -> tuple[str, str]:
    """The platform and post type of the `i`-th post: every pair in turn."""
    return PLATFORMS[i % len(PLATFORMS)], POST_TYPES[(i // len(PLATFORMS)) % len(POST_TYPES)]


def write_drafts(name: str, count: int) -> list[Written]:
    """`count` template drafts of profile `name`, each with the recent posts it is checked against.

    Runs in a child process: its caches (the profile's grounding, the checks' reports, the
    near-duplicate keys) stay there.
    """
    book = profile(name)
    writer = TemplateWriter()
    grounding = Grounding.from_book(book)
    recent: dict[str, list[str]] = {p: [] for p in PLATFORMS}
    written: list[Written] = []
    for i in range(count):
        platform, post_type = slot(i)
        own, others = recent[platform], elsewhere(recent, platform)
        c = constraints(platform, post_type, i, own, others)
        draft = asyncio.run(writer.write(book, c))
        written.append((platform, draft.content, tuple(own), others))
        report = check_draft(
            book,
            get_rules(platform),
            draft.content,
            recent=own,
            elsewhere=others,
            grounding=grounding,
            today=DAY,
        )
        if report.ok:
            own.append(draft.content)
            del own[:-RECENT_KEPT]
    return written


def elsewhere(recent: dict[str, list[str]], platform: str) -> tuple[str, ...]:
    """The other platforms' recent posts (the last `RECENT_KEPT` of each)."""
    return tuple(text for name, texts in recent.items() if name != platform for text in texts)


def time_checks(name: str, drafts: Sequence[Written], warmup: int) -> Line:
    """Figure 1: `check_draft` of each new draft, in CPU time of this (pinned) process.

    The first `warmup` drafts are checked untimed: they pay what a process pays once (lazy
    imports such as twitter-text's, compiled patterns), not what a check costs.
    """
    book = profile(name)
    started = time.process_time()
    grounding = Grounding.from_book(book)
    build_ms = (time.process_time() - started) * 1000
    rules = {p: get_rules(p) for p in PLATFORMS}
    for platform, content, own, others in drafts[:warmup]:
        check_draft(
            book,
            rules[platform],
            content,
            recent=own,
            elsewhere=others,
            grounding=grounding,
            today=DAY,
        )
    drafts = drafts[warmup:]
    per_check: list[float] = []
    rejected = 0
    clock = time.process_time
    wall = time.perf_counter()
    for platform, content, own, others in drafts:
        t0 = clock()
        report = check_draft(
            book,
            rules[platform],
            content,
            recent=own,
            elsewhere=others,
            grounding=grounding,
            today=DAY,
        )
        per_check.append(clock() - t0)
        rejected += not report.ok
    wall_s = time.perf_counter() - wall
    cpu_s = sum(per_check)
    ordered = sorted(per_check)
    return Line(
        SECTION,
        f"check_draft, one core, {name} profile: a new template draft",
        "checks/s",
        len(drafts) / cpu_s,
        None,
        "",
        None,
        TARGET,
        "min",
        {
            "checks": len(drafts),
            "rejected": rejected,
            "cpu_s": round(cpu_s, 3),
            "checks_per_wall_s": round(len(drafts) / wall_s, 1),
            "p50_us": round(statistics.median(per_check) * 1e6, 1),
            "p99_us": round(ordered[int(0.99 * (len(ordered) - 1))] * 1e6, 1),
            "max_us": round(ordered[-1] * 1e6, 1),
            "mean_chars": round(statistics.fmean(len(d[1]) for d in drafts)),
            "grounding_build_ms": round(build_ms, 1),
        },
    )


async def write_and_check(
    book: BookProfile, writer: TemplateWriter, seconds: float, seed: int
) -> dict[str, Any]:
    """Write and gate posts for `seconds`, as `write_one` does; the counts and CPU seconds."""
    grounding = Grounding.from_book(book)
    rules = {p: get_rules(p) for p in PLATFORMS}
    recent: dict[str, list[str]] = {p: [] for p in PLATFORMS}
    written = accepted = 0
    wall, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - wall < seconds:
        platform, post_type = slot(seed)
        own, others = recent[platform], elsewhere(recent, platform)
        draft = await writer.write(book, constraints(platform, post_type, seed, own, others))
        report = check_draft(
            book,
            rules[platform],
            draft.content,
            recent=own,
            elsewhere=others,
            grounding=grounding,
            today=DAY,
        )
        seed += 1
        written += 1
        if report.ok:
            accepted += 1
            own.append(draft.content)
            del own[:-RECENT_KEPT]
    return {
        "written": written,
        "accepted": accepted,
        "cpu_s": time.process_time() - cpu,
        "wall_s": time.perf_counter() - wall,
        "next_seed": seed,
    }


def time_writer(name: str, plan: Plan) -> Line:
    """Figure 2: validated posts per CPU-second, one long-lived writer (its material warm)."""
    book = profile(name)
    writer = TemplateWriter()
    warm = asyncio.run(write_and_check(book, writer, plan.warmup_s, 0))
    run = asyncio.run(write_and_check(book, writer, plan.writer_s, warm["next_seed"]))
    return Line(
        SECTION,
        f"template writer + gate, one core, {name} profile: validated posts/s",
        "posts/s",
        run["accepted"] / run["cpu_s"],
        None,
        "",
        None,
        TARGET,
        "min",
        {
            "written": run["written"],
            "accepted": run["accepted"],
            "cpu_s": round(run["cpu_s"], 3),
            "posts_per_wall_s": round(run["accepted"] / run["wall_s"], 1),
        },
    )


def run(plan: Plan, args: argparse.Namespace) -> tuple[list[Line], list[str], dict[str, Any]]:
    """Write the drafts in a child process, then time the gate and the writer here."""
    counts = {"typical": plan.drafts, "largest": max(200, plan.drafts // 5)}
    warmup = 2 * len(PLATFORMS) * len(POST_TYPES)  # every pair twice
    drafts: dict[str, list[Written]] = {}
    # A fresh interpreter (spawn), so that nothing the writing cached is inherited.
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        for name in PROFILES:
            log(f"writing {counts[name]:,} drafts of the {name} profile (child process)")
            drafts[name] = pool.submit(write_drafts, name, warmup + counts[name]).result()
    lines = []
    with pinned_to_one_core(PINNED_CPU) as pinned:
        for name in PROFILES:
            log(f"check_draft of the {name} profile's drafts")
            lines.append(time_checks(name, drafts[name], warmup))
        for name in PROFILES:
            log(f"template writer + gate, {name} profile")
            lines.append(time_writer(name, plan))
    phase = launch_phase(TYPICAL.launch_date, DAY)
    notes = [
        f"CPU time of this process, pinned to CPU {PINNED_CPU if pinned else '(not pinned)'}; "
        f"posts written and checked for {DAY.isoformat()} ({phase.replace('_', '-')}), across "
        f"{len(PLATFORMS)} platforms and {len(POST_TYPES)} post types.",
        "Typical profile: benchmarks/generation.py's book filled in (a 4-sentence blurb, 4 themes, "
        '3 quotes, 3 reviews, an award, an event) with author rules (no "!", banned phrases, a '
        "banned comparison, a spoiler, a required pre-launch word). Largest: "
        "tests/support/worst_profile.py (every field at its limit).",
        "check_draft rows: drafts written in a child process, so each check here is the first "
        "of its draft in this process; the profile's Grounding is built first (grounding_build_ms"
        f" in the JSON), and the first {warmup} drafts are checked untimed (lazy imports, compiled "
        "patterns); the recent posts' near-duplicate keys warm up as a batch's would.",
        "Writer rows: TemplateWriter.write (which gates its own candidates: too long or repeating "
        "a recent post are ruled out first) then check_draft, as write_one does; the writer is "
        "told the newest 20 posts of every platform (160 texts) and must repeat none. The "
        "largest profile costs more per check (long quotations to compare) and more candidates "
        "per post (its long material fits short platforms only in a few forms).",
    ]
    details = {line.name: line.notes for line in lines}
    return lines, notes, details


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gate", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer drafts, shorter runs")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; 130 if interrupted."""
    args = parse_args(argv)
    return bench_main("bookagent gate benchmark", args, Plan.from_args(args), run)


if __name__ == "__main__":
    sys.exit(main())
