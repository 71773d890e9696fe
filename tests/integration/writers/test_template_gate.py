"""The template writer against the full gate: 1,000 posts for each of three unlike profiles.

Each post is written as `bookagent.domain.generation.write_one` writes it (the platform's limits;
to avoid, the newest 20 accepted posts of its platform, and those of the others as `elsewhere`),
for a fixed day so that the launch phase is known, and then checked by `check_draft` with that
day as `today`, against the same posts (its own platform's as `recent`, the others' as
`elsewhere`). None may be
refused: the writer must obey the author's rules, ground every fact and say nothing it said
lately by itself. (The pipeline holds a post to up to 200 posts of the last 30 days per platform,
and shows the writer the same ones; 20 per platform here.)
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date

import pytest
import regex

from bookagent.domain.ports import Draft
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import AuthorRules
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Event
from bookagent.domain.profile import Review
from bookagent.domain.profile import launch_phase
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import check_draft
from bookagent.platforms import SUPPORTED_PLATFORMS
from bookagent.platforms import get_rules
from bookagent.writers.template import POST_TYPES
from bookagent.writers.template import TemplateWriter

POSTS_PER_PROFILE = 1000
RECENT_KEPT = 20
# The canonical platforms (`x` is an alias of `twitter`).
PLATFORMS = tuple(p for p in SUPPORTED_PLATFORMS if p != "x")
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")
_QUOTED = re.compile(r"“([^“”]+)”")
# A weekday alone is relative ("see you Saturday"); before its date it only helps ("Tuesday,
# March 9"), which is how the writer names a day of the coming week.
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_RELATIVE = re.compile(
    r"\b(?:today|tonight|tomorrow|yesterday|this\s+week(?:end)?|next\s+week|\d+\s+days?)\b"
    r"|\b\d{1,2}/\d{1,2}\b"
    rf"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b(?!,?\s+(?:{_MONTH}|\d))",
    re.IGNORECASE,
)

THRILLER = BookProfile(
    id="thriller",
    user_id="author-1",
    title="The Quiet Husband",
    author="Nora Vale",
    genre="psychological thriller",
    blurb=(
        "Claire has the perfect marriage, until the night her husband comes home with a "
        "stranger's blood on his collar! She tells herself there is an explanation. Tomorrow she "
        "will ask him. The body in the lake belongs to his first wife. But the closer Claire "
        "looks, the less she trusts her own memory. How well do you know the person beside you?"
    ),
    target_audience="readers of dark domestic suspense",
    key_themes=("trust", "memory", "marriage", "a twist you will not see coming"),
    tone="taut, unsettling",
    links={"amazon": "https://www.amazon.com/dp/B0QUIETHUS", "site": "https://noravale.com/quiet"},
    launch_date=date(2027, 5, 4),
    price="$4.99 ebook",
    quotes=(
        "Every marriage has a locked room.",
        "I married him for his silence. I should have asked what it was hiding!",
        "Memory is a liar that knows your name.",
    ),
    reviews=(
        Review("Taut, chilling and impossible to put down.", "Kirkus Reviews", "critic"),
        Review("The next Gone Girl, with a sharper edge.", "Crime Fiction Weekly", "critic"),
        Review("I read it in one sitting!", "Goodreads reader", "reader"),
        Review("A slow-burning nightmare of a marriage.", "Sarah, Goodreads", "reader"),
    ),
    hashtags=("#ThrillerBooks", "#GoneGirlVibes", "PsychologicalThriller"),
    rules=AuthorRules(
        no_emoji=True,
        no_exclamation=True,
        no_comparisons=True,
        banned_phrases=("page-turner", "twist", "quiet minute"),
        banned_comparisons=("Gone Girl", "Gillian Flynn"),
        spoilers=("first wife", "the body in the lake"),
        required_words={"pre_launch": ("pre-order",)},
    ),
    timezone="America/New_York",
)
THRILLER_TODAY = date(2027, 2, 10)  # pre-launch

PICTURE_BOOK = BookProfile(
    id="picture-book",
    user_id="author-2",
    title="Moon Bear Can't Sleep",
    author="Pip Hollow",
    genre="children's picture book",
    blurb=(
        "Moon Bear has counted every star in the sky, and she is still wide awake! "
        "So she sets off across the sleeping forest to find out how everyone else falls asleep. "
        "A cozy bedtime story about friendship, routines and saying goodnight. 🌙"
    ),
    target_audience="children aged 3 to 6 and the grown-ups who read to them",
    key_themes=("bedtime", "friendship", "the forest at night"),
    tone="gentle, playful",
    links={"bookshop": "https://bookshop.org/p/moon-bear"},
    launch_date=date(2026, 3, 1),
    price="$17.99 hardcover",
    quotes=("Even the moon needs a goodnight hug.",),
    reviews=(
        Review("Our new favourite bedtime read!", "Goodreads reader", "reader"),
        Review("My twins ask for it every single night.", None, "reader"),
        Review("A soothing, beautifully illustrated bedtime book.", "School Library Journal"),
    ),
    hashtags=("#PictureBooks", "#KidLit", "#BedtimeStories"),
    timezone="Europe/London",
)
PICTURE_BOOK_TODAY = date(2026, 12, 1)  # launched, long since

BUSINESS_BOOK = BookProfile(
    id="business-book",
    user_id="author-3",
    title="The Patient Company",
    subtitle="How Slow Decisions Build Fast-Growing Businesses",
    author="Dr. Amara Osei",
    genre="business nonfiction",
    blurb=(
        "Most companies fail not because they move too slowly but because they decide too fast. "
        "Drawing on twenty years of research and interviews with 140 founders, Amara Osei shows "
        "how patient decisions compound into durable growth. Practical, evidence-based and "
        "refreshingly calm."
    ),
    target_audience="founders, managers and anyone who makes decisions under pressure",
    key_themes=("decision-making", "long-term strategy", "leadership", "company culture"),
    tone="clear, confident, warm",
    links={
        "amazon": "https://www.amazon.com/dp/B0PATIENTCO",
        "landing_page": "https://amaraosei.com/patient-company",
    },
    launch_date=date(2027, 3, 2),
    price="$28.00 hardcover",
    quotes=("Speed is a result, not a strategy.", "Every rushed decision borrows from tomorrow."),
    reviews=(
        Review(
            "The most useful book on strategy I have read in a decade.", "Financial Times", "critic"
        ),
        Review("Osei makes patience feel like a competitive advantage.", "Harvard Business Review"),
        Review("Changed how our leadership team runs every meeting.", "Amazon reader", "reader"),
        Review("Clear, practical and full of stories I keep retelling.", "Goodreads reader"),
    ),
    hashtags=("#Leadership", "#BusinessBooks", "#Strategy"),
    awards=(
        "Winner of the 2026 Axiom Business Book Award",
        "Shortlisted for the Porchlight Business Book Awards",
    ),
    events=(
        Event(date(2027, 3, 9), "Live Q&A with Amara Osei at the London Business Forum"),
        Event(date(2027, 3, 20), "Book signing at Waterstones Piccadilly"),
        Event(date(2027, 1, 15), "Advance reader webinar"),
    ),
    rules=AuthorRules(
        no_comparisons=True,
        banned_phrases=("game-changer", "hustle"),
        required_words={"launch_week": ("out now", "available now")},
    ),
    timezone="America/Chicago",
)
BUSINESS_BOOK_TODAY = date(2027, 3, 5)  # launch week


@dataclass
class Run:
    """The posts written for one profile, and the gate's refusals of them."""

    drafts: list[Draft]
    rejections: list[tuple[str, tuple[str, ...]]]


def write_posts(book: BookProfile, today: date, count: int = POSTS_PER_PROFILE) -> Run:
    """`count` posts, cycling platforms and post types, each gated as `write_one` gates it."""
    writer = TemplateWriter()
    grounding = Grounding.from_book(book)
    recent: dict[str, list[str]] = {name: [] for name in PLATFORMS}
    drafts, rejections = [], []
    for i in range(count):
        platform = PLATFORMS[i % len(PLATFORMS)]
        post_type = POST_TYPES[(i // len(PLATFORMS)) % len(POST_TYPES)]
        rules, own = get_rules(platform), recent[platform]
        # As `BatchState` passes them: the platform's own posts, and the other platforms'.
        others = tuple(text for name, texts in recent.items() if name != platform for text in texts)
        constraints = WriteConstraints.for_platform(
            rules,
            post_type,
            seed=i,
            avoid=tuple(own),
            elsewhere=others,
            on=today,
        )
        draft = asyncio.run(writer.write(book, constraints))
        report = check_draft(
            book,
            rules,
            draft.content,
            recent=own,
            elsewhere=others,
            grounding=grounding,
            today=today,
        )
        drafts.append(draft)
        if report.ok:
            own.append(draft.content)
            del own[:-RECENT_KEPT]
        else:
            rejections.append((draft.content, report.codes))
    return Run(drafts, rejections)


@pytest.fixture(scope="module")
def runs() -> dict[str, Run]:
    """The three profiles' runs, written once for every test of this module."""
    return {
        "thriller": write_posts(THRILLER, THRILLER_TODAY),
        "picture book": write_posts(PICTURE_BOOK, PICTURE_BOOK_TODAY),
        "business book": write_posts(BUSINESS_BOOK, BUSINESS_BOOK_TODAY),
    }


def test_the_phases_are_the_ones_meant() -> None:
    assert launch_phase(THRILLER.launch_date, THRILLER_TODAY) == "pre_launch"
    assert launch_phase(PICTURE_BOOK.launch_date, PICTURE_BOOK_TODAY) == "post_launch"
    assert launch_phase(BUSINESS_BOOK.launch_date, BUSINESS_BOOK_TODAY) == "launch_week"


@pytest.mark.parametrize("profile", ["thriller", "picture book", "business book"])
def test_every_template_post_passes_the_gate(runs: dict[str, Run], profile: str) -> None:
    run = runs[profile]
    distinct = len({d.content for d in run.drafts})
    print(
        f"\n{profile}: {len(run.rejections)} of {len(run.drafts)} posts rejected by the gate "
        f"({distinct} distinct; {len(PLATFORMS)} platforms x {len(POST_TYPES)} post types)"
    )
    assert len(run.drafts) == POSTS_PER_PROFILE
    assert run.rejections == []
    assert {d.platform for d in run.drafts} == set(PLATFORMS)
    assert {d.metadata["requested_post_type"] for d in run.drafts} == set(POST_TYPES)


def test_strict_rules_hold_in_every_post(runs: dict[str, Run]) -> None:
    for draft in runs["thriller"].drafts:
        text, folded = draft.content, draft.content.casefold()
        assert not _EMOJI.search(text), text
        assert "!" not in text, text
        assert "pre-order" in folded, text
        for phrase in ("page-turner", "twist", "quiet minute", "gone girl", "gillian flynn"):
            assert phrase not in folded, text
        for spoiler in ("first wife", "the body in the lake"):
            assert spoiler not in folded, text
        assert not re.search(r"\bthe next\b|\bmeets\b|\bfans of\b", folded), text
        assert not _RELATIVE.search(text), text


def test_sentences_with_an_exclamation_are_rewritten_not_dropped(runs: dict[str, Run]) -> None:
    rewritten = "until the night her husband comes home with a stranger's blood on his collar."
    assert any(rewritten in d.content for d in runs["thriller"].drafts)


def test_dates_are_human_and_only_the_books_own(runs: dict[str, Run]) -> None:
    # In the book's style (the three are in the Americas): the month first, the year only when
    # the day is past or far off, the weekday when it is within a week.
    dated = [d.content for d in runs["thriller"].drafts if "May 4" in d.content]
    assert dated, "a pre-launch countdown names the launch date"
    assert not any("May 4, 2027" in text for text in dated), "the year only when it helps"
    business = [d.content for d in runs["business book"].drafts]
    assert any("Tuesday, March 9" in t or "March 20" in t for t in business)
    assert any("March 2, 2027" in t for t in business), "launch week names the launch date"
    for text in business:
        assert "January 15" not in text, "a past event is not announced"
    for run in runs.values():
        for draft in run.drafts:
            assert not _RELATIVE.search(draft.content), draft.content
            assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", draft.content), draft.content


def test_quotations_are_the_profiles_own_words_verbatim(runs: dict[str, Run]) -> None:
    books = {"thriller": THRILLER, "picture book": PICTURE_BOOK, "business book": BUSINESS_BOOK}
    for name, run in runs.items():
        book = books[name]
        allowed = {*book.quotes, *(r.text for r in book.reviews)}
        for draft in run.drafts:
            for quoted in _QUOTED.findall(draft.content):
                assert quoted in allowed, draft.content


def test_claims_are_only_the_awards(runs: dict[str, Run]) -> None:
    claims = re.compile(r"bestsell|award|prize|#1\b|top \d+|\d[\d,]* readers", re.IGNORECASE)
    for name, run in runs.items():
        for draft in run.drafts:
            text = draft.content
            for award in BUSINESS_BOOK.awards if name == "business book" else ():
                text = text.replace(award, "")
            assert not claims.search(text), draft.content
    awards = [d for d in runs["business book"].drafts if BUSINESS_BOOK.awards[0] in d.content]
    assert awards, "the awards are stated, verbatim"


def test_each_phase_says_its_required_word(runs: dict[str, Run]) -> None:
    for draft in runs["business book"].drafts:
        folded = draft.content.casefold()
        assert "out now" in folded or "available now" in folded, draft.content


def test_emoji_stay_where_the_author_allows_them(runs: dict[str, Run]) -> None:
    assert any(_EMOJI.search(d.content) for d in runs["picture book"].drafts)
    assert any("!" in d.content for d in runs["picture book"].drafts)
