"""The bundled fonts, and text split into runs each drawn in a font that has its glyphs.

Fonts come from PyPI packages pinned in pyproject.toml, all under the SIL Open Font License:
- Noto Sans and Noto Serif (`fontpkg-noto-sans`, `fontpkg-noto-serif`): variable fonts (weight
  and width axes) for Latin, Greek, Cyrillic and more;
- Noto Sans CJK TC Regular (`cvttf-notosanscjk-regular`): Chinese, Japanese and Korean.

Pillow does no font fallback, so each text is split into runs by glyph coverage (each font's
cmap, read once with fontTools): the card's own face first, then the other Latin face, then CJK.
Characters no font covers, and emoji (Pillow cannot draw colour emoji without a colour font),
are left out, never drawn as empty boxes; the caller keeps them in the alt text.

Loaded fonts are cached per process and shared by threads: Pillow serialises the calls on one
font object (under the GIL, or a critical section on free-threaded builds), and a font's weight
is set once, when it is loaded.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Sequence
from contextlib import ExitStack
from functools import cache
from functools import lru_cache
from importlib.resources import as_file
from importlib.resources import files

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fontTools has no types
from PIL import ImageFont

from bookagent.images._text import graphemes
from bookagent.images._text import is_emoji

__all__ = ["Face", "Run", "advance", "font", "ink_box", "split_runs", "stroke_for"]


class Face(enum.Enum):
    """A bundled typeface: (package, file inside it, variable)."""

    SANS = ("fontpkg_noto_sans", "files/NotoSans[wdth,wght].ttf", True)
    SERIF = ("fontpkg_noto_serif", "files/NotoSerif[wdth,wght].ttf", True)
    SERIF_ITALIC = ("fontpkg_noto_serif", "files/NotoSerif-Italic[wdth,wght].ttf", True)
    CJK = ("cvttf_NotoSansCJK_Regular", "NotoSansCJKtc-Regular.otf", False)

    @property
    def fallbacks(self) -> tuple[Face, ...]:
        """The faces tried for a character, this one first."""
        latin = Face.SANS if self is not Face.SANS else Face.SERIF
        return (self, latin, Face.CJK) if self is not Face.CJK else (Face.CJK, Face.SANS)


#: A run of text drawn in one face.
Run = tuple[Face, str]

_lock = threading.RLock()  # font_path is called with it held
# Keeps extracted font files for the life of the process when the package is not a plain folder
# (a zip); for an ordinary install `as_file` hands back the installed path.
_files = ExitStack()
# Code points that are not glyphs of their own: joiners, variation selectors, combining marks are
# checked like any other, these are simply not drawn.
_INVISIBLE = frozenset({0x200B, 0x200C, 0x200D, 0x2060, 0xFE0E, 0xFEFF})


@cache
def font_path(face: Face) -> str:
    """The file of `face`, located through importlib.resources."""
    package, name, _ = face.value
    with _lock:
        return str(_files.enter_context(as_file(files(package).joinpath(name))))


@cache
def coverage(face: Face) -> frozenset[int]:
    """The code points `face` has a glyph for (its best cmap), read once per process."""
    with _lock:
        ttf = TTFont(font_path(face), lazy=True)
        try:
            return frozenset(ttf.getBestCmap())
        finally:
            ttf.close()


def font(face: Face, size: int, weight: int = 400) -> ImageFont.FreeTypeFont:
    """`face` at `size` pixels and `weight` (100-900; fonts without a weight axis ignore it)."""
    if not face.value[2]:
        weight = 400
    return _font(face, size, weight)


@cache
def _font(face: Face, size: int, weight: int) -> ImageFont.FreeTypeFont:
    with _lock:
        loaded = ImageFont.truetype(font_path(face), size)
        if face.value[2]:
            # Axes in the font's order: weight, then width (100 = normal).
            loaded.set_variation_by_axes([weight, 100])
        return loaded


@lru_cache(maxsize=8192)
def advance(face: Face, size: int, weight: int, text: str) -> float:
    """How far `text` advances the pen in `face` at `size` and `weight` (a bold outline's
    width included). Cached: the fitting measures the same words at the same sizes often."""
    return font(face, size, weight).getlength(text) + 2 * stroke_for(face, size, weight)


@lru_cache(maxsize=8192)
def ink_box(face: Face, size: int, weight: int, text: str) -> tuple[int, int, int, int]:
    """The ink of `text` drawn at the origin, anchored left on the baseline: what
    `ImageDraw.textbbox` reports for it there (a bold outline included). Cached as `advance`."""
    stroke = stroke_for(face, size, weight)
    box = font(face, size, weight).getbbox(text, anchor="ls", stroke_width=stroke)
    return (round(box[0]), round(box[1]), round(box[2]), round(box[3]))


def stroke_for(face: Face, size: int, weight: int) -> int:
    """The outline that makes a face without a weight axis (CJK) look bold where the text is
    set bold: Pillow's `stroke_width`, in the text's own colour; 0 for regular text."""
    if face.value[2] or weight < 600:
        return 0
    return max(1, round(size * 0.025))


def covers(face: Face, grapheme: str) -> bool:
    """Whether `face` draws every visible code point of `grapheme`."""
    cmap = coverage(face)
    return all(ord(c) in cmap or ord(c) in _INVISIBLE for c in grapheme)


def split_runs(text: str, face: Face) -> tuple[list[Run], list[str]]:
    """`text` as runs in `face` or its fallbacks, and the graphemes left out (in order, repeats
    kept) because they are emoji or no bundled font covers them."""
    runs: list[Run] = []
    dropped: list[str] = []
    chain = face.fallbacks
    for g in graphemes(text):
        chosen = _face_for(g, chain, runs[-1][0] if runs else face)
        if chosen is None:
            dropped.append(g)
            continue
        visible = "".join(c for c in g if ord(c) not in _INVISIBLE)
        if runs and runs[-1][0] is chosen:
            runs[-1] = (chosen, runs[-1][1] + visible)
        else:
            runs.append((chosen, visible))
    return runs, dropped


def _face_for(grapheme: str, chain: Sequence[Face], current: Face) -> Face | None:
    """The face to draw `grapheme` in, or None to leave it out."""
    if grapheme == " ":
        return current  # a space stays in the run it is in
    if is_emoji(grapheme) or all(ord(c) in _INVISIBLE for c in grapheme):
        return None
    for face in chain:
        if covers(face, grapheme):
            return face
    return None
