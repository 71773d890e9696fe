"""`Services`: everything a request, a task or a command needs, built once per process.

A leaf of the composition: it names the adapters it holds but builds none of them (that is
`bookagent.bootstrap`'s job), so tasks, web and CLI code can take a `Services` without importing
the composition root, and the queue takes it through `bookagent.queue.ports.QueueServices`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from bookagent.db.session import Database
from bookagent.domain.ports import MediaStore
from bookagent.domain.ports import QueueHealth
from bookagent.domain.ports import TaskQueue
from bookagent.domain.tasks import TaskRegistry
from bookagent.errors import BookAgentError
from bookagent.platforms import PlatformRules
from bookagent.platforms import get_rules
from bookagent.platforms import normalize_platform
from bookagent.publishers.registry import PublisherRegistry
from bookagent.queue.runner import AsyncRunner
from bookagent.queue.scheduler import InProcessScheduler
from bookagent.settings import Settings
from bookagent.writers.registry import WriterRegistry

log = logging.getLogger(__name__)


class StartableQueue(TaskQueue, Protocol):
    """A queue backend with a start step (recovery, monitors)."""

    def start(self) -> None:
        """Begin background work."""
        ...


@dataclass
class Services:
    """Everything a request, a task or a command needs, built once per process."""

    settings: Settings
    db: Database
    runner: AsyncRunner
    writers: WriterRegistry
    publishers: PublisherRegistry
    tasks: TaskRegistry
    #: Where the posts' images are kept (`bookagent.storage`).
    media: MediaStore
    queue: StartableQueue | None = None
    scheduler: InProcessScheduler | None = None

    def rules(self, platform: str) -> PlatformRules:
        """A platform's rules: the data file, then the publisher's live limits (Mastodon's
        instance), then the configured overrides, which win."""
        name = normalize_platform(platform)
        live = self.publishers.for_platform(name).limits()
        configured = self.settings.platforms.get(name, {})
        return get_rules(name, {name: {**live, **configured}})

    def refresh_live_limits(self, platforms: list[str], timeout_s: float = 10.0) -> None:
        """Ask the publishers for their platforms' live limits (cached by the publisher)."""
        for platform in platforms:
            try:
                self.runner.run(self.publishers.for_platform(platform).refresh_limits(), timeout_s)
            except BookAgentError as exc:
                log.warning("live limits unavailable platform=%s: %s", platform, exc.message)

    def require_queue(self) -> StartableQueue:
        """The task queue; a process built without one (the Celery worker) cannot submit."""
        if self.queue is None:
            raise RuntimeError("this process was built without a task queue")
        return self.queue

    def queue_health(self) -> QueueHealth:
        """The queue's health, for /api/health."""
        return self.require_queue().health()

    def close(self, grace_s: float | None = None) -> None:
        """Stop the queue (waiting up to the grace period) and release connections."""
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.queue is not None:
            self.queue.shutdown(
                self.settings.queue.shutdown_grace_s if grace_s is None else grace_s
            )
        self.runner.close()
        self.db.dispose()
