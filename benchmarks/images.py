"""Images benchmark: quote cards drawn per second on one core, without and with a book cover.

Run `python -m benchmarks.images` (about half a minute) or `--quick`; `--json PATH` also writes
the figures. Each row draws Instagram-portrait (1080×1350) quote cards with
`bookagent.images.quote_card`, encoding included, from the quotations and reviews of the three
test books (tests/adversarial/profiles.py) in turn, a new seed each card (so every palette, and
with a cover both the blurred-cover and the cover-colours backdrops, come round). The process is
pinned to one CPU (`benchmarks.generation.pinned_to_one_core`) and the figure is cards per
CPU-second of this process; the first cards of a row, which load the fonts and read their
character maps, are drawn untimed, and the cache of measured words is emptied before each card
(so no card is quicker for repeating an earlier one's text).

Rows:
1. no cover (a seeded palette; PNG);
2. a cover as bytes, decoded for each card: a 1600×2400 JPEG, as an author uploads one (the
   blurred-cover cards go out as JPEG, the cover-colours ones as PNG);
3. the same cover decoded once (`decode_cover`) and passed to every card (information).

Target: ≥ 20 cards/s on one core for rows 1 and 2 (issue 16).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.adversarial.profiles import BUSINESS
from tests.adversarial.profiles import PICTURE_BOOK
from tests.adversarial.profiles import THRILLER
from tests.unit.images.covers import cover_bytes

from benchmarks.generation import PINNED_CPU
from benchmarks.generation import pinned_to_one_core
from benchmarks.results import Line
from benchmarks.stack import bench_main
from benchmarks.stack import log
from bookagent.images import INSTAGRAM_PORTRAIT
from bookagent.images import Cover
from bookagent.images import RenderedImage
from bookagent.images import decode_cover
from bookagent.images import quote_card
from bookagent.images._fonts import advance
from bookagent.images._fonts import ink_box

SECTION = "images"
TARGET = 20.0
WARMUP_CARDS = 6
#: (quotation, source) pairs of the three test books: their quotes and their reviews.
MATERIAL: tuple[tuple[str, str | None, str, str], ...] = tuple(
    (text, source, book.title, book.author)
    for book in (THRILLER, PICTURE_BOOK, BUSINESS)
    for text, source in (
        *((quote, None) for quote in book.quotes),
        *((review.text, review.source) for review in book.reviews),
    )
)


@dataclass(frozen=True)
class Plan:
    """How many cards each row draws."""

    cards: int

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        """The default or `--quick` plan."""
        return cls(cards=60 if args.quick else 300)


def draw(seed: int, cover: bytes | Cover | None) -> RenderedImage:
    """One quote card: the material and the seed both turn with `seed`."""
    text, source, title, author = MATERIAL[seed % len(MATERIAL)]
    return quote_card(text, source, title, author, INSTAGRAM_PORTRAIT, seed, cover)


def time_row(
    name: str, cards: int, cover: Callable[[], bytes | Cover | None], target: float | None
) -> Line:
    """Draw `cards` cards (after a few untimed ones), each timed in CPU time."""
    for seed in range(WARMUP_CARDS):
        draw(seed, cover())
    per_card: list[float] = []
    sizes: list[int] = []
    mimes: dict[str, int] = {}
    wall = time.perf_counter()
    for seed in range(cards):
        given = cover()
        # Every card measures its words afresh: the material repeats every few cards, and a
        # worker's cache would hold a book's title and author but not each new quotation.
        advance.cache_clear()
        ink_box.cache_clear()
        started = time.process_time()
        card = draw(seed, given)
        per_card.append(time.process_time() - started)
        sizes.append(len(card.data))
        mimes[card.mime] = mimes.get(card.mime, 0) + 1
    wall_s = time.perf_counter() - wall
    cpu_s = sum(per_card)
    ordered = sorted(per_card)
    return Line(
        SECTION,
        f"quote card 1080×1350, one core: {name}",
        "cards/s",
        cards / cpu_s,
        None,
        "",
        None,
        target,
        "min",
        {
            "cards": cards,
            "cpu_s": round(cpu_s, 3),
            "cards_per_wall_s": round(cards / wall_s, 1),
            "p50_ms": round(statistics.median(per_card) * 1000, 1),
            "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))] * 1000, 1),
            "mean_kb": round(statistics.fmean(sizes) / 1000, 1),
            "max_kb": round(max(sizes) / 1000, 1),
            "formats": mimes,
        },
    )


def run(plan: Plan, args: argparse.Namespace) -> tuple[list[Line], list[str], dict[str, Any]]:
    """Time the three rows, pinned to one core."""
    data = cover_bytes("JPEG", 1600, 2400, style=0)
    decoded = decode_cover(data)
    rows: list[tuple[str, Callable[[], bytes | Cover | None], float | None]] = [
        ("no cover", lambda: None, TARGET),
        ("cover bytes decoded per card (1600×2400 JPEG)", lambda: data, TARGET),
        ("cover decoded once", lambda: decoded, None),
    ]
    lines = []
    with pinned_to_one_core(PINNED_CPU) as pinned:
        for name, cover, target in rows:
            log(f"{plan.cards} quote cards, {name}")
            lines.append(time_row(name, plan.cards, cover, target))
    notes = [
        f"CPU time of this process, pinned to CPU {PINNED_CPU if pinned else '(not pinned)'}; "
        f"{plan.cards} cards a row after {WARMUP_CARDS} untimed ones (fonts loaded, character "
        "maps read), the cache of measured words emptied before each; encoding included (PNG, "
        "or JPEG for blurred-cover cards).",
        f"Material: the {len(MATERIAL)} quotations and reviews of the three test books in turn, "
        "a new seed each card (12 palettes; with a cover, blurred cover and cover colours in "
        f"turn). The cover: a painted-looking 1600×2400 JPEG of {len(data) / 1000:.0f} kB.",
    ]
    details = {line.name: line.notes for line in lines}
    return lines, notes, details


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.images", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer cards")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; 130 if interrupted."""
    args = parse_args(argv)
    return bench_main("bookagent images benchmark", args, Plan.from_args(args), run)


if __name__ == "__main__":
    sys.exit(main())
