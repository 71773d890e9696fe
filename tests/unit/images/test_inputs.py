"""The package's surface: its exports, its limits on the author's texts, its sizes per platform,
its colours, and an import that does not load Pillow."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

import bookagent.images
from bookagent.errors import InvalidInputError
from bookagent.images import LANDSCAPE
from bookagent.images import MAX_ALT_CHARS
from bookagent.images import PLATFORM_MAX_BYTES
from bookagent.images import PLATFORM_SIZES
from bookagent.images import Size
from bookagent.images import key_idea_card
from bookagent.images import launch_card
from bookagent.images import quote_card
from bookagent.images import sizes_for
from bookagent.images._canvas import Canvas
from bookagent.images._colour import MIN_CONTRAST
from bookagent.images._colour import PALETTES
from bookagent.images._colour import colour_name
from bookagent.images._colour import contrast
from bookagent.images._colour import readable_on
from bookagent.images._model import Rect
from bookagent.images._text import clean
from bookagent.images._text import strip_quote_marks
from bookagent.platforms import SUPPORTED_PLATFORMS


def field_of(error: pytest.ExceptionInfo[InvalidInputError]) -> str:
    return error.value.details[0].field


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in dir(bookagent.images) if not name.startswith("_")}
    modules = {
        name for name in public if type(getattr(bookagent.images, name)).__name__ == "module"
    }
    assert set(bookagent.images.__all__) == public - modules - {"annotations"}


def test_importing_the_package_loads_neither_pillow_nor_fonttools() -> None:
    code = (
        "import sys, bookagent.images; "
        "print(sorted(m for m in ('PIL', 'fontTools') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_platform_has_sizes_and_x_is_twitter() -> None:
    assert set(PLATFORM_SIZES) == set(SUPPORTED_PLATFORMS)
    assert sizes_for("instagram") == (Size(1080, 1350), Size(1080, 1080))
    assert sizes_for("pinterest") == (Size(1000, 1500),)
    assert sizes_for("X") == sizes_for("bluesky") == (Size(1200, 675),)
    assert PLATFORM_MAX_BYTES["bluesky"] == 1_000_000
    with pytest.raises(InvalidInputError):
        sizes_for("myspace")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"quote": "x" * 1001}, "quote"),
        ({"quote": "   "}, "quote"),
        ({"quote": 42}, "quote"),
        ({"source": "s" * 301}, "source"),
        ({"title": ""}, "title"),
        ({"author": "a" * 301}, "author"),
        ({"size": (1080, 1080)}, "size"),
        ({"size": Size(100, 100)}, "size"),
        ({"size": Size(2400, 400)}, "size"),
        ({"seed": "7"}, "seed"),
        ({"seed": True}, "seed"),
        ({"cover": "cover.png"}, "cover"),
        ({"max_bytes": 0}, "max_bytes"),
    ],
)
def test_bad_inputs_raise_invalid_input_naming_the_field(
    kwargs: dict[str, object], field: str
) -> None:
    args: dict[str, object] = {"quote": "Q", "source": "S", "title": "T", "author": "A",
                               "size": LANDSCAPE, "seed": 0}  # fmt: skip
    args.update(kwargs)
    with pytest.raises(InvalidInputError) as caught:
        quote_card(**args)  # type: ignore[arg-type]
    assert field_of(caught) == field


def test_other_cards_check_their_own_fields() -> None:
    with pytest.raises(InvalidInputError) as caught:
        key_idea_card("i" * 501, "T", "A", LANDSCAPE, 0)
    assert field_of(caught) == "idea"
    with pytest.raises(InvalidInputError) as caught:
        launch_card("T", "A", "2027-03-03", date(2027, 1, 1), LANDSCAPE, 0)  # type: ignore[arg-type]
    assert field_of(caught) == "launch_date"


def test_alt_text_stays_under_its_limit_with_every_field_at_its_limit() -> None:
    quote = ("word " * 200).strip()[:1000]
    card = quote_card(quote, "s" * 300, "t " * 150, "a " * 150, LANDSCAPE, 0)
    assert len(card.alt_text) <= MAX_ALT_CHARS
    assert card.alt_text.startswith("A quote card: “word word")
    launch = launch_card("t " * 150, "a" * 300, date(2027, 3, 3), date(2027, 1, 1), LANDSCAPE, 0,
                         subtitle="s " * 150)  # fmt: skip
    assert len(launch.alt_text) <= MAX_ALT_CHARS


def test_cleaning_drops_control_characters_and_bidi_overrides() -> None:
    assert clean("a\x00b\u202ec\r\n\r\n  d\te", field="f", max_chars=100) == "a b c\nd e"


def test_a_quotation_loses_its_own_quotation_marks_once() -> None:
    assert strip_quote_marks("“The sea keeps.”") == "The sea keeps."
    assert strip_quote_marks('"Yes," she said, "no."') == '"Yes," she said, "no."'
    assert strip_quote_marks("「海」") == "海"


def test_every_palette_reads_with_its_text_colour() -> None:
    for palette in PALETTES:
        assert contrast(readable_on(palette.background), palette.background) >= MIN_CONTRAST
    for grey in range(0, 256, 5):
        assert contrast(readable_on((grey, grey, grey)), (grey, grey, grey)) >= MIN_CONTRAST


def test_a_busy_backdrop_gets_a_panel_that_makes_the_text_read() -> None:
    canvas = Canvas(400, 200, (255, 255, 255))
    for x in range(0, 400, 40):  # black and white stripes: neither text colour reads on both
        canvas.rectangle(Rect(x, 0, x + 20, 200), (0, 0, 0))
    where = Rect(20, 20, 380, 180)
    readable = canvas.readable([where])
    assert readable.alpha > 0 and readable.worst >= MIN_CONTRAST
    canvas.panel(where, readable.panel, readable.alpha, radius=0)
    after = canvas.samples(Rect(20, 20, 380, 180))
    assert min(contrast(readable.colour, spot) for spot in after) >= MIN_CONTRAST


def test_colours_get_plain_names() -> None:
    assert colour_name((29, 53, 87)) == "deep blue"
    assert colour_name((250, 250, 250)) == "white"
    assert colour_name((200, 40, 40)) == "red"
