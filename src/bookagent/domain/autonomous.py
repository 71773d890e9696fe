"""The autonomous agent's state per book: start, stop, settings, and what a tick should queue.

State lives in the database (`autonomous_states`, `daily_runs`), so it survives restarts, and
the unique key on `(book_id, run_date)` makes a second tick, a second scheduler or a redelivered
task create nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Annotated
from typing import Any
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StringConstraints
from pydantic import field_validator
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bookagent.db.models import AutonomousState
from bookagent.db.models import Book
from bookagent.db.models import DailyRun
from bookagent.db.models import Post
from bookagent.db.models import Report
from bookagent.domain.scheduling import localize
from bookagent.domain.scheduling import next_free_slot
from bookagent.domain.scheduling import parse_slot
from bookagent.errors import InvalidInputError
from bookagent.platforms import normalize_platform
from bookagent.states import PostStatus

SlotTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# A scheduled post this far past its time means the worker or the scheduler is not running.
STUCK_AFTER = timedelta(minutes=2)
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
    """How the agent runs a book: posts per day per platform, posting times, approval, report."""

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

    @field_validator("posts_per_day", "slots")
    @classmethod
    def _canonical_platforms(cls, value: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, item in value.items():
            try:
                out[normalize_platform(name)] = item
            except InvalidInputError as exc:
                raise ValueError(exc.message) from None
        return out

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
    """Replace the agent settings of a book."""
    state = load_state(session, book_id)
    state.settings = settings.model_dump()
    session.flush()
    return state


def assign_slot(session: Session, post: Post, now: datetime) -> datetime:
    """Give an approved post the next free slot of its platform (in the book's timezone)."""
    book = session.get(Book, post.book_id)
    assert book is not None  # posts cascade with their book
    settings = agent_settings(load_state(session, book.id))
    return next_free_slot(
        session,
        book_id=book.id,
        platform=post.platform,
        zone=book_zone(book),
        slot_times=settings.slot_times(post.platform),
        posts_per_day=settings.posts_per_day.get(post.platform, 0),
        after=now,
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


@dataclass(frozen=True)
class DueRun:
    """A daily run a tick has just created (and must queue)."""

    run_id: str
    book_id: str
    run_date: date


def running_books(session: Session) -> list[tuple[Book, AutonomousState]]:
    """Every book whose agent runs."""
    rows = session.execute(
        select(Book, AutonomousState)
        .join(AutonomousState, AutonomousState.book_id == Book.id)
        .where(AutonomousState.running.is_(True))
    )
    return [(book, state) for book, state in rows]


def claim_daily_run(session: Session, book_id: str, run_date: date) -> DailyRun | None:
    """Create the (book, date) daily run; None if it exists (another tick got there first)."""
    run = DailyRun(book_id=book_id, run_date=run_date, status="queued")
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        return None
    return run


def due_daily_runs(session: Session, now: datetime) -> list[DueRun]:
    """Claim today's daily run for each running book whose run time has come."""
    due = []
    for book, state in running_books(session):
        settings = agent_settings(state)
        zone = book_zone(book)
        today = now.astimezone(zone).date()
        if now < localize(today, parse_slot(settings.daily_run_time), zone):
            continue
        run = claim_daily_run(session, book.id, today)
        if run is not None:
            due.append(DueRun(run.id, book.id, today))
    return due


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
    """A weekly report a tick has just claimed (and must queue)."""

    book_id: str
    week_start: date


def due_weekly_reports(session: Session, now: datetime) -> list[DueReport]:
    """Claim last week's report for each running book whose report time has come this week."""
    due = []
    for book, state in running_books(session):
        settings = agent_settings(state)
        zone = book_zone(book)
        this_week = week_start(now.astimezone(zone).date())
        report_day = this_week + timedelta(days=WEEKDAYS.index(settings.weekly_report_day))
        if now < localize(report_day, parse_slot(settings.weekly_report_time), zone):
            continue
        week = this_week - timedelta(days=7)
        placeholder = Report(
            book_id=book.id, user_id=book.user_id, week_start=week, data={"pending": True}
        )
        try:
            with session.begin_nested():
                session.add(placeholder)
                session.flush()
        except IntegrityError:
            continue
        due.append(DueReport(book.id, week))
    return due
