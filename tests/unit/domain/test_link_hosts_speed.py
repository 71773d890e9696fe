"""`with_scheme` tries its patterns only where a match can start (3 to 5 characters before a
"://", and where a dot before a special-use domain is): it must find what scanning finds."""

from __future__ import annotations

from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bookagent.domain import link_hosts
from bookagent.domain.link_hosts import with_scheme


def scanned(text: str) -> list[str]:
    """What both patterns find over the whole text.

    (`with_scheme` once tested the special-use domains in the casefolded text first, which
    missed "x.İnternal": casefolding adds a combining dot to "İ", which the pattern matches.)
    """
    found = [m.group() for m in link_hosts._WITH_SCHEME.finditer(text)]
    found += [m.group() for m in link_hosts._SPECIAL_USE.finditer(text)]
    return [link.rstrip(".,;:!?)]}") for link in found]


PIECES = st.sampled_from(
    ["://", "http", "HTTPS", "httpſ", "ftp", "Ftp", "s", "x", "a.example", ".TEST", "shop.local",
     "teﬅ", ".İnternal", "ﬅ", "/", ":", " ", "\n", "“", "_", "é", "https://www.amazon.com/dp/B0",
     "bit.ly/x", "ahttp://b", ".", "-"]
)  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(text=st.lists(PIECES | st.text(max_size=4), max_size=16).map("".join) | st.text())
@example(text="ftp://a")
@example(text="http://a://b https://c ://d")
@example(text="xhttp://a _https://b")
@example(text="shop.İnternal")
def test_the_links_are_those_a_scan_finds(text: str) -> None:
    assert with_scheme(text) == scanned(text)
