"""A batch written as `bookagent.tasks.generation` writes one, without storing its posts."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bookagent.domain import generation
from bookagent.domain.ports import ContentWriter
from bookagent.domain.profile import BookProfile
from bookagent.platforms import get_rules


def write_batch(
    writer: ContentWriter,
    book: BookProfile,
    slots: Sequence[generation.Slot],
    *,
    concurrency: int,
) -> list[generation.Outcome]:
    """Each slot's outcome, written with no recent posts and the rules of its platform."""
    rules = {slot.platform: get_rules(slot.platform) for slot in slots}
    return asyncio.run(
        generation.write_batch(
            writer, book, slots, rules, {}, concurrency=concurrency, on_outcome=lambda o, d: None
        )
    )
