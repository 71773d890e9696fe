"""Grounding benchmark: the CPU one draft check costs on the largest profile the API accepts.

Run `python -m benchmarks.grounding` (about half a minute) or `--quick` (fewer drafts); `--json
PATH` also writes the figures. The profile is `tests/support/worst_profile.py`'s: every field at
its limit (50 quotes of 1,000 characters, 50 reviews of 2,000, a 5,000-character blurb of short
sentences, ...) and every link it may hold at the URL limit. CPU is the measuring thread's
(`time.thread_time`), so the figures hold on a busy machine too. It measures:

1. `POST /api/posts/measure` with a `post_id` (what the approval queue's live counter calls while
   the author edits), in-process through the Flask test client on SQLite: the book created
   through the API, one Facebook post generated, then each call with a new long draft whose
   quotations (near-verbatim excerpts of whole reviews and quotes) were never checked before,
   and then each of those drafts again with one word changed (the counter's next call);
2. `check_draft` alone on the same drafts, on a short ungrounded one, and on two hostile
   Facebook-sized (63,000-character) posts: 350 invented quotations (bounded by the quotation
   check's CPU budget) and a text that keeps the verbatim-material mask busy;
3. `Grounding.build`: indexing the profile, paid by the first check after each profile change in
   each process (information: it is paid once per profile version, then `Grounding.from_book`
   answers from its cache).

Target: at most 50 ms of CPU per call on this 2-core machine. Before this work `check_draft`
cost ~4.2 s on the long draft (~5 s for the measure call on the real server) and ~0.2 s on a
short one: the profile was re-indexed on every call and every quotation was compared with every
quote source unfiltered, long ones at up to ~100 ms a comparison. The hostile 63,000-character
posts cost ~84 and ~61 ms until the price, date, rating and claim patterns were tried only where
a match can start (~30 ms of each was those patterns scanning the whole text).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.worst_profile import UNGROUNDED_DRAFT
from tests.support.worst_profile import grounded_draft
from tests.support.worst_profile import worst_payload
from tests.support.worst_profile import worst_profile

from benchmarks.results import Line
from benchmarks.stack import bench_main
from benchmarks.stack import log
from bookagent.bootstrap import build_services
from bookagent.db import migrate
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import check_draft
from bookagent.platforms import get_rules
from bookagent.settings import Settings
from bookagent.web.app import create_app

SECTION = "grounding"
TARGET_MS = 50.0
FACEBOOK = get_rules("facebook")


@dataclass(frozen=True)
class Plan:
    """How many drafts and builds to time."""

    drafts: int
    builds: int

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        """The default or `--quick` plan."""
        return cls(drafts=8, builds=1) if args.quick else cls(drafts=24, builds=3)


def cpu_ms(call: Callable[[], Any]) -> tuple[float, Any]:
    """The calling thread's CPU time of `call()`, in ms, and what it answered."""
    started = time.thread_time()
    result = call()
    return (time.thread_time() - started) * 1000, result


HOSTILE_WORDS = "salt road desert keeper tide stone ember ink lantern harbor river ash"


def hostile_quotations(seed: int) -> str:
    """350 invented quotations of ~170 characters: a Facebook post as long as it may be."""
    rng = random.Random(seed)
    words = HOSTILE_WORDS.split()
    quotes = (" ".join(rng.choice(words) for _ in range(30)) for _ in range(350))
    return " ".join(f"“{q}”" for q in quotes)[:63_000]


def hostile_mask(payload: dict[str, Any]) -> str:
    """63,000 characters of the beginnings of the author's material, none of it whole."""
    starts = [q[: len(q) // 2] for q in payload["quotes"]] + [payload["blurb"][:40]]
    return " ".join(starts * 40)[:63_000]


def line(name: str, values: list[float], target: float | None, notes: dict[str, Any]) -> Line:
    """A `max`-bounded line of the median; every value and the maximum go in its notes."""
    return Line(
        SECTION,
        name,
        "ms CPU",
        statistics.median(values),
        None,
        "",
        None,
        target,
        "max",
        {"max_ms": round(max(values), 2), "ms": [round(v, 2) for v in values], **notes},
    )


def measure_route(plan: Plan, payload: dict[str, Any]) -> tuple[list[Line], dict[str, Any]]:
    """The measure route in-process: new drafts, then each again with a word changed."""
    with tempfile.TemporaryDirectory(prefix="bookagent-bench-grounding-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'bookagent.db'}"
        migrate.upgrade(url)
        settings = Settings(
            data_dir=Path(scratch) / "data",
            db={"url": url},
            queue={"backend": "thread", "thread_pool_max_workers": 2},
            writers={"default": "template"},
            admin_token=None,
        )
        services = build_services(settings)
        try:
            client = create_app(services=services).test_client()
            created = client.post("/api/books", json={**payload, "user_id": "alice"})
            assert created.status_code in (200, 201), created.get_data(as_text=True)[:300]
            generated = client.post(
                "/api/generate-posts",
                json={"user_id": "alice", "platforms": ["facebook"], "count_per_platform": 1},
            )
            assert generated.status_code == 200, generated.get_data(as_text=True)[:300]
            post_id = generated.get_json()["posts"][0]["id"]
            book_id = created.get_json()["book"]["id"]

            def measure(content: str) -> dict[str, Any]:
                response = client.post(
                    "/api/posts/measure", json={"post_id": post_id, "content": content}
                )
                assert response.status_code == 200, response.get_data(as_text=True)[:300]
                body: dict[str, Any] = response.get_json()
                return body

            drafts = [grounded_draft(payload, v) for v in range(plan.drafts)]
            # A profile change: the next check indexes the new version.
            changed = client.patch(f"/api/books/{book_id}", json={"tone": "wry, and warm"})
            assert changed.status_code == 200, changed.get_data(as_text=True)[:300]
            first_ms, first = cpu_ms(lambda: measure(drafts[0] + " Yes."))
            assert first["ok"], first["violations"]
            fresh, again = [], []
            for draft in drafts:
                ms, body = cpu_ms(lambda d=draft: measure(d))  # type: ignore[misc]
                assert body["ok"], body["violations"]
                fresh.append(ms)
                ms, body = cpu_ms(lambda d=draft: measure(d + " Truly."))  # type: ignore[misc]
                assert body["ok"], body["violations"]
                again.append(ms)
        finally:
            services.close(grace_s=5)
    name = "POST /api/posts/measure with post_id, largest profile"
    lines = [
        line(f"{name}: a new {len(drafts[0]):,}-character draft", fresh, TARGET_MS, {}),
        line(f"{name}: the same draft, one word changed", again, TARGET_MS, {}),
    ]
    return lines, {"first_call_ms": round(first_ms, 1)}


RECENT_POST = (
    "Spring cleaning on the writing desk: notebooks stacked by season, pencils sharpened, a "
    "mug of cold coffee pushed aside. Readers ask how a story starts, and the honest answer is "
    "slowly, with walks along the canal, overheard conversations at the bakery, and far too "
    "many index cards pinned above the radiator. Tell me about your own reading corner: a "
    "window seat, a kitchen chair, a bus on the way to work? Share a photo below. "
) * 3


def check_drafts(plan: Plan, payload: dict[str, Any]) -> tuple[list[Line], dict[str, Any]]:
    """`check_draft` alone, the profile indexed: new, short and hostile drafts; the build."""
    book = worst_profile()
    builds = [cpu_ms(lambda: Grounding.build(book))[0] for _ in range(plan.builds)]
    Grounding.from_book(book)  # indexed once
    # A recent post of the book to compare each draft with (the dedupe's share of a check): a
    # long one, in words of its own. Another grounded draft would not do: the largest profile's
    # quotes and reviews are drawn from one small vocabulary, so two of its drafts share most
    # content words, and the gate rightly calls the second a rewording of the first.
    recent = [RECENT_POST]
    fresh = []
    # The variants after the route's (which checked 0 to plan.drafts - 1): none checked before.
    for variant in range(plan.drafts, 2 * plan.drafts):
        draft = grounded_draft(payload, variant)
        ms, report = cpu_ms(lambda d=draft: check_draft(book, FACEBOOK, d, recent=recent))  # type: ignore[misc]
        assert report.ok, report.violations
        fresh.append(ms)
    short = []
    for i in range(plan.drafts):
        draft = f"{UNGROUNDED_DRAFT} ({i})"
        ms, report = cpu_ms(lambda d=draft: check_draft(book, FACEBOOK, d, recent=recent))  # type: ignore[misc]
        assert "ungrounded_quote" in report.codes
        short.append(ms)
    hostile: dict[str, list[float]] = {}
    unchecked = 0
    for label, texts in (
        ("350 invented quotations", [hostile_quotations(seed) for seed in range(3)]),
        ("the beginnings of the author's material", [hostile_mask(payload)] * 3),
    ):
        hostile[label] = []
        for i, text in enumerate(texts):
            draft = f"{text[:-4]} {i}"
            ms, report = cpu_ms(lambda d=draft: check_draft(book, FACEBOOK, d, recent=recent))  # type: ignore[misc]
            hostile[label].append(ms)
            unchecked = max(unchecked, sum("not checked" in v.message for v in report.violations))
    lines = [
        line("check_draft, largest profile indexed: a new long draft", fresh, TARGET_MS, {}),
        line(
            "check_draft, largest profile indexed: a short ungrounded draft", short, TARGET_MS, {}
        ),
        *(
            line(
                f"check_draft, largest profile indexed: 63,000 characters, {label}",
                v,
                TARGET_MS,
                {},
            )
            for label, v in hostile.items()
        ),
        line("Grounding.build of the largest profile (once per profile version)", builds, None, {}),
    ]
    return lines, {"hostile_unchecked_quotations": unchecked}


def run(plan: Plan, args: argparse.Namespace) -> tuple[list[Line], list[str], dict[str, Any]]:
    """Both parts; the profile is built once."""
    payload = worst_payload()
    log(f"profile of {sum(len(str(v)) for v in payload.values()):,} characters")
    log("the measure route")
    route_lines, route_details = measure_route(plan, payload)
    log("check_draft and Grounding.build")
    check_lines, check_details = check_drafts(plan, payload)
    notes = [
        f"CPU of the calling thread (time.thread_time), median of {plan.drafts} drafts (max in "
        "the JSON); the profile is tests/support/worst_profile.py's (every field at its limit, "
        "every link it may hold).",
        f"The first measure call after a profile change also indexes the new version: "
        f"{route_details['first_call_ms']:.0f} ms. Each process pays that once per profile "
        "version (Grounding.from_book keeps the last 16).",
        "Hostile posts: the quotation check stops at its CPU budget and reports the rest as not "
        f"checked ({check_details['hostile_unchecked_quotations']} of 350 here).",
        "Hostile posts: the price, date, rating and claim patterns cost ~1 ms of each (they are "
        "tried only where a match can start; they were ~30 ms scanning all 63,000 characters). "
        "Of the invented quotations' ~29 ms, ~19 ms is the quotation check up to its budget, "
        "~3.5 ms the near-duplicate key and ~2.5 ms the mask; the other post's ~12 ms is mostly "
        "the mask (it holds the beginnings of many sources) and the near-duplicate key.",
        "Before: each check re-indexed the profile (~0.2 s) and compared each quotation with "
        "each quote source unfiltered: ~4.2 s for the long draft (~5 s a measure call on the "
        "real server), ~0.2 s for the short one.",
    ]
    return [*route_lines, *check_lines], notes, {**route_details, **check_details}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.grounding", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer drafts, one build")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; 130 if interrupted."""
    args = parse_args(argv)
    return bench_main("bookagent grounding benchmark", args, Plan.from_args(args), run)


if __name__ == "__main__":
    sys.exit(main())
