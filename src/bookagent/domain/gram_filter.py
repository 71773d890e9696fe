"""A cheap test that rules out most strings absent from a text: set lookups of sampled grams.

`Grounding.masked` (`bookagent.domain.validation`) masks the author's verbatim sources that
occur in a draft, and a substring test per source costs some 20 µs on a 63,000-character text.
Instead, the text is cut into grams of `GRAM` characters at multiples of `GRAM`
(`sampled_grams`, a few thousand, built in C), and each long source is summed up once by a few
of its own grams (`source_grams`): a source that occurs in the text covers some of the sampled
grams, so a source whose grams are not among them does not occur (`may_occur`). The test can
answer "may occur" for an absent source, never "absent" for a present one: the substring test
still decides.
"""

from __future__ import annotations

GRAM = 8  # characters (latin-1 bytes) in a gram: one 64-bit integer; see `sampled_grams`
_CHAIN = 4  # the grams of a `SourceGrams` chain, at most
#: A source's grams (None if shorter than `2 * GRAM - 1`): its chains, one for each offset
#: `j < GRAM` (its grams at `j`, `j + GRAM`..., `_CHAIN` at most), and the union of their first
#: grams, which rules out most absent sources at once.
SourceGrams = tuple[frozenset[int], tuple[frozenset[int], ...]]


def _grams(data: bytes) -> memoryview:
    """`data` cut into grams of `GRAM` bytes, each read as one integer (the rest dropped)."""
    return memoryview(data[: len(data) - len(data) % GRAM]).cast("Q")


def sampled_grams(text: str) -> set[int]:
    """The grams of `text` (latin-1, `?` for other characters) at multiples of `GRAM`.

    A source of `m >= 2 * GRAM - 1` characters that occurs in `text` at `p` (as its latin-1
    bytes do in the text's, one byte a character) covers those at the multiples `i` of `GRAM`
    from `p` on with `i + GRAM <= p + m`: with `j = -p % GRAM`, they are its grams at `j`,
    `j + GRAM`... (at least one). So a source none of whose chains (`source_grams`) is among
    these does not occur: set lookups instead of a substring search (some 20 µs a source on a
    63,000-character text; a text has a few thousand of these grams, built in C).
    """
    return set(_grams(text.encode("latin-1", "replace")))


def source_grams(source: str) -> SourceGrams | None:
    """The chains of `source` that `may_occur` looks for (see `sampled_grams`)."""
    if len(source) < 2 * GRAM - 1:
        return None
    data = source.encode("latin-1", "replace")
    chains = tuple(frozenset(_grams(data[j:])[:_CHAIN]) for j in range(GRAM))
    return frozenset(_grams(data[j : j + GRAM])[0] for j in range(GRAM)), chains


def may_occur(grams: SourceGrams | None, sampled: set[int]) -> bool:
    """False if the source of `grams` cannot occur in the text `sampled` is sampled from."""
    if grams is None:
        return True
    first, chains = grams
    return not first.isdisjoint(sampled) and any(chain <= sampled for chain in chains)
