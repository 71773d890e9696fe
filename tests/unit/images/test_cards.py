"""The three cards for the three test books in every size: nothing clips, nothing overlaps, the
same seed gives the same bytes, and the alt text says what the card shows."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from bookagent.domain.profile import BookProfile
from bookagent.errors import InvalidInputError
from bookagent.images import INSTAGRAM_PORTRAIT
from bookagent.images import INSTAGRAM_SQUARE
from bookagent.images import LANDSCAPE
from bookagent.images import MAX_QUOTE_CHARS
from bookagent.images import PINTEREST_PIN
from bookagent.images import PLATFORM_SIZES
from bookagent.images import Cover
from bookagent.images import RenderedImage
from bookagent.images import Size
from bookagent.images import decode_cover
from bookagent.images import key_idea_card
from bookagent.images import launch_card
from bookagent.images import quote_card
from tests.adversarial.profiles import BUSINESS
from tests.adversarial.profiles import PICTURE_BOOK
from tests.adversarial.profiles import POST_LAUNCH_DAY
from tests.adversarial.profiles import PRE_LAUNCH_DAY
from tests.adversarial.profiles import THRILLER
from tests.unit.images.checks import assert_well_formed
from tests.unit.images.checks import roles
from tests.unit.images.covers import cover_bytes

BOOKS = {"thriller": THRILLER, "picture": PICTURE_BOOK, "business": BUSINESS}
SIZES = {"portrait": INSTAGRAM_PORTRAIT, "square": INSTAGRAM_SQUARE, "pin": PINTEREST_PIN,
         "landscape": LANDSCAPE}  # fmt: skip
LONG_TITLE = (
    "The Lighthouse Keeper's Daughter and the Long Winter of Letters That Never Arrived, "
    "Being an Account of the Storms of 1887 and of Everything the Sea Returned"
)
LONG_QUOTE = " ".join(
    ["The sea keeps what it is given, and returns what it must, and no one on the island"]
    + ["ever asked it to explain itself, not once in a hundred winters of waiting."] * 12
)[:MAX_QUOTE_CHARS]
JAPANESE_QUOTE = (
    "海は与えられたものを守り、返すべきものを返す。灯台守の妻は、嵐の夜に一通の手紙を見つけた。"
)


def review_card(
    book: BookProfile, size: Size, seed: int, cover: bytes | Cover | None = None
) -> RenderedImage:
    review = book.reviews[0]
    return quote_card(review.text, review.source, book.title, book.author, size, seed, cover)


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
@pytest.mark.parametrize("book", BOOKS.values(), ids=BOOKS.keys())
def test_every_card_of_every_book_fits_every_size(book: BookProfile, size: Size) -> None:
    quote = quote_card(book.quotes[0], None, book.title, book.author, size, seed=1)
    review = review_card(book, size, seed=2)
    assert book.launch_date is not None
    launch = launch_card(
        book.title, book.author, book.launch_date, PRE_LAUNCH_DAY, size, seed=3,
        subtitle=book.subtitle,
    )  # fmt: skip
    idea = key_idea_card(book.quotes[-1], book.title, book.author, size, seed=4)
    for card in (quote, review, launch, idea):
        assert_well_formed(card, size)
        assert card.mime == "image/png"
        assert not card.truncated
    assert {"ornament", "quote", "title", "author"} <= roles(quote)
    assert "source" in roles(review)
    assert {"headline", "title", "author"} <= roles(launch)
    assert {"label", "idea", "title", "author"} <= roles(idea)


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
@pytest.mark.parametrize("seed", [0, 1], ids=["blurred cover", "cover colours"])
def test_cards_with_a_cover_show_it_and_fit(size: Size, seed: int) -> None:
    cover = cover_bytes("JPEG", 1600, 2400, style=seed)
    cards = [
        review_card(THRILLER, size, seed, cover),
        launch_card(
            THRILLER.title, THRILLER.author, date(2027, 3, 3), PRE_LAUNCH_DAY, size, seed, cover
        ),
        key_idea_card(BUSINESS.quotes[0], BUSINESS.title, BUSINESS.author, size, seed, cover),
    ]
    for card in cards:
        assert_well_formed(card, size)
        assert "cover" in roles(card)
        assert "the book's cover" in card.alt_text
    if seed == 0:  # blurred: photo-like, sent as a JPEG (see test_blurred_cover_jpeg_...)
        assert {card.mime for card in cards} == {"image/jpeg"}
        assert "blurred image of the book's cover" in cards[0].alt_text


def test_blurred_cover_jpeg_is_at_most_half_the_png() -> None:
    cover = cover_bytes("JPEG", 1600, 2400, style=0)
    card = review_card(THRILLER, INSTAGRAM_PORTRAIT, 0, cover)
    png = io.BytesIO()
    Image.open(io.BytesIO(card.data)).save(png, "PNG", compress_level=9)
    assert card.mime == "image/jpeg"
    assert 2 * len(card.data) <= len(png.getvalue())


def test_the_same_seed_gives_the_same_bytes_and_another_seed_another_card() -> None:
    cover = cover_bytes("PNG", 600, 900, style=2)
    for with_cover in (None, cover):
        first = review_card(PICTURE_BOOK, INSTAGRAM_SQUARE, 0, with_cover)
        again = review_card(PICTURE_BOOK, INSTAGRAM_SQUARE, 0, with_cover)
        other = review_card(PICTURE_BOOK, INSTAGRAM_SQUARE, 1, with_cover)
        assert first.data == again.data
        assert first.data != other.data
    launch = [
        launch_card(
            BUSINESS.title, BUSINESS.author, date(2026, 9, 15), PRE_LAUNCH_DAY, LANDSCAPE, seed
        )
        for seed in (5, 5, 6)
    ]
    assert launch[0].data == launch[1].data != launch[2].data


def test_a_decoded_cover_draws_the_same_card_as_its_bytes() -> None:
    data = cover_bytes("WEBP", 600, 900, style=1)
    from_bytes = review_card(BUSINESS, LANDSCAPE, 3, data)
    from_cover = review_card(BUSINESS, LANDSCAPE, 3, decode_cover(data))
    assert from_bytes.data == from_cover.data


def test_alt_text_holds_the_quote_the_source_and_the_book() -> None:
    card = quote_card(
        "The sea keeps what it is given.", "The Coastal Times", "The Lighthouse Keeper",
        "A. Writer", INSTAGRAM_PORTRAIT, seed=0,
    )  # fmt: skip
    assert card.alt_text == (
        "A quote card: “The sea keeps what it is given.” — The Coastal Times. The Lighthouse "
        "Keeper by A. Writer, white text on deep blue."
    )
    for book in BOOKS.values():
        shown, other = book.reviews[0], book.reviews[1]
        alt = review_card(book, LANDSCAPE, 4).alt_text
        assert shown.text in alt and shown.source and shown.source in alt
        assert book.title in alt and book.author in alt
        assert other.text not in alt


def test_launch_card_counts_down_then_says_out_now() -> None:
    def launch(today: date) -> RenderedImage:
        return launch_card(THRILLER.title, THRILLER.author, date(2027, 3, 3), today, LANDSCAPE, 0)

    before = launch(PRE_LAUNCH_DAY)
    assert "“Coming March 3, 2027”, 87 days to go." in before.alt_text
    assert "countdown" in roles(before)
    eve = launch(date(2027, 3, 2))
    assert "“Coming March 3”, 1 day to go." in eve.alt_text
    assert "“Out today”." in launch(date(2027, 3, 3)).alt_text
    after = launch(POST_LAUNCH_DAY)
    assert after.alt_text.startswith("A launch card: “Out now”. The Quiet Hours by Nora Vale")
    assert "countdown" not in roles(after)


def test_long_titles_and_long_quotes_shrink_and_never_clip() -> None:
    for size in SIZES.values():
        long_title = quote_card(THRILLER.quotes[0], None, LONG_TITLE, THRILLER.author, size, 0)
        assert_well_formed(long_title, size)
        launch = launch_card(LONG_TITLE, THRILLER.author, date(2027, 3, 3), PRE_LAUNCH_DAY, size,
                             1, subtitle=LONG_TITLE)  # fmt: skip
        assert_well_formed(launch, size)
        long_quote = quote_card(LONG_QUOTE, "The Coastal Times", LONG_TITLE, "A. Writer", size, 2)
        assert_well_formed(long_quote, size)
        idea = key_idea_card(LONG_QUOTE[:500], LONG_TITLE, "A. Writer", size, 3)
        assert_well_formed(idea, size)


def test_a_quote_too_long_for_the_card_ends_in_an_ellipsis_and_says_so() -> None:
    card = quote_card(LONG_QUOTE, "The Coastal Times", LONG_TITLE, "A. Writer", LANDSCAPE, 2)
    assert card.truncated
    assert_well_formed(card, LANDSCAPE)
    assert LONG_QUOTE[:200] in card.alt_text  # the alt text keeps the words the card cut


def test_japanese_text_is_drawn_and_breaks_between_characters() -> None:
    for size in SIZES.values():
        card = quote_card(JAPANESE_QUOTE, "朝日新聞", "灯台守の妻", "山田花子", size, seed=5)
        assert_well_formed(card, size)
        assert card.dropped == ()
        assert len([box for box in card.boxes if box.role == "quote"]) >= 2  # wrapped
        assert JAPANESE_QUOTE in card.alt_text
    mixed = key_idea_card("Kaizen (改善) means small steps, every day.", "The Patient Founder",
                          "Dana Okafor", INSTAGRAM_SQUARE, 0)  # fmt: skip
    assert_well_formed(mixed, INSTAGRAM_SQUARE)
    assert mixed.dropped == ()


def test_emoji_are_left_out_of_the_picture_and_kept_in_the_alt_text() -> None:
    quote = "Brave is easier with two 🦉✨ and a firefly 🌟!"
    card = quote_card(quote, "Pip 👨‍👩‍👧", PICTURE_BOOK.title, PICTURE_BOOK.author, LANDSCAPE, 7)
    assert_well_formed(card, LANDSCAPE)
    assert card.dropped == ("🦉", "✨", "🌟", "👨‍👩‍👧")
    assert quote in card.alt_text and "Pip 👨‍👩‍👧" in card.alt_text


def test_text_symbols_that_a_font_covers_are_drawn() -> None:
    card = quote_card("Five ★ — © 2026, Ünïcödé ‘quotes’…", None, "Title™", "Ana Ñ", LANDSCAPE, 0)
    assert card.dropped == ()


def test_a_quote_of_nothing_but_emoji_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        quote_card("🦉🦉🌙", None, "Title", "Author", LANDSCAPE, 0)
    assert caught.value.details[0].field == "quote"


def test_author_text_is_data_not_a_format_string() -> None:
    tricky = "{title} %s {0} {{}} <b>bold</b> \\n ${HOME}"
    card = quote_card(tricky, tricky, tricky, tricky, LANDSCAPE, 0)
    assert card.alt_text.count(tricky) == 4
    assert_well_formed(card, LANDSCAPE)


def test_max_bytes_reencodes_until_the_card_fits() -> None:
    review = THRILLER.reviews[0]
    flat = review_card(THRILLER, INSTAGRAM_PORTRAIT, 0)
    smaller = quote_card(review.text, review.source, THRILLER.title, THRILLER.author,
                         INSTAGRAM_PORTRAIT, 0, max_bytes=len(flat.data) // 2)  # fmt: skip
    assert smaller.mime == "image/png" and len(smaller.data) <= len(flat.data) // 2
    cover = cover_bytes("JPEG", 1600, 2400, style=0)
    photo = review_card(THRILLER, INSTAGRAM_PORTRAIT, 0, cover)
    cap = len(photo.data) * 6 // 10
    capped = quote_card(review.text, review.source, THRILLER.title, THRILLER.author,
                        INSTAGRAM_PORTRAIT, 0, cover, max_bytes=cap)  # fmt: skip
    assert capped.mime == "image/jpeg" and len(capped.data) <= cap
    bluesky = quote_card("Q", None, "T", "A", LANDSCAPE, 0, max_bytes=1_000_000)
    assert bluesky.mime == "image/png"  # already fits: left as it was
    with pytest.raises(InvalidInputError) as caught:
        quote_card("Q", None, "T", "A", LANDSCAPE, 0, max_bytes=500)
    assert caught.value.details[0].field == "max_bytes"


def test_every_platform_has_a_size_the_cards_draw() -> None:
    for platform, sizes in PLATFORM_SIZES.items():
        assert sizes, platform
        card = key_idea_card("One idea.", "Title", "Author", sizes[0], 0)
        assert_well_formed(card, sizes[0])
