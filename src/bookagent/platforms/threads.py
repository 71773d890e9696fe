"""Threads: one post of X or Bluesky written as several, each published as a reply to the last.

A thread is one bookagent post (one approval, one schedule, one ledger entry) whose text holds
its posts separated by a line holding only `---`, as the author writes and edits it. On X and
Bluesky each post of a thread is measured against the platform's limit on its own; elsewhere a
`---` line is only text. The writers write threads of 2-4 posts; an author may make one longer,
up to `MAX_THREAD_POSTS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bookagent.platforms.measure import count_bytes
from bookagent.platforms.measure import measure
from bookagent.platforms.rules import PlatformRules

#: The networks whose publishers post a thread as a chain of replies.
THREAD_PLATFORMS = frozenset({"twitter", "bluesky"})
#: How many posts one thread may hold (X's composer takes 25; a book's thread needs far fewer).
MAX_THREAD_POSTS = 10
#: What the writers put between two posts of a thread.
THREAD_BREAK = "\n\n---\n\n"
# A line of three or more dashes and nothing else (spaces aside) ends one post of a thread.
_BREAK = re.compile(r"(?:^|\n)[ \t]*-{3,}[ \t]*(?=\n|$)")


def split_thread(text: str) -> tuple[str, ...]:
    """The posts of `text` read as a thread, each stripped; one post when it has no `---` line."""
    if "---" not in text:
        return (text,)
    parts = tuple(part.strip() for part in _BREAK.split(text))
    return parts if len(parts) > 1 else (text,)


def thread_posts(rules: PlatformRules, text: str) -> tuple[str, ...]:
    """The posts `text` is published as on `rules`' platform: its thread's, or `text` alone."""
    return split_thread(text) if rules.name in THREAD_PLATFORMS else (text,)


def join_thread(posts: tuple[str, ...] | list[str]) -> str:
    """The text of a thread of `posts`, as the writers write it."""
    return THREAD_BREAK.join(posts)


@dataclass(frozen=True)
class PostSize:
    """A post's size as its platform's limits apply to it: for a thread, per post."""

    #: The length of each post, in the platform's unit.
    lengths: tuple[int, ...]
    #: The UTF-8 size of each post where the platform caps bytes, else None.
    sizes: tuple[int, ...] | None

    @property
    def length(self) -> int:
        """The longest post's length: what the limit is compared with."""
        return max(self.lengths)

    @property
    def size(self) -> int | None:
        """The largest post's bytes, where the platform caps them."""
        return max(self.sizes) if self.sizes is not None else None

    @property
    def posts(self) -> int:
        """How many posts: 1, or the thread's."""
        return len(self.lengths)


def post_size(rules: PlatformRules, text: str) -> PostSize:
    """The length (and bytes, where capped) of each post `text` is published as."""
    posts = thread_posts(rules, text)
    lengths = tuple(measure(rules.name, post, rules) for post in posts)
    sizes = tuple(count_bytes(post) for post in posts) if rules.max_bytes is not None else None
    return PostSize(lengths, sizes)
