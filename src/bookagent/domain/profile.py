"""The book profile as the writers and validators see it: a frozen value, not a database row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date


@dataclass(frozen=True)
class Review:
    """A review the author is allowed to quote, with where it came from."""

    text: str
    source: str | None = None


@dataclass(frozen=True)
class BookProfile:
    """Everything the author told us about one book; the only facts a post may state."""

    id: str
    user_id: str
    title: str
    author: str
    genre: str
    blurb: str
    subtitle: str | None = None
    target_audience: str | None = None
    key_themes: tuple[str, ...] = ()
    tone: str | None = None
    content_guidelines: str | None = None
    links: Mapping[str, str | None] = field(default_factory=dict)
    launch_date: date | None = None
    price: str | None = None
    quotes: tuple[str, ...] = ()
    reviews: tuple[Review, ...] = ()
    hashtags: tuple[str, ...] = ()
    cover_image_url: str | None = None
    timezone: str = "UTC"
    human_in_loop: bool = True

    def link_urls(self) -> dict[str, str]:
        """The retailer and landing-page links that are set, by name."""
        return {name: url for name, url in self.links.items() if url}
