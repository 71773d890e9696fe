"""Issue 15's acceptance: the template writer's posts for three books of different categories.

For the thriller (fiction), the picture book (children's) and the business book (nonfiction) of
`tests/adversarial/profiles.py`, posts are written as `benchmarks/content_quality.py` writes them
(as `write_one` would, for a day 30 days before launch and one 30 days after): 100 per platform
before launch for every profile, and as many after launch for the thriller (25 per platform for
the others, to keep the run short). The measures are `benchmarks/content_measures.py`'s. No
post may break the author's voice rules or paste a profile field into a sentence; among one
platform's posts of one day, no skeleton may be used more than 3 times and no three-word
opening more than twice; and at least half of the pre-launch posts that carry a retailer link
must say "pre-order".
"""

from __future__ import annotations

import pytest
from benchmarks.content_quality import MAX_OPENING_USES
from benchmarks.content_quality import MAX_SKELETON_USES
from benchmarks.content_quality import MIN_PRE_ORDER_SHARE
from benchmarks.content_quality import POSTS_PER_PLATFORM
from benchmarks.content_quality import PROFILE_NAMES
from benchmarks.content_quality import ProfileQuality
from benchmarks.content_quality import launch_days
from benchmarks.content_quality import measure_profile
from benchmarks.content_quality import profiles
from benchmarks.content_quality import where
from benchmarks.generation import PLATFORMS

#: Posts per platform after launch (before launch: always `POSTS_PER_PLATFORM`).
POSTS_AFTER_LAUNCH = {"thriller": POSTS_PER_PLATFORM, "picture": 25, "business": 25}


@pytest.fixture(scope="module", params=PROFILE_NAMES)
def quality(request: pytest.FixtureRequest) -> ProfileQuality:
    """One profile's posts, written and measured once for every test of this module."""
    name: str = request.param
    return measure_profile(name, profiles()[name], POSTS_PER_PLATFORM, POSTS_AFTER_LAUNCH[name])


def test_every_platform_gets_its_posts_for_both_days(quality: ProfileQuality) -> None:
    before, after = launch_days(quality.book)
    for platform in PLATFORMS:
        assert quality.variety[before, platform].posts == POSTS_PER_PLATFORM
        assert quality.variety[after, platform].posts == POSTS_AFTER_LAUNCH[quality.name]


def test_no_post_breaks_the_author_s_voice_rules(quality: ProfileQuality) -> None:
    examples = [f"{p.platform} ({p.day}): {m}\n{p.content}" for p, m in quality.voice_examples]
    assert quality.voice_total == 0, (
        f"{quality.voice_total} voice-rule violations {dict(quality.voice)}, e.g.:\n"
        + "\n\n".join(examples[:3])
    )


def test_no_post_pastes_a_profile_field_into_a_sentence(quality: ProfileQuality) -> None:
    examples = [f"{p.platform}: {paste.field} in “{paste.sentence}”" for p, paste in quality.pastes]
    assert not quality.pastes, f"{len(quality.pastes)} raw-field pastes, e.g.:\n" + "\n".join(
        examples[:5]
    )


def test_no_skeleton_is_used_more_than_three_times_on_a_platform(
    quality: ProfileQuality,
) -> None:
    over = {
        where(key, quality.book): (v.max_skeleton_uses, v.top_skeleton)
        for key, v in quality.variety.items()
        if v.max_skeleton_uses > MAX_SKELETON_USES
    }
    assert not over, f"skeletons used more than {MAX_SKELETON_USES} times: {over}"


def test_no_opening_is_used_more_than_twice_on_a_platform(quality: ProfileQuality) -> None:
    over = {
        where(key, quality.book): (v.max_opening_uses, v.top_opening)
        for key, v in quality.variety.items()
        if v.max_opening_uses > MAX_OPENING_USES
    }
    assert not over, f"openings used more than {MAX_OPENING_USES} times: {over}"


def test_most_pre_launch_posts_with_a_retailer_link_say_pre_order(
    quality: ProfileQuality,
) -> None:
    share = quality.pre_order_before
    assert share.with_retailer_link > 0, "no pre-launch post carries a retailer link"
    assert share.share >= MIN_PRE_ORDER_SHARE, (
        f"{share.saying_pre_order} of {share.with_retailer_link} pre-launch posts with a "
        'retailer link say "pre-order"'
    )
