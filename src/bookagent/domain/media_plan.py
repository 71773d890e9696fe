"""Which image a new post gets: the writer's plan for its picture, decided from the post.

Instagram and Pinterest never show a post without an image, so each of their posts gets a card.
Elsewhere a card goes with the post types a picture serves: a quotation or a review (a quote
card of the words the post quotes), the launch (a countdown or "out now" card) and a nonfiction
idea (a key-idea card); a launch card counts down before the launch and says "Out now" after
it. Every word a card shows is the author's own: a quote or review of the
profile (the one the post quotes when it quotes one), a sentence of the blurb, the title, the
author and the launch date; the card's text is therefore grounded as the post's is.
"""

from __future__ import annotations

from dataclasses import dataclass

from bookagent.domain.categories import book_category
from bookagent.domain.media import MediaKind
from bookagent.domain.profile import BookProfile
from bookagent.domain.validation import split_sentences
from bookagent.platforms import PlatformRules

#: Post types that go with a quote card, a launch card and a key-idea card.
QUOTE_TYPES = frozenset({"author_quote", "review_highlight", "excerpt_teaser", "read_aloud"})
LAUNCH_TYPES = frozenset({"launch_countdown", "retailer_cta"})
IDEA_TYPES = frozenset({"key_idea", "framework", "chapter_takeaway", "myth_vs_fact"})
#: A card's idea or quote is at most this long: a card is read at a glance.
CARD_WORDS_MAX = 280


@dataclass(frozen=True)
class CardPlan:
    """The card to draw: its kind and the words it shows (`text`, with `source` for a review)."""

    kind: MediaKind
    text: str = ""
    source: str | None = None


def plan_card(
    book: BookProfile, rules: PlatformRules, post_type: str, content: str, seed: int
) -> CardPlan | None:
    """The card for a new post of `post_type` with text `content` on `rules`' platform (`seed`
    picks among the profile's words when the post quotes none); None when it goes out without
    one."""
    quote = _quoted(book, content, seed)
    required = rules.requires_media
    if post_type in QUOTE_TYPES and quote is not None:
        return CardPlan("quote_card", *quote)
    if post_type in LAUNCH_TYPES and book.launch_date is not None:
        return CardPlan("launch_card")
    idea = _idea(book, content, seed)
    if post_type in IDEA_TYPES and idea and book_category(book) == "nonfiction":
        return CardPlan("key_idea_card", idea)
    if not required:
        return None
    # The post needs an image whatever its type: the best the profile offers.
    if quote is not None:
        return CardPlan("quote_card", *quote)
    if book.launch_date is not None:
        return CardPlan("launch_card")
    return CardPlan("key_idea_card", idea or book.title)


def _fits(texts: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """The texts short enough for a card, stripped."""
    stripped = [(text.strip(), source) for text, source in texts]
    return [(text, source) for text, source in stripped if 0 < len(text) <= CARD_WORDS_MAX]


def _first_quoted(
    options: list[tuple[str, str | None]], content: str
) -> tuple[str, str | None] | None:
    """Of `options`, the one the post quotes first (so the card shows what the post leads with)."""
    folded = content.casefold()
    places = [
        (at, index)
        for index, (text, _) in enumerate(options)
        if (at := folded.find(text.casefold().strip("“”\"'"))) >= 0
    ]
    return options[min(places)[1]] if places else None


def _quoted(book: BookProfile, content: str, seed: int) -> tuple[str, str | None] | None:
    """The quote or review the post quotes first, else one of the profile's (by `seed`), with
    the review's source; None if the profile has none short enough for a card."""
    options = _fits(
        [
            *((quote, None) for quote in book.quotes),
            *((review.text, review.source) for review in book.reviews),
        ]
    )
    if not options:
        return None
    return _first_quoted(options, content) or options[seed % len(options)]


def _idea(book: BookProfile, content: str, seed: int) -> str:
    """A nonfiction card's idea: the book's own line the post quotes, else a sentence of the
    blurb (by `seed`), short enough for a card ("" if none)."""
    lines = _fits([(quote, None) for quote in book.quotes])
    quoted = _first_quoted(lines, content)
    if quoted is not None:
        return quoted[0]
    sentences = [text for text, _ in _fits([(s, None) for s in split_sentences(book.blurb)])]
    return sentences[seed % len(sentences)] if sentences else ""
