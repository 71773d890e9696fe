"""The template writer's hashtags are one tag on every network.

Bluesky keeps `-` and `.` inside a tag while Mastodon and X end it there, so a tag such as
`#Sci-Fi` would link to different tags on different networks. Every tag the writer may use, and
every tag in what it writes, must read the same under Bluesky's, Mastodon's and X's rules and the
gate's count.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import BookProfile
from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.platforms import extract_hashtags
from bookagent.platforms import get_rules
from bookagent.platforms import is_portable_tag
from bookagent.platforms.bluesky_facets import tag_spans as bluesky_hashtags
from bookagent.platforms.hashtags import mastodon_hashtags
from bookagent.platforms.hashtags import x_hashtags
from bookagent.platforms.measure import hashtag_spans
from bookagent.writers.template import POST_TYPES
from bookagent.writers.template import TemplateWriter
from bookagent.writers.template_material import Material
from tests.adversarial.profiles import PROFILES
from tests.support.worst_profile import worst_profile
from tests.unit.writers.test_template_writer import BOOK

#: A profile whose own tags and themes hold what the networks disagree on.
AWKWARD = replace(
    BOOK,
    id="book-awkward",
    genre="sci-fi",
    hashtags=("#Sci-Fi", "#book.club", "#Top²", "#Leben's", "#Ⅻ", "2024", "#" + "a" * 39),
    key_themes=("महात्मा गांधी", "found-family", "star_ships", "Café culture"),
)
FIXTURES: dict[str, BookProfile] = {
    **PROFILES,
    "salt_road": BOOK,
    "awkward": AWKWARD,
    "worst": worst_profile(),
}


@pytest.mark.parametrize("name", FIXTURES)
def test_every_candidate_tag_is_portable(name: str) -> None:
    tags = Material.of(FIXTURES[name]).tags
    assert tags, "a profile always has tags to use"
    assert [tag for tag in tags if not is_portable_tag(tag)] == []


def test_awkward_tags_are_made_portable_not_dropped() -> None:
    tags = Material.of(AWKWARD).tags
    for made in ("SciFi", "BookClub", "Top", "Lebens", "महात्मागांधी", "FoundFamily", "CafeCulture"):
        assert made in tags or made.replace("Cafe", "Café") in tags, (made, tags)
    assert "Sci-Fi" not in tags and "book.club" not in tags


@pytest.mark.parametrize("name", ["thriller", "picture", "awkward"])
@pytest.mark.parametrize("platform", SUPPORTED_PLATFORMS)
def test_written_posts_carry_the_same_tags_on_every_network(name: str, platform: str) -> None:
    book = FIXTURES[name]
    base = WriteConstraints.for_platform(get_rules(platform), POST_TYPES[0])
    writer = TemplateWriter()
    seen = 0
    for seed in range(40):
        constraints = replace(base, post_type=POST_TYPES[seed % len(POST_TYPES)], seed=seed)
        content = asyncio.run(writer.write(book, constraints)).content
        tags = extract_hashtags(content)
        seen += len(tags)
        for rule in (bluesky_hashtags, mastodon_hashtags, x_hashtags, hashtag_spans):
            assert [tag for *_, tag in rule(content)] == tags, (rule.__name__, content)
        assert all(is_portable_tag(tag) for tag in tags), content
    assert seen > 0, "the writer used some tags"


def test_bookstagram_is_an_instagram_tag_only() -> None:
    """A book with no tags of its own leans on the generic ones; #Bookstagram among them names
    Instagram's book community and is left out everywhere else."""
    import asyncio
    from dataclasses import replace as _replace

    from bookagent.domain.ports import WriteConstraints
    from bookagent.platforms import SUPPORTED_PLATFORMS
    from bookagent.platforms import get_rules
    from bookagent.writers.template import TemplateWriter

    writer = TemplateWriter()
    book = _replace(BOOK, hashtags=(), key_themes=())
    seen: dict[str, int] = {}
    for platform in SUPPORTED_PLATFORMS:
        for seed in range(30):
            constraints = WriteConstraints.for_platform(get_rules(platform), "fun_fact", seed=seed)
            draft = asyncio.run(writer.write(book, constraints))
            tags = {tag.lstrip("#").casefold() for tag in draft.hashtags}
            seen[platform] = seen.get(platform, 0) + ("bookstagram" in tags)
    assert seen["instagram"] > 0
    assert {p: n for p, n in seen.items() if n and p != "instagram"} == {}
    from bookagent.writers.template import _tags_for

    generic = ("Books", "Bookstagram", "BookRecs")
    assert _tags_for(generic, "instagram") == generic
    assert _tags_for(generic, "mastodon") == ("Books", "BookRecs")
