"""The largest book profile the API accepts, and drafts to check against it.

`worst_payload()` fills every field of `BookFields` to its limit (50 quotes of 1,000 characters,
50 reviews of 2,000 with 300-character sources, a 5,000-character blurb of short sentences, ...)
and every named link it may hold, each at the URL length limit. The text is pseudo-random
English-like words (seeded: the same profile every time) that never look like a price, date,
rating or marketing claim, so only the facts put in on purpose (price, launch date, one
five-star review) can ground a draft.

Used by the grounding tests (unit and end-to-end) and by `benchmarks/grounding.py`.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from bookagent.db.models import Book
from bookagent.domain.books import MAX_LINKS
from bookagent.domain.books import BookFields
from bookagent.domain.books import book_to_profile
from bookagent.domain.books import column_values
from bookagent.domain.profile import BookProfile
from bookagent.domain.urls import MAX_URL_LENGTH

PRICE = "$4.99"
LAUNCH = date(2027, 3, 1)
FIVE_STAR_REVIEW = 7  # the review that ends "Five stars."

_VOCABULARY = (
    "salt road desert keeper lighthouse river harbor winter garden letter window lantern "
    "orchard mirror shadow morning evening silver copper meadow island forest valley "
    "thunder quiet gentle bitter patient restless hollow distant narrow ancient golden "
    "broken hidden careful sudden remember forget carry follow gather answer borrow wander "
    "listen whisper promise return mother father sister brother stranger captain widow "
    "soldier baker weaver sailor teacher the a of and to in her his their its with from "
    "under over between across beyond toward every each another nothing something always "
    "never again still almost already perhaps tide stone bread salt ash smoke glass rope "
    "thread needle kettle candle ember ink paper story secret debt journey village city "
    "border bridge tower market chapel station kitchen"
)
_WORDS = _VOCABULARY.split()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _text(rng: random.Random, size: int) -> str:
    """Sentences of 6-14 words, cut to exactly `size` characters (ending without a space)."""
    parts: list[str] = []
    length = 0
    while length < size:
        parts.append(_sentence(rng, rng.randint(6, 14)))
        length += len(parts[-1]) + 1
    return " ".join(parts)[:size].rstrip() or "x"


def worst_payload(seed: int = 0) -> dict[str, Any]:
    """The JSON body of `POST /api/books` for the largest profile the validation accepts."""
    rng = random.Random(seed)
    blurb_parts: list[str] = []
    while sum(len(p) + 1 for p in blurb_parts) < 4980:  # many short sentences: many sources
        blurb_parts.append(_sentence(rng, rng.randint(2, 5)))
    blurb = " ".join(blurb_parts)[:5000].rstrip()
    reviews = []
    for i in range(50):
        text = _text(rng, 2000 if i != FIVE_STAR_REVIEW else 1988)
        if i == FIVE_STAR_REVIEW:
            text += " Five stars."
        reviews.append({"text": text, "source": _text(rng, 300)})
    payload: dict[str, Any] = {
        "title": _text(rng, 300),
        "subtitle": _text(rng, 300),
        "author": _text(rng, 200),
        "genre": _text(rng, 100),
        "blurb": blurb,
        "target_audience": _text(rng, 5000),
        "tone": _text(rng, 5000),
        "content_guidelines": _text(rng, 5000),
        "key_themes": [_text(rng, 100) for _ in range(20)],
        "quotes": [_text(rng, 1000) for _ in range(50)],
        "reviews": reviews,
        "hashtags": [
            "#" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(100))
            for _ in range(30)
        ],
        "links": {"amazon": "https://www.amazon.com/dp/B0WORST"},
        "price": PRICE,
        "launch_date": LAUNCH.isoformat(),
        "timezone": "UTC",
    }
    for i in range(MAX_LINKS - 3):  # every link the profile may hold, each at the URL limit
        slug = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789-") for _ in range(2000))
        payload["links"][f"extra_{i}"] = f"https://example.com/{i}/{slug}"[:MAX_URL_LENGTH]
    BookFields.model_validate(payload)  # what the API would say
    return payload


def worst_profile(seed: int = 0, book_id: str = "worst-book") -> BookProfile:
    """`worst_payload()` as the frozen profile the validators see (an unsaved book row's)."""
    fields = BookFields.model_validate(worst_payload(seed))
    return book_to_profile(Book(id=book_id, user_id="alice", **column_values(fields)))


def _alter(text: str, every: int) -> str:
    """`text` with every `every`-th letter e/a swapped: close to it, but no longer verbatim."""
    chars = list(text)
    swaps = 0
    for i, c in enumerate(chars):
        if c in "ea":
            swaps += 1
            if swaps % every == 0:
                chars[i] = "a" if c == "e" else "e"
    return "".join(chars)


def grounded_draft(payload: dict[str, Any], variant: int = 0) -> str:
    """A long post every fact of which the profile grounds (no violation but `too_long` on
    platforms shorter than Facebook): a verbatim quote, near-verbatim excerpts of a quote and of
    whole reviews (the fuzzy check's expensive case), the price, the launch date and a rating.

    Each `variant` (0-49) quotes other quotes and reviews, so none of its quotations has been
    checked before.
    """
    quotes, reviews = payload["quotes"], payload["reviews"]
    quote = quotes[variant % 50]
    review = reviews[(variant + 3) % 50]["text"]
    other_review = reviews[(variant + 11) % 50]["text"]
    excerpt = " ".join(quotes[(variant + 5) % 50].split()[:40])
    return (
        f"“{quote}” Critics agree: “{_alter(review, 25)}” and “{_alter(other_review, 40)}”. "
        f"Or, as one put it, “{_alter(excerpt, 6)}”. Five stars. "
        f"Out March 1, 2027 for {PRICE}. #{payload['hashtags'][0].lstrip('#')}"
    )


UNGROUNDED_DRAFT = (
    "“An instant classic that nobody has ever actually written down anywhere.” "
    "The bestselling novel, now only $1.99 until March 2! Rated 3/5 by everyone."
)
#: What `find_ungrounded` reports for `UNGROUNDED_DRAFT`, in order.
UNGROUNDED_CODES = [
    "ungrounded_quote",
    "ungrounded_price",
    "ungrounded_date",
    "ungrounded_rating",
    "ungrounded_claim",
]
