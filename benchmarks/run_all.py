"""Every benchmark in one table: `python -m benchmarks.run_all` (what `make bench` runs).

Each section runs as its own process (`python -m benchmarks.<section> [--quick] --json ...`), so
one section's servers, threads and memory never weigh on the next, and starts once the CPU has
been at least 90% idle for two seconds (at most 45 s of waiting): what the previous one left
running (a worker finishing, a database vacuuming) does not land on its figures. Its figures are
read back from its JSON. The one table (every figure beside its baseline from the same run, the
ratio, the target and the verdict) is printed and written to `benchmarks/RESULTS.md` with the
machine, the date, the time each section took and its notes.

Default: about 20 minutes on a 2-core machine; `--quick`: 5-7. A section that fails is
reported (and the exit status is 1) without stopping the others. Ctrl-C (or SIGTERM) stops the
running section, which cleans up its processes and scratch databases, and leaves RESULTS.md as it
was.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.harness import BIN
from benchmarks.harness import REPO_ROOT
from benchmarks.harness import child_env
from benchmarks.harness import machine_info
from benchmarks.harness import machine_line
from benchmarks.harness import sigterm_as_interrupt
from benchmarks.harness import wait_until_quiet
from benchmarks.harness import write_json
from benchmarks.results import Line
from benchmarks.results import markdown_table
from benchmarks.results import print_lines
from benchmarks.stack import log

RESULTS_PATH = REPO_ROOT / "benchmarks" / "RESULTS.md"
#: The sections, in the order they run: (module, what it measures).
SECTIONS: dict[str, str] = {
    "concurrency": "non-blocking API under a slow AI: 202 path vs `asyncio.run()` in the route",
    "queue": "task API and queue vs plain Flask + Celery, both backends",
    "generation": "template writer throughput; batch speed-up with a slow writer",
    "publishing": "publishing ledger throughput vs raw signed webhook POSTs",
    "scale": "task routes' latency at 1k vs 2M task rows, uncached stats included",
    "authors": "10,000 books' agents: one tick's enqueue time, the routines on 4 Celery workers",
    "footprint": "idle memory and cold start vs a bare Flask app / bare Celery worker",
    "grounding": "CPU of one draft check (the measure route) on the largest book profile",
    "gate": "full-gate checks/s and validated template posts/s, typical vs largest profile",
    "content_quality": "template posts of 3 books: voice, pastes, variety, pre-order, length",
    "images": "quote cards drawn per second on one core, without and with a book cover",
    "stalled": "one network's server stalled: how late the other network's due posts go out",
    "learning": "12 simulated weeks of the agent against a hidden audience: learning vs fixed mix",
}
#: Extra arguments per section in `--quick` mode (besides `--quick` itself).
QUICK_EXTRA: dict[str, list[str]] = {}
#: How long a stopped section may take to clean up before it is killed.
CLEANUP_S = 90.0


@dataclass
class Section:
    """One section's run: how it went, and what it measured."""

    name: str
    returncode: int | None = None
    seconds: float = 0.0
    load_before: float = 0.0
    quiet_wait_s: float = 0.0
    idle_before: float | None = None
    data: dict[str, Any] = field(default_factory=dict)
    log_tail: str = ""

    @property
    def ok(self) -> bool:
        """Whether it finished and wrote its figures."""
        return self.returncode == 0 and bool(self.data.get("figures"))

    def lines(self) -> list[Line]:
        """Its figures as table lines."""
        return [Line.from_json(f) for f in self.data.get("figures", [])]


# -- running a section -------------------------------------------------------------------------


def run_section(name: str, quick: bool, workdir: Path) -> Section:
    """Run one section in its own process (its own session: a Ctrl-C reaches it once, from us)."""
    section = Section(name)
    section.quiet_wait_s, section.idle_before = wait_until_quiet()
    section.load_before = os.getloadavg()[0]
    json_path = workdir / f"{name}.json"
    log_path = workdir / f"{name}.log"
    args = [str(BIN / "python"), "-m", f"benchmarks.{name}", "--json", str(json_path)]
    if quick:
        args += ["--quick", *QUICK_EXTRA.get(name, [])]
    log(f"[bold]section {name}[/bold]: {SECTIONS[name]}")
    started = time.monotonic()
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(
            args,
            cwd=REPO_ROOT,
            env=child_env(),
            stdout=out,  # the section's own table; its progress (stderr) shows on ours
            start_new_session=True,
            # A shell that starts us in the background ignores SIGINT, and so would the section:
            # it must take our SIGINT (a KeyboardInterrupt) to clean up.
            preexec_fn=_default_sigint,
        )
        try:
            section.returncode = proc.wait()
        except KeyboardInterrupt:
            log(f"stopping section {name} (it cleans up its processes and databases)")
            stop_section(proc)
            raise
    section.seconds = time.monotonic() - started
    section.log_tail = log_path.read_text(errors="replace")[-2000:]
    if json_path.exists():
        section.data = json.loads(json_path.read_text())
    if not section.ok:
        log(f"[red]section {name} failed (exit {section.returncode})[/red]")
    return section


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def stop_section(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT the section once and let it clean up; SIGTERM, then SIGKILL, if it hangs."""
    for sig, wait_s in ((signal.SIGINT, CLEANUP_S), (signal.SIGTERM, 20.0), (signal.SIGKILL, 10.0)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue
        except KeyboardInterrupt:  # a second Ctrl-C: stop waiting politely
            continue


# -- notes -------------------------------------------------------------------------------------


def section_notes(section: Section) -> list[str]:
    """The section's footnotes, or the line saying it failed."""
    if not section.ok:
        return [f"FAILED (exit {section.returncode}); the end of its output:"]
    return [str(note) for note in section.data.get("footnotes", [])]


# -- RESULTS.md --------------------------------------------------------------------------------


def scale_profiles(data: dict[str, Any]) -> list[str]:
    """Markdown for each scale route that missed: its statements and the slowest one's plan."""
    out: list[str] = []
    details = data.get("details", {})
    plan = data.get("plan", {})
    small, large = plan.get("small", 1000), plan.get("large", 100000)
    for route, statements in details.get("missed", {}).items():
        total_small = sum(s["execution_ms"].get("small", 0.0) for s in statements)
        total_large = sum(s["execution_ms"].get("large", 0.0) for s in statements)
        out += [
            "",
            f"#### Profile of `GET /api/{route}` (a line of it missed)",
            "",
            f"The statements its `TaskStore` call runs, slowest first (EXPLAIN ANALYZE execution "
            f"time; {total_small:.2f} ms in all at {small:,} rows, {total_large:.2f} ms at "
            f"{large:,}):",
            "",
            f"| statement | {small:,} rows (ms) | {large:,} rows (ms) | growth |",
            "|---|---:|---:|---:|",
        ]
        for s in statements:
            a, b = (
                s["execution_ms"].get("small", math.nan),
                s["execution_ms"].get("large", math.nan),
            )
            growth = f"{b / a:.0f}×" if a else "—"
            sql = s["sql"].replace("|", "\\|")
            if len(sql) > 220:
                sql = sql[:219] + "…"
            out.append(f"| `{sql}` | {a:.3f} | {b:.3f} | {growth} |")
        if statements and statements[0].get("plan_large"):
            out += [
                "",
                f"Plan of the slowest at {large:,} rows:",
                "",
                "```",
                *statements[0]["plan_large"],
                "```",
            ]
    return out


def render_markdown(
    info: dict[str, Any],
    quick: bool,
    sections: Sequence[Section],
    lines: Sequence[Line],
    elapsed_s: float,
) -> str:
    """RESULTS.md."""
    counts = {v: sum(1 for line in lines if line.verdict == v) for v in ("PASS", "MISS", "INFO")}
    command = "make bench BENCH_ARGS=--quick" if quick else "make bench"
    load = info.get("load_average", [])
    out = [
        "# Benchmark results",
        "",
        f"Written by `{command}` (`python -m benchmarks.run_all{' --quick' if quick else ''}`) "
        f"on {info['date']}; the whole run took {elapsed_s / 60:.1f} min"
        f"{' (quick mode: fewer requests and starts)' if quick else ''}. Regenerate it with the "
        "same command.",
        "",
        f"Machine: {machine_line(info)}; load average at the start "
        f"{' / '.join(f'{x:.2f}' for x in load)} (1/5/15 min).",
        "",
        "Every figure stands beside a baseline measured in the same run, on the same machine, "
        "with the same client. The ratio column says which way each ratio is taken: "
        "`base/ours` is a speed-up (higher is better), `ours/base` is ours as a share or a "
        "multiple of the baseline (a throughput share must reach its target, a latency, memory "
        "or growth multiple must stay under it). A MISS is reported, never asserted: the "
        "machine may be shared, so read a close call with the load average in mind.",
        "",
        "## Results",
        "",
        markdown_table(lines),
        "",
        f"{counts['PASS']} PASS, {counts['MISS']} MISS, {counts['INFO']} INFO (no target).",
        "",
        "## Sections",
        "",
        "| section | what it measures | took | waited for a quiet CPU | CPU idle at start "
        "| load before | status |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for s in sections:
        status = "ok" if s.ok else f"FAILED (exit {s.returncode})"
        idle = "—" if s.idle_before is None else f"{s.idle_before:.0%}"
        out.append(
            f"| `{s.name}` | {SECTIONS[s.name]} | {s.seconds:.0f} s | {s.quiet_wait_s:.0f} s "
            f"| {idle} | {s.load_before:.1f} | {status} |"
        )
    out += [
        "",
        "## Targets",
        "",
        "- concurrency: ≥ 3× (baseline / ours) is the low end of the original summary's "
        '"3-5x better concurrency"; ≤ 1 s is its "Response Time: <1 second (immediate task '
        'queuing)". The background-throughput line has no target (information).',
        "- queue, generation, publishing: the targets of those modules (see their docstrings).",
        "- scale: ≤ 1.5× growth of the p50 latency from 1,000 to 2,000,000 task rows "
        "(uncached stats included).",
        "- authors: the issue's \"10,000 authors on one deployment\": one tick queues the day's "
        "routines of 10,000 due books in ≤ 5 s (PostgreSQL, Celery on Redis), and the routines "
        "of 10,000 books finish within the day (86,400 s) on 4 Celery worker processes "
        "(extrapolated from a sample), spread over ≥ 2 of them.",
        "- footprint: no target is documented; this benchmark sets ≤ 4× a bare Flask app for "
        "the API (it carries an ORM, validation, the queue client and the LLM SDKs) and ≤ 2× a "
        "bare Celery worker for the worker.",
        "- grounding: ≤ 50 ms of CPU per check of a draft on the largest profile the API "
        "accepts (security item 5: bounded CPU per request); indexing a new profile version, "
        "once per process, is information.",
        "- gate: ≥ 2,000 validated posts/s for the template writer on one core; the gate's own "
        "checks/s are held to it too (the writer cannot validate faster than the gate checks).",
        "- images: ≥ 20 cards/s on one core for a 1080×1350 quote card, with and without a "
        "cover (issue 16).",
        "- stalled: with Bluesky's server stalled, Mastodon's due posts go out within 2 s of "
        "their time (issue 18).",
        "",
        "## Notes",
    ]
    for s in sections:
        out += ["", f"### {s.name}", ""]
        out += [f"- {note}" for note in section_notes(s)]
        if not s.ok:
            out += ["", "```", *s.log_tail.strip().splitlines()[-20:], "```"]
        markdown = s.data.get("details", {}).get("markdown") if s.ok else None
        if markdown is not None:  # ready Markdown lines of the section's (blank lines its own)
            out += [str(line) for line in markdown]
        elif s.name == "scale" and s.ok:  # until scale.py hands its profiles over as Markdown
            out += scale_profiles(s.data)
    return "\n".join(line.rstrip() for line in out) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step (a reader never sees half a file)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


# -- the command line --------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run_all", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="every section small (2-3 min)")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(SECTIONS),
        help="run only these sections (RESULTS.md then holds only them)",
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS_PATH, help="where to write the Markdown table"
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write every figure here")
    parser.add_argument(
        "--keep-logs", action="store_true", help="keep the sections' JSON and output"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run every section, print the one table and write RESULTS.md; 1 if a section failed."""
    args = parse_args(argv)
    names = args.only or list(SECTIONS)
    info = machine_info()
    info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    workdir = Path(tempfile.mkdtemp(prefix="bookagent-bench-all-"))
    started = time.monotonic()
    sections: list[Section] = []
    try:
        with sigterm_as_interrupt():
            for name in names:
                sections.append(run_section(name, args.quick, workdir))
    except KeyboardInterrupt:
        log(f"interrupted; {args.output.name} left as it was")
        return 130
    finally:
        if args.keep_logs:
            log(f"sections' JSON and output kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.monotonic() - started
    lines = [line for section in sections for line in section.lines()]
    notes = [
        f"{s.name}: {s.seconds:.0f} s" + ("" if s.ok else f", FAILED (exit {s.returncode})")
        for s in sections
    ]
    print_lines(
        "bookagent benchmarks" + (" (--quick)" if args.quick else ""),
        f"{machine_line(info)} | load {info['load_average'][0]:.1f} at start | "
        f"run took {elapsed / 60:.1f} min",
        lines,
        notes,
    )
    write_atomically(args.output, render_markdown(info, args.quick, sections, lines, elapsed))
    log(f"table written to {args.output}")
    if args.json:
        write_json(
            args.json,
            {
                "machine": info,
                "quick": args.quick,
                "elapsed_s": round(elapsed, 1),
                "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "figures": [line.to_json() for line in lines],
                "sections": {s.name: s.data for s in sections},
            },
        )
    return 0 if all(s.ok for s in sections) else 1


if __name__ == "__main__":
    sys.exit(main())
