"""The verbatim-material mask as first written, for property tests of the real one."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from bookagent.domain.validation import _strip_quote_marks


def reference_mask(sources: Sequence[str]) -> re.Pattern[str]:
    """One alternation of the sources, longest first, `(?<!\\w)` in front of a source that
    starts with a word character and `(?!\\w)` after one that ends with one."""
    unique = {s for raw in sources if (s := _strip_quote_marks(unicodedata.normalize("NFC", raw)))}
    parts = [
        (r"(?<!\w)" if s[0].isalnum() or s[0] == "_" else "")
        + re.escape(s)
        + (r"(?!\w)" if s[-1].isalnum() or s[-1] == "_" else "")
        for s in sorted(unique, key=lambda s: (-len(s), s))
    ]
    return re.compile("|".join(parts))
