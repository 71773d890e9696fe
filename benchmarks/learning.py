"""Learning benchmark: 12 simulated weeks of a synthetic audience, through the real agent.

Run `python -m benchmarks.learning` (3-4 minutes) or `--quick` (6 weeks, one audience, under a
minute); `--json PATH` also
writes the figures, `--chart PATH` the weekly curves as a PNG (default
`benchmarks/learning.png`).

**The world.** One fiction book (Europe/Berlin), two posts a day on Bluesky at four posting
times. A hidden audience gives every post type a true engagement rate per impression and every
posting time a factor on it; each week each type's rate drifts by a random factor (log-normal,
`drift` per week), the same drift for every strategy. A published post is seen by about 1,000
people (normal, ±100) and draws a normally distributed number of likes, shares and comments
around `impressions × rate × factor`. Its reading comes in through the API that imports figures
(`POST /api/posts/<id>/metrics`), the evening of the day it went out. Each scenario runs against
three audiences (seeds 7, 8, 9: their own drift and noise), and the figures add up over them, as
one run's luck (which post type the first days happen to try) moves its result by ±4 points.

**The agent is the real one**, on the embedded default's parts (SQLite, the thread-pool queue,
the offline writer, the outbox publisher) with a fake clock (`time_machine`): each simulated
day, the clock is moved to the daily run time and to one minute past each posting time, and at
each moment the real scheduler tick (`run_tick`, what the in-process scheduler runs every
minute) queues what is due: the daily routine (top-up by the learning plan, auto-approve,
schedule by the plan's slot preference, publish, metrics), the publishing of due posts, and on
Mondays the weekly report. The benchmark waits for the queue to drain before moving on.

**The strategies**, each from an empty database with the same audience:
- ours: `learning` on (the default);
- baseline: `learning` off, which is the agent before it learned: the category's default mix in
  turn, the first free posting times;
- oracle: knows the hidden rates: every post is the week's best type at the best posting times
  (computed, not run);
- oracle keeping the floor (information only): the same, but a fifth of its posts are of the
  other types, as the exploration floor the plan must keep requires: what the floor alone costs.

**The figure** is engagement as the audience's expected value of what each strategy published
(the true rate of the post's type and time × its impressions), so luck in the noise does not
decide the verdict; the realised figures are in the notes. Targets (issue 17: "≥ 80% of the
oracle's cumulative engagement by week 12, and better than the fixed mix by at least 1.5× on a
scenario where one post type is clearly best"), both held to the `clear` scenario: by week 12
the learning plan's cumulative engagement is at least 80% of the oracle's and at least 1.5×
the fixed mix's. `close` is reported without a target (see below).

Scenarios:
- `clear`: questions to readers draw three times what any other type draws (a type the offline
  writer has many distinct posts of: a type the book's material allows only a few distinct
  posts of cannot be written every day, whatever the plan asks); the evening time is a little
  better.
- `close` (harder than the issue asks, information only): the ten types' rates spread from
  1.0% to 1.9% and drift twice as fast, so the best type changes during the run and the oracle
  switches to it the week it does, while the plan must notice a 10% difference through noise
  and 14-day decay. It shows where the learning plan stands when no type is clearly best.
"""

from __future__ import annotations

import argparse
import logging
import math
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from benchmarks.harness import REPO_ROOT
from benchmarks.results import Line
from benchmarks.stack import bench_main
from benchmarks.stack import log
from bookagent.bootstrap import build_services
from bookagent.db import migrate
from bookagent.db.models import Post
from bookagent.db.models import Report
from bookagent.db.models import TaskRecord
from bookagent.domain import learning
from bookagent.domain.categories import DEFAULT_MIX
from bookagent.domain.learning_store import nearest_slot
from bookagent.services import Services
from bookagent.settings import Settings
from bookagent.states import TaskState
from bookagent.tasks.scheduling import run_tick
from bookagent.web.app import create_app

SECTION = "learning"
ZONE = ZoneInfo("Europe/Berlin")
PLATFORM = "bluesky"
POSTS_PER_DAY = 2
SLOTS = ("08:00", "12:30", "17:00", "20:30")
DAILY_RUN = "06:00"
READINGS_AT = clock_time(23, 0)
#: The first simulated day: a Monday, long after the book's launch.
START = date(2027, 3, 1)
MEAN_IMPRESSIONS = 1000.0
ORACLE_TARGET = 0.8
FIXED_TARGET = 1.5
CHART_PATH = REPO_ROOT / "benchmarks" / "learning.png"
OPEN_STATES = (TaskState.PENDING, TaskState.STARTED, TaskState.PROGRESS, TaskState.RETRY)
BOOK = {
    "user_id": "bench",
    "title": "The Salt Road",
    "author": "Mara Quill",
    "genre": "historical fiction",
    "blurb": (
        "In 1848 a salt trader's daughter walks the old road to Venice to buy back her "
        "father's debt, and learns what the road takes from those who travel it."
    ),
    "target_audience": "Readers of historical fiction and long journeys",
    "key_themes": ["debt", "journeys", "family"],
    "tone": "warm, vivid",
    "launch_date": "2026-10-01",
    "quotes": [
        "Every road is paid for twice: once in coin, once in years.",
        "The salt remembers every hand that carried it.",
        "Venice did not care who she was, only what she could pay.",
        "She counted the miles the way her father counted debts.",
    ],
    "reviews": [
        {"text": "A journey you feel in your feet.", "source": "Historical Novels Review"},
        {"text": "Patient, vivid and quietly furious.", "source": "The Bookseller"},
    ],
    "links": {"landing_page": "https://example.com/salt-road"},
    "hashtags": ["HistoricalFiction"],
    "timezone": "Europe/Berlin",
}


@dataclass(frozen=True)
class Scenario:
    """A hidden audience: each post type's engagement rate, each time's factor, the drift."""

    name: str
    rates: Mapping[str, float]
    slot_factor: Mapping[str, float]
    drift: float
    #: Whether the issue's targets apply (the scenario where one post type is clearly best).
    judged: bool


def scenarios() -> list[Scenario]:
    """The two worlds (see the module doc)."""
    types = DEFAULT_MIX["fiction"]
    # The times differ mildly in `clear` (its verdict against the fixed mix is about types) and
    # more in `close`, where the evening is worth a third more than the morning.
    mild = {"08:00": 1.0, "12:30": 0.95, "17:00": 1.05, "20:30": 1.15}
    evening = {"08:00": 0.8, "12:30": 0.9, "17:00": 1.0, "20:30": 1.3}
    clear = {post_type: 0.01 for post_type in types} | {"reader_question": 0.03}
    close = {post_type: 0.010 + 0.001 * i for i, post_type in enumerate(types)}
    return [
        Scenario("clear", clear, mild, drift=0.05, judged=True),
        Scenario("close", close, evening, drift=0.10, judged=False),
    ]


class Audience:
    """The hidden truth of one scenario: rates by week (after drift), and readings drawn."""

    def __init__(self, scenario: Scenario, weeks: int, seed: int) -> None:
        self.scenario = scenario
        drift = random.Random(seed)
        self.weekly: list[dict[str, float]] = []
        factor = dict.fromkeys(scenario.rates, 1.0)
        for _ in range(weeks):
            self.weekly.append({t: rate * factor[t] for t, rate in scenario.rates.items()})
            factor = {t: f * math.exp(drift.gauss(0, scenario.drift)) for t, f in factor.items()}

    def rate(self, post_type: str, slot: str | None, week: int) -> float:
        """The true engagement per impression of a post of this type at this time."""
        base = self.weekly[week].get(post_type, min(self.scenario.rates.values()))
        return base * self.scenario.slot_factor.get(slot or "", 1.0)

    def oracle_day(self, week: int) -> float:
        """The expected engagement of a day of the best type at the best posting times."""
        best_rate = max(self.weekly[week].values())
        factors = sorted(self.scenario.slot_factor.values(), reverse=True)[:POSTS_PER_DAY]
        return sum(best_rate * f * MEAN_IMPRESSIONS for f in factors)

    def floored_day(self, week: int) -> float:
        """The oracle's day when it too must explore as the plan must: `EXPLORATION_FLOOR` of
        its posts of the other types (on average), at the best times."""
        rates = self.weekly[week]
        best = max(rates.values())
        others = [rate for rate in rates.values() if rate != best] or [best]
        floor = learning.EXPLORATION_FLOOR
        mixed = (1 - floor) * best + floor * sum(others) / len(others)
        factors = sorted(self.scenario.slot_factor.values(), reverse=True)[:POSTS_PER_DAY]
        return sum(mixed * f * MEAN_IMPRESSIONS for f in factors)

    def reading(self, rng: random.Random, rate: float) -> dict[str, int]:
        """A post's figures: impressions, and likes/shares/comments around their mean."""
        impressions = max(int(rng.gauss(MEAN_IMPRESSIONS, 100)), 100)
        mean = impressions * rate
        total = max(round(rng.gauss(mean, math.sqrt(mean * (1 - rate)))), 0)
        likes = round(total * 0.7)
        shares = round(total * 0.2)
        return {
            "impressions": impressions,
            "likes": likes,
            "shares": shares,
            "comments": total - likes - shares,
        }


@dataclass
class Week:
    """One strategy's week: posts, expected and realised engagement, type and time shares."""

    posts: int = 0
    expected: float = 0.0
    realised: int = 0
    best_type: int = 0
    best_slot: int = 0


@dataclass
class Run:
    """One strategy's 12 weeks, and how long they took."""

    strategy: str
    weeks: list[Week] = field(default_factory=list)
    reports: int = 0
    seconds: float = 0.0
    #: Each seed's expected engagement in all, and (ours) its ratio to that seed's oracle.
    per_seed: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    #: The data of the last weekly report the agent wrote (one seed's run).
    last_report: dict[str, Any] = field(default_factory=dict)

    def add(self, other: Run) -> None:
        """Add another seed's run, week by week."""
        if not self.weeks:
            self.weeks = [Week() for _ in other.weeks]
        for mine, theirs in zip(self.weeks, other.weeks, strict=True):
            mine.posts += theirs.posts
            mine.expected += theirs.expected
            mine.realised += theirs.realised
            mine.best_type += theirs.best_type
            mine.best_slot += theirs.best_slot
        self.reports += other.reports
        self.seconds += other.seconds
        self.per_seed.append(sum(week.expected for week in other.weeks))

    def cumulative(self) -> list[float]:
        """Expected engagement summed up to each week."""
        out, total = [], 0.0
        for week in self.weeks:
            total += week.expected
            out.append(total)
        return out


@dataclass(frozen=True)
class Plan:
    """How many weeks each strategy runs."""

    weeks: int
    #: One audience (drift and noise) per seed; the figures add up over them.
    seeds: tuple[int, ...] = (7, 8, 9)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        """The default or `--quick` plan."""
        weeks = args.weeks or (6 if args.quick else 12)
        return cls(weeks=weeks, seeds=(7,) if args.quick else (7, 8, 9))


@contextmanager
def agent(data_dir: Path) -> Iterator[tuple[Services, Any]]:
    """The embedded default's services (queue started, no scheduler thread: the benchmark
    ticks) and a test client of the web app on them."""
    url = f"sqlite:///{data_dir / 'bookagent.db'}"
    migrate.upgrade(url)
    settings = Settings.model_validate(
        {
            "data_dir": str(data_dir),
            "db": {"url": url},
            "queue": {"backend": "thread", "thread_pool_max_workers": 2},
            "writers": {"default": "template"},
        }
    )
    services = build_services(settings, start_queue=False)
    assert services.queue is not None  # built, not started
    services.queue.start()
    app = create_app(services=services)
    app.config["TESTING"] = True
    try:
        yield services, app.test_client()
    finally:
        services.close(grace_s=10)


def set_up_book(client: Any, learning: bool) -> str:
    """Create the book, set the agent's settings, start it; the book's id."""
    created = client.post("/api/books", json=BOOK)
    assert created.status_code == 201, created.get_json()
    book_id = str(created.get_json()["book"]["id"])
    settings = {
        "user_id": "bench",
        "book_id": book_id,
        "posts_per_day": {PLATFORM: POSTS_PER_DAY},
        "slots": {PLATFORM: list(SLOTS)},
        "auto_approve": True,
        "daily_run_time": DAILY_RUN,
        "weekly_report_day": "monday",
        "weekly_report_time": "07:00",
        "learning": learning,
    }
    answer = client.put("/api/autonomous/settings", json=settings)
    assert answer.status_code == 200, answer.get_json()
    started = client.post("/api/autonomous/start", json={"user_id": "bench", "book_id": book_id})
    assert started.status_code == 200, started.get_json()
    return book_id


def drain(services: Services, timeout_s: float = 120.0) -> None:
    """Wait until no task is queued or running."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with services.db.session() as session:
            open_tasks = session.scalar(
                select(TaskRecord.id).where(TaskRecord.status.in_(OPEN_STATES))
            )
        if open_tasks is None:
            return
        time.sleep(0.02)
    raise TimeoutError("the queue did not drain")


def tick_at(services: Services, moment: datetime) -> None:
    """Move the clock to `moment`, run one scheduler tick there, and wait for what it queued."""
    assert services.queue is not None
    with time_machine.travel(moment, tick=True):
        run_tick(services, services.queue, scheduler="bench", backend="thread_pool", prune=False)
        drain(services)


def simulate(strategy: str, audience: Audience, weeks: int, seed: int) -> Run:
    """Run the agent (learning on or off) for `weeks` weeks against `audience`."""
    run = Run(strategy)
    started = time.monotonic()
    noise = random.Random(seed)
    best_slots = sorted(SLOTS, key=lambda s: -audience.scenario.slot_factor[s])[:POSTS_PER_DAY]
    with (
        tempfile.TemporaryDirectory(prefix="bookagent-learning-") as tmp,
        agent(Path(tmp)) as (
            services,
            client,
        ),
    ):
        with time_machine.travel(local(START - timedelta(days=1), "12:00"), tick=True):
            book_id = set_up_book(client, learning=strategy == "ours")
        for week in range(weeks):
            tally = Week()
            best_type = max(audience.weekly[week], key=audience.weekly[week].__getitem__)
            for day in range(7):
                today = START + timedelta(days=7 * week + day)
                for at in (DAILY_RUN, *SLOTS):
                    tick_at(services, local(today, at) + timedelta(minutes=1))
                with time_machine.travel(datetime.combine(today, READINGS_AT, ZONE), tick=True):
                    for post in published_on(services, book_id, today):
                        assert post.published_at is not None  # published today
                        slot = nearest_slot(post.published_at, ZONE, SLOTS)
                        rate = audience.rate(post.post_type, slot, week)
                        figures = audience.reading(noise, rate)
                        answer = client.post(
                            f"/api/posts/{post.id}/metrics?user_id=bench", json=figures
                        )
                        assert answer.status_code == 201, answer.get_json()
                        tally.posts += 1
                        tally.expected += rate * MEAN_IMPRESSIONS
                        tally.realised += figures["likes"] + figures["shares"]
                        tally.realised += figures["comments"]
                        tally.best_type += post.post_type == best_type
                        tally.best_slot += slot in best_slots
            run.weeks.append(tally)
            log(
                f"{audience.scenario.name}/{strategy} week {week + 1}: {tally.posts} posts, "
                f"expected engagement {tally.expected:.0f}, best type {tally.best_type}"
            )
        with services.db.session() as session:
            stored = list(session.scalars(select(Report).order_by(Report.week_start)))
            run.reports = len(stored)
            run.last_report = dict(stored[-1].data) if stored else {}
    run.seconds = time.monotonic() - started
    return run


def local(day: date, hhmm: str) -> datetime:
    """`hhmm` on `day` in the book's timezone."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, clock_time(hour, minute), ZONE)


def published_on(services: Services, book_id: str, day: date) -> list[Post]:
    """The book's posts published on `day` (local)."""
    start, end = local(day, "00:00"), local(day + timedelta(days=1), "00:00")
    with services.db.session() as session:
        posts = session.scalars(
            select(Post).where(
                Post.book_id == book_id,
                Post.status == "published",
                Post.published_at >= start,
                Post.published_at < end,
            )
        )
        found = list(posts)
        session.expunge_all()
    return found


@dataclass
class Outcome:
    """A scenario's three curves."""

    scenario: Scenario
    ours: Run
    fixed: Run
    oracle: list[float]
    #: The oracle's total when it explores as the floor requires (information only).
    floored: float = 0.0

    def oracle_cumulative(self) -> list[float]:
        """The oracle's expected engagement summed up to each week."""
        out, total = [], 0.0
        for week in self.oracle:
            total += week
            out.append(total)
        return out


def run_scenario(scenario: Scenario, plan: Plan) -> Outcome:
    """The learning plan and the fixed mix against one audience per seed, the oracle computed;
    each week's figures added up over the seeds."""
    ours, fixed = Run("ours"), Run("fixed")
    oracle = [0.0] * plan.weeks
    floored = 0.0
    for seed in plan.seeds:
        audience = Audience(scenario, plan.weeks, seed)
        ours.add(simulate("ours", audience, plan.weeks, seed))
        fixed.add(simulate("fixed", audience, plan.weeks, seed))
        oracle = [o + 7 * audience.oracle_day(week) for week, o in enumerate(oracle)]
        floored += sum(7 * audience.floored_day(week) for week in range(plan.weeks))
        ours.ratios.append(ours.per_seed[-1] / oracle_total(audience, plan.weeks))
    return Outcome(scenario, ours, fixed, oracle, floored)


def oracle_total(audience: Audience, weeks: int) -> float:
    """The oracle's expected engagement over `weeks` weeks of one audience."""
    return sum(7 * audience.oracle_day(week) for week in range(weeks))


def lines_of(outcome: Outcome) -> list[Line]:
    """The scenario's figures: ours vs the oracle, and vs the fixed mix where judged."""
    name = outcome.scenario.name
    weeks = len(outcome.oracle)
    ours, fixed = outcome.ours.cumulative()[-1], outcome.fixed.cumulative()[-1]
    oracle = outcome.oracle_cumulative()[-1]
    notes = {
        "ours_realised": sum(w.realised for w in outcome.ours.weeks),
        "fixed_realised": sum(w.realised for w in outcome.fixed.weeks),
        "ours_posts": sum(w.posts for w in outcome.ours.weeks),
        "fixed_posts": sum(w.posts for w in outcome.fixed.weeks),
        "reports": outcome.ours.reports,
        "seeds": len(outcome.ours.ratios),
        "ours_vs_oracle_per_seed": [round(r, 3) for r in outcome.ours.ratios],
    }
    return [
        Line(
            SECTION,
            f"{name}: cumulative engagement by week {weeks}, learning vs oracle",
            "engagements",
            round(ours, 1),
            round(oracle, 1),
            "oracle (best type and times, known)",
            "ours/baseline",
            ORACLE_TARGET if outcome.scenario.judged else None,
            notes=notes,
        ),
        Line(
            SECTION,
            f"{name}: cumulative engagement by week {weeks}, learning vs an oracle that explores "
            "as the 20% floor requires",
            "engagements",
            round(ours, 1),
            round(outcome.floored, 1),
            "oracle keeping the exploration floor",
            "ours/baseline",
            None,
            notes=notes,
        ),
        Line(
            SECTION,
            f"{name}: cumulative engagement by week {weeks}, learning vs fixed mix",
            "engagements",
            round(ours, 1),
            round(fixed, 1),
            "fixed mix (learning off)",
            "ours/baseline",
            FIXED_TARGET if outcome.scenario.judged else None,
            notes=notes,
        ),
    ]


def weekly_table(outcome: Outcome) -> list[str]:
    """The weekly curve, as the notes under the table print it."""
    rows = [
        f"{outcome.scenario.name}: week | posts | learning | fixed | oracle | cumulative vs oracle "
        "(learning, fixed) | best-type share (learning, fixed) | best-time share (learning, fixed)"
    ]
    cum_ours, cum_fixed = outcome.ours.cumulative(), outcome.fixed.cumulative()
    cum_oracle = outcome.oracle_cumulative()
    for i, (ours, fixed) in enumerate(zip(outcome.ours.weeks, outcome.fixed.weeks, strict=True)):
        rows.append(
            f"  {i + 1:>2} | {ours.posts:>2} | {ours.expected:7.0f} | {fixed.expected:7.0f} | "
            f"{outcome.oracle[i]:7.0f} | {cum_ours[i] / cum_oracle[i]:5.0%}, "
            f"{cum_fixed[i] / cum_oracle[i]:5.0%} | "
            f"{share(ours.best_type, ours.posts)}, {share(fixed.best_type, fixed.posts)} | "
            f"{share(ours.best_slot, ours.posts)}, {share(fixed.best_slot, fixed.posts)}"
        )
    ratios = ", ".join(f"{r:.0%}" for r in outcome.ours.ratios)
    rows.append(f"  learning vs oracle per audience (seed): {ratios}")
    return rows


def share(part: int, whole: int) -> str:
    """`part` of `whole` as a percentage."""
    return f"{part / whole:4.0%}" if whole else "  – "


def write_chart(outcomes: Sequence[Outcome], path: Path) -> None:
    """Weekly expected engagement of the three strategies, one panel per scenario."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5.2 * len(outcomes), 3.6))
    for axes, outcome in zip(
        figure.subplots(1, len(outcomes), squeeze=False)[0], outcomes, strict=True
    ):
        weeks = range(1, len(outcome.oracle) + 1)
        axes.plot(weeks, outcome.oracle, label="oracle", color="#555555", linestyle="--")
        axes.plot(
            weeks,
            [w.expected for w in outcome.ours.weeks],
            label="learning",
            color="#1f6f8b",
            marker="o",
        )
        axes.plot(
            weeks,
            [w.expected for w in outcome.fixed.weeks],
            label="fixed mix",
            color="#c05a2b",
            marker="s",
        )
        axes.set_title(f"{outcome.scenario.name}: expected engagement per week")
        axes.set_xlabel("simulated week")
        axes.set_ylabel("engagements")
        axes.set_ylim(bottom=0)
        axes.grid(alpha=0.3)
        axes.legend(loc="lower right")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=110, bbox_inches="tight")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.learning", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="6 simulated weeks instead of 12")
    parser.add_argument("--weeks", type=int, help="simulated weeks")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument("--chart", type=Path, default=CHART_PATH, help="where the chart goes")
    return parser.parse_args(argv)


def run(plan: Plan, args: argparse.Namespace) -> tuple[list[Line], list[str], dict[str, Any]]:
    """Every scenario, its lines, its weekly table, the chart."""
    outcomes = [run_scenario(scenario, plan) for scenario in scenarios()]
    lines = [line for outcome in outcomes for line in lines_of(outcome)]
    notes = [row for outcome in outcomes for row in weekly_table(outcome)]
    write_chart(outcomes, args.chart)
    notes.append(
        f"Chart: {args.chart}. Expected engagement = the audience's true rate of each published "
        "post's type and time × 1,000 impressions; oracle = the week's best type at the "
        f"{POSTS_PER_DAY} best of {len(SLOTS)} posting times, every post."
    )
    return lines, notes, {}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; 130 if interrupted."""
    args = parse_args(argv)
    logging.getLogger("bookagent").setLevel(logging.WARNING)  # a line per task is noise here
    return bench_main("bookagent learning benchmark", args, Plan.from_args(args), run)


if __name__ == "__main__":
    sys.exit(main())
