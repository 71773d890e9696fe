"""A batch starts its slots so that slots of one post type do not run at once where it can:
drafts written at once cannot see each other, and two of one type collide most, which costs a
rewrite (another writer call) for the later one."""

from __future__ import annotations

import asyncio
from datetime import UTC
from datetime import datetime

import time_machine
from benchmarks.generation import BOOK
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bookagent.domain import generation
from bookagent.domain.generation import Slot
from bookagent.domain.generation import start_order
from bookagent.domain.ports import Draft
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import BookProfile
from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.platforms import get_rules
from bookagent.writers.template import TemplateWriter

SLOTS = st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=30).map(
    lambda types: [Slot(i, "twitter", t, i) for i, t in enumerate(types)]
)


@settings(max_examples=300, deadline=None)
@given(slots=SLOTS, concurrency=st.integers(min_value=1, max_value=12))
def test_every_slot_starts_once_and_a_type_waits_only_for_its_own(
    slots: list[Slot], concurrency: int
) -> None:
    order = start_order(slots, concurrency)
    assert sorted(order, key=lambda s: s.index) == slots
    for at, slot in enumerate(order):
        running = {s.post_type for s in order[max(0, at - concurrency + 1) : at]}
        waiting = [s for s in order[at:] if s.post_type not in running]
        # A slot of a type that is running starts only when every waiting slot's type is too;
        # among the slots it could start, the first planned goes first.
        assert slot.post_type not in running or not waiting
        if waiting:
            assert slot == min(waiting, key=lambda s: s.index)


def test_one_at_a_time_keeps_the_planned_order() -> None:
    slots = generation.plan_slots(list(SUPPORTED_PLATFORMS), 3, None, seed=7)
    assert start_order(slots, 1) == slots


def test_the_first_wave_of_a_planned_batch_holds_every_type_it_can() -> None:
    slots = generation.plan_slots(list(SUPPORTED_PLATFORMS), 3, None, seed=7)[:20]
    first_wave = start_order(slots, 10)[:10]
    types = {s.post_type for s in slots}
    assert len({s.post_type for s in first_wave}) == min(10, len(types))


class SlowWriter:
    """The template writer behind a pause, as an LLM's latency: drafts of one wave overlap."""

    name = "slow-template"
    model = "template-v1"

    def __init__(self) -> None:
        self.calls = 0
        self.inner = TemplateWriter()

    async def write(self, book: BookProfile, constraints: WriteConstraints) -> Draft:
        self.calls += 1
        await asyncio.sleep(0.05)
        return await self.inner.write(book, constraints)


def test_a_batch_of_overlapping_drafts_needs_no_rewrite() -> None:
    """20 drafts over 8 platforms, 10 at once, for the generation benchmark's book: each is
    written once (in the planned order two hook questions ran at once, and the later one
    repeated the other on another platform)."""
    platforms = list(SUPPORTED_PLATFORMS)
    slots = generation.plan_slots(platforms, 3, None, seed=7)[:20]
    writer = SlowWriter()
    # The drafts are written for today, which sets the launch phase: a fixed day before the
    # book's launch, so that the texts (and their collisions) are the same on any day.
    with time_machine.travel(datetime(2026, 12, 7, 12, tzinfo=UTC), tick=True):
        outcomes = asyncio.run(
            generation.write_batch(
                writer,
                BOOK,
                slots,
                {name: get_rules(name) for name in platforms},
                {},
                concurrency=10,
                on_outcome=lambda outcome, done: None,
            )
        )
    assert all(isinstance(o, generation.Accepted) for o in outcomes)
    assert writer.calls == len(slots)
