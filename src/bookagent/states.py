"""The states a post and a task go through, each defined once.

They are `StrEnum`s: a member is the very string stored in the database and shown in the API
(`PostStatus.PUBLISHED == "published"`), so rows, JSON and query filters read them unchanged.
"""

from __future__ import annotations

from enum import StrEnum


class PostStatus(StrEnum):
    """A post's place in the loop: approval, scheduling, publishing (see API.md, Post object)."""

    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"  # sent, outcome unknown: the author settles it, never re-sent
    REJECTED = "rejected"


#: The posts the schedule shows: planned, in flight and past publications.
SCHEDULE_STATUSES = (
    PostStatus.SCHEDULED,
    PostStatus.PUBLISHING,
    PostStatus.PUBLISHED,
    PostStatus.FAILED,
    PostStatus.UNCONFIRMED,
)


class TaskState(StrEnum):
    """A background task's state, on both queue backends (Celery's names)."""

    PENDING = "PENDING"
    STARTED = "STARTED"
    PROGRESS = "PROGRESS"
    RETRY = "RETRY"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    REVOKED = "REVOKED"


#: Tasks that have not finished.
ACTIVE_TASK_STATES = (TaskState.PENDING, TaskState.STARTED, TaskState.PROGRESS, TaskState.RETRY)
#: Tasks that have.
FINISHED_TASK_STATES = (TaskState.SUCCESS, TaskState.FAILURE, TaskState.REVOKED)
#: Tasks waiting for a worker to claim them.
QUEUED_TASK_STATES = (TaskState.PENDING, TaskState.RETRY)
#: Tasks a worker is running.
RUNNING_TASK_STATES = (TaskState.STARTED, TaskState.PROGRESS)


class AttemptOutcome(StrEnum):
    """How one publish attempt ended, as its ledger row (`PublicationAttempt.outcome`) says."""

    STARTED = "started"  # the request is going out, no answer yet (or its worker died)
    PUBLISHED = "published"  # the platform confirmed the post
    RATE_LIMITED = "rate_limited"
    REJECTED = "rejected"  # the platform refused the post
    ERROR = "error"  # provably not sent, or an unexpected error
    UNKNOWN = "unknown"  # sent, no answer: it may or may not be there
    # The answer was lost, and the platform later showed the post there (a lookup, or the
    # reconciler's lookup): `error` says how it was confirmed.
    CONFIRMED = "confirmed"
