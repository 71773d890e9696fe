"""A post's language: a BCP 47 tag, as Bluesky's `langs` and Mastodon's `language` take it.

The book says the language its posts are written in (default English); a post may say another.
Tags are checked and written in their standard form by `langcodes` ("EN-gb" is `en-GB`);
Mastodon takes the language alone (ISO 639: `en`), Bluesky the whole tag. `langcodes` (and
its tables, a tenth of the API's start) is imported when a tag is first read, not at start.
"""

from __future__ import annotations

#: Where a post keeps its language (`generation_metadata`).
LANGUAGE_KEY = "language"
#: The longest tag kept (RFC 5646 advises room for at least 35 characters).
MAX_TAG_CHARS = 35


def language_tag(value: str) -> str:
    """`value` as a standard BCP 47 tag; ValueError saying why when it is not one."""
    import langcodes

    text = value.strip()
    if not text or len(text) > MAX_TAG_CHARS or not langcodes.tag_is_valid(text):
        raise ValueError("must be a BCP 47 language tag such as en, en-GB or pt-BR")
    return str(langcodes.standardize_tag(text))


def primary_language(tag: str) -> str:
    """The language of a tag without its region or script (`pt-BR` is `pt`): Mastodon's form."""
    import langcodes

    return str(langcodes.Language.get(tag).language or tag.split("-", 1)[0]).lower()
