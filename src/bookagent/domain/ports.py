"""The ports: what the domain needs from the outside world, as Protocols and frozen values.

Adapters (writers, publishers, queue backends) implement these; the domain never imports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any
from typing import Protocol

from bookagent.domain.profile import BookProfile
from bookagent.platforms import PlatformRules


@dataclass(frozen=True)
class Angle:
    """Which of a batch's posts of one type a draft is: number `index` (from 0) of `count`.

    A batch writes its drafts at once, and drafts written at once cannot see each other: two
    posts of one type for two platforms are the ones most likely to say the same thing, and the
    later one would be rejected as a repeat and written again. Each takes another angle instead:
    the template writer starts from another body (`key`, shared by the batch, spreads the
    starts), and an LLM writer is told which of the `count` it writes.
    """

    index: int
    count: int
    key: int


@dataclass(frozen=True)
class WriteConstraints:
    """What a writer must respect for one draft.

    `feedback` carries the reasons a previous attempt was rejected, so an LLM writer can fix them
    and the template writer can pick another variant. `attempt` counts from 0. `avoid` holds
    recent texts of the same book and platform, oldest first, and `elsewhere` those of the book's
    other platforms: the gate holds the draft to both, as `check_draft`'s `recent` and
    `elsewhere`. `on` is the day the post is for, which sets its launch phase; None means today
    in the book's timezone. `angle` says which of its batch's posts of this type the draft is,
    when the batch has more than one.
    """

    platform: str
    post_type: str
    max_length: int
    length_unit: str
    hashtags_min: int
    hashtags_max: int
    seed: int = 0
    attempt: int = 0
    feedback: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    elsewhere: tuple[str, ...] = ()
    on: date | None = None
    angle: Angle | None = None

    @classmethod
    def for_platform(cls, rules: PlatformRules, post_type: str, **fields: Any) -> WriteConstraints:
        """The constraints of a `post_type` post within `rules`' limits (length in its unit,
        hashtags); `fields` sets the others (seed, attempt, feedback, avoid, elsewhere, on,
        angle)."""
        return cls(
            platform=rules.name,
            post_type=post_type,
            max_length=rules.max_length,
            length_unit=rules.unit,
            hashtags_min=rules.hashtags_min,
            hashtags_max=rules.hashtags_max,
            **fields,
        )


@dataclass(frozen=True)
class Draft:
    """A candidate post as a writer returns it, with its provenance.

    `content` is the final text: hashtags and links included, exactly as it would be published.
    """

    content: str
    platform: str
    post_type: str
    provider: str
    model: str
    prompt_hash: str
    hashtags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    metadata: Mapping[str, Any] = field(default_factory=dict)


class ContentWriter(Protocol):
    """Writes one draft for one platform and post type from a book profile."""

    name: str
    model: str

    async def write(self, book: BookProfile, constraints: WriteConstraints) -> Draft:
        """Write a draft; raise ProviderError subclasses for vendor failures."""
        ...


@dataclass(frozen=True)
class QueueHealth:
    """What a queue backend says about itself for /api/health."""

    degraded: bool
    broker: Mapping[str, Any]
    workers: Mapping[str, Any]
    task_queue_status: Mapping[str, Any]


@dataclass(frozen=True)
class TaskRequest:
    """One task of a batch for `TaskQueue.submit_many`.

    `task_id`, when given, is the id the row gets: the caller may have recorded it already (a
    daily run names its task before the task exists, so a crash in between is recoverable).
    """

    name: str
    kwargs: Mapping[str, Any]
    user_id: str | None = None
    time_limit_s: float | None = None
    task_id: str | None = None


class TaskQueue(Protocol):
    """Runs named tasks in the background; the task row in the database is the truth."""

    backend: str

    def submit(
        self,
        name: str,
        kwargs: Mapping[str, Any],
        *,
        user_id: str | None,
        time_limit_s: float | None = None,
    ) -> str:
        """Record a PENDING task and hand it to the backend; return its id."""
        ...

    def submit_many(self, requests: Sequence[TaskRequest]) -> list[str]:
        """Record a PENDING row for each request (in one statement), then hand them all to the
        backend; return their ids in order. Each task stays a task of its own (workers share
        them out); only the bookkeeping is batched."""
        ...

    def revoke(self, task_id: str, *, terminate: bool) -> None:
        """Ask the backend to drop (or, with terminate, stop) a task already marked revoked."""
        ...

    def stats(self) -> dict[str, Any]:
        """Backend figures for /api/tasks/stats (bounded in time)."""
        ...

    def health(self) -> QueueHealth:
        """Broker and worker state for /api/health (bounded in time, cached)."""
        ...

    def shutdown(self, timeout_s: float) -> None:
        """Stop taking work, wait up to `timeout_s`, then mark what remains."""
        ...


class MediaStore(Protocol):
    """Where images are kept, by a key made from their content (see `bookagent.storage`)."""

    def put(self, data: bytes, mime: str) -> str:
        """Keep `data` (a `mime` image) and return its key; the same bytes give the same key."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes kept under `key`; NotFoundError naming `media` if there are none."""
        ...


@dataclass(frozen=True)
class PublishMedia:
    """One image as a publisher sends it: its bytes and what the network needs to show it."""

    data: bytes
    mime: str
    width: int
    height: int
    alt_text: str
    #: The store key (the bytes' SHA-256): names the upload in a publisher's records.
    key: str


@dataclass(frozen=True)
class PublishRequest:
    """What a publisher needs to post one text: no database rows cross this boundary.

    `metadata` holds what goes with the text: `content_warning`, a Mastodon post's warning
    (its status's `spoiler_text`), when it carries one. `media` are the images that go with it,
    in order, read from the store when the post is claimed.

    `link_targets` maps a link as the text shows it to the address it should lead to, where the
    two differ: on Bluesky, whose links are facets apart from the text, a tracked link keeps its
    visible text and its facet (and link card) points at the tagged address
    (`domain.link_tracking`). Where link tracking rewrites the text itself, `content` and
    `links` already hold the tracked addresses and nothing is listed here.
    """

    post_id: str
    book_id: str
    platform: str
    content: str
    content_hash: str
    hashtags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    scheduled_time: datetime | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    media: tuple[PublishMedia, ...] = ()
    link_targets: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishResult:
    """What the platform answered to a successful publish."""

    remote_id: str | None
    url: str | None
    status_code: int | None = None
    response_excerpt: str | None = None


@dataclass(frozen=True)
class PublisherCapabilities:
    """What a publisher can do beyond `publish`.

    `idempotency_key`: the platform honours our key, so a retry after an unknown outcome cannot
    duplicate; for `idempotency_window_s` seconds after the key's first use, when the platform
    keeps keys only that long (Mastodon: an hour), else for good. `lookup`: `find_published` can
    tell whether a post went out. `metrics`: engagement figures are available.
    """

    idempotency_key: bool = False
    lookup: bool = False
    metrics: bool = False
    idempotency_window_s: float | None = None


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a bounded, real call to the platform (test-platform): whether it worked,
    what it said, and when the session it used was made (None where the publisher holds a
    token, not a session)."""

    ok: bool
    message: str
    session_made_at: datetime | None = None


class Publisher(Protocol):
    """Delivers posts to one platform (or to the outbox), translating vendor errors at its edge.

    `publish` raises: ProviderUnavailable when the request provably did not arrive (safe to
    retry); PublishOutcomeUnknown when it was sent but the outcome is unknown (timeout after
    sending, dropped connection, 5xx); RateLimited with `retry_after_s`; ProviderRejected when
    the platform refused it (4xx: do not retry).
    """

    name: str
    account: str

    def limits(self) -> Mapping[str, Any]:
        """Live or configured limits (e.g. Mastodon's max_characters), for the validator."""
        ...

    async def refresh_limits(self) -> Mapping[str, Any]:
        """Fetch live limits from the platform where it publishes them; returns `limits()`."""
        ...

    def capabilities(self) -> PublisherCapabilities:
        """What this publisher supports."""
        ...

    async def publish(self, request: PublishRequest, idempotency_key: str) -> PublishResult:
        """Publish one post."""
        ...

    async def find_published(
        self, request: PublishRequest, idempotency_key: str
    ) -> PublishResult | None:
        """The post if the platform shows it was published, else None (needs `lookup`)."""
        ...

    async def check(self) -> CheckResult:
        """Make a real, cheap call that proves the credentials work."""
        ...

    async def metrics(self, remote_id: str) -> Mapping[str, int] | None:
        """Engagement figures for a published post, where the platform offers them."""
        ...
