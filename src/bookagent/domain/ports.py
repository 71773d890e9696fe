"""The ports: what the domain needs from the outside world, as Protocols and frozen values.

Adapters (writers, publishers, queue backends) implement these; the domain never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from typing import Protocol

from bookagent.domain.profile import BookProfile


@dataclass(frozen=True)
class WriteConstraints:
    """What a writer must respect for one draft.

    `feedback` carries the reasons a previous attempt was rejected, so an LLM writer can fix them
    and the template writer can pick another variant. `attempt` counts from 0.
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


class Clock(Protocol):
    """The source of `now`, so rules about time can be tested."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class CancellationToken(Protocol):
    """What a long task checks between steps to stop early when revoked or out of time."""

    def raise_if_cancelled(self) -> None:
        """Raise TaskCancelled (or TimeLimitExceeded) if the task should stop now."""
        ...


ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True)
class QueueHealth:
    """What a queue backend says about itself for /api/health."""

    degraded: bool
    broker: Mapping[str, Any]
    workers: Mapping[str, Any]
    task_queue_status: Mapping[str, Any]


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
