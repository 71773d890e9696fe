"""The exactly-once policy: what a failed publish attempt means, decided without side effects.

`decide` maps an error, what the platform can do (`PublisherCapabilities`) and the attempts left
to one `Decision`; the publishing task carries it out (ledger writes, the lookup call). The rules:

- rate limited → wait until the platform's `Retry-After` (60 s if it gave none);
- refused → failed; it will not go through by sending it again;
- provably not sent (`ProviderUnavailable`) → retry with backoff while attempts are left, else
  failed;
- outcome unknown (a lost answer, a timeout) → first look the post up where the platform can;
  found → published; provably absent, or the platform honours our idempotency key → retry while
  attempts are left; anything else → `unconfirmed`, for the author to settle, never re-sent
  blindly;
- any other error → `unconfirmed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bookagent.domain.ports import PublisherCapabilities
from bookagent.errors import BookAgentError
from bookagent.errors import OperationTimeoutError
from bookagent.errors import ProviderRejected
from bookagent.errors import ProviderUnavailable
from bookagent.errors import PublishOutcomeUnknown
from bookagent.errors import RateLimited
from bookagent.states import AttemptOutcome

DEFAULT_RATE_LIMIT_WAIT_S = 60.0


class Action(StrEnum):
    """What the task does next with the post."""

    LOOK_UP = "look_up"  # ask the platform whether the post is there, then decide again
    PUBLISHED = "published"  # the lookup found it
    RETRY = "retry"
    RATE_LIMITED = "rate_limited"
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"


class Lookup(StrEnum):
    """What a lookup of the post on the platform showed."""

    NOT_DONE = "not_done"
    FOUND = "found"
    ABSENT = "absent"
    FAILED = "failed"  # the lookup itself failed: it proves nothing


@dataclass(frozen=True)
class Decision:
    """The action, and how the attempt is recorded: its outcome label, HTTP status and wait."""

    action: Action
    attempt_outcome: AttemptOutcome  # RATE_LIMITED, REJECTED, ERROR or UNKNOWN
    status_code: int | None = None
    wait_s: float | None = None  # RATE_LIMITED: how long the account waits


def decide(
    error: BookAgentError,
    capabilities: PublisherCapabilities,
    attempts_left: int,
    lookup: Lookup = Lookup.NOT_DONE,
) -> Decision:
    """What `error` on a publish attempt means (see the module doc); pure."""
    if isinstance(error, RateLimited):
        wait_s = error.retry_after_s or DEFAULT_RATE_LIMIT_WAIT_S
        return Decision(Action.RATE_LIMITED, AttemptOutcome.RATE_LIMITED, 429, wait_s)
    if isinstance(error, ProviderRejected):
        return Decision(Action.FAILED, AttemptOutcome.REJECTED)
    if isinstance(error, ProviderUnavailable):  # provably not sent: safe to try again
        return Decision(Action.RETRY if attempts_left > 0 else Action.FAILED, AttemptOutcome.ERROR)
    if not isinstance(error, PublishOutcomeUnknown | OperationTimeoutError):
        return Decision(Action.UNCONFIRMED, AttemptOutcome.ERROR)
    if capabilities.lookup and lookup is Lookup.NOT_DONE:
        return Decision(Action.LOOK_UP, AttemptOutcome.UNKNOWN)
    if lookup is Lookup.FOUND:
        return Decision(Action.PUBLISHED, AttemptOutcome.UNKNOWN)
    absent = capabilities.lookup and lookup is Lookup.ABSENT
    if attempts_left > 0 and (capabilities.idempotency_key or absent):
        return Decision(Action.RETRY, AttemptOutcome.UNKNOWN)
    return Decision(Action.UNCONFIRMED, AttemptOutcome.UNKNOWN)
