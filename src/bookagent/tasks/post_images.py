"""The picture of a new post: the card its plan asks for (`domain.media_plan`), drawn by
`bookagent.images` at the platform's size and kept in the media store.

Drawing a card takes some tens of milliseconds, so it happens once, as the post is stored. A card
that cannot be drawn (text no bundled font covers, say) leaves the post without an image and
says why in its metadata; a platform that requires one then refuses its approval until the
author adds one.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from bookagent.db.models import Book
from bookagent.domain.assets import find_asset
from bookagent.domain.media import MAX_ALT_TEXT
from bookagent.domain.media import MediaItem
from bookagent.domain.media_plan import CardPlan
from bookagent.domain.media_plan import plan_card
from bookagent.domain.ports import MediaStore
from bookagent.domain.profile import BookProfile
from bookagent.errors import InvalidInputError
from bookagent.errors import NotFoundError
from bookagent.platforms import PlatformRules

if TYPE_CHECKING:
    from bookagent.images import Cover

log = logging.getLogger(__name__)

#: Gives the book's decoded cover, or None (see `book_cover`).
CoverLoader = Callable[[], "Cover | None"]


def book_cover(store: MediaStore, book: Book) -> CoverLoader:
    """The cover the author uploaded, read and decoded when a batch's first card needs it (a
    batch with no card never pays for it), then kept for the others; the loader gives None
    without one (or when it cannot be read: the cards then use a palette)."""
    asset = find_asset(book, "cover")
    book_id = book.id

    @cache
    def load() -> Cover | None:
        if asset is None:
            return None
        from bookagent import images

        try:
            return images.decode_cover(store.get(asset.key))
        except (NotFoundError, InvalidInputError) as exc:
            log.warning("cover of book_id=%s not used for cards: %s", book_id, exc.message)
            return None

    return load


def card_media(
    store: MediaStore,
    book: BookProfile,
    rules: PlatformRules,
    post_type: str,
    content: str,
    seed: str,
    day: date,
    cover: CoverLoader | None = None,
) -> tuple[list[MediaItem], str | None]:
    """The images of a new post (none or one card), and why it has none when its plan wanted one.

    `seed` names the post (its task, batch seed and place): the same post gets the same card.
    With the book's `cover`, quote and launch cards show it (blurred behind the words, its
    colours, or the cover itself on a launch card).
    """
    number = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:4], "big")
    plan = plan_card(book, rules, post_type, content, number)
    if plan is None:
        return [], None
    try:
        item = _draw(store, book, rules, plan, number, day, cover() if cover else None)
    except InvalidInputError as exc:
        log.warning("no card for book_id=%s platform=%s: %s", book.id, rules.name, exc.message)
        return [], f"The {plan.kind.replace('_', ' ')} could not be drawn: {exc.message}"
    return [item], None


def _draw(
    store: MediaStore,
    book: BookProfile,
    rules: PlatformRules,
    plan: CardPlan,
    seed: int,
    day: date,
    cover: Cover | None,
) -> MediaItem:
    from bookagent import images  # Pillow and the fonts load with the first card

    size = images.sizes_for(rules.name)[0]
    caps = [
        cap for cap in (rules.max_media_bytes, images.PLATFORM_MAX_BYTES.get(rules.name)) if cap
    ]
    max_bytes = min(caps) if caps else None
    if plan.kind == "quote_card":
        card = images.quote_card(
            plan.text, plan.source, book.title, book.author, size, seed, cover, max_bytes=max_bytes
        )
    elif plan.kind == "launch_card" and book.launch_date is not None:
        card = images.launch_card(
            book.title,
            book.author,
            book.launch_date,
            day,
            size,
            seed,
            cover,
            subtitle=book.subtitle,
            max_bytes=max_bytes,
        )
    else:
        card = images.key_idea_card(
            plan.text or book.title, book.title, book.author, size, seed, cover, max_bytes=max_bytes
        )
    key = store.put(card.data, card.mime)
    return MediaItem(
        key=key,
        mime=card.mime,
        width=card.width,
        height=card.height,
        size=len(card.data),
        alt_text=card.alt_text[:MAX_ALT_TEXT],
        kind=plan.kind,
    )
