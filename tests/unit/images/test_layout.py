"""fit_text: wrapping by words and CJK characters, shrinking to a minimum, the ellipsis, and font
fallback by glyph coverage."""

from __future__ import annotations

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bookagent.images._fonts import Face
from bookagent.images._fonts import split_runs
from bookagent.images._layout import Block
from bookagent.images._layout import Style
from bookagent.images._layout import drawable
from bookagent.images._layout import fit_text

STYLE = Style(Face.SERIF, 400, max_size=60, min_size=20)


def text_of(block: Block) -> list[str]:
    return ["".join(run.text for run in line.runs) for line in block.lines]


def fits(block: Block, width: int, height: int) -> bool:
    return block.width <= width and block.height <= height


def test_a_short_text_keeps_the_largest_size() -> None:
    block = fit_text("Brave is easier with two.", STYLE, 900, 300)
    assert block.size == 60 and not block.truncated
    assert text_of(block) == ["Brave is easier with two."]


def test_a_longer_text_wraps_by_words_then_shrinks() -> None:
    text = "Some silences are louder than screams, and this one went on all night long."
    block = fit_text(text, STYLE, 500, 200)
    assert fits(block, 500, 200) and not block.truncated
    assert block.size < 60
    assert " ".join(text_of(block)) == text  # broken only at spaces


def test_sizes_step_down_to_the_minimum() -> None:
    assert list(Style(Face.SANS, 400, 40, 30).sizes()) == [40, 37, 34, 31, 30]


def test_a_text_too_long_at_the_minimum_ends_in_an_ellipsis_after_a_word() -> None:
    words = "The sea keeps what it is given and returns what it must. " * 20
    block = fit_text(words, STYLE, 600, 150)
    assert block.truncated and block.size == STYLE.min_size
    assert fits(block, 600, 150)
    lines = text_of(block)
    assert lines[-1].endswith("…")
    kept = " ".join(lines)[:-1].split()
    assert kept == words.split()[: len(kept)]  # whole words only, in order


def test_max_lines_holds_a_text_to_its_lines() -> None:
    style = Style(Face.SANS, 700, 40, 20, max_lines=2)
    block = fit_text(
        "A title so long that it cannot possibly fit on two lines " * 5, style, 400, 500
    )
    assert len(block.lines) == 2 and block.truncated


def test_a_word_longer_than_the_line_breaks_inside() -> None:
    block = fit_text("Supercalifragilisticexpialidocious" * 3, STYLE, 300, 400)
    assert fits(block, 300, 400) and len(block.lines) > 1
    assert "".join(text_of(block)) == "Supercalifragilisticexpialidocious" * 3


def test_japanese_breaks_between_characters_but_not_before_closing_punctuation() -> None:
    text = (
        "海は与えられたものを守り、返すべきものを返す。灯台守の妻は、嵐の夜に一通の手紙を見つけた。"
    )
    block = fit_text(text, Style(Face.SANS, 400, 60, 40), 420, 1000)
    lines = text_of(block)
    assert "".join(lines) == text and len(lines) > 2
    assert not any(line.startswith(("、", "。")) for line in lines)


def test_cjk_characters_fall_back_to_the_cjk_face() -> None:
    runs, dropped = split_runs("Kaizen 改善 works", Face.SERIF)
    assert runs == [(Face.SERIF, "Kaizen "), (Face.CJK, "改善 "), (Face.SERIF, "works")]
    assert dropped == []


def test_drawable_drops_emoji_and_tidies_the_spaces_they_leave() -> None:
    assert drawable("A firefly 🌟! Two 🦉 owls\n🌙\nend", Face.SANS) == (
        "A firefly! Two owls\nend",
        ("🌟", "🦉", "🌙"),
    )


def test_text_no_font_covers_is_dropped_not_drawn_as_boxes() -> None:
    shown, dropped = drawable("Hello שלום", Face.SANS)  # no bundled font has Hebrew
    assert shown == "Hello" and len(dropped) == 4


@settings(max_examples=60, deadline=None)
@given(
    text=st.lists(
        st.sampled_from([*"abc XYZ,.—'漢字かな\n", "Supercalifragilistic", " the ", "🦉"]),
        min_size=1,
        max_size=80,
    ).map("".join),
    width=st.integers(60, 900),
    height=st.integers(60, 600),
)
def test_any_text_fits_its_box_or_is_cut(text: str, width: int, height: int) -> None:
    shown, _ = drawable(text, Face.SERIF)
    block = fit_text(shown, STYLE, width, height)
    assert fits(block, width, height)
    assert block.truncated or "".join(text_of(block)).replace(" ", "") == shown.replace(
        " ", ""
    ).replace("\n", "")
