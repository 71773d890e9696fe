"""The book profile as the LLM sees it: one fenced block of JSON data, never instructions.

Everything in a profile is the author's text, and text can say "ignore previous instructions".
So the profile goes to the model as JSON between `<book_profile>` and `</book_profile>`, and every
`<` and `>` inside it (fullwidth look-alikes too) is written as a JSON `\\u` escape: the JSON
still reads back to the author's exact words, but no field can close the fence early and speak
outside it. The system prompt tells the model to treat the block as data.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from bookagent.domain.profile import BookProfile

PROFILE_OPEN = "<book_profile>"
PROFILE_CLOSE = "</book_profile>"
RECENT_OPEN = "<recent_posts>"
RECENT_CLOSE = "</recent_posts>"

_MAX_FIELD_CHARS = 1500  # bounds prompt size (and cost) when an author pastes a whole chapter
_MAX_ITEM_CHARS = 300

# Valid JSON escapes for the characters a delimiter is made of; `json.loads` undoes them.
_FENCE_SAFE = str.maketrans({char: f"\\u{ord(char):04x}" for char in "<>\uff1c\uff1e\ufe64\ufe65"})
# A delimiter in text we print outside a fence (feedback that quotes a draft).
_DELIMITER = re.compile(r"[<\uff1c\ufe64](?=\s*/?\s*(?:book_profile|recent_posts)\b)", re.I)


def fenced_json(value: object, opening: str, closing: str) -> str:
    """`value` as indented JSON between `opening` and `closing`, which it cannot contain."""
    text = json.dumps(value, ensure_ascii=False, indent=1).translate(_FENCE_SAFE)
    return f"{opening}\n{text}\n{closing}"


def json_string(text: str) -> str:
    """`text` as one JSON string literal: quoted, on one line, with no delimiter in it."""
    return json.dumps(text, ensure_ascii=False).translate(_FENCE_SAFE)


def defang(text: str) -> str:
    """`text` with anything that could pass for one of our delimiters made harmless."""
    return _DELIMITER.sub("‹", text)


def profile_block(book: BookProfile) -> str:
    """The BOOK PROFILE block: the profile's facts and the author's style preferences, as data."""
    return fenced_json(profile_data(book), PROFILE_OPEN, PROFILE_CLOSE)


def profile_data(book: BookProfile) -> dict[str, Any]:
    """The JSON object inside the block; a missing fact is `null` or `[]`, so "none" is explicit."""
    return {
        "title": book.title,
        "subtitle": book.subtitle,
        "author": book.author,
        "genre": book.genre,
        "blurb": _trim(book.blurb, _MAX_FIELD_CHARS),
        "target_audience": _optional(book.target_audience),
        "key_themes": [_trim(theme, 120) for theme in book.key_themes],
        "launch_date": _dated(book.launch_date) if book.launch_date else None,
        "price": book.price,
        "links": book.link_urls(),
        "hashtags": [tag if tag.startswith("#") else f"#{tag}" for tag in book.hashtags],
        # Quotes and reviews are kept whole: a post may only quote them word for word.
        "quotes": list(book.quotes),
        "reviews": [
            {"text": review.text, "source": review.source, "kind": review.kind}
            for review in book.reviews
        ],
        "awards": [_trim(award, _MAX_ITEM_CHARS) for award in book.awards],
        "events": [
            {**_dated(event.on), "name": _trim(event.name, _MAX_ITEM_CHARS)}
            for event in sorted(book.events, key=lambda event: event.on)
        ],
        "author_style_preferences": {
            "tone": _optional(book.tone),
            "content_guidelines": _optional(book.content_guidelines),
        },
    }


def spoken_date(day: date) -> str:
    """`March 14, 2025`: how a post writes a date."""
    return f"{day:%B} {day.day}, {day.year}"


def _dated(day: date) -> dict[str, str]:
    return {"date": day.isoformat(), "write_as": spoken_date(day)}


def _optional(text: str | None) -> str | None:
    return _trim(text, _MAX_FIELD_CHARS) if text else None


def _trim(text: str, limit: int) -> str:
    """Collapse whitespace and cut at `limit` characters, marking the cut with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
