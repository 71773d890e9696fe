"""Draw the example cards in this folder: one card of each kind for each test book, and a
Japanese quote card. From the repository root: `python docs/images/cards/make_examples.py`.

The books are tests/adversarial/profiles.py's; the covers are painted on the spot
(tests/unit/images/covers.py). The sizes, seeds and covers vary so that every size and backdrop
shows up: a seeded palette, a blurred cover (even seed) and a cover's own colours (odd seed).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))  # the repository root, for `tests`

from tests.adversarial.profiles import BUSINESS  # noqa: E402
from tests.adversarial.profiles import PICTURE_BOOK  # noqa: E402
from tests.adversarial.profiles import PRE_LAUNCH_DAY  # noqa: E402
from tests.adversarial.profiles import THRILLER  # noqa: E402
from tests.unit.images.covers import cover_bytes  # noqa: E402

from bookagent.images import INSTAGRAM_PORTRAIT  # noqa: E402
from bookagent.images import INSTAGRAM_SQUARE  # noqa: E402
from bookagent.images import LANDSCAPE  # noqa: E402
from bookagent.images import PINTEREST_PIN  # noqa: E402
from bookagent.images import RenderedImage  # noqa: E402
from bookagent.images import key_idea_card  # noqa: E402
from bookagent.images import launch_card  # noqa: E402
from bookagent.images import quote_card  # noqa: E402


def examples() -> dict[str, RenderedImage]:
    """The example cards by file name (without extension)."""
    dusk = cover_bytes("JPEG", 1600, 2400, style=0)
    morning = cover_bytes("PNG", 800, 1200, style=1)
    forest = cover_bytes("WEBP", 800, 1200, style=2)
    assert THRILLER.launch_date and PICTURE_BOOK.launch_date and BUSINESS.launch_date
    kirkus, wsj = THRILLER.reviews[0], BUSINESS.reviews[0]
    return {
        # The thriller, not out yet: a review over its blurred cover, the countdown.
        "thriller-quote-portrait": quote_card(
            kirkus.text, kirkus.source, THRILLER.title, THRILLER.author, INSTAGRAM_PORTRAIT, 0,
            dusk,
        ),
        "thriller-launch-portrait": launch_card(
            THRILLER.title, THRILLER.author, THRILLER.launch_date, PRE_LAUNCH_DAY,
            INSTAGRAM_PORTRAIT, 1, dusk,
        ),
        "thriller-idea-landscape": key_idea_card(
            THRILLER.quotes[2], THRILLER.title, THRILLER.author, LANDSCAPE, 9
        ),
        # The picture book, out already: palettes, and its cover's colours on Pinterest.
        "picture-quote-landscape": quote_card(
            PICTURE_BOOK.quotes[0], None, PICTURE_BOOK.title, PICTURE_BOOK.author, LANDSCAPE, 3
        ),
        "picture-launch-pin": launch_card(
            PICTURE_BOOK.title, PICTURE_BOOK.author, PICTURE_BOOK.launch_date, PRE_LAUNCH_DAY,
            PINTEREST_PIN, 3, forest,
        ),
        "picture-idea-square": key_idea_card(
            PICTURE_BOOK.quotes[1], PICTURE_BOOK.title, PICTURE_BOOK.author, INSTAGRAM_SQUARE, 7
        ),
        # The business book: a review on a palette, the launch with subtitle, a key idea.
        "business-quote-square": quote_card(
            wsj.text, wsj.source, BUSINESS.title, BUSINESS.author, INSTAGRAM_SQUARE, 1
        ),
        "business-launch-landscape": launch_card(
            BUSINESS.title, BUSINESS.author, BUSINESS.launch_date, PRE_LAUNCH_DAY, LANDSCAPE, 0,
            morning, subtitle=BUSINESS.subtitle,
        ),
        "business-idea-portrait": key_idea_card(
            BUSINESS.quotes[0], BUSINESS.title, BUSINESS.author, INSTAGRAM_PORTRAIT, 4, morning
        ),
        # Japanese: CJK text wraps between characters, in Noto Sans CJK.
        "japanese-quote-square": quote_card(
            "海は与えられたものを守り、返すべきものを返す。灯台守の妻は、嵐の夜に一通の手紙を見つけた。",
            "朝日新聞", "灯台守の妻", "山田花子", INSTAGRAM_SQUARE, 5,
        ),
    }  # fmt: skip


def main() -> None:
    """Write the cards and list them with their alt text."""
    for name, card in examples().items():
        path = HERE / f"{name}.{card.extension}"
        path.write_bytes(card.data)
        print(f"{path.name}: {len(card.data) / 1000:.0f} kB — {card.alt_text}")


if __name__ == "__main__":
    main()
