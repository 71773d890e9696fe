"""The exactly-once policy as a table: error × capabilities × attempts left × lookup → decision."""

from __future__ import annotations

import pytest

from bookagent.domain.ports import PublisherCapabilities
from bookagent.domain.publish_policy import Action
from bookagent.domain.publish_policy import Decision
from bookagent.domain.publish_policy import Lookup
from bookagent.domain.publish_policy import decide
from bookagent.errors import BookAgentError
from bookagent.errors import ConfigurationError
from bookagent.errors import OperationTimeoutError
from bookagent.errors import ProviderError
from bookagent.errors import ProviderRejected
from bookagent.errors import ProviderUnavailable
from bookagent.errors import PublishOutcomeUnknown
from bookagent.errors import RateLimited

PLAIN = PublisherCapabilities()  # the webhook, X: no key the platform honours, no lookup
KEYED = PublisherCapabilities(idempotency_key=True)  # Mastodon's Idempotency-Key
LOOKUP = PublisherCapabilities(lookup=True)  # Bluesky: the record can be read back
UNKNOWN = PublishOutcomeUnknown("the answer was lost")
TIMEOUT = OperationTimeoutError(35)

R, F, U, P, L = Action.RETRY, Action.FAILED, Action.UNCONFIRMED, Action.PUBLISHED, Action.LOOK_UP

TABLE: list[tuple[str, BookAgentError, PublisherCapabilities, int, Lookup, Action, str]] = [
    # what, then: error, capabilities, attempts left, lookup → action, attempt outcome
    ("not sent, attempts left", ProviderUnavailable("down"), PLAIN, 2, Lookup.NOT_DONE, R, "error"),
    ("not sent, none left", ProviderUnavailable("down"), PLAIN, 0, Lookup.NOT_DONE, F, "error"),
    ("refused", ProviderRejected("too long"), KEYED, 2, Lookup.NOT_DONE, F, "rejected"),
    ("refused, lookup platform", ProviderRejected("no"), LOOKUP, 2, Lookup.NOT_DONE, F, "rejected"),
    ("unknown, plain platform", UNKNOWN, PLAIN, 2, Lookup.NOT_DONE, U, "unknown"),
    ("timeout, plain platform", TIMEOUT, PLAIN, 2, Lookup.NOT_DONE, U, "unknown"),
    ("unknown, key honoured", UNKNOWN, KEYED, 2, Lookup.NOT_DONE, R, "unknown"),
    ("unknown, key, none left", UNKNOWN, KEYED, 0, Lookup.NOT_DONE, U, "unknown"),
    ("unknown, lookup first", UNKNOWN, LOOKUP, 2, Lookup.NOT_DONE, L, "unknown"),
    ("unknown, lookup found it", UNKNOWN, LOOKUP, 2, Lookup.FOUND, P, "unknown"),
    ("unknown, found, none left", UNKNOWN, LOOKUP, 0, Lookup.FOUND, P, "unknown"),
    ("unknown, provably absent", UNKNOWN, LOOKUP, 2, Lookup.ABSENT, R, "unknown"),
    ("unknown, absent, none left", UNKNOWN, LOOKUP, 0, Lookup.ABSENT, U, "unknown"),
    ("unknown, lookup failed", UNKNOWN, LOOKUP, 2, Lookup.FAILED, U, "unknown"),
    ("timeout, lookup failed", TIMEOUT, LOOKUP, 2, Lookup.FAILED, U, "unknown"),
    ("other provider error", ProviderError("odd"), KEYED, 2, Lookup.NOT_DONE, U, "error"),
    ("any other error", ConfigurationError("bad"), LOOKUP, 2, Lookup.NOT_DONE, U, "error"),
]


@pytest.mark.parametrize(
    ("error", "capabilities", "left", "lookup", "action", "outcome"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_decide(
    error: BookAgentError,
    capabilities: PublisherCapabilities,
    left: int,
    lookup: Lookup,
    action: Action,
    outcome: str,
) -> None:
    decision = decide(error, capabilities, left, lookup)
    assert (decision.action, decision.attempt_outcome) == (action, outcome)


def test_a_rate_limit_waits_as_long_as_the_platform_says() -> None:
    told = decide(RateLimited("slow down", retry_after_s=120), KEYED, 2)
    assert told == Decision(Action.RATE_LIMITED, "rate_limited", 429, 120)
    untold = decide(RateLimited("slow down"), PLAIN, 0)
    assert untold == Decision(Action.RATE_LIMITED, "rate_limited", 429, 60.0)


def test_an_unknown_outcome_is_never_retried_blindly() -> None:
    """Across every case: a retry after an unknown outcome needs the key or a lookup's proof."""
    for capabilities in (PLAIN, KEYED, LOOKUP):
        for lookup in Lookup:
            for left in (0, 1, 3):
                decision = decide(UNKNOWN, capabilities, left, lookup)
                if decision.action is Action.RETRY:
                    assert left > 0
                    assert capabilities.idempotency_key or lookup is Lookup.ABSENT
