"""Escaping for LinkedIn's "little" text format, applied at the publisher boundary only.

LinkedIn's Posts API reads `commentary` as little format, where `\\ | { } @ [ ] ( ) < > # * _ ~`
are reserved; an unescaped one silently cuts the post at that point. Hashtags and mentions have
their own templates there (`{hashtag|\\#|tag}`, `@[Name](urn)`); we escape `#` as plain text
instead, so a tag shows as literal `#tag` text: safe, never truncated, but not a clickable tag.
See https://learn.microsoft.com/linkedin/marketing/community-management/shares/little-text-format
"""

from __future__ import annotations

import re

LINKEDIN_RESERVED = "\\|{}@[]()<>#*_~"
_RESERVED = re.compile("([" + re.escape(LINKEDIN_RESERVED) + "])")


def escape_linkedin_little(text: str) -> str:
    """`text` with every little-format reserved character escaped by a backslash."""
    return _RESERVED.sub(r"\\\1", text)
