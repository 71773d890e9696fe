"""Near-duplicates: repeats are flagged however they are reworded, distinct posts of one book are
not, and the same text on another platform passes only as a cross-post."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from bookagent.domain import generation
from bookagent.domain.near_duplicates import CONTENT_THRESHOLD
from bookagent.domain.near_duplicates import content_similarity
from bookagent.domain.near_duplicates import content_words
from bookagent.domain.near_duplicates import find_near_duplicate
from bookagent.domain.near_duplicates import find_reworded
from bookagent.domain.near_duplicates import find_same_wording
from bookagent.domain.near_duplicates import find_similar_post
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Review
from bookagent.domain.validation import check_draft
from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.platforms import get_rules
from bookagent.writers.template import TemplateWriter
from tests.support.batches import write_batch
from tests.unit.domain.near_duplicate_pairs import DISTINCT
from tests.unit.domain.near_duplicate_pairs import REWORDED
from tests.unit.domain.near_duplicate_pairs import REWORDED_MISSED
from tests.unit.domain.near_duplicate_pairs import SAME_WORDS
from tests.unit.domain.near_duplicate_pairs import SHORT_REPEATS

BOOK = BookProfile(
    id="book-1",
    user_id="user-1",
    title="The Salt Road",
    subtitle="A Novel of the Dry Sea",
    author="Mara Quell",
    genre="literary fantasy",
    blurb="A smuggler crosses a desert of salt to pay a debt she never owed. The desert has "
    "other plans.",
    key_themes=("found family", "grief", "the cost of loyalty"),
    links={"amazon": "https://www.amazon.com/dp/B0SALTROAD", "site": "https://maraquell.com/salt"},
    launch_date=date(2027, 3, 1),
    price="$4.99",
    quotes=("The desert remembers every footstep you take.", "Salt keeps what the sea forgets."),
    reviews=(Review("A stunning debut, lyrical and fierce. Five stars from me.", "Kirkus"),),
    hashtags=("#SaltRoad", "FantasyBooks"),
)
MASTODON = get_rules("mastodon")
ORIGINAL = (
    "A smuggler crosses a desert of salt to pay a debt she never owed. Pre-order The Salt Road "
    "now: https://www.amazon.com/dp/B0SALTROAD #SaltRoad"
)


def ids(pairs: list[tuple[str, str]]) -> list[str]:
    return [a[:40] for a, _ in pairs]


@pytest.mark.parametrize(
    ("a", "b"), SAME_WORDS + SHORT_REPEATS, ids=ids(SAME_WORDS + SHORT_REPEATS)
)
def test_a_repeat_in_other_words_order_or_decoration_is_flagged(a: str, b: str) -> None:
    assert find_similar_post(a, [b]) is not None
    assert find_similar_post(b, [a]) is not None


@pytest.mark.parametrize(("a", "b"), REWORDED, ids=ids(REWORDED))
def test_a_reworded_repeat_is_flagged_by_its_content_words(a: str, b: str) -> None:
    found = find_similar_post(a, ["Happy reading! #SaltRoad", b])
    assert found is not None and found.text == b
    assert find_similar_post(b, [a]) is not None


@pytest.mark.parametrize(("a", "b"), DISTINCT, ids=ids(DISTINCT))
def test_distinct_posts_of_one_book_are_not_flagged(a: str, b: str) -> None:
    assert find_similar_post(a, [b]) is None
    assert find_similar_post(b, [a]) is None


def test_recall_and_false_positives_on_the_hand_written_pairs() -> None:
    """The figures the thresholds were chosen on: of the 58 repeats, the token-sort ratio alone
    catches 33 (57%; 2 of the 25 reworded ones), with the content words 45 (78%; 12 of 25), and
    no distinct pair. (A lower content threshold catches more, 47 at 75, but then the template
    writer, short of variants, has a draft in a thousand refused: see
    tests/integration/writers/test_template_gate.py.)"""
    repeats = SAME_WORDS + SHORT_REPEATS + REWORDED + REWORDED_MISSED
    caught = sum(find_similar_post(a, [b]) is not None for a, b in repeats)
    by_wording = sum(find_same_wording(a, [b]) is not None for a, b in repeats)
    assert (len(repeats), by_wording) == (58, 33)
    assert caught >= 45
    assert not any(find_similar_post(a, [b]) for a, b in DISTINCT)


def test_content_words_drop_links_tags_emoji_punctuation_and_stopwords() -> None:
    assert content_words("Pre-order The Salt Road now! 🌵 https://a.example.com/x #SaltRoad") == (
        content_words("Preorder the SALT ROAD today... salt.example.org")
    )
    assert content_words("It's crossing, she crossed; they cross") == {"cross"}
    assert content_words("five copies") == content_words("5 copy")
    assert content_words("#SaltRoad https://x.example.com") == frozenset()


def test_few_content_words_repeat_only_when_they_are_the_same() -> None:
    assert content_similarity("The Salt Road by Mara Quell", "Mara Quell's The Salt Road!") == 100
    assert (
        content_similarity("The Salt Road by Mara Quell", "Meet The Salt Road by Mara Quell") == 0
    )
    assert content_similarity("", "The Salt Road") == 0


def test_the_best_match_is_reported_and_the_threshold_is_inclusive() -> None:
    a, b = next((a, b) for a, b in REWORDED if find_same_wording(a, [b]) is None)
    score = content_similarity(a, b)
    assert score >= CONTENT_THRESHOLD
    found = find_similar_post(a, [DISTINCT[0][0], b, a[: len(a) // 2]])
    assert found is not None and (found.text, found.score, found.measure) == (b, score, "content")
    assert find_reworded(a, [b], threshold=score) == (b, score)
    assert find_reworded(a, [b], threshold=score + 0.01) is None


def test_find_near_duplicate_is_the_gate_test_unless_given_a_threshold() -> None:
    a, b = next((a, b) for a, b in REWORDED if find_same_wording(a, [b]) is None)
    assert find_near_duplicate(a, [b]) == (b, content_similarity(a, b))
    assert find_near_duplicate(a, [b], threshold=85.0) is None  # the token-sort ratio alone


def test_the_same_text_on_another_platform_needs_the_cross_posted_mark() -> None:
    report = check_draft(BOOK, MASTODON, ORIGINAL, elsewhere=[ORIGINAL])
    assert report.codes == ("cross_platform_duplicate",)
    message = report.violations[0].message
    assert message.startswith("Same text as a recent post on another platform: “A smuggler")
    assert message.endswith("Mark the post as cross-posted to allow it.")

    assert check_draft(BOOK, MASTODON, ORIGINAL, elsewhere=[ORIGINAL], cross_posted=True).ok


def test_the_cross_posted_mark_does_not_allow_a_repeat_on_the_same_platform() -> None:
    report = check_draft(BOOK, MASTODON, ORIGINAL, recent=[ORIGINAL], cross_posted=True)
    assert report.codes == ("near_duplicate",)


def test_a_text_adapted_for_another_platform_is_still_the_same_text() -> None:
    adapted = (
        "A smuggler crosses a desert of salt to pay a debt she never owed. Pre-order The Salt "
        "Road now! #FantasyBooks"
    )  # another tag, and no link
    report = check_draft(BOOK, MASTODON, adapted, elsewhere=["Happy reading! #SaltRoad", ORIGINAL])
    assert report.codes == ("cross_platform_duplicate",)


def test_a_post_reworded_for_another_platform_is_not_a_cross_platform_duplicate() -> None:
    """Announcing one thing on two platforms in different words is what authors should do."""
    reworded = (
        "Big news 🎉 In The Salt Road, a smuggler must cross a desert of salt to pay off a debt "
        "she never owed. Get your copy here https://www.amazon.com/dp/B0SALTROAD #FantasyBooks"
    )
    assert check_draft(BOOK, MASTODON, reworded, recent=[ORIGINAL]).codes == ("near_duplicate",)
    assert check_draft(BOOK, MASTODON, reworded, elsewhere=[ORIGINAL]).ok


def test_a_reworded_repeat_is_explained_in_words() -> None:
    a, b = next((a, b) for a, b in REWORDED if find_same_wording(a, [b]) is None)
    (violation,) = check_draft(BOOK, get_rules("facebook"), a, recent=[b]).violations
    assert violation.code == "near_duplicate"
    assert violation.message.startswith("Says what a recent post says, in other words (")


def test_a_batch_for_every_platform_repeats_no_text_across_platforms() -> None:
    """The template writer is told the other platforms' texts too, so it picks variants that
    pass the cross-platform check at once, and the batch stores a post in every slot."""
    platforms = list(SUPPORTED_PLATFORMS)
    slots = generation.plan_slots(platforms, 2, None, seed=7)
    outcomes = write_batch(TemplateWriter(), BOOK, slots, concurrency=4)
    accepted = [o for o in outcomes if isinstance(o, generation.Accepted)]
    assert len(accepted) == len(slots), [o for o in outcomes if isinstance(o, generation.Rejected)]
    for one, other in itertools.combinations(accepted, 2):
        if one.slot.platform != other.slot.platform:
            assert find_same_wording(one.draft.content, [other.draft.content]) is None


def test_a_writer_is_told_its_platforms_texts_and_the_others_apart() -> None:
    state = generation.BatchState(recent={"twitter": ["t1", "t2"], "mastodon": ["m1"]})
    assert state.avoid("twitter") == ("t1", "t2")
    assert state.elsewhere("twitter") == ("m1",)
    assert state.avoid("bluesky") == ()
    assert state.elsewhere("bluesky") == ("t1", "t2", "m1")
