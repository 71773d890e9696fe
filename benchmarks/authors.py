"""Authors benchmark: 10,000 books whose agents run on one deployment (PostgreSQL + Celery).

Run `python -m benchmarks.authors` (about three minutes on 2 cores, half of it seeding) or
`--quick` (1,000 books, 100,000 posts, 200,000 task rows: under a minute); `--json PATH` also
writes the figures, `--tick-only` skips the workers. It seeds a fresh PostgreSQL database
(migrated with `bookagent.db.migrate`) with:

- 10,000 authors with one book each, spread over eight timezones, every agent running with
  today's run time already passed (a random minute between local midnight and now), and the
  settings the API stores (`AgentSettings(...).model_dump()`: posts per day on two or three
  platforms, 85% auto-approving);
- 1,000,000 posts (100 a book) whose texts the template writer wrote for the book's profile
  (a pool per profile and platform, written through `write_batch` as the generation task does),
  94.5% published over the last 90 days, the rest rejected, failed, unconfirmed, and a few
  scheduled ahead or waiting for approval (yesterday's posts went out: the routine tops up);
- 2,000,000 finished task rows over 90 days (daily routines, publications, ticks, generations,
  reports) plus a few dozen active ones; a daily run per book for each of the last 90 days
  (the retention keeps 90) and last weeks' reports (so no weekly report is due).

Users, books and agents go in by COPY, the bulk rows with one INSERT ... SELECT each (secondary
indexes rebuilt afterwards), then VACUUM ANALYZE. Then:

1. the tick: `run_tick` exactly as Celery beat's task runs it on a worker
   (`build_worker_services`: the Celery queue on the real Redis, no worker consuming yet), timed
   once with every book due (target: under 5 s), then again right after (nothing due) a few
   times. The checks: each book got exactly one daily run and one PENDING `bookagent.run_daily`
   row for it, the run names that row, and Redis holds one message per row;
2. the routines: two `bookagent worker` nodes × concurrency 2 (four worker processes) consume
   the queue; the rate over a sample of routines (after a warm-up) gives the time for all of
   them, an extrapolation, against a day. The work must spread (routines finished by at least
   two worker processes), and the posts the routines wrote per second are compared with the
   template writer alone on the same cores (its posts/s on one core, measured in this run,
   times the cores).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import redis
from celery import Celery
from sqlalchemy import event

from benchmarks.bulk_load import dsn_of
from benchmarks.bulk_load import without_secondary_indexes
from benchmarks.generation import Throughput
from benchmarks.generation import pinned_to_one_core
from benchmarks.generation import write_and_check
from benchmarks.harness import BIN
from benchmarks.harness import Child
from benchmarks.queue import wait_worker
from benchmarks.results import Line
from benchmarks.stack import DEFAULT_POSTGRES_URL
from benchmarks.stack import Scratch
from benchmarks.stack import bench_main
from benchmarks.stack import log
from benchmarks.stack import ours_env
from bookagent.bootstrap import build_worker_services
from bookagent.db import migrate
from bookagent.db.session import Database
from bookagent.domain.autonomous import AgentSettings
from bookagent.domain.autonomous import week_start
from bookagent.domain.generation import Accepted
from bookagent.domain.generation import plan_slots
from bookagent.domain.generation import write_batch
from bookagent.domain.posts import content_hash
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Review
from bookagent.platforms import get_rules
from bookagent.queue.celery_app import QUEUE_NAME
from bookagent.services import Services
from bookagent.settings import Settings
from bookagent.tasks.scheduling import run_tick
from bookagent.writers.template import TemplateWriter

SECTION = "authors"
#: A Redis database index of this benchmark's own, flushed before and after (the queue benchmark
#: uses 14, the stack's sections 13, the tests 12).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"
TICK_TARGET_S = 5.0
DAY_S = 86_400.0
#: Two worker nodes × two prefork processes: four worker processes.
WORKER_NODES = 2
WORKER_CONCURRENCY = 2
MIN_SPREAD = 2
RUN_DAILY = "bookagent.run_daily"
ACTIVE_TASKS = 40
TEXTS_PER_PLATFORM = 30
#: Candidate timezones; those close to their midnight are skipped, so "today" holds for the run.
ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Africa/Lagos",
    "Asia/Singapore",
    "Europe/Helsinki",
)
ZONES_USED = 8
#: posts_per_day variants (the routine tops each platform up to this).
POSTS_PER_DAY: tuple[dict[str, int], ...] = (
    {"twitter": 1, "facebook": 1},
    {"twitter": 2, "bluesky": 1},
    {"twitter": 1, "facebook": 1, "instagram": 1},
)
PLATFORMS = ("twitter", "facebook", "bluesky", "instagram")


@dataclass(frozen=True)
class Plan:
    """How much the run seeds and measures."""

    books: int
    posts: int
    tasks: int
    history_days: int
    report_weeks: int
    profiles: int
    idle_ticks: int
    warmup_routines: int
    sample_routines: int
    sample_timeout_s: float
    writer_s: float
    tick_only: bool

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Plan:
        """The default or `--quick` plan, with any explicit overrides."""
        quick = bool(args.quick)
        books = args.books or (1_000 if quick else 10_000)
        return cls(
            books=books,
            posts=args.posts or books * 100,
            tasks=args.tasks or books * 200,
            history_days=14 if quick else 90,
            report_weeks=2 if quick else 4,
            profiles=10 if quick else 50,
            idle_ticks=3 if quick else 5,
            warmup_routines=20 if quick else 40,
            sample_routines=args.sample or (300 if quick else 2000),
            sample_timeout_s=180.0 if quick else 600.0,
            writer_s=2.0 if quick else 4.0,
            tick_only=bool(args.tick_only),
        )


# -- the seed ----------------------------------------------------------------------------------

FIRST = ("Salt", "Quiet", "Lantern", "Winter", "Paper", "Harbour", "Glass", "Orchard", "Iron")
SECOND = ("Keeper", "Garden", "Letters", "Tide", "House", "River", "Crown", "Map", "Season")
GENRES = ("literary fiction", "mystery", "fantasy", "romance", "thriller", "memoir", "sci-fi")
THEMES = ("grief", "the sea", "family", "memory", "courage", "home", "secrets", "second chances")


def profile(index: int) -> BookProfile:
    """The `index`-th book profile (books of one profile share its texts)."""
    rng = random.Random(index)
    title = f"The {rng.choice(FIRST)} {rng.choice(SECOND)}"
    author = f"{rng.choice('ABCDEFGHJKLMNPRST')}. {rng.choice(['Writer', 'Moreau', 'Okafor'])}"
    slug = title.lower().replace(" ", "-")
    return BookProfile(
        id=f"profile-{index}",
        user_id=f"profile-{index}",
        title=title,
        author=author,
        genre=rng.choice(GENRES),
        blurb=(
            f"{title} follows a keeper of small things who finds a message that changes what "
            "she thought she knew about the people she loved."
        ),
        target_audience="readers of quiet, character-driven fiction",
        key_themes=tuple(rng.sample(THEMES, 2)),
        tone="warm, wry",
        links={
            "amazon": f"https://www.amazon.com/dp/B{index:09d}",
            "audible": None,
            "landing_page": f"https://example.com/{slug}",
        },
        launch_date=date(2027, 3, 1) + timedelta(days=index),
        price="4.99 USD",
        quotes=("The sea keeps what it is given, and returns what it must.",),
        reviews=(Review("A luminous, aching novel.", "Book Review Weekly"),),
        hashtags=("#BookTok", "LiteraryFiction"),
        timezone="UTC",
        human_in_loop=False,
    )


def text_pool(profiles: list[BookProfile]) -> list[tuple[Any, ...]]:
    """For each profile and platform, TEXTS_PER_PLATFORM accepted template posts (as the
    generation task writes and gates them): rows of the `bench_texts` table."""
    writer = TemplateWriter()
    rules = {p: get_rules(p) for p in PLATFORMS}
    rows: list[tuple[Any, ...]] = []
    for number, book in enumerate(profiles):
        slots = plan_slots(PLATFORMS, TEXTS_PER_PLATFORM, None, seed=number)
        outcomes = asyncio.run(
            write_batch(
                writer,
                book,
                slots,
                rules,
                {p: [] for p in PLATFORMS},
                concurrency=10,
                on_outcome=lambda _o, _d: None,
            )
        )
        per_platform: Counter[str] = Counter()
        for outcome in outcomes:
            if not isinstance(outcome, Accepted):
                continue
            draft, report = outcome.draft, outcome.report
            index = per_platform[draft.platform]
            per_platform[draft.platform] += 1
            metadata = {
                "writer": draft.provider,
                "model": draft.model,
                "prompt_hash": draft.prompt_hash,
                "input_tokens": 0,
                "output_tokens": 0,
                "cost_usd": 0.0,
                "attempts": outcome.attempts,
                "seed": number,
                "requested_post_type": outcome.slot.post_type,
                "validation": report.to_dict(),
            }
            rows.append(
                (
                    number,
                    draft.platform,
                    index,
                    draft.post_type,
                    draft.content,
                    content_hash(draft.content),
                    json.dumps(list(draft.hashtags)),
                    json.dumps(list(draft.links)),
                    report.measured_length,
                    report.limit,
                    draft.prompt_hash,
                    json.dumps(metadata),
                )
            )
        short = [p for p in PLATFORMS if per_platform[p] < TEXTS_PER_PLATFORM]
        if short:
            raise RuntimeError(f"profile {number}: too few accepted texts for {short}")
    return rows


@dataclass(frozen=True)
class Zone:
    """A timezone and its local clock at the seed."""

    name: str
    today: date
    minutes: int  # local minutes since midnight


def pick_zones(now: datetime) -> list[Zone]:
    """ZONES_USED timezones whose local time is between 00:10 and 23:20."""
    chosen = []
    for name in ZONES:
        local = now.astimezone(ZoneInfo(name))
        minutes = local.hour * 60 + local.minute
        if 10 <= minutes <= 23 * 60 + 20:
            chosen.append(Zone(name, local.date(), minutes))
    return chosen[:ZONES_USED]


@dataclass
class Seeded:
    """What went into the database, and how long it took."""

    books: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    size: str = "?"
    zones: list[str] = field(default_factory=list)


@contextlib.contextmanager
def step(seeded: Seeded, name: str) -> Iterator[None]:
    """Time one seeding step."""
    started = time.monotonic()
    yield
    seeded.seconds[name] = round(time.monotonic() - started, 1)


def seed_database(url: str, plan: Plan) -> Seeded:
    """Everything the run needs, in one fresh migrated database."""
    seeded = Seeded(books=plan.books)
    now = datetime.now(UTC)
    zones = pick_zones(now)
    seeded.zones = [z.name for z in zones]
    rng = random.Random(2027)
    with step(seeded, "texts"):
        profiles = [profile(i) for i in range(plan.profiles)]
        texts = text_pool(profiles)
    with psycopg.connect(dsn_of(url)) as conn:
        with step(seeded, "books"):
            copy_books(conn, plan, profiles, zones, texts, rng, now)
        per_book = max(plan.posts // plan.books, 1)
        with step(seeded, "posts"), without_secondary_indexes(conn, "posts"):
            conn.execute(POSTS_SQL, {"per_book": per_book, "pool": TEXTS_PER_PLATFORM, "now": now})
        with step(seeded, "tasks"), without_secondary_indexes(conn, "tasks"):
            conn.execute(
                TASKS_SQL, {"n": plan.tasks - ACTIVE_TASKS, "books": plan.books, "now": now}
            )
            conn.execute(ACTIVE_TASKS_SQL, {"n": ACTIVE_TASKS, "books": plan.books, "now": now})
        with step(seeded, "daily_runs"):
            conn.execute(DAILY_RUNS_SQL, {"days": plan.history_days})
        with step(seeded, "reports"):
            conn.execute(REPORTS_SQL, {"weeks": plan.report_weeks, "now": now})
        conn.execute("DROP TABLE bench_books")
        conn.execute("DROP TABLE bench_texts")
        conn.commit()
    with psycopg.connect(dsn_of(url), autocommit=True) as conn, step(seeded, "vacuum"):
        conn.execute("VACUUM ANALYZE")
        for table in ("users", "books", "autonomous_states", "posts", "tasks", "daily_runs"):
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            seeded.counts[table] = int(row[0]) if row else 0
        row = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()
        seeded.size = str(row[0]) if row else "?"
    return seeded


def copy_books(
    conn: psycopg.Connection[Any],
    plan: Plan,
    profiles: list[BookProfile],
    zones: list[Zone],
    texts: list[tuple[Any, ...]],
    rng: random.Random,
    now: datetime,
) -> None:
    """Users, books and running agents by COPY; `bench_books` and `bench_texts` for the SQL."""
    conn.execute(
        "CREATE TABLE bench_books (n integer PRIMARY KEY, book_id text, user_id text, "
        "timezone text, profile integer, platforms text[], local_today date, run_time time, "
        "week_start date)"
    )
    conn.execute(
        "CREATE TABLE bench_texts (profile integer, platform text, idx integer, post_type text, "
        "content text, content_hash text, hashtags json, links json, measured_length integer, "
        "lim integer, prompt_hash text, metadata json, PRIMARY KEY (profile, platform, idx))"
    )
    with conn.cursor().copy("COPY bench_texts FROM STDIN") as copy:
        for row in texts:
            copy.write_row(row)
    book_columns = (
        "id, user_id, title, subtitle, author, genre, blurb, target_audience, key_themes, tone, "
        "content_guidelines, links, launch_date, price, quotes, reviews, hashtags, "
        "cover_image_url, timezone, human_in_loop, created_at, updated_at"
    )
    state_columns = "book_id, running, started_at, stopped_at, settings, updated_at"
    cursor = conn.cursor()
    books, states, bench = [], [], []
    for n in range(plan.books):
        book_id = uuid.UUID(int=rng.getrandbits(128)).hex
        user_id = f"author-{n:05d}"
        zone = zones[n % len(zones)]
        source = profiles[n % len(profiles)]
        human = rng.random() < 0.15
        created = now - timedelta(days=rng.uniform(91, 400))
        per_day = POSTS_PER_DAY[n % len(POSTS_PER_DAY)]
        run_minute = rng.randint(0, max(zone.minutes - 5, 0))
        run_time = f"{run_minute // 60:02d}:{run_minute % 60:02d}"
        settings = AgentSettings(
            posts_per_day=per_day, daily_run_time=run_time, auto_approve=None
        ).model_dump()
        books.append(
            (
                book_id,
                user_id,
                source.title,
                source.subtitle,
                source.author,
                source.genre,
                source.blurb,
                source.target_audience,
                json.dumps(list(source.key_themes)),
                source.tone,
                source.content_guidelines,
                json.dumps(dict(source.links)),
                source.launch_date,
                source.price,
                json.dumps(list(source.quotes)),
                json.dumps([{"text": r.text, "source": r.source} for r in source.reviews]),
                json.dumps(list(source.hashtags)),
                None,
                zone.name,
                human,
                created,
                created,
            )
        )
        states.append((book_id, True, created, None, json.dumps(settings), created))
        bench.append(
            (
                n,
                book_id,
                user_id,
                zone.name,
                n % len(profiles),
                list(per_day),
                zone.today,
                run_time,
                week_start(zone.today),
            )
        )
    with cursor.copy("COPY users (id, created_at) FROM STDIN") as copy:
        for row in books:
            copy.write_row((row[1], row[20]))
    with cursor.copy(f"COPY books ({book_columns}) FROM STDIN") as copy:
        for row in books:
            copy.write_row(row)
    with cursor.copy(f"COPY autonomous_states ({state_columns}) FROM STDIN") as copy:
        for row in states:
            copy.write_row(row)
    with cursor.copy("COPY bench_books FROM STDIN") as copy:
        for row in bench:
            copy.write_row(row)


# The posts: `per_book` a book, the texts of its profile on its platforms, mostly published.
POSTS_SQL = """
INSERT INTO posts (id, book_id, user_id, platform, post_type, content, content_hash, hashtags,
    links, status, measured_length, "limit", provider, model, prompt_hash, cost_usd, task_id,
    task_index, created_at, updated_at, approved_at, approved_by, scheduled_time, published_at,
    published_url, remote_id, rejection_reason, failure_reason, publish_attempts,
    generation_metadata, metrics, metrics_updated_at)
SELECT md5(b.book_id || '/post/' || g.i), b.book_id, b.user_id, t.platform, t.post_type,
    t.content, t.content_hash, t.hashtags, t.links, s.status, t.measured_length, t.lim,
    'template', 'template-v1', t.prompt_hash, 0.0, md5(b.book_id || '/gen/' || (g.i / 6)),
    g.i %% 6, c.created_at, c.created_at,
    CASE WHEN s.status IN ('published', 'failed', 'unconfirmed', 'scheduled')
        THEN c.created_at + interval '1 hour' END,
    CASE WHEN s.status IN ('published', 'failed', 'unconfirmed', 'scheduled')
        THEN 'autonomous-agent' END,
    CASE WHEN s.status = 'scheduled'
            THEN %(now)s::timestamptz + (1 + p.roll %% 72) * interval '1 hour'
         WHEN s.status IN ('published', 'failed', 'unconfirmed') THEN c.published_at END,
    CASE WHEN s.status = 'published' THEN c.published_at END,
    CASE WHEN s.status = 'published'
        THEN t.platform || '/' || c.published_at::date || '/' || md5(b.book_id || '/post/' || g.i)
            || '.md' END,
    CASE WHEN s.status = 'published' THEN 'outbox:' || md5(b.book_id || '/post/' || g.i) END,
    CASE WHEN s.status = 'rejected' THEN 'Not quite our tone.' END,
    CASE WHEN s.status = 'failed' THEN 'ProviderRejected: the platform refused the post' END,
    CASE WHEN s.status IN ('published', 'unconfirmed') THEN 1
         WHEN s.status = 'failed' THEN 3 ELSE 0 END,
    t.metadata, '{}'::json, NULL
FROM bench_books b
CROSS JOIN generate_series(0, %(per_book)s - 1) AS g(i)
CROSS JOIN LATERAL (
    SELECT b.platforms[(g.i %% cardinality(b.platforms)) + 1] AS platform,
           (g.i / cardinality(b.platforms)) %% %(pool)s AS idx,
           abs(hashtext(b.book_id || '/roll/' || g.i)) %% 1000 AS roll
) AS p
JOIN bench_texts t ON t.profile = b.profile AND t.platform = p.platform AND t.idx = p.idx
CROSS JOIN LATERAL (
    SELECT CASE WHEN p.roll < 945 THEN 'published' WHEN p.roll < 975 THEN 'rejected'
                WHEN p.roll < 990 THEN 'failed' WHEN p.roll < 995 THEN 'unconfirmed'
                WHEN p.roll < 998 THEN 'scheduled' ELSE 'pending_approval' END AS status
) AS s
CROSS JOIN LATERAL (
    SELECT CASE WHEN s.status = 'scheduled' THEN %(now)s::timestamptz - interval '3 hours'
                WHEN s.status = 'pending_approval' THEN %(now)s::timestamptz - interval '2 hours'
                ELSE %(now)s::timestamptz
                    - (%(per_book)s - g.i) * interval '89 days' / %(per_book)s END AS created_at,
           %(now)s::timestamptz - (%(per_book)s - g.i) * interval '89 days' / %(per_book)s
               + (%(per_book)s - g.i) * interval '89 days' / %(per_book)s / 2 AS published_at
) AS c
"""

# Finished task rows over 90 days: the mix of a deployment whose agents run every day.
TASKS_SQL = """
INSERT INTO tasks (id, name, status, kwargs, user_id, backend, worker, progress_current,
    progress_total, progress_message, result, error_type, error_message, revoked,
    terminate_requested, idempotent, time_limit_s, attempts, created_at, started_at, finished_at,
    heartbeat_at)
SELECT md5('bench-task/' || g.n), k.name, k.status,
    CASE WHEN k.name = 'bookagent.run_daily'
            THEN json_build_object('book_id', b.book_id, 'run_date', k.created::date)
         WHEN k.name IN ('bookagent.generate_posts')
            THEN json_build_object('book_id', b.book_id, 'platforms', b.platforms,
                                   'count_per_platform', 3)
         WHEN k.name = 'bookagent.generate_weekly_report'
            THEN json_build_object('book_id', b.book_id)
         ELSE '{}'::json END,
    CASE WHEN k.periodic THEN NULL ELSE b.user_id END,
    'celery', 'bench-history@host/' || (1000 + g.n %% 4000),
    CASE WHEN k.status = 'SUCCESS' THEN 5 ELSE 2 END, 5, NULL,
    CASE WHEN k.status <> 'SUCCESS' THEN NULL
         WHEN k.name = 'bookagent.run_daily' THEN json_build_object('book_id', b.book_id, 'ok',
              true, 'steps', json_build_object('top_up', json_build_object('ok', true,
              'written', json_build_object('twitter', 1)), 'schedule',
              json_build_object('ok', true, 'scheduled', 1)))
         WHEN k.name = 'bookagent.publish_due' THEN '{"due": 1, "outcomes": {"published": 1}}'
         ELSE '{}'::json END,
    CASE WHEN k.status = 'FAILURE' THEN 'TimeLimitExceeded' END,
    CASE WHEN k.status = 'FAILURE' THEN 'The task exceeded its time limit of 300 s.' END,
    k.status = 'REVOKED', false, true, 300.0, 1, k.created,
    k.created + interval '50 milliseconds',
    k.created + interval '50 milliseconds' + k.duration,
    k.created + interval '50 milliseconds' + k.duration
FROM generate_series(1, %(n)s) AS g(n)
JOIN bench_books b ON b.n = abs(hashtext('book/' || g.n)) %% %(books)s
CROSS JOIN LATERAL (
    SELECT abs(hashtext('name/' || g.n)) %% 1000 AS name_roll,
           abs(hashtext('status/' || g.n)) %% 100 AS status_roll,
           abs(hashtext('age/' || g.n)) %% 7776000 AS age_s
) AS r
CROSS JOIN LATERAL (
    SELECT x.name, x.periodic, x.duration,
           CASE WHEN r.status_roll < 90 THEN 'SUCCESS' WHEN r.status_roll < 98 THEN 'FAILURE'
                ELSE 'REVOKED' END AS status,
           %(now)s::timestamptz - interval '10 minutes' - r.age_s * interval '1 second' AS created
    FROM (SELECT CASE WHEN r.name_roll < 450 THEN 'bookagent.run_daily'
                      WHEN r.name_roll < 650 THEN 'bookagent.publish_due'
                      WHEN r.name_roll < 800 THEN 'bookagent.tick_scheduler'
                      WHEN r.name_roll < 950 THEN 'bookagent.generate_posts'
                      WHEN r.name_roll < 980 THEN 'bookagent.generate_weekly_report'
                      WHEN r.name_roll < 990 THEN 'bookagent.run_diagnostics'
                      ELSE 'bookagent.prune_old_rows' END AS name,
                 r.name_roll BETWEEN 450 AND 799 OR r.name_roll >= 990 AS periodic,
                 CASE WHEN r.name_roll < 450 THEN interval '400 milliseconds'
                      WHEN r.name_roll < 800 THEN interval '150 milliseconds'
                      ELSE interval '3 seconds' END AS duration) AS x
) AS k
"""

# A few dozen active rows (waiting or running generations), as any live deployment has.
ACTIVE_TASKS_SQL = """
INSERT INTO tasks (id, name, status, kwargs, user_id, backend, worker, progress_current,
    progress_total, idempotent, time_limit_s, attempts, created_at, started_at, heartbeat_at,
    revoked, terminate_requested)
SELECT md5('bench-active/' || g.n), 'bookagent.generate_posts',
    CASE WHEN g.n %% 2 = 0 THEN 'PENDING' ELSE 'STARTED' END,
    json_build_object('book_id', b.book_id), b.user_id, 'celery',
    CASE WHEN g.n %% 2 = 0 THEN NULL ELSE 'bench-history@host/1' END, 0, 6, true, 3600.0,
    g.n %% 2, %(now)s::timestamptz - interval '30 seconds',
    CASE WHEN g.n %% 2 = 0 THEN NULL ELSE %(now)s::timestamptz - interval '29 seconds' END,
    %(now)s::timestamptz, false, false
FROM generate_series(1, %(n)s) AS g(n)
JOIN bench_books b ON b.n = g.n %% %(books)s
"""

# One finished daily run per book for each of the last `days` local days.
DAILY_RUNS_SQL = """
INSERT INTO daily_runs (id, book_id, run_date, status, task_id, steps, created_at, finished_at)
SELECT md5(b.book_id || '/run/' || d), b.book_id, b.local_today - d,
    CASE WHEN abs(hashtext(b.book_id || '/ok/' || d)) %% 100 < 97 THEN 'done' ELSE 'failed' END,
    md5(b.book_id || '/run-task/' || d),
    '{"top_up": {"ok": true, "written": {"twitter": 1}, "rejected": []},
      "auto_approve": {"ok": true, "approved": 1}, "schedule": {"ok": true, "scheduled": 1},
      "publish": {"ok": true, "due": 1, "outcomes": {"published": 1}},
      "metrics": {"ok": true, "updated": 0}}'::json,
    ((b.local_today - d) + b.run_time) AT TIME ZONE b.timezone,
    ((b.local_today - d) + b.run_time) AT TIME ZONE b.timezone + interval '20 seconds'
FROM bench_books b
CROSS JOIN generate_series(1, %(days)s) AS d
"""

# Last weeks' reports (so none is due on the day of the run).
REPORTS_SQL = """
INSERT INTO reports (id, book_id, user_id, week_start, data, task_id, created_at)
SELECT md5(b.book_id || '/report/' || w), b.book_id, b.user_id, b.week_start - 7 * w,
    json_build_object('week_start', b.week_start - 7 * w, 'posts', json_build_object(
        'published', 9, 'failed', 0), 'suggestions', json_build_array()),
    md5(b.book_id || '/report-task/' || w),
    %(now)s::timestamptz - (w - 1) * interval '7 days' - interval '1 day'
FROM bench_books b
CROSS JOIN generate_series(1, %(weeks)s) AS w
"""


# -- the tick ----------------------------------------------------------------------------------


@dataclass
class TickRun:
    """One timed tick."""

    seconds: float
    cpu_seconds: float
    statements: int
    daily_runs: int
    weekly_reports: int


@dataclass
class TickResults:
    """The due tick, the idle ticks after it, and what the checks found."""

    due: TickRun
    idle: list[TickRun]
    checks: dict[str, Any]
    started_at: datetime


@contextlib.contextmanager
def counting_statements(db: Database) -> Iterator[list[int]]:
    """Count the statements sent on both of the database's engines."""
    counter = [0]

    def count(*_: Any) -> None:
        counter[0] += 1

    engines = (db.engine, db.direct)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


def timed_tick(services: Services) -> TickRun:
    """One `run_tick` as Celery beat's task runs it."""
    queue = services.require_queue()
    with counting_statements(services.db) as statements:
        started, cpu = time.perf_counter(), time.process_time()
        outcome = run_tick(services, queue, scheduler="celery-beat", backend="celery")
        seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    return TickRun(
        seconds,
        cpu_s,
        statements[0],
        len(outcome["daily_runs"]),
        len(outcome["weekly_reports"]),
    )


def tick_settings(workdir: Path, url: str, redis_url: str) -> Settings:
    """The settings of a Celery worker process (where beat's tick runs)."""
    return Settings(
        data_dir=workdir,
        log_level="WARNING",
        admin_token=None,
        db={"url": url},
        queue={"backend": "celery", "broker_url": redis_url},
        writers={"default": "template"},
    )


def measure_ticks(url: str, redis_url: str, workdir: Path, plan: Plan) -> TickResults:
    """Warm a worker's services up, time the tick with every book due, then idle ticks."""
    services = build_worker_services(tick_settings(workdir, url, redis_url))
    broker = redis.Redis.from_url(redis_url)
    try:
        # A worker that ticks every minute has its connections open and its modules loaded.
        services.db.ping()
        services.require_queue().submit("bookagent.run_noop", {}, user_id=None)
        queued_before = int(broker.llen(QUEUE_NAME))
        started_at = datetime.now(UTC)
        log(f"tick with {plan.books:,} due books")
        due = timed_tick(services)
        log(
            f"tick: {due.seconds:.2f} s ({due.cpu_seconds:.2f} s CPU, {due.statements:,} "
            f"statements), {due.daily_runs:,} daily runs queued"
        )
        idle = []
        for _ in range(plan.idle_ticks):
            idle.append(timed_tick(services))
        log(f"idle ticks: {', '.join(f'{t.seconds * 1000:.0f} ms' for t in idle)}")
        checks = check_tick(url, started_at, plan.books)
        checks["broker_messages"] = int(broker.llen(QUEUE_NAME)) - queued_before
        problems = tick_problems(checks, due, idle, plan.books)
        checks["problems"] = problems
        if problems:
            raise RuntimeError(
                "the tick did not queue each book exactly once: " + "; ".join(problems)
            )
        return TickResults(due, idle, checks, started_at)
    finally:
        broker.close()
        services.close(grace_s=1.0)


def check_tick(url: str, since: datetime, books: int) -> dict[str, Any]:
    """What the database holds after the ticks: runs, task rows and how they match."""
    with psycopg.connect(dsn_of(url)) as conn:

        def one(sql: str) -> Any:
            row = conn.execute(sql, {"since": since, "name": RUN_DAILY}).fetchone()
            return row[0] if row else None

        return {
            "runs": one("SELECT count(*) FROM daily_runs WHERE created_at >= %(since)s"),
            "run_books": one(
                "SELECT count(DISTINCT book_id) FROM daily_runs WHERE created_at >= %(since)s"
            ),
            "runs_without_task_row": one(
                "SELECT count(*) FROM daily_runs d WHERE d.created_at >= %(since)s AND NOT "
                "EXISTS (SELECT 1 FROM tasks t WHERE t.id = d.task_id AND t.name = %(name)s "
                "AND t.status = 'PENDING' AND t.kwargs->>'book_id' = d.book_id "
                "AND t.kwargs->>'run_date' = d.run_date::text)"
            ),
            "task_rows": one(
                "SELECT count(*) FROM tasks WHERE name = %(name)s AND created_at >= %(since)s"
            ),
            "task_books": one(
                "SELECT count(DISTINCT kwargs->>'book_id') FROM tasks WHERE name = %(name)s "
                "AND created_at >= %(since)s"
            ),
            "all_task_rows": one("SELECT count(*) FROM tasks WHERE created_at >= %(since)s"),
            "books": books,
        }


def tick_problems(
    checks: dict[str, Any], due: TickRun, idle: list[TickRun], books: int
) -> list[str]:
    """Every way the ticks missed "one run and one queued task per book"."""
    problems = []
    if due.daily_runs != books:
        problems.append(f"the tick queued {due.daily_runs} daily runs for {books} books")
    if any(t.daily_runs for t in idle):
        problems.append("an idle tick queued daily runs again")
    for key in ("runs", "run_books", "task_rows", "task_books"):
        if checks[key] != books:
            problems.append(f"{key} = {checks[key]} (expected {books})")
    if checks["runs_without_task_row"]:
        problems.append(f"{checks['runs_without_task_row']} runs name no matching PENDING row")
    if checks.get("broker_messages", checks["all_task_rows"]) != checks["all_task_rows"]:
        problems.append(
            f"{checks['broker_messages']} broker messages for {checks['all_task_rows']} rows"
        )
    return problems


# -- the routines ------------------------------------------------------------------------------


def writer_rate(seconds: float) -> float:
    """The template writer's validated posts per second on one core (write + check, as
    `benchmarks.generation` measures it), over `seconds`."""
    writer = TemplateWriter()
    with pinned_to_one_core(0):
        seed = asyncio.run(write_and_check(writer, 0.5, 0, Throughput()))
        result = Throughput()
        asyncio.run(write_and_check(writer, seconds, seed, result))
    return result.rate


def group_cpu_s(groups: list[int]) -> float:
    """CPU seconds (user + system) of every live process in these process groups."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in groups:  # pgrp (fields after the name: state, ppid, pgrp, ...)
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def machine_busy() -> tuple[int, int]:
    """(all jiffies, idle jiffies) of the machine so far."""
    with open("/proc/stat") as stat:
        values = [int(x) for x in stat.readline().split()[1:]]
    return sum(values), values[3] + values[4]


@dataclass
class RoutineResults:
    """The routines' sample: rate, CPU, spread and outcomes."""

    routines: int
    seconds: float
    worker_cpu_s: float
    machine_busy: float
    posts_written: int
    succeeded: int
    steps: dict[str, int]
    workers: dict[str, int]
    failed_tasks: int
    failed_steps: Counter[str]
    first_error: str | None
    writer_posts_per_s: float
    cores: int

    @property
    def rate(self) -> float:
        """Routines per second."""
        return self.routines / self.seconds if self.seconds else 0.0


def start_workers(scratch: Scratch, url: str, redis_url: str) -> list[Child]:
    """WORKER_NODES `bookagent worker` nodes × WORKER_CONCURRENCY processes, ready."""
    tag = uuid.uuid4().hex[:6]
    children = []
    for node in range(WORKER_NODES):
        env = ours_env(
            scratch.path(f"worker-{node}"),
            backend="celery",
            redis_url=redis_url,
            database_url=url,
            CELERY_CONCURRENCY=str(WORKER_CONCURRENCY),
            BOOKAGENT_WRITER="template",
        )
        args = [str(BIN / "bookagent"), "worker", f"--hostname=authors-{node}-{tag}@%h"]
        children.append(scratch.start(f"worker-{node}", args, env))
    app = Celery(broker=redis_url)
    try:
        for node, child in enumerate(children):
            wait_worker(app, child, f"authors-{node}-{tag}@")
    finally:
        app.close()
    return children


def finished_since(conn: psycopg.Connection[Any], since: datetime) -> int:
    """Daily routines finished since `since` (the index on name, finished_at)."""
    row = conn.execute(
        "SELECT count(*) FROM tasks WHERE name = %s AND finished_at >= %s", (RUN_DAILY, since)
    ).fetchone()
    return int(row[0]) if row else 0


def measure_routines(
    scratch: Scratch, url: str, redis_url: str, plan: Plan, since: datetime
) -> RoutineResults:
    """Start the workers; time `plan.sample_routines` routines after a warm-up."""
    log(f"template writer alone: {plan.writer_s:g} s on one core")
    per_core = writer_rate(plan.writer_s)
    cores = min(os.cpu_count() or 1, WORKER_NODES * WORKER_CONCURRENCY)
    log(f"starting {WORKER_NODES} worker nodes × {WORKER_CONCURRENCY} processes")
    workers = start_workers(scratch, url, redis_url)
    groups = [child.proc.pid for child in workers]
    target = plan.warmup_routines + plan.sample_routines
    deadline = time.monotonic() + plan.sample_timeout_s
    mark: tuple[float, float, tuple[int, int], int, datetime] | None = None
    with psycopg.connect(dsn_of(url), autocommit=True) as conn:
        while True:
            for child in workers:
                child.check_alive()
            done = finished_since(conn, since)
            if mark is None and done >= plan.warmup_routines:
                mark = (time.monotonic(), group_cpu_s(groups), machine_busy(), done, utc_now())
                log(f"warm-up done ({done} routines); sampling {plan.sample_routines}")
            if done >= target:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {done} routines finished in {plan.sample_timeout_s:g} s")
            time.sleep(0.25)
        assert mark is not None
        ended, cpu_end, busy_end, done_end, window_end = (
            time.monotonic(),
            group_cpu_s(groups),
            machine_busy(),
            done,
            utc_now(),
        )
        scratch.stop_fast(*workers, grace_s=5.0)
        window_start = mark[4]
        rows = conn.execute(
            "SELECT worker, status, result, error_type, error_message FROM tasks "
            "WHERE name = %s AND finished_at >= %s",
            (RUN_DAILY, since),
        ).fetchall()
        window_rows = conn.execute(
            "SELECT result FROM tasks WHERE name = %s AND finished_at >= %s AND finished_at < %s "
            "AND status = 'SUCCESS'",
            (RUN_DAILY, window_start, window_end),
        ).fetchall()
    started, cpu_start, busy_start, done_start, _ = mark
    all_jiffies, idle_jiffies = (busy_end[0] - busy_start[0], busy_end[1] - busy_start[1])
    workers_seen: Counter[str] = Counter(str(row[0]) for row in rows)
    failed_steps: Counter[str] = Counter()
    first_error = None
    failed_tasks = 0
    for worker, status, result, error_type, error_message in rows:
        del worker
        if status != "SUCCESS":
            failed_tasks += 1
            first_error = first_error or f"{error_type}: {error_message}"
            continue
        for name, outcome in (result or {}).get("steps", {}).items():
            if not outcome.get("ok"):
                failed_steps[name] += 1
                first_error = first_error or f"{name}: {outcome.get('error')}"
    steps: Counter[str] = Counter()
    for (result,) in window_rows:
        outcome = (result or {}).get("steps", {})
        steps["written"] += sum(
            int(v) for v in outcome.get("top_up", {}).get("written", {}).values()
        )
        steps["approved"] += int(outcome.get("auto_approve", {}).get("approved", 0))
        steps["scheduled"] += int(outcome.get("schedule", {}).get("scheduled", 0))
        steps["published"] += sum(
            int(v) for v in outcome.get("publish", {}).get("outcomes", {}).values()
        )
        steps["metrics_updated"] += int(outcome.get("metrics", {}).get("updated", 0))
    return RoutineResults(
        routines=done_end - done_start,
        seconds=ended - started,
        worker_cpu_s=cpu_end - cpu_start,
        machine_busy=1 - idle_jiffies / all_jiffies if all_jiffies else 0.0,
        posts_written=steps["written"],
        succeeded=len(window_rows),
        steps=dict(steps),
        workers=dict(workers_seen),
        failed_tasks=failed_tasks,
        failed_steps=failed_steps,
        first_error=first_error,
        writer_posts_per_s=per_core,
        cores=cores,
    )


def utc_now() -> datetime:
    """Now, timezone-aware."""
    return datetime.now(UTC)


# -- figures -----------------------------------------------------------------------------------


def tick_lines(plan: Plan, ticks: TickResults) -> list[Line]:
    """The due tick against 5 s; the idle tick for information."""
    due, idle = ticks.due, ticks.idle
    idle_s = statistics.median(t.seconds for t in idle) if idle else float("nan")
    return [
        Line(
            SECTION,
            f"one tick queues the day's routines of {plan.books:,} due books (PostgreSQL, "
            "Celery on Redis)",
            "s",
            due.seconds,
            None,
            "",
            None,
            TICK_TARGET_S,
            "max",
            {
                "cpu_s": round(due.cpu_seconds, 3),
                "statements": due.statements,
                "daily_runs": due.daily_runs,
                "checks": ticks.checks,
            },
        ),
        Line(
            SECTION,
            f"idle tick right after (nothing due, {plan.books:,} running books), median of "
            f"{len(idle)}",
            "ms",
            idle_s * 1000,
            None,
            "",
            None,
            None,
            "max",
            {
                "seconds": [round(t.seconds, 4) for t in idle],
                "cpu_s": [round(t.cpu_seconds, 4) for t in idle],
                "statements": [t.statements for t in idle],
            },
        ),
    ]


def routine_lines(plan: Plan, routines: RoutineResults) -> list[Line]:
    """All routines within a day (extrapolated), the spread, and the posts/s beside the writer."""
    processes = WORKER_NODES * WORKER_CONCURRENCY
    extrapolated = plan.books / routines.rate if routines.rate else float("inf")
    posts_rate = routines.posts_written / routines.seconds if routines.seconds else 0.0
    notes = {
        "routines": routines.routines,
        "seconds": round(routines.seconds, 2),
        "routines_per_s": round(routines.rate, 3),
        "worker_cpu_s_per_routine": round(routines.worker_cpu_s / routines.routines, 4)
        if routines.routines
        else None,
        "machine_busy": round(routines.machine_busy, 3),
        "failed_tasks": routines.failed_tasks,
        "failed_steps": dict(routines.failed_steps),
        "step_totals": routines.steps,
        "first_error": routines.first_error,
        "workers": routines.workers,
    }
    hostnames = {name.split("/", 1)[0] for name in routines.workers}
    return [
        Line(
            SECTION,
            f"{plan.books:,} daily routines on {processes} Celery worker processes "
            f"(extrapolated from {routines.routines:,} after a warm-up of "
            f"{plan.warmup_routines})",
            "s",
            extrapolated,
            None,
            "",
            None,
            DAY_S,
            "max",
            notes,
        ),
        Line(
            SECTION,
            f"worker processes that ran the routines ({len(hostnames)} worker nodes)",
            "processes",
            float(len(routines.workers)),
            None,
            "",
            None,
            float(MIN_SPREAD),
            "min",
            {"routines_by_worker": routines.workers},
        ),
        Line(
            SECTION,
            f"posts the routines wrote per second, {processes} worker processes",
            "posts/s",
            posts_rate,
            routines.writer_posts_per_s * routines.cores,
            f"template writer alone × {routines.cores} cores",
            "ours/baseline",
            None,
            "min",
            {
                "posts_written": routines.posts_written,
                "writer_posts_per_s_one_core": round(routines.writer_posts_per_s, 1),
            },
        ),
    ]


def footnotes(
    plan: Plan, seeded: Seeded, ticks: TickResults, routines: RoutineResults | None
) -> list[str]:
    """How the run seeded and measured."""
    counts = seeded.counts
    notes = [
        f"Seeded {counts.get('books', 0):,} books ({len(seeded.zones)} timezones: "
        f"{', '.join(seeded.zones)}), {counts.get('posts', 0):,} posts, "
        f"{counts.get('tasks', 0):,} task rows, {counts.get('daily_runs', 0):,} past daily runs "
        f"({plan.history_days} days) in {sum(seeded.seconds.values()):.0f} s "
        f"({', '.join(f'{k} {v:g} s' for k, v in seeded.seconds.items())}); database "
        f"{seeded.size}.",
        f"Due tick: {ticks.due.seconds:.2f} s wall, {ticks.due.cpu_seconds:.2f} s CPU in the "
        f"ticking process (PostgreSQL's and Redis's own CPU not included), "
        f"{ticks.due.statements:,} SQL statements; {ticks.checks['task_rows']:,} PENDING "
        f"`bookagent.run_daily` rows for {ticks.checks['task_books']:,} books, "
        f"{ticks.checks['broker_messages']:,} broker messages for "
        f"{ticks.checks['all_task_rows']:,} new task rows.",
        "Idle ticks: "
        + ", ".join(
            f"{t.seconds * 1000:.0f} ms ({t.cpu_seconds * 1000:.0f} ms CPU, {t.statements} "
            "statements)"
            for t in ticks.idle
        )
        + ".",
    ]
    if routines is not None:
        per_routine = routines.worker_cpu_s / routines.routines if routines.routines else 0.0
        notes.append(
            f"Routines: {routines.routines} in {routines.seconds:.1f} s = "
            f"{routines.rate:.2f}/s on {WORKER_NODES} nodes × {WORKER_CONCURRENCY} processes "
            f"({per_routine * 1000:.0f} ms of worker CPU a routine; the machine was "
            f"{routines.machine_busy:.0%} busy, PostgreSQL included); {plan.books:,} routines "
            f"would take {plan.books / routines.rate / 60:.1f} min at that rate. In the sample: "
            + ", ".join(f"{v:,} {k}" for k, v in routines.steps.items())
            + f" ({routines.posts_written / max(routines.succeeded, 1):.2f} posts a routine). "
            f"Outcomes: "
            f"{routines.failed_tasks} failed tasks, failed steps {dict(routines.failed_steps)}"
            + (f" (first: {routines.first_error})" if routines.first_error else "")
            + "."
        )
    return notes


# -- the run -----------------------------------------------------------------------------------


def run(plan: Plan, args: argparse.Namespace) -> tuple[list[Line], list[str], dict[str, Any]]:
    """Seed, tick, run the workers; tear everything down whatever happens."""
    with Scratch(
        "bookagent-bench-authors-",
        postgres_url=args.postgres_url,
        redis_url=args.redis_url,
        keep_logs=args.keep_logs,
    ) as scratch:
        url = scratch.postgres()
        migrate.upgrade(url)
        redis_url = scratch.redis()
        log(
            f"seeding {plan.books:,} books, {plan.posts:,} posts, {plan.tasks:,} task rows, "
            f"{plan.history_days} days of daily runs"
        )
        started = time.monotonic()
        seeded = seed_database(url, plan)
        log(f"seeded in {time.monotonic() - started:.0f} s ({seeded.size}): {seeded.seconds}")
        ticks = measure_ticks(url, redis_url, scratch.path("tick"), plan)
        lines = tick_lines(plan, ticks)
        routines = None
        if not plan.tick_only:
            routines = measure_routines(scratch, url, redis_url, plan, ticks.started_at)
            lines += routine_lines(plan, routines)
        notes = footnotes(plan, seeded, ticks, routines)
        details = {
            "seed": {
                "counts": seeded.counts,
                "seconds": seeded.seconds,
                "size": seeded.size,
                "zones": seeded.zones,
            },
            "tick": {"checks": ticks.checks},
        }
        return lines, notes, details


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.authors", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 books (a minute or two)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument("--books", type=int, help="books (default 10,000; quick 1,000)")
    parser.add_argument("--posts", type=int, help="posts (default 100 a book)")
    parser.add_argument("--tasks", type=int, help="finished task rows (default 200 a book)")
    parser.add_argument("--sample", type=int, help="routines timed on the workers")
    parser.add_argument("--tick-only", action="store_true", help="skip the workers")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="a Redis index to FLUSHDB")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="admin connection")
    parser.add_argument("--keep-logs", action="store_true", help="keep the workers' logs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; 130 if interrupted."""
    args = parse_args(argv)
    return bench_main("bookagent authors benchmark", args, Plan.from_args(args), run)


if __name__ == "__main__":
    sys.exit(main())
