"""The public entry points: check the author's texts, draw the card, encode it, write its alt text.

Pillow and fontTools load on the first card drawn, not when `bookagent.images` is imported, so
the package costs the API's cold start nothing.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from bookagent.errors import InvalidInputError
from bookagent.images._alt import idea_alt
from bookagent.images._alt import launch_alt
from bookagent.images._alt import quote_alt
from bookagent.images._model import Cover
from bookagent.images._model import RenderedImage
from bookagent.images._model import Size
from bookagent.images._sizes import check_size
from bookagent.images._text import clean
from bookagent.images._text import strip_quote_marks

if TYPE_CHECKING:
    from bookagent.images._backdrop import Backdrop
    from bookagent.images._compose import Drawn
    from bookagent.images._fonts import Face

__all__ = [
    "MAX_AUTHOR_CHARS",
    "MAX_IDEA_CHARS",
    "MAX_QUOTE_CHARS",
    "MAX_SOURCE_CHARS",
    "MAX_TITLE_CHARS",
    "decode_cover",
    "key_idea_card",
    "launch_card",
    "quote_card",
]

MAX_QUOTE_CHARS = 1000
MAX_IDEA_CHARS = 500
MAX_SOURCE_CHARS = 300
MAX_TITLE_CHARS = 300
MAX_AUTHOR_CHARS = 300
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def decode_cover(data: bytes) -> Cover:
    """Decode cover image bytes (PNG, JPEG or WebP, at most 40 megapixels) once, to pass to
    several cards. Raises InvalidInputError naming `cover` for anything else."""
    from bookagent.images._cover import decode_cover as decode

    return decode(data)


def quote_card(
    quote: str,
    source: str | None,
    title: str,
    author: str,
    size: Size,
    seed: int,
    cover: bytes | Cover | None = None,
    *,
    max_bytes: int | None = None,
) -> RenderedImage:
    """A quotation from the book, or a review with its `source`, over a palette the `seed`
    picks, or over the cover's colours or the cover blurred when a cover is given."""
    quote = strip_quote_marks(clean(quote, field="quote", max_chars=MAX_QUOTE_CHARS))
    source = clean(source or "", field="source", max_chars=MAX_SOURCE_CHARS, required=False)
    title = clean(title, field="title", max_chars=MAX_TITLE_CHARS)
    author = clean(author, field="author", max_chars=MAX_AUTHOR_CHARS)
    size, seed, decoded, backdrop = _common(size, seed, cover, max_bytes)

    from bookagent.images._compose import draw_quote
    from bookagent.images._fonts import Face
    from bookagent.images._layout import drawable

    shown_quote, lost = _required(quote, "quote", Face.SERIF)
    shown_source, lost_source = drawable(f"— {source}" if source else "", Face.SANS)
    shown_title, lost_title = drawable(title, Face.SANS)
    shown_author, lost_author = drawable(author, Face.SANS)
    drawn = draw_quote(
        shown_quote, shown_source, shown_title, shown_author, size, backdrop, decoded
    )
    alt = quote_alt(quote, source or None, title, author, drawn.look)
    return _result(drawn, alt, backdrop, max_bytes, lost + lost_source + lost_title + lost_author)


def launch_card(
    title: str,
    author: str,
    launch_date: date,
    today: date,
    size: Size,
    seed: int,
    cover: bytes | Cover | None = None,
    *,
    subtitle: str | None = None,
    max_bytes: int | None = None,
) -> RenderedImage:
    """ "Coming March 3" with a countdown before `launch_date`, "Out today" on it and "Out now"
    after it (as seen on `today`), with the cover when given, the title and the author."""
    title = clean(title, field="title", max_chars=MAX_TITLE_CHARS)
    subtitle = clean(subtitle or "", field="subtitle", max_chars=MAX_TITLE_CHARS, required=False)
    author = clean(author, field="author", max_chars=MAX_AUTHOR_CHARS)
    for name, value in (("launch_date", launch_date), ("today", today)):
        if not isinstance(value, date):
            raise InvalidInputError.for_field(name, "must be a date")
    size, seed, decoded, backdrop = _common(size, seed, cover, max_bytes)
    headline, countdown = launch_words(launch_date, today)

    from bookagent.images._compose import draw_launch
    from bookagent.images._fonts import Face
    from bookagent.images._layout import drawable

    shown_title, lost = _required(title, "title", Face.SERIF)
    shown_subtitle, lost_subtitle = drawable(subtitle, Face.SERIF_ITALIC)
    shown_author, lost_author = drawable(author, Face.SANS)
    drawn = draw_launch(
        headline, countdown, shown_title, shown_subtitle, shown_author, size, backdrop, decoded
    )
    alt = launch_alt(
        headline.replace("\u00a0", " "),
        countdown or None,
        title,
        subtitle or None,
        author,
        drawn.look,
    )
    return _result(drawn, alt, backdrop, max_bytes, lost + lost_subtitle + lost_author)


def key_idea_card(
    idea: str,
    title: str,
    author: str,
    size: Size,
    seed: int,
    cover: bytes | Cover | None = None,
    *,
    max_bytes: int | None = None,
) -> RenderedImage:
    """One short idea from a nonfiction book, labelled "Key idea", with the title and author."""
    idea = clean(idea, field="idea", max_chars=MAX_IDEA_CHARS)
    title = clean(title, field="title", max_chars=MAX_TITLE_CHARS)
    author = clean(author, field="author", max_chars=MAX_AUTHOR_CHARS)
    size, seed, decoded, backdrop = _common(size, seed, cover, max_bytes)

    from bookagent.images._compose import draw_idea
    from bookagent.images._fonts import Face
    from bookagent.images._layout import drawable

    shown_idea, lost = _required(idea, "idea", Face.SANS)
    shown_title, lost_title = drawable(title, Face.SANS)
    shown_author, lost_author = drawable(author, Face.SANS)
    drawn = draw_idea(shown_idea, shown_title, shown_author, size, backdrop, decoded)
    alt = idea_alt(idea, title, author, drawn.look)
    return _result(drawn, alt, backdrop, max_bytes, lost + lost_title + lost_author)


def launch_words(launch_date: date, today: date) -> tuple[str, str]:
    """The headline and the countdown ("" when none) for a launch seen on `today`; the date
    holds no-break spaces, so that it wraps as a whole ("Coming / March 3, 2027")."""
    days = (launch_date - today).days
    if days < 0:
        return "Out now", ""
    if days == 0:
        return "Out today", ""
    when = f"{_MONTHS[launch_date.month - 1]}\u00a0{launch_date.day}"
    if launch_date.year != today.year:
        when += f",\u00a0{launch_date.year}"
    return f"Coming {when}", "1 day to go" if days == 1 else f"{days:,} days to go"


def _common(
    size: object, seed: object, cover: object, max_bytes: object
) -> tuple[Size, int, Cover | None, Backdrop]:
    """The checked size and seed, the decoded cover, and the backdrop they pick."""
    checked = check_size(size)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise InvalidInputError.for_field("seed", "must be a whole number")
    if max_bytes is not None and (
        not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 1
    ):
        raise InvalidInputError.for_field("max_bytes", "must be a positive whole number")
    from bookagent.images._backdrop import choose_backdrop
    from bookagent.images._cover import decode_cover as decode

    decoded = cover if cover is None or isinstance(cover, Cover) else decode(cover)

    return checked, seed, decoded, choose_backdrop(seed, decoded)


def _required(text: str, field: str, face: Face) -> tuple[str, tuple[str, ...]]:
    """`text` as it can be drawn; InvalidInputError naming `field` when nothing of it can."""
    from bookagent.images._layout import drawable

    shown, lost = drawable(text, face)
    if not shown:
        raise InvalidInputError.for_field(field, "has no character the bundled fonts can draw")
    return shown, lost


def _result(
    drawn: Drawn, alt: str, backdrop: Backdrop, max_bytes: int | None, lost: tuple[str, ...]
) -> RenderedImage:
    """The drawn card encoded, with its alt text and what it left out."""
    from bookagent.images._canvas import encode

    data, mime = encode(drawn.image, photo_like=backdrop.photo_like, max_bytes=max_bytes)
    return RenderedImage(
        data=data,
        mime=mime,
        width=drawn.image.width,
        height=drawn.image.height,
        alt_text=alt,
        boxes=drawn.boxes,
        truncated=drawn.truncated,
        dropped=tuple(dict.fromkeys(lost)),
    )
