"""The reconciler: in-doubt posts settle themselves where the platform allows it.

A post is in doubt when its request went out and no answer came back (a lost answer, a timeout,
or a worker that died mid-request and was swept): it is `unconfirmed`, never re-sent blindly.
Where the platform can tell or the key makes a second send harmless, this settles it:

- a platform that can look a post up (Bluesky's `getRecord` at the record key chosen before
  sending; the outbox's own file) is asked: found → `published`, with the post's `remote_id`
  and an attempt row that says "confirmed by lookup"; absent → sent again, which the same record
  key (or file name) makes safe;
- a platform that honours our idempotency key but cannot look a post up is sent the post again
  under the same `Idempotency-Key` while it still keeps the key (Mastodon: within the hour after
  the first attempt, `PublisherCapabilities.idempotency_window_s`): it answers with the status
  it made, or makes it once; so is a webhook whose receiver is declared to drop a repeated key
  (`BOOKAGENT_PUBLISHERS__WEBHOOK_RECEIVER_DEDUPES`), the one receipt a webhook has;
- anything else (X; a webhook not so declared: no key honoured, no lookup; a post past its
  window; a failed lookup, which proves nothing) stays `unconfirmed` for the author.

It runs with every publishing task (`publish_due`, one per platform), which the scheduler's tick
starts whenever a post is due or in doubt; the first tick after a start-up runs it, so a restart
settles what the stop left behind.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from bookagent.db.base import utcnow
from bookagent.db.models import Post
from bookagent.domain import publishing as ledger
from bookagent.errors import BookAgentError

if TYPE_CHECKING:
    from bookagent.services import Services

log = logging.getLogger(__name__)

CONFIRMED_NOTE = "The answer was lost; a lookup on {platform} found the post."
RESENT_LOOKUP = (
    "The answer was lost and a lookup did not find the post on {platform}: sent again under the "
    "same record key, which cannot make a second post."
)
RESENT_KEY = (
    "The answer was lost: sent again under the same Idempotency-Key, which {platform} still "
    "honours, so it cannot make a second post."
)


def reconcile_in_doubt(
    services: Services, now: datetime | None = None, *, platform: str | None = None
) -> dict[str, int]:
    """Settle what can be settled of the in-doubt posts (of one platform); counts by what
    happened (`confirmed`, `resent`, `left`, `lookup_failed`)."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    with services.db.session() as session:
        post_ids = ledger.in_doubt_post_ids(session, platform=platform)
    for post_id in post_ids:
        outcome = _settle(services, post_id, now)
        counts[outcome] = counts.get(outcome, 0) + 1
    if post_ids:
        log.info("reconciled in-doubt posts: %s", counts)
    return counts


def _settle(services: Services, post_id: str, now: datetime) -> str:
    with services.db.session() as session:
        post = session.get(Post, post_id)
        if post is None:
            return "left"
        request, key = ledger.publish_request(post), ledger.idempotency_key(post)
        first = ledger.first_attempt_at(session, post_id)
        platform = post.platform
    publisher = services.publishers.for_platform(platform)
    capabilities = publisher.capabilities()
    if capabilities.lookup:
        try:
            found = services.runner.run(
                publisher.find_published(request, key), services.settings.publishers.timeout_s + 5
            )
        except BookAgentError as exc:
            log.warning("lookup failed post_id=%s: %s", post_id, exc.message)
            return "lookup_failed"
        with services.db.session() as session:
            post = session.get(Post, post_id)
            if post is None:
                return "left"
            if found is not None:
                note = CONFIRMED_NOTE.format(platform=platform)
                settled = ledger.settle_confirmed(session, post, publisher.name, found, note, now)
                return "confirmed" if settled else "left"
            if capabilities.idempotency_key:
                reason = RESENT_LOOKUP.format(platform=platform)
                return "resent" if ledger.resend_in_doubt(session, post_id, reason, now) else "left"
        return "left"
    window = capabilities.idempotency_window_s
    in_window = window is None or (first is not None and (now - first).total_seconds() < window)
    if capabilities.idempotency_key and in_window:
        with services.db.session() as session:
            reason = RESENT_KEY.format(platform=platform)
            return "resent" if ledger.resend_in_doubt(session, post_id, reason, now) else "left"
    return "left"
