"""Drafts built to end exactly at a platform's limit, measured in the platform's own unit."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from bookagent.platforms import get_rules
from bookagent.platforms import measure

# Pieces that close the last gap: words of every length (weight 1 per character on every
# platform) and a CJK character (weight 2 on X).
_PADS = (
    "a", "so", "and", "dark", "quiet", "nights", "whisper", "corridor", "heartbeat",
    "stillness.", "floorboards", "lamplighters", "ね", ".",
)  # fmt: skip


def at_limit(
    platform: str, head: str, words: Sequence[str], tail: str, *, joiner: str = " "
) -> str:
    """`head`, then `words` (cycled) joined by `joiner`, then `tail`: exactly at the limit.

    Raises ValueError when no mix of words and pads lands on the limit.
    """
    rules = get_rules(platform)
    limit = rules.max_length

    def build(body: Sequence[str]) -> str:
        middle = joiner.join(body)
        return f"{head} {middle} {tail}" if middle else f"{head} {tail}"

    def size(body: Sequence[str]) -> int:
        return measure(platform, build(body), rules)

    body: list[str] = []
    for word in itertools.cycle(words):
        if size([*body, word]) > limit:
            break
        body.append(word)
    while body:
        if size(body) == limit:
            return build(body)
        for count in (1, 2):
            for pads in itertools.product(_PADS, repeat=count):
                if size([*body, *pads]) == limit:
                    return build([*body, *pads])
        body.pop()
    raise ValueError(f"cannot fill {platform} to exactly {limit}: {head!r} … {tail!r}")
