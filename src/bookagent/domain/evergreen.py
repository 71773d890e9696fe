"""Evergreen posts: a published post the author marks evergreen comes back, after a cool-down,
as a new post that goes through approval like any other.

Why each rule is what it is:

- **Only a published post is marked** (409 otherwise): only a post that went out has proved
  anything. A repeat is not marked itself (409 naming its original): the original is the one
  the agent repeats, so one post never grows two lines of repeats.
- **Cool-down.** A post is due when its last appearance (its own `published_at`, or its latest
  published repeat's) is at least `AgentSettings.evergreen_cooldown_days` (default 30) ago. A
  repeat the author rejected counts as an appearance when it was offered, so a refused repeat
  is not offered again the next morning. A post with a repeat still on its way (pending,
  approved, scheduled, being published, failed or unconfirmed) is not due.
- **Ranking ("top").** The due posts of a platform are ranked by the learning plan's normalised
  score of the original's latest figures (`learning.normalised_score`: engagement per
  impression, else per follower, else the bare count, against the platform's typical post), best
  first; a post without figures comes after every measured one, and ties go to the post that
  rested longest.
- **Room and cap.** Repeats fill the room the platform's pipeline (pending, approved, scheduled)
  has under `posts_per_day`, at most `MAX_REPEATS_PER_DAY` per platform per day; the step runs
  before the top-up, so the top-up writes that many fewer posts.
- **Idempotent.** Each day's repeats carry the key `(task_id, task_index)` =
  (`evergreen:<book id>:<run date>`, the platform's slot), which the posts table keeps unique:
  a rerun of the same day, even a concurrent one, makes no second repeat.
- **The gate.** A repeat is checked like a new draft before it is queued (the book's facts may
  have changed since: a price, the launch phase; a relative date such as "tomorrow" no longer
  holds), with one exemption: it may repeat its own original's text (`posts.dedupe_exempt`).
  Every other recent post still counts, its earlier repeats too; so with a cool-down shorter
  than the 30-day dedupe window a post comes back only once its previous repeat has left that
  window. A candidate the gate refuses is skipped (the step's outcome says why) and the next
  one is tried.
- **Approval.** A repeat is stored `pending_approval`; the routine's own `auto_approve` step
  approves it when the book does not keep a human in the loop, exactly as it does a written
  post.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bookagent.db.models import Book
from bookagent.db.models import Post
from bookagent.domain import learning
from bookagent.domain import learning_store
from bookagent.domain.autonomous import AgentSettings
from bookagent.domain.autonomous import add_if_new
from bookagent.domain.content_warnings import WarningEdit
from bookagent.domain.content_warnings import post_warning
from bookagent.domain.engagement import latest_figures
from bookagent.domain.identity import Caller
from bookagent.domain.posts import PIPELINE_STATUSES
from bookagent.domain.posts import check_text
from bookagent.domain.posts import content_hash
from bookagent.domain.posts import get_post
from bookagent.domain.posts import pipeline_counts
from bookagent.errors import ConflictError
from bookagent.isotime import iso
from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.platforms import PlatformRules
from bookagent.states import PostStatus

#: At most this many repeats per platform per day, so repeats never crowd out new posts.
MAX_REPEATS_PER_DAY = 1
#: A repeat in one of these is still on its way: its original is not due again.
ON_ITS_WAY = (
    *PIPELINE_STATUSES,
    PostStatus.PUBLISHING,
    PostStatus.FAILED,
    PostStatus.UNCONFIRMED,
)
#: The key `generation_metadata` describes a repeat under.
METADATA_KEY = "evergreen"
_ENGAGEMENT = ("likes", "shares", "comments", "clicks")


# -- marking ------------------------------------------------------------------------------------


def set_evergreen(session: Session, caller: Caller, post_id: str, evergreen: bool) -> Post:
    """Mark (or unmark) a post evergreen. NotFoundError for a post the caller may not see;
    ConflictError when marking a post that is not published, or a repeat (its original is the
    one to mark). Unmarking always succeeds, and leaves repeats already queued alone."""
    post = get_post(session, caller, post_id)
    if evergreen and post.status != PostStatus.PUBLISHED:
        raise ConflictError(
            f"Post {post_id} is {post.status}; only a published post can be marked evergreen."
        )
    if evergreen and post.evergreen_of is not None:
        raise ConflictError(
            f"Post {post_id} repeats evergreen post {post.evergreen_of}; mark that post "
            "instead (the agent repeats the original)."
        )
    if post.evergreen != evergreen:
        post.evergreen = evergreen
        session.flush()
    return post


# -- choosing (pure) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """An evergreen post of one platform: its score (None: no figures), when it last appeared,
    and whether a repeat of it is still on its way."""

    post_id: str
    platform: str
    score: float | None
    last_seen: datetime
    waiting: bool = False


@dataclass(frozen=True)
class Appearance:
    """A repeat of an evergreen post, as far as the cool-down cares."""

    status: str
    published_at: datetime | None
    created_at: datetime


def last_appearance(published_at: datetime, repeats: Iterable[Appearance]) -> datetime:
    """When the post was last shown (or offered): its own publication, its repeats'
    publications, and the time a rejected repeat was offered."""
    last = published_at
    for repeat in repeats:
        if repeat.status == PostStatus.PUBLISHED and repeat.published_at is not None:
            last = max(last, repeat.published_at)
        elif repeat.status == PostStatus.REJECTED:
            last = max(last, repeat.created_at)
    return last


def is_due(candidate: Candidate, now: datetime, cooldown_days: int) -> bool:
    """Rested long enough, and no repeat of it on its way."""
    return not candidate.waiting and now - candidate.last_seen >= timedelta(days=cooldown_days)


def ranked_due(
    candidates: Iterable[Candidate], now: datetime, cooldown_days: int
) -> list[Candidate]:
    """The due candidates, best first: highest score, then unmeasured ones, ties to the one that
    rested longest (then by id, so the order is stable)."""
    due = [c for c in candidates if is_due(c, now, cooldown_days)]
    return sorted(
        due,
        key=lambda c: (c.score is None, -(c.score or 0.0), c.last_seen, c.post_id),
    )


def repeat_key(book_id: str, run_date: date) -> str:
    """The `task_id` of a day's repeats (the posts table keeps `(task_id, task_index)` unique)."""
    return f"evergreen:{book_id}:{run_date.isoformat()}"


def platform_indexes(platform: str) -> range:
    """The `task_index`es a platform's repeats of one day may take."""
    base = SUPPORTED_PLATFORMS.index(platform) * MAX_REPEATS_PER_DAY
    return range(base, base + MAX_REPEATS_PER_DAY)


# -- the store ----------------------------------------------------------------------------------


def observation(post: Post) -> learning.Observation | None:
    """The post's latest figures as the learning plan reads them; None without figures."""
    figures = latest_figures(post)
    if not figures or post.published_at is None:
        return None
    return learning.Observation(
        post_type=post.post_type,
        slot=None,
        published_at=post.published_at,
        interactions=sum(figures.get(name, 0) for name in _ENGAGEMENT),
        impressions=figures.get("impressions"),
        followers=figures.get("followers"),
    )


def load_candidates(
    session: Session, book: Book, platform: str, now: datetime
) -> tuple[list[Candidate], dict[str, Post]]:
    """The book's evergreen posts on `platform` as candidates, and the posts by id."""
    originals = list(
        session.scalars(
            select(Post)
            .where(
                Post.book_id == book.id,
                Post.platform == platform,
                Post.evergreen.is_(True),
                Post.status == PostStatus.PUBLISHED,
                Post.published_at.is_not(None),
            )
            .order_by(Post.id)
        )
    )
    if not originals:
        return [], {}
    by_id = {post.id: post for post in originals}
    repeats: dict[str, list[Appearance]] = {}
    rows = session.execute(
        select(Post.evergreen_of, Post.status, Post.published_at, Post.created_at).where(
            Post.evergreen_of.in_(list(by_id))
        )
    )
    for original_id, status, published_at, created_at in rows:
        assert original_id is not None  # the query asks for one of the originals
        repeats.setdefault(original_id, []).append(Appearance(status, published_at, created_at))
    observed = {post.id: observation(post) for post in originals}
    typical = learning.typical_scores(
        [
            *learning_store.load_observations(
                session,
                book_id=book.id,
                platform=platform,
                zone=ZoneInfo(book.timezone),
                slot_times=(),
                now=now,
            ),
            *(obs for obs in observed.values() if obs is not None),
        ]
    )
    candidates = []
    for post in originals:
        assert post.published_at is not None  # the query asks for it
        own = repeats.get(post.id, [])
        obs = observed[post.id]
        candidates.append(
            Candidate(
                post_id=post.id,
                platform=platform,
                score=None if obs is None else learning.normalised_score(obs, typical),
                last_seen=last_appearance(post.published_at, own),
                waiting=any(repeat.status in ON_ITS_WAY for repeat in own),
            )
        )
    return candidates, by_id


def requeue(
    session: Session,
    book: Book,
    settings: AgentSettings,
    *,
    now: datetime,
    run_date: date,
    rules: Callable[[str], PlatformRules],
) -> dict[str, Any]:
    """Queue the day's repeats of the book's evergreen posts (see the module doc); the step's
    outcome: `queued` per platform, each repeat with its original, and the skipped ones."""
    key = repeat_key(book.id, run_date)
    made = set(session.scalars(select(Post.task_index).where(Post.task_id == key)))
    counts = pipeline_counts(session, book.id)
    queued: dict[str, int] = {}
    repeats: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for platform, per_day in settings.posts_per_day.items():
        free = [i for i in platform_indexes(platform) if i not in made]
        room = min(per_day - int(counts.get(platform, 0)), len(free))
        if room <= 0:
            continue
        candidates, posts = load_candidates(session, book, platform, now)
        for candidate in ranked_due(candidates, now, settings.evergreen_cooldown_days):
            if not free or room <= 0:
                break
            original = posts[candidate.post_id]
            repeat, problems = _repeat(session, book, original, rules(platform), now)
            if repeat is None:
                skipped.append(
                    {"evergreen_of": original.id, "platform": platform, "violations": problems}
                )
                continue
            repeat.task_id, repeat.task_index = key, free.pop(0)
            repeat.generation_metadata = {
                **repeat.generation_metadata,
                METADATA_KEY: {
                    "repeat_of": original.id,
                    "original_published_at": iso(original.published_at),
                    "last_seen": iso(candidate.last_seen),
                    "score": candidate.score,
                    "run_date": run_date.isoformat(),
                },
            }
            if not add_if_new(session, repeat):
                break  # a concurrent run of this day queued it: nothing more to do here
            room -= 1
            queued[platform] = queued.get(platform, 0) + 1
            repeats.append(
                {
                    "post_id": repeat.id,
                    "evergreen_of": original.id,
                    "platform": platform,
                    "last_seen": iso(candidate.last_seen),
                    "score": candidate.score,
                }
            )
    return {"queued": queued, "repeats": repeats, "skipped": skipped}


def _repeat(
    session: Session, book: Book, original: Post, rules: PlatformRules, now: datetime
) -> tuple[Post | None, list[dict[str, str]]]:
    """A new pending post repeating `original`, checked like a new draft (exempt from the
    dedupe check against the original only); or None and what the gate found."""
    warning = post_warning(original)
    report = check_text(
        session,
        book,
        original.content,
        rules,
        now,
        cross_posted=original.cross_posted,
        exempt=(original.id,),
        warning=WarningEdit(warning),
    )
    if not report.ok:
        return None, [{"code": v.code, "message": v.message} for v in report.violations]
    metadata = {
        k: v
        for k, v in (original.generation_metadata or {}).items()
        if k not in ("validation", "edited", METADATA_KEY)
    }
    repeat = Post(
        book_id=original.book_id,
        user_id=original.user_id,
        platform=original.platform,
        post_type=original.post_type,
        content=original.content,
        content_hash=content_hash(original.content),
        hashtags=list(original.hashtags),
        links=list(original.links),
        status=PostStatus.PENDING_APPROVAL,
        measured_length=report.measured_length,
        limit=report.limit,
        provider=original.provider,
        model=original.model,
        prompt_hash=original.prompt_hash,
        cost_usd=0.0,  # no writer was asked
        created_at=now,
        updated_at=now,
        generation_metadata={**metadata, "validation": report.to_dict()},
        media=[dict(item) for item in original.media or ()],
        cross_posted=original.cross_posted,
        evergreen_of=original.id,
    )
    return repeat, []
