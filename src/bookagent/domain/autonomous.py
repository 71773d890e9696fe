"""The autonomous agent's state per book: start, stop, settings, and what a tick should queue.

State lives in the database (`autonomous_states`, `daily_runs`), so it survives restarts, and
the unique key on `(book_id, run_date)` makes a second tick, a second scheduler or a redelivered
task create nothing twice.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Annotated
from typing import Any
from typing import Literal
from typing import cast
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StringConstraints
from pydantic import field_validator
from sqlalchemy import ColumnElement
from sqlalchemy import Integer
from sqlalchemy import Row
from sqlalchemy import String
from sqlalchemy import Subquery
from sqlalchemy import Table
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import cast as cast_
from sqlalchemy import column
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import null
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bookagent.db.base import new_id
from bookagent.db.models import AutonomousState
from bookagent.db.models import Book
from bookagent.db.models import DailyRun
from bookagent.db.models import Post
from bookagent.db.models import Report
from bookagent.db.models import TaskRecord
from bookagent.domain import learning_store
from bookagent.domain.categories import POST_TYPES
from bookagent.domain.link_tracking import LinkTracking
from bookagent.domain.link_tracking import check_untracked
from bookagent.domain.scheduling import localize
from bookagent.domain.scheduling import next_free_slot
from bookagent.domain.scheduling import parse_slot
from bookagent.errors import InvalidInputError
from bookagent.platforms import normalize_platform
from bookagent.states import PostStatus
from bookagent.states import TaskState

log = logging.getLogger(__name__)

SlotTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# A scheduled post this far past its time means the worker or the scheduler is not running.
STUCK_AFTER = timedelta(minutes=2)
#: The longest pinned mix of one platform.
MAX_PINNED = 50
WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


class AgentSettings(BaseModel):
    """How the agent runs a book: posts per day per platform, posting times, approval, report,
    the learning plan (learning on or off, a pinned mix per platform) and evergreen repeats."""

    model_config = ConfigDict(extra="ignore")

    posts_per_day: dict[str, Annotated[int, Field(ge=0, le=10)]] = Field(
        default_factory=lambda: {"twitter": 1, "facebook": 1}
    )
    slots: dict[str, list[SlotTime]] = Field(default_factory=dict)
    default_slots: list[SlotTime] = Field(
        default_factory=lambda: ["09:00", "14:00", "19:00"], min_length=1, max_length=24
    )
    auto_approve: bool | None = None
    daily_run_time: SlotTime = "08:00"
    weekly_report_day: Weekday = "monday"
    weekly_report_time: SlotTime = "09:00"
    #: Learn the mix of post types and the best posting times from engagement (learning.py).
    learning: bool = True
    #: Per platform, the post types to write in turn instead of a learned or default mix.
    pinned_mix: dict[str, Annotated[list[str], Field(max_length=MAX_PINNED)]] = Field(
        default_factory=dict
    )
    #: Days an evergreen post rests after it (or its latest repeat) went out before the agent
    #: queues it again (bookagent.domain.evergreen).
    evergreen_cooldown_days: int = Field(default=30, ge=1, le=365)
    #: UTM tags and short links on the book's links (bookagent.domain.link_tracking).
    link_tracking: LinkTracking = Field(default_factory=LinkTracking)

    @field_validator("posts_per_day", "slots", "pinned_mix")
    @classmethod
    def _canonical_platforms(cls, value: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, item in value.items():
            try:
                out[normalize_platform(name)] = item
            except InvalidInputError as exc:
                raise ValueError(exc.message) from None
        return out

    @field_validator("pinned_mix")
    @classmethod
    def _known_post_types(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for platform, types in value.items():
            if not types:
                raise ValueError(
                    f"{platform}: name at least one post type, or leave {platform} out to let "
                    "the agent choose"
                )
            unknown = [t for t in dict.fromkeys(types) if t not in POST_TYPES]
            if unknown:
                raise ValueError(
                    f"{platform}: unknown post type {', '.join(unknown)}; use any of "
                    f"{', '.join(POST_TYPES)}"
                )
        return value

    def slot_times(self, platform: str) -> list[str]:
        """The posting times of a platform (its own, or the default ones)."""
        return self.slots.get(platform) or self.default_slots

    def approves_automatically(self, book: Book) -> bool:
        """Auto-approve when set, else when the book does not keep a human in the loop."""
        return self.auto_approve if self.auto_approve is not None else not book.human_in_loop


def load_state(session: Session, book_id: str) -> AutonomousState:
    """The agent state of a book, created (stopped, default settings) on first use."""
    state = session.get(AutonomousState, book_id)
    if state is not None:
        return state
    try:
        with session.begin_nested():
            state = AutonomousState(
                book_id=book_id, running=False, settings=AgentSettings().model_dump()
            )
            session.add(state)
            session.flush()
    except IntegrityError:  # created concurrently by another request: use that one
        state = session.get(AutonomousState, book_id)
        assert state is not None
    return state


def agent_settings(state: AutonomousState) -> AgentSettings:
    """The stored settings, validated."""
    return AgentSettings.model_validate(state.settings or {})


def start_agent(session: Session, book_id: str, now: datetime) -> tuple[AutonomousState, bool]:
    """Start the agent for a book; idempotent. Returns the state and whether it already ran."""
    state = load_state(session, book_id)
    already = state.running
    if not already:
        state.running, state.started_at, state.stopped_at = True, now, None
        session.flush()
    return state, already


def stop_agent(session: Session, book_id: str, now: datetime) -> tuple[AutonomousState, bool]:
    """Stop the agent for a book; idempotent. Returns the state and whether it was running."""
    state = load_state(session, book_id)
    was = state.running
    if was:
        state.running, state.stopped_at = False, now
        session.flush()
    return state, was


def update_settings(session: Session, book_id: str, settings: AgentSettings) -> AutonomousState:
    """Replace the agent settings of a book (a pinned post type must suit the book, an
    untracked link must be one of its links)."""
    book = session.get(Book, book_id)
    if book is not None:
        learning_store.check_pinned_mix(book, settings.pinned_mix)
        check_untracked(settings.link_tracking, book.links or {})
    state = load_state(session, book_id)
    state.settings = settings.model_dump()
    session.flush()
    return state


def assign_slot(session: Session, post: Post, now: datetime) -> datetime:
    """Give an approved post the next free slot of its platform (in the book's timezone); of
    the day's free slots, the one the learning plan prefers.

    The plan's draw is seeded by the book, the platform and the book's local date of `now`, not
    by the post: the posts scheduled in one run share one order, so the first takes the drawn
    time and the next the best free one by posterior mean. With a draw of its own per post, the
    second post of a day drew again, and, posting times being hard to tell apart, went to a
    time no better than a random one about as often as the first did."""
    book = session.get(Book, post.book_id)
    assert book is not None  # posts cascade with their book
    settings = agent_settings(load_state(session, book.id))
    day = now.astimezone(book_zone(book)).date().isoformat()
    seed = zlib.crc32(f"{book.id}|{post.platform}|{day}".encode())
    preferred = learning_store.slot_preference(
        session, book, post.platform, settings, now=now, seed=seed
    )
    return next_free_slot(
        session,
        book_id=book.id,
        platform=post.platform,
        zone=book_zone(book),
        slot_times=settings.slot_times(post.platform),
        posts_per_day=settings.posts_per_day.get(post.platform, 0),
        after=now,
        preferred=preferred,
    )


def book_zone(book: Book) -> ZoneInfo:
    """The book's timezone."""
    return ZoneInfo(book.timezone)


def next_daily_run(
    book: Book, settings: AgentSettings, now: datetime, last_run_date: date | None
) -> datetime:
    """When the next daily routine is due: today's run time unless today's run exists."""
    zone = book_zone(book)
    today = now.astimezone(zone).date()
    day = today if last_run_date != today else today + timedelta(days=1)
    return localize(day, parse_slot(settings.daily_run_time), zone)


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def next_weekly_report(book: Book, settings: AgentSettings, now: datetime) -> datetime:
    """The next time the weekly report is due (this week's, if it has not passed)."""
    zone = book_zone(book)
    local = now.astimezone(zone)
    target = WEEKDAYS.index(settings.weekly_report_day)
    day = week_start(local.date()) + timedelta(days=target)
    due = localize(day, parse_slot(settings.weekly_report_time), zone)
    return (
        due
        if due > now
        else localize(day + timedelta(days=7), parse_slot(settings.weekly_report_time), zone)
    )


def last_daily_run(session: Session, book_id: str) -> DailyRun | None:
    """The most recent daily run of a book."""
    return session.scalar(
        select(DailyRun)
        .where(DailyRun.book_id == book_id)
        .order_by(DailyRun.run_date.desc())
        .limit(1)
    )


# -- what a tick claims -------------------------------------------------------------------------
#
# A tick finds the due books in SQL (the books' local clocks, one per timezone, are compared with
# the stored run times; books whose run exists are left out by the unique key's index), claims
# every due run with one INSERT ... ON CONFLICT DO NOTHING RETURNING (exactly the runs this tick
# created come back: a second tick, even a concurrent one, gets none of them), and gives each run
# the id its task will have before the task exists. The tick queues the tasks after it commits;
# if it dies in between, the next tick past CLAIM_LEASE takes the runs back (a conditional UPDATE:
# again exactly one tick wins) and queues them under new task ids.

#: A tick records each run's task row within seconds of claiming it. A run claimed longer ago
#: than this whose task never reached a worker (no task row, or a row that failed before it
#: started: the broker refused it) belongs to a tick that died or was refused in between. It is
#: longer than a tick can live (on Celery its task is killed after 300 + 5 s by default), so a
#: slow tick's runs are never taken from under it.
CLAIM_LEASE = timedelta(minutes=10)
#: How far back unqueued runs are taken back: yesterday's, in any timezone, still are.
RECLAIM_DAYS = 2
#: What SQL reads for a setting missing from the stored JSON: AgentSettings' own defaults.
DEFAULT_RUN_TIME = "08:00"
DEFAULT_REPORT_DAY = "monday"
DEFAULT_REPORT_TIME = "09:00"
RUNS = cast(Table, DailyRun.__table__)
REPORTS = cast(Table, Report.__table__)
TASKS = cast(Table, TaskRecord.__table__)


@dataclass(frozen=True)
class DueRun:
    """A daily run a tick has just claimed (or taken back), and the id its task must have."""

    run_id: str
    book_id: str
    run_date: date
    task_id: str
    reclaimed: bool = False


@dataclass(frozen=True)
class ZoneClock:
    """The time in one timezone: local date, wall time ("HH:MM") and weekday (Monday = 0)."""

    name: str
    zone: ZoneInfo
    today: date
    hhmm: str
    weekday: int


def zone_clocks(session: Session, now: datetime) -> dict[str, ZoneClock]:
    """The clock of every timezone a running book is in (an unknown zone is skipped)."""
    names = session.scalars(
        select(Book.timezone)
        .join(AutonomousState, AutonomousState.book_id == Book.id)
        .where(AutonomousState.running.is_(True))
        .distinct()
    )
    clocks = {}
    for name in names:
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("books in unknown timezone %r are skipped by the scheduler", name)
            continue
        local = now.astimezone(zone)
        clocks[name] = ZoneClock(name, zone, local.date(), f"{local:%H:%M}", local.weekday())
    return clocks


def by_zone(
    clocks: Mapping[str, ZoneClock],
    value: Callable[[ZoneClock], Any],
    type_: Any,
    timezone: ColumnElement[str] | None = None,
) -> ColumnElement[Any]:
    """A SQL expression giving each book `value` of its timezone's clock (NULL for a zone not in
    `clocks`), by its `timezone` column (`books.timezone` unless given). Zones with the same
    value share a branch: a few dozen at most world-wide."""
    zones: dict[Any, list[str]] = {}
    for clock in clocks.values():
        zones.setdefault(value(clock), []).append(clock.name)
    column_ = Book.timezone if timezone is None else timezone
    return case(
        *((column_.in_(names), literal(v, type_)) for v, names in zones.items()),
        else_=null(),
    )


def running_without(
    clocks: Mapping[str, ZoneClock], table: Table, key: str, value: Callable[[ZoneClock], Any]
) -> Subquery:
    """Running books (id, user, timezone, agent settings) with no `table` row whose `key` is
    `value` of their clock: one index probe of the unique key per book.

    OFFSET 0 keeps PostgreSQL from merging this into the caller's query, so it reads (and
    parses) the settings JSON of the books this leaves only: none, once the day's work exists.
    """
    return (
        select(Book.id, Book.user_id, Book.timezone, AutonomousState.settings)
        .join(AutonomousState, AutonomousState.book_id == Book.id)
        .where(
            AutonomousState.running.is_(True),
            ~exists().where(
                table.c.book_id == Book.id,
                table.c[key] == by_zone(clocks, value, table.c[key].type),
            ),
        )
        .offset(0)
        .subquery()
    )


def insert_new(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    constants: Mapping[str, Any],
    unique: list[str],
    returning: list[str],
) -> list[Row[Any]] | None:
    """Insert `rows` (each also given `constants`) in one statement, skipping those whose
    `unique` key exists; the `returning` columns of the rows inserted. None on a database
    without INSERT ... ON CONFLICT (the caller falls back to a savepoint per row).

    PostgreSQL gets the rows as one array per column (`INSERT ... SELECT FROM unnest(...)`):
    a handful of parameters however many rows, in their order. SQLite gets a multi-row
    INSERT per page of rows (SQLAlchemy's "insertmanyvalues").
    """
    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite") or not rows:
        return None if rows else []
    columns = list(rows[0])
    names = [*columns, *constants]
    back = [table.c[name] for name in returning]
    if dialect == "postgresql":
        arrays = func.unnest(
            *(
                bindparam(
                    f"new_{name}", [row[name] for row in rows], type_=ARRAY(table.c[name].type)
                )
                for name in columns
            )
        )
        source = arrays.table_valued(
            *(column(name, table.c[name].type) for name in columns)
        ).render_derived(name="new")
        values = select(
            *(source.c[name] for name in columns),
            *(literal(value, table.c[name].type) for name, value in constants.items()),
        )
        from_arrays = postgresql.insert(table).from_select(names, values)
        return list(
            session.execute(
                from_arrays.on_conflict_do_nothing(index_elements=unique).returning(*back)
            )
        )
    paged = sqlite.insert(table).on_conflict_do_nothing(index_elements=unique)
    return list(session.execute(paged.returning(*back), [{**row, **constants} for row in rows]))


def _random_id(session: Session) -> ColumnElement[str]:
    """A new random 32-hex id, made by the database for each row (like `new_id`)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.replace(cast_(func.gen_random_uuid(), String), "-", "")
    return func.lower(func.hex(func.randomblob(16)))


def books_due_today(
    session: Session, clocks: Mapping[str, ZoneClock], now: datetime
) -> list[tuple[str, date]]:
    """(book id, local date) of every running book whose run time has come and whose run for
    its local today does not exist. SQL compares the wall times ("HH:MM" strings) and leaves
    out the books that have a run; the exact instant (DST gaps) is checked here."""
    if not clocks:
        return []
    books = running_without(clocks, RUNS, "run_date", lambda c: c.today)
    run_time = func.coalesce(books.c.settings["daily_run_time"].as_string(), DEFAULT_RUN_TIME)
    rows = session.execute(
        select(books.c.id, books.c.timezone, run_time).where(
            run_time <= by_zone(clocks, lambda c: c.hhmm, String(), books.c.timezone)
        )
    )
    due = []
    for book_id, zone_name, at in rows:
        clock = clocks[zone_name]
        try:
            run_at = localize(clock.today, parse_slot(at), clock.zone)
        except ValueError:
            log.warning("book_id=%s has an invalid daily_run_time %r; skipped", book_id, at)
            continue
        if now >= run_at:
            due.append((book_id, clock.today))
    return due


def add_if_new(session: Session, row: object) -> bool:
    """Insert one model `row` in a savepoint; False if a unique key says it exists already
    (a concurrent writer got there first): the savepoint is rolled back, the session goes on.
    The one-row counterpart of `insert_new`, on any database."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def claim_daily_run(session: Session, book_id: str, run_date: date) -> DailyRun | None:
    """Create the (book, date) daily run; None if it exists (another tick got there first)."""
    run = DailyRun(book_id=book_id, run_date=run_date, status="queued", task_id=new_id())
    return run if add_if_new(session, run) else None


def claim_daily_runs(session: Session, due: list[tuple[str, date]], now: datetime) -> list[DueRun]:
    """Create the daily runs of `due` in one statement (in book order, so two concurrent ticks
    wait on each other instead of deadlocking); the ones created, each with its task's id.
    A run another tick created first is not returned: the unique key decides."""
    if not due:
        return []
    rows: list[dict[str, Any]] = [
        {"id": new_id(), "book_id": book_id, "run_date": run_date, "task_id": new_id()}
        for book_id, run_date in sorted(due)
    ]
    created = insert_new(
        session,
        RUNS,
        rows,
        constants={"status": "queued", "steps": {}, "created_at": now},
        unique=["book_id", "run_date"],
        returning=["id", "book_id", "run_date", "task_id"],
    )
    if created is None:  # no ON CONFLICT here: a savepoint per run
        runs = [claim_daily_run(session, row["book_id"], row["run_date"]) for row in rows]
        return [DueRun(r.id, r.book_id, r.run_date, r.task_id or "") for r in runs if r]
    return [DueRun(r.id, r.book_id, r.run_date, r.task_id) for r in created]


def reclaim_unqueued_runs(session: Session, now: datetime) -> list[DueRun]:
    """Take back the runs of running books claimed more than CLAIM_LEASE ago whose task never
    reached a worker, each under a new task id. One conditional UPDATE: the lease (`created_at`)
    moves to now, so of two ticks exactly one takes each run (PostgreSQL's SKIP LOCKED lets the
    other pass it by instead of waiting)."""
    handed_over = exists().where(
        TASKS.c.id == RUNS.c.task_id,
        or_(TASKS.c.status != TaskState.FAILURE, TASKS.c.started_at.is_not(None)),
    )
    unqueued = and_(
        RUNS.c.status == "queued",
        RUNS.c.run_date >= (now - timedelta(days=RECLAIM_DAYS)).date(),
        RUNS.c.created_at < now - CLAIM_LEASE,
        or_(RUNS.c.task_id.is_(None), ~handed_over),
        RUNS.c.book_id.in_(
            select(AutonomousState.book_id).where(AutonomousState.running.is_(True))
        ),
    )
    chosen = (
        select(RUNS.c.id)
        .where(unqueued)
        .order_by(RUNS.c.id)
        .with_for_update(of=RUNS, skip_locked=True)
    )
    taken = session.execute(
        update(RUNS)
        .where(RUNS.c.id.in_(chosen), unqueued)
        .values(created_at=now, task_id=_random_id(session))
        .returning(RUNS.c.id, RUNS.c.book_id, RUNS.c.run_date, RUNS.c.task_id)
    )
    runs = [DueRun(r.id, r.book_id, r.run_date, r.task_id, reclaimed=True) for r in taken]
    if runs:
        log.warning("re-queuing %d daily runs a tick claimed but never queued", len(runs))
    return runs


def due_daily_runs(
    session: Session, now: datetime, clocks: Mapping[str, ZoneClock] | None = None
) -> list[DueRun]:
    """Claim today's daily run for each running book whose run time has come, and take back the
    runs an earlier tick claimed but never queued; each names the id its task must have."""
    due = books_due_today(session, zone_clocks(session, now) if clocks is None else clocks, now)
    return claim_daily_runs(session, due, now) + reclaim_unqueued_runs(session, now)


def describe_agent(session: Session, book: Book, now: datetime) -> dict[str, Any]:
    """The agent's status document for one book (API.md's `autonomous_status`)."""
    state = load_state(session, book.id)
    settings = agent_settings(state)
    last = last_daily_run(session, book.id)
    stuck = (
        session.scalar(
            select(func.count())
            .select_from(Post)
            .where(
                Post.book_id == book.id,
                Post.status == PostStatus.SCHEDULED,
                Post.scheduled_time < now - STUCK_AFTER,
            )
        )
        or 0
    )
    return {
        "book_id": book.id,
        "running": state.running,
        "started_at": state.started_at.isoformat() if state.started_at else None,
        "stopped_at": state.stopped_at.isoformat() if state.stopped_at else None,
        "next_daily_run_at": next_daily_run(
            book, settings, now, last.run_date if last else None
        ).isoformat()
        if state.running
        else None,
        "next_weekly_report_at": next_weekly_report(book, settings, now).isoformat()
        if state.running
        else None,
        "last_daily_run": None
        if last is None
        else {
            "run_date": last.run_date.isoformat(),
            "status": last.status,
            "task_id": last.task_id,
            "steps": last.steps,
            "finished_at": last.finished_at.isoformat() if last.finished_at else None,
        },
        "past_due_posts": int(stuck),
        "settings": settings.model_dump(),
    }


@dataclass(frozen=True)
class DueReport:
    """A weekly report a tick has just claimed (and must queue), and its task's id."""

    book_id: str
    week_start: date
    task_id: str


def due_weekly_reports(
    session: Session, now: datetime, clocks: Mapping[str, ZoneClock] | None = None
) -> list[DueReport]:
    """Claim last week's report for each running book whose report time has come this week:
    one placeholder row per book (its unique key makes a second tick a no-op), all in one
    statement. SQL picks the candidates (report day and time passed on the book's clock, no
    row for last week yet); the exact instant is checked here."""
    clocks = zone_clocks(session, now) if clocks is None else clocks
    if not clocks:
        return []
    books = running_without(
        clocks, REPORTS, "week_start", lambda c: week_start(c.today) - timedelta(days=7)
    )
    day = func.coalesce(books.c.settings["weekly_report_day"].as_string(), DEFAULT_REPORT_DAY)
    at = func.coalesce(books.c.settings["weekly_report_time"].as_string(), DEFAULT_REPORT_TIME)
    day_index = case({name: index for index, name in enumerate(WEEKDAYS)}, value=day, else_=7)
    weekday = by_zone(clocks, lambda c: c.weekday, Integer(), books.c.timezone)
    hhmm = by_zone(clocks, lambda c: c.hhmm, String(), books.c.timezone)
    candidates = session.execute(
        select(books.c.id, books.c.user_id, books.c.timezone, day, at).where(
            or_(day_index < weekday, and_(day_index == weekday, at <= hhmm))
        )
    )
    rows: list[dict[str, Any]] = []
    for book_id, user_id, zone_name, day_name, report_time in candidates:
        clock = clocks[zone_name]
        this_week = week_start(clock.today)
        try:
            report_day = this_week + timedelta(days=WEEKDAYS.index(day_name))
            due_at = localize(report_day, parse_slot(report_time), clock.zone)
        except ValueError:
            log.warning("book_id=%s has an invalid weekly report day or time; skipped", book_id)
            continue
        if now >= due_at:
            rows.append(
                {
                    "id": new_id(),
                    "book_id": book_id,
                    "user_id": user_id,
                    "week_start": this_week - timedelta(days=7),
                    "task_id": new_id(),
                }
            )
    rows.sort(key=lambda row: str(row["book_id"]))
    constants = {"data": {"pending": True}, "created_at": now}
    created = insert_new(
        session,
        REPORTS,
        rows,
        constants=constants,
        unique=["book_id", "week_start"],
        returning=["book_id", "week_start", "task_id"],
    )
    if created is None:  # no ON CONFLICT here: a savepoint per report
        claimed = (_claim_report(session, {**row, **constants}) for row in rows)
        return [report for report in claimed if report is not None]
    return [DueReport(r.book_id, r.week_start, r.task_id) for r in created]


def _claim_report(session: Session, row: dict[str, Any]) -> DueReport | None:
    if not add_if_new(session, Report(**row)):
        return None
    return DueReport(row["book_id"], row["week_start"], row["task_id"])
