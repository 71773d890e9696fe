"""Content-quality benchmark (issue 15): are the template writer's posts varied, in the author's
voice, free of pasted profile fields, aware of the launch, and of a length the platform suits?

Run `python -m benchmarks.content_quality`, or `--quick` (25 posts per platform after launch
instead of 100); `--json PATH` also writes the figures. Its time is the writer's: 4,800 posts,
the three profiles in parallel processes (a few seconds at the gate benchmark's target of 2,000
posts/s on one core). Three profiles of different categories, kept by
the tests (`tests/adversarial/profiles.py`): THRILLER (fiction, strict voice rules), PICTURE_BOOK
(children's) and BUSINESS (nonfiction). For each, 100 posts per platform on each of the 8
platforms are written for a day `DAYS_BEFORE` days before its launch date, and as many for a day
`DAYS_AFTER` days after it, as `bookagent.domain.generation.write_one` writes them: slots as
`plan_slots` plans them (interleaved by platform, cycling through the book's category's mix), the
platform's limits, its own newest accepted posts as `avoid` and the other platforms' as
`elsewhere` (up to `RECENT_LIMIT`, 200, each, as the pipeline loads them), up to
`MAX_ATTEMPTS` attempts with the gate's reasons as feedback; each
final draft is checked by `check_draft` for that day. Every final draft is measured (see
`benchmarks/content_measures.py` for the definitions):

1. voice-rule violations (the gate's author-rule check), target 0;
2. raw-field pastes, target 0;
3. the most uses of one skeleton among one platform's 100 posts of one day, target ≤ 3, and the
   fewest distinct skeletons (information);
4. the most uses of one three-word opening among the same posts, target ≤ 2;
5. of the posts before launch that carry a retailer link, the share that say "pre-order",
   target ≥ 50%;
6. the median length per platform (all three profiles, both days) beside the platform's norm
   (information; the norms are approximate, see `NORMS`).

Three sample posts per profile are printed after the table, for a person to read.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from rich.console import Console

from benchmarks.content_measures import NORMS
from benchmarks.content_measures import Paste
from benchmarks.content_measures import PreOrderShare
from benchmarks.content_measures import Variety
from benchmarks.content_measures import find_pastes
from benchmarks.content_measures import median_length
from benchmarks.content_measures import pre_order_share
from benchmarks.content_measures import variety
from benchmarks.content_measures import voice_violations
from benchmarks.generation import PLATFORMS
from benchmarks.results import Bound
from benchmarks.results import Line
from benchmarks.stack import bench_main
from benchmarks.stack import log
from bookagent.domain.categories import default_post_types
from bookagent.domain.generation import MAX_ATTEMPTS
from bookagent.domain.generation import plan_slots
from bookagent.domain.ports import ContentWriter
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.posts import RECENT_LIMIT
from bookagent.domain.profile import BookProfile
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import check_draft
from bookagent.platforms import get_rules
from bookagent.writers.template import TemplateWriter

SECTION = "content"
POSTS_PER_PLATFORM = 100
RECENT_KEPT = RECENT_LIMIT  # what the pipeline loads per platform (30 days, up to 200)
#: The days posts are written for, counted from each profile's launch date.
DAYS_BEFORE = 30
DAYS_AFTER = 30
SEED = 15
PROFILE_NAMES = ("thriller", "picture", "business")
#: Targets (issue 15).
MAX_SKELETON_USES = 3
MAX_OPENING_USES = 2
MIN_PRE_ORDER_SHARE = 0.5
#: The platforms of the sample posts printed per profile (before launch).
SAMPLE_PLATFORMS = ("linkedin", "instagram", "twitter")


def profiles() -> dict[str, BookProfile]:
    """The three profiles, by name."""
    # They live with the tests, which keep them as fixtures; the benchmark runs from the
    # repository root.
    from tests.adversarial.profiles import PROFILES

    return {name: PROFILES[name] for name in PROFILE_NAMES}


@dataclass(frozen=True)
class Written:
    """One slot's final draft: what it says, for which platform and day, and the gate's word."""

    platform: str
    post_type: str
    day: date
    content: str
    links: tuple[str, ...]
    accepted: bool
    attempts: int
    rejected_for: tuple[str, ...] = ()


def launch_days(book: BookProfile) -> tuple[date, date]:
    """The day before launch and the day after it that `book`'s posts are written for."""
    if book.launch_date is None:
        raise ValueError(f"profile {book.id} has no launch date")
    return (
        book.launch_date - timedelta(days=DAYS_BEFORE),
        book.launch_date + timedelta(days=DAYS_AFTER),
    )


async def write_posts(
    writer: ContentWriter, book: BookProfile, day: date, per_platform: int
) -> list[Written]:
    """`per_platform` posts per platform for `day`, each written and gated as `write_one` does."""
    grounding = Grounding.from_book(book)
    rules = {p: get_rules(p) for p in PLATFORMS}
    recent: dict[str, list[str]] = {p: [] for p in PLATFORMS}
    written: list[Written] = []
    for slot in plan_slots(PLATFORMS, per_platform, default_post_types(book), seed=SEED):
        platform = rules[slot.platform]
        own = recent[slot.platform]
        others = tuple(t for name, texts in recent.items() if name != slot.platform for t in texts)
        feedback: tuple[str, ...] = ()
        for attempt in range(MAX_ATTEMPTS):
            constraints = WriteConstraints.for_platform(
                platform,
                slot.post_type,
                seed=slot.seed,
                angle=slot.angle,
                attempt=attempt,
                feedback=feedback,
                avoid=tuple(own),
                elsewhere=others,
                on=day,
            )
            draft = await writer.write(book, constraints)
            report = check_draft(
                book,
                platform,
                draft.content,
                recent=own,
                elsewhere=others,
                grounding=grounding,
                today=day,
            )
            if report.ok:
                break
            feedback = tuple(v.message for v in report.violations)
        written.append(
            Written(
                slot.platform,
                draft.post_type,
                day,
                draft.content,
                tuple(draft.links),
                report.ok,
                attempt + 1,
                report.codes,
            )
        )
        if report.ok:
            own.append(draft.content)
            del own[:-RECENT_KEPT]
    return written


@dataclass(frozen=True)
class ProfileQuality:
    """Everything measured for one profile's posts."""

    name: str
    book: BookProfile
    posts: list[Written]
    #: Violation code -> count, over every post.
    voice: Counter[str]
    voice_examples: list[tuple[Written, str]]
    pastes: list[tuple[Written, Paste]]
    #: (day, platform) -> the variety of that platform's posts of that day.
    variety: dict[tuple[date, str], Variety]
    pre_order_before: PreOrderShare
    pre_order_after: PreOrderShare
    #: Platform -> the median length of its posts (both days), in its unit.
    medians: dict[str, float]

    @property
    def voice_total(self) -> int:
        """Voice-rule violations in all."""
        return sum(self.voice.values())

    @property
    def rejected(self) -> int:
        """Slots whose final draft the gate refused."""
        return sum(not p.accepted for p in self.posts)

    def worst(self, attribute: str) -> tuple[int, tuple[date, str], Variety]:
        """The highest `attribute` of any (day, platform)'s `Variety`, that key and its Variety."""
        key = max(self.variety, key=lambda k: getattr(self.variety[k], attribute))
        return getattr(self.variety[key], attribute), key, self.variety[key]

    def fewest_skeletons(self) -> tuple[int, tuple[date, str]]:
        """The fewest distinct skeletons of any (day, platform), and which."""
        key = min(self.variety, key=lambda k: self.variety[k].distinct_skeletons)
        return self.variety[key].distinct_skeletons, key


def measure_profile(
    name: str, book: BookProfile, per_platform: int, per_platform_after: int | None = None
) -> ProfileQuality:
    """Write `book`'s posts for its two days and measure them (after launch: as many posts as
    `per_platform_after`, by default `per_platform`)."""
    before, after = launch_days(book)
    writer = TemplateWriter()
    after_count = per_platform if per_platform_after is None else per_platform_after
    posts = asyncio.run(write_posts(writer, book, before, per_platform))
    posts += asyncio.run(write_posts(writer, book, after, after_count))
    voice: Counter[str] = Counter()
    voice_examples: list[tuple[Written, str]] = []
    pastes: list[tuple[Written, Paste]] = []
    for post in posts:
        for violation in voice_violations(post.content, book, post.day):
            voice[violation.code] += 1
            voice_examples.append((post, violation.message))
        pastes += [(post, paste) for paste in find_pastes(post.content, book)]

    def texts(day: date | None, platform: str | None) -> list[str]:
        return [p.content for p in posts if day in (None, p.day) and platform in (None, p.platform)]

    def links(day: date) -> list[tuple[str, tuple[str, ...]]]:
        return [(p.content, p.links) for p in posts if p.day == day]

    return ProfileQuality(
        name,
        book,
        posts,
        voice,
        voice_examples,
        pastes,
        {(d, p): variety(texts(d, p), book, p) for d in (before, after) for p in PLATFORMS},
        pre_order_share(links(before), book),
        pre_order_share(links(after), book),
        {p: median_length(p, texts(None, p)) for p in PLATFORMS},
    )


# -- the table ---------------------------------------------------------------------------------


def where(key: tuple[date, str], book: BookProfile) -> str:
    """A (day, platform) key as words: "linkedin, before launch"."""
    day, platform = key
    side = "before" if book.launch_date is not None and day < book.launch_date else "after"
    return f"{platform}, {side} launch"


def profile_lines(q: ProfileQuality) -> list[Line]:
    """The figures of one profile, with their targets."""
    book = q.book
    skeleton_uses, skeleton_key, skeleton_variety = q.worst("max_skeleton_uses")
    opening_uses, opening_key, opening_variety = q.worst("max_opening_uses")
    fewest, fewest_key = q.fewest_skeletons()
    share = q.pre_order_before
    per_run = f"per {POSTS_PER_PLATFORM} posts"

    def line(
        name: str, unit: str, ours: float, target: float | None, bound: Bound, **notes: Any
    ) -> Line:
        return Line(SECTION, f"{q.name}: {name}", unit, ours, None, "", None, target, bound, notes)

    return [
        line(
            "voice-rule violations",
            "violations",
            q.voice_total,
            0,
            "max",
            by_code=dict(q.voice),
            posts=len(q.posts),
            examples=[f"{p.platform}: {m}" for p, m in q.voice_examples[:3]],
        ),
        line(
            "raw-field pastes",
            "pastes",
            len(q.pastes),
            0,
            "max",
            by_field=dict(Counter(paste.field for _, paste in q.pastes)),
            examples=[f"{p.platform}: {paste.sentence}" for p, paste in q.pastes[:3]],
        ),
        line(
            f"most uses of one skeleton {per_run} of a platform",
            "posts",
            skeleton_uses,
            MAX_SKELETON_USES,
            "max",
            where=where(skeleton_key, book),
            skeleton=skeleton_variety.top_skeleton,
        ),
        line(
            f"most uses of one 3-word opening {per_run} of a platform",
            "posts",
            opening_uses,
            MAX_OPENING_USES,
            "max",
            where=where(opening_key, book),
            opening=opening_variety.top_opening,
        ),
        line(
            f"fewest distinct skeletons {per_run} of a platform",
            "skeletons",
            fewest,
            None,
            "min",
            where=where(fewest_key, book),
        ),
        line(
            'say "pre-order" before launch, of posts with a retailer link',
            "%",
            share.share * 100,
            MIN_PRE_ORDER_SHARE * 100,
            "min",
            with_retailer_link=share.with_retailer_link,
            saying_pre_order=share.saying_pre_order,
            after_launch_share=_percent(q.pre_order_after.share),
            after_launch_with_retailer_link=q.pre_order_after.with_retailer_link,
        ),
    ]


def length_lines(qualities: Sequence[ProfileQuality]) -> list[Line]:
    """Per platform: the median length of every profile's posts beside the platform's norm."""
    lines = []
    for platform in PLATFORMS:
        norm = NORMS[platform]
        texts = [p.content for q in qualities for p in q.posts if p.platform == platform]
        lines.append(
            Line(
                SECTION,
                f"median length, {platform}",
                get_rules(platform).unit,
                median_length(platform, texts),
                norm.middle,
                f"norm ~{norm.low:,}-{norm.high:,} chars",
                "ours/baseline",
                None,
                "max",
                {
                    "by_profile": {q.name: q.medians[platform] for q in qualities},
                    "norm_source": norm.source,
                },
            )
        )
    return lines


def _percent(share: float) -> float | None:
    return None if math.isnan(share) else round(share * 100, 1)


def footnotes(qualities: Sequence[ProfileQuality], per_platform_after: int) -> list[str]:
    """How the posts were written, and each profile's figures per platform."""
    notes = [
        f"Posts: {POSTS_PER_PLATFORM} per platform for a day {DAYS_BEFORE} days before each "
        f"profile's launch and {per_platform_after} per platform for a day {DAYS_AFTER} days "
        f"after it, {len(PLATFORMS)} platforms, TemplateWriter as write_one drives it (avoid: the "
        f"platform's newest {RECENT_KEPT}; elsewhere: the others' newest {RECENT_KEPT} each; up "
        f"to {MAX_ATTEMPTS} attempts). Every final draft is measured, refused or not.",
        "Definitions: benchmarks/content_measures.py. Norms: approximate lengths from social-media"
        " guides (characters), see NORMS there; ours are in each platform's unit.",
    ]
    for q in qualities:
        before, after = launch_days(q.book)
        for day in (before, after):
            side = "before" if day == before else "after"
            cells = ", ".join(
                f"{p} {q.variety[day, p].distinct_skeletons}/{q.variety[day, p].max_skeleton_uses}"
                f"/{q.variety[day, p].max_opening_uses}"
                for p in PLATFORMS
            )
            notes.append(
                f"{q.name} ({day.isoformat()}, {side} launch) distinct skeletons / most uses of "
                f"one / most uses of one opening: {cells}"
            )
        notes.append(
            f"{q.name}: {q.rejected} of {len(q.posts)} final drafts refused by the gate; median "
            "length " + ", ".join(f"{p} {q.medians[p]:.0f}" for p in PLATFORMS)
        )
    return notes


def samples(quality: ProfileQuality) -> list[Written]:
    """Three posts of the profile to read: the first before launch on each `SAMPLE_PLATFORMS`."""
    before, _ = launch_days(quality.book)
    chosen = []
    for platform in SAMPLE_PLATFORMS:
        posts = [p for p in quality.posts if p.day == before and p.platform == platform]
        if posts:
            chosen.append(posts[0])
    return chosen


def samples_markdown(qualities: Sequence[ProfileQuality]) -> list[str]:
    """The sample posts as Markdown, for RESULTS.md."""
    out = ["", "Sample posts (the first before launch on LinkedIn, Instagram and X):"]
    for q in qualities:
        for post in samples(q):
            out += ["", f"{q.name}, {post.platform} ({post.post_type}):", "", "```"]
            out += post.content.splitlines()
            out.append("```")
    return out


# -- the command line --------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How many posts each profile gets."""

    per_platform: int
    per_platform_after: int

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        """The default or `--quick` plan (the variety targets need 100 posts before launch)."""
        if args.quick:
            return cls(per_platform=POSTS_PER_PLATFORM, per_platform_after=25)
        return cls(per_platform=POSTS_PER_PLATFORM, per_platform_after=POSTS_PER_PLATFORM)


def run(plan: Plan, _args: argparse.Namespace) -> tuple[list[Line], list[str], dict[str, Any]]:
    """Write and measure each profile's posts, the profiles side by side (one process each)."""
    books = profiles()
    log(f"writing and measuring the posts of {', '.join(books)} ({len(books)} processes)")
    # Nothing here is timed: the profiles' posts are independent, so they use every core.
    workers = min(len(books), os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(measure_profile, name, book, plan.per_platform, plan.per_platform_after)
            for name, book in books.items()
        ]
        qualities = [future.result() for future in futures]
    lines = [line for q in qualities for line in profile_lines(q)] + length_lines(qualities)
    details: dict[str, Any] = {
        "samples": {
            q.name: [{"platform": p.platform, "content": p.content} for p in samples(q)]
            for q in qualities
        },
        "markdown": samples_markdown(qualities),
    }
    return lines, footnotes(qualities, plan.per_platform_after), details


def print_samples(details: dict[str, Any]) -> None:
    """Print the sample posts (kept in `details`) below the table."""
    console = Console()
    console.print("\n[bold]Sample posts[/bold] (the first before launch on each platform shown)")
    for name, posts in details["samples"].items():
        for post in posts:
            console.print(f"\n[bold]{name}, {post['platform']}[/bold]")
            console.print(post["content"], markup=False, highlight=False, soft_wrap=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.content_quality", description=__doc__
    )
    parser.add_argument("--quick", action="store_true", help="fewer posts after the launch")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and the sample posts; 130 if interrupted."""
    args = parse_args(argv)
    kept: dict[str, Any] = {}

    def run_and_keep(
        plan: Plan, a: argparse.Namespace
    ) -> tuple[list[Line], list[str], dict[str, Any]]:
        lines, notes, details = run(plan, a)
        kept.update(details)
        return lines, notes, details

    code = bench_main(
        "bookagent content-quality benchmark", args, Plan.from_args(args), run_and_keep
    )
    if code == 0:
        print_samples(kept)
    return code


if __name__ == "__main__":
    sys.exit(main())
