"""Threads: how a text splits into posts, how the gate measures each, and the writer's threads."""

from __future__ import annotations

import asyncio
import itertools
from datetime import date

import pytest

from bookagent.domain.ports import WriteConstraints
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import check_draft
from bookagent.platforms import get_rules
from bookagent.platforms import measure
from bookagent.platforms import preview
from bookagent.platforms.threads import MAX_THREAD_POSTS
from bookagent.platforms.threads import join_thread
from bookagent.platforms.threads import post_size
from bookagent.platforms.threads import split_thread
from bookagent.platforms.threads import thread_posts
from bookagent.web.dashboard.measure import check_length
from bookagent.writers.template import TemplateWriter
from tests.adversarial.profiles import BUSINESS
from tests.adversarial.profiles import PICTURE_BOOK
from tests.adversarial.profiles import THRILLER


@pytest.mark.parametrize(
    ("text", "posts"),
    [
        ("One post.", ("One post.",)),
        ("First.\n\n---\n\nSecond.", ("First.", "Second.")),
        ("First.\n---\nSecond.\n  -----  \nThird.", ("First.", "Second.", "Third.")),
        ("A dash --- inside a line.", ("A dash --- inside a line.",)),
        ("Ends with a break\n---", ("Ends with a break", "")),
        ("---\nStarts with one", ("", "Starts with one")),
        ("Two dashes\n--\nare text", ("Two dashes\n--\nare text",)),
    ],
)
def test_a_line_of_dashes_splits_a_thread(text: str, posts: tuple[str, ...]) -> None:
    assert split_thread(text) == posts


def test_only_x_and_bluesky_post_threads() -> None:
    text = join_thread(["First.", "Second."])
    assert thread_posts(get_rules("twitter"), text) == ("First.", "Second.")
    assert thread_posts(get_rules("bluesky"), text) == ("First.", "Second.")
    for platform in ("mastodon", "linkedin", "facebook", "threads"):
        assert thread_posts(get_rules(platform), text) == (text,)


def test_each_post_of_a_thread_is_measured_on_its_own() -> None:
    rules = get_rules("twitter")
    posts = ["a" * 200, "b" * 250, "c" * 100]
    size = post_size(rules, join_thread(posts))
    assert size.lengths == (200, 250, 100) and size.length == 250 and size.posts == 3
    assert check_length(rules, join_thread(posts)).ok  # 550 in all, each under 280
    report = check_length(rules, join_thread(["a" * 200, "b" * 290]))
    assert report.codes == ("too_long",)
    assert report.violations[0].message.startswith("Post 2 of the thread: 290 weighted")
    # Bluesky's byte cap applies per post too.
    bluesky = get_rules("bluesky")
    heavy = "👩‍👩‍👧‍👦" * 121  # 121 graphemes, 3,025 bytes
    report = check_length(bluesky, join_thread(["Fine.", heavy]))
    assert "too_many_bytes" in report.codes
    assert report.measured_bytes == post_size(bluesky, heavy).size


def test_the_gate_refuses_an_empty_post_and_too_many_posts() -> None:
    rules = get_rules("bluesky")
    assert check_length(rules, "First.\n---\n\n---\nThird.").codes == ("empty",)
    many = join_thread([f"Post {i}." for i in range(MAX_THREAD_POSTS + 1)])
    assert check_length(rules, many).codes == ("too_many_posts",)
    # Elsewhere a line of dashes is only text, and the whole post is measured.
    mastodon = get_rules("mastodon")
    text = join_thread(["a" * 300, "b" * 300])
    assert check_length(mastodon, text).measured_length == measure("mastodon", text)


def _threads(book_index: int) -> list[tuple[str, str]]:
    book = (THRILLER, PICTURE_BOOK, BUSINESS)[book_index]
    writer, out = TemplateWriter(), []
    grounding = Grounding.from_book(book)
    types = ("excerpt_teaser", "theme_spotlight", "hook_question", "retailer_cta", "author_quote")
    for seed, (platform, post_type) in enumerate(
        itertools.product(("twitter", "bluesky"), types * 6)
    ):
        rules = get_rules(platform)
        constraints = WriteConstraints.for_platform(
            rules, post_type, seed=seed, on=date(2027, 1, 5)
        )
        draft = asyncio.run(writer.write(book, constraints))
        report = check_draft(
            book, rules, draft.content, grounding=grounding, today=date(2027, 1, 5)
        )
        assert report.ok, (draft.content, report.violations)
        out.append((platform, draft.content))
    return out


@pytest.mark.parametrize("book_index", [0, 1, 2], ids=["thriller", "picture", "business"])
def test_the_writer_writes_some_x_and_bluesky_posts_as_threads_of_two_to_four(
    book_index: int,
) -> None:
    written = _threads(book_index)
    threads = [(p, text) for p, text in written if len(split_thread(text)) > 1]
    assert threads, "no thread in 60 posts"
    assert len(threads) < len(written)  # threads are some posts, not all
    for platform, text in threads:
        rules = get_rules(platform)
        posts = split_thread(text)
        assert 2 <= len(posts) <= 4, text
        assert all(post and measure(platform, post, rules) <= rules.max_length for post in posts)
        # The thread's hashtags close it: they are in its last post only.
        assert all("#" not in post for post in posts[:-1]), text


def test_no_threads_on_other_platforms() -> None:
    writer = TemplateWriter()
    for seed, platform in enumerate(["mastodon", "linkedin", "facebook", "threads"] * 10):
        constraints = WriteConstraints.for_platform(
            get_rules(platform), "excerpt_teaser", seed=seed, on=date(2027, 1, 5)
        )
        draft = asyncio.run(writer.write(THRILLER, constraints))
        assert "\n---\n" not in draft.content
        assert draft.metadata["format"] != "thread"


def test_a_thread_previews_each_post_and_counts_its_longest() -> None:
    text = join_thread(
        ["First https://example.com/a", "b" * 290, "Last post https://example.org/b #Tag"]
    )
    shown = preview("bluesky", text)
    assert [measure("bluesky", post) for post in split_thread(text)] == [
        part.length for part in shown.thread
    ]
    assert shown.length == 290 == post_size(get_rules("bluesky"), text).length
    assert shown.thread[0].link_card is not None and shown.thread[0].link_card.host == "example.com"
    assert shown.thread[2].link_card is not None and shown.thread[2].link_card.host == "example.org"
    assert shown.shown == shown.thread[0].shown  # a client that knows no threads sees the first
    data = shown.to_dict()
    assert len(data["thread"]) == 3 and data["thread"][1]["length"] == 290
    # One post: no thread.
    assert preview("bluesky", "One post.").thread == ()
    assert preview("mastodon", text).thread == ()
