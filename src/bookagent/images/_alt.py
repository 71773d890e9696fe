"""Alt text for the cards, written from what each card shows, at most `MAX_ALT_CHARS` characters.

Mastodon allows 1,500 characters of image description and Bluesky 2,000; a card's alt text stays
under 1,000 so it fits both with room to spare. The author's texts go in whole (emoji the card
could not draw included); when the whole would be too long, the longest of them is shortened at
a word boundary until it fits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bookagent.images._text import shorten

__all__ = ["MAX_ALT_CHARS", "Look", "idea_alt", "launch_alt", "quote_alt"]

MAX_ALT_CHARS = 1000


@dataclass(frozen=True)
class Look:
    """How a card looks, in words: its text colour, what the text lies on, and the cover."""

    text_colour: str  # "white" or "black"
    backdrop: str  # "deep blue", or "a blurred image of the book's cover"
    panel: str | None  # "dark" or "light" when a panel lies behind the text
    shows_cover: bool

    def describe(self) -> str:
        """E.g. "white text on deep blue, with a picture of the book's cover"."""
        if self.panel:
            words = f"{self.text_colour} text on a {self.panel} panel over {self.backdrop}"
        elif self.backdrop.startswith("a blurred"):
            words = f"{self.text_colour} text over {self.backdrop}"
        else:
            words = f"{self.text_colour} text on {self.backdrop}"
        if self.shows_cover:
            words += ", with a picture of the book's cover"
        return words


def quote_alt(quote: str, source: str | None, title: str, author: str, look: Look) -> str:
    """ "A quote card: “…” — Source. Title by Author, white text on deep blue."."""

    def write(f: dict[str, str]) -> str:
        said = f"A quote card: “{f['quote']}”"
        said += f" — {_sentence(f['source'])}" if f["source"] else ""
        book = _book(f["title"], "", f["author"])
        return (
            f"{said} {book}, {look.describe()}."
            if f["source"]
            else (f"{said} — from {book}, {look.describe()}.")
        )

    return _fit(write, {"quote": quote, "source": source or "", "title": title, "author": author})


def launch_alt(
    headline: str, countdown: str | None, title: str, subtitle: str | None, author: str, look: Look
) -> str:
    """ "A launch card: “Coming March 3”, 87 days to go. Title by Author, …"."""

    def write(f: dict[str, str]) -> str:
        said = f"A launch card: “{headline}”" + (f", {countdown}." if countdown else ".")
        return f"{said} {_book(f['title'], f['subtitle'], f['author'])}, {look.describe()}."

    return _fit(write, {"title": title, "subtitle": subtitle or "", "author": author})


def idea_alt(idea: str, title: str, author: str, look: Look) -> str:
    """ "A key-idea card: “…” — from Title by Author, black text on cream."."""

    def write(f: dict[str, str]) -> str:
        book = _book(f["title"], "", f["author"])
        return f"A key-idea card: “{f['idea']}” — from {book}, {look.describe()}."

    return _fit(write, {"idea": idea, "title": title, "author": author})


def _book(title: str, subtitle: str, author: str) -> str:
    """ "Title: Subtitle by Author"."""
    return f"{title}: {subtitle} by {author}" if subtitle else f"{title} by {author}"


def _sentence(text: str) -> str:
    """`text` ending as a sentence does (a full stop unless it already ends in one)."""
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _fit(write: Callable[[dict[str, str]], str], fields: dict[str, str]) -> str:
    """`write(fields)`, the longest field shortened until the text fits `MAX_ALT_CHARS`."""
    fields = {key: " ".join(value.split()) for key, value in fields.items()}
    text = write(fields)
    while len(text) > MAX_ALT_CHARS:
        longest = max(fields, key=lambda key: len(fields[key]))
        current = fields[longest]
        if len(current) <= 20:  # cannot happen with the cards' limits; never loop for ever
            return shorten(text, MAX_ALT_CHARS)
        fields[longest] = shorten(current, max(20, len(current) - (len(text) - MAX_ALT_CHARS)))
        text = write(fields)
    return text
