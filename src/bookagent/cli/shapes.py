"""API.md's JSON shapes built from database rows, for local mode.

The documents themselves come from the modules the web layer uses too (`domain.books`,
`queue.documents`), so the two clients cannot drift apart; this module adds the envelope.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from bookagent.cli.client import JSON
from bookagent.domain.books import book_to_dict as book_json
from bookagent.queue.documents import active_json
from bookagent.queue.documents import task_json


def ok(payload: JSON) -> JSON:
    """A success body in API.md's envelope."""
    return {"success": True, **payload, "timestamp": datetime.now(UTC).isoformat()}


__all__ = ["active_json", "book_json", "ok", "task_json"]
