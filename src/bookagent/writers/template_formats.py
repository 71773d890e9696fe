"""How a post is laid out on each platform: the parts a post is made of, and their order.

- `short` (X, Bluesky, Mastodon, Threads): an opener, the body, sometimes one supporting line
  (a review, an award, a line of the book), an ending, a link, hashtags.
- `thread` (some posts of X and Bluesky): the short post's parts as a thread of 2-4 posts (see
  `bookagent.platforms.threads`): the opener and body, then each supporting line but the last,
  then the last with the ending, the link and hashtags; each post is measured on its own. When
  no thread fits, the short post's variants follow.
- `long` (LinkedIn): a hook line, then the body and up to three short supporting paragraphs (a
  review, an award, a line of the book, a sentence of the blurb, the themes), the ending, the
  link, a closing question and a few hashtags: a hook, 3-5 short paragraphs and a question.
- `caption` (Instagram): written for an image: an opener and the body, the ending, one
  supporting line, "link in bio" (a caption's links do not open), then the hashtags.
- `pin` (Pinterest): a title line (at most `PIN_TITLE_MAX` characters) and a description; the
  destination link goes with the pin, not in its text.
- `conversational` (Facebook): the body, a supporting line, the ending as a question to answer,
  the link, at most two hashtags.

Each layout gives its variants fullest first: when one is too long for the platform, the writer
tries the next, which leaves out what matters least (the opener, a supporting paragraph, the
ending unless it holds a required word, hashtags beyond the minimum, the link).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import replace

from bookagent.platforms.threads import join_thread

FORMATS = {
    "linkedin": "long",
    "instagram": "caption",
    "pinterest": "pin",
    "facebook": "conversational",
}
PIN_TITLE_MAX = 100


def format_of(platform: str) -> str:
    """The layout of `platform`'s posts (see the module docstring)."""
    return FORMATS.get(platform, "short")


@dataclass(frozen=True)
class Parts:
    """What one post is made of; empty strings are parts it goes without."""

    head: str
    body: str
    cta: str
    link: str
    tags: tuple[str, ...]
    sep: str
    hook: str = ""
    support: tuple[str, ...] = ()
    closer: str = ""
    pin_title: str = ""


def variants(layout: str, parts: Parts, kept_cta: str, min_tags: int) -> list[str]:
    """The texts of `parts` in `layout`, fullest first, each shorter than or as long as the last.

    `kept_cta` is the ending that must stay (it holds a required word), else "".
    """
    return list(iter_variants(layout, parts, kept_cta, min_tags))


def iter_variants(layout: str, parts: Parts, kept_cta: str, min_tags: int) -> Iterator[str]:
    """`variants`, made one at a time: a writer mostly keeps the fullest, and making the others
    (a thread's steps, the short post's) would cost more than it does."""
    seen: set[str] = set()
    for text in _all_variants(layout, parts, kept_cta, min_tags):
        if text not in seen:  # each text once, where it first comes
            seen.add(text)
            yield text


def _all_variants(layout: str, parts: Parts, kept_cta: str, min_tags: int) -> Iterator[str]:
    """The texts of each step of `variants`, in order, repeats included."""
    p = parts
    if layout == "thread":
        for n in range(len(p.support), 0, -1):
            yield _thread(replace(p, support=p.support[:n]))
        yield from _all_variants("short", replace(p, support=p.support[:1]), kept_cta, min_tags)
        return
    # The parts of each step made directly (`dataclasses.replace` costs ~10 µs a call, and a
    # write makes a few dozen of these), and each only when the one before was not enough.
    body, sep, hook, title, few = p.body, p.sep, p.hook, p.pin_title, p.tags[:min_tags]
    layout_of = _LAYOUTS[layout]
    yield layout_of(p)
    yield layout_of(Parts("", body, p.cta, p.link, p.tags, sep, hook, p.support, p.closer, title))
    yield layout_of(Parts("", body, p.cta, p.link, p.tags, sep, hook, p.support[:1], "", title))
    yield layout_of(Parts("", body, kept_cta, p.link, p.tags, sep, hook, (), "", title))
    yield layout_of(Parts("", body, kept_cta, p.link, few, sep, hook, (), "", title))
    yield layout_of(Parts("", body, kept_cta, "", few, sep, hook, (), "", title))


def _tags(tags: tuple[str, ...]) -> str:
    return " ".join(f"#{tag}" for tag in tags)


def _opened(p: Parts) -> str:
    return f"{p.head} {p.body}" if p.head else p.body


def _short(p: Parts) -> str:
    text = _opened(p)
    if p.support:
        text = _join(text, p.support[0])
    if p.cta:
        text += ("\n\n" if "\n" in text else p.sep) + p.cta
    return _join(text, p.link, _tags(p.tags))


def _thread(p: Parts) -> str:
    # The last supporting line goes with the ending: a post of only "Pre-order it now" and a
    # link would be the same in many threads (and X refuses a repeat of a recent post).
    *middle, last = p.support
    return join_thread([_opened(p), *middle, _join(last, p.cta, p.link, _tags(p.tags))])


def _long(p: Parts) -> str:
    closer = p.closer if p.closer and not p.cta.endswith("?") else ""
    opened = p.body if p.hook else _opened(p)  # a hook line is the opener
    return _join(p.hook, opened, *p.support, p.cta, p.link, closer, _tags(p.tags))


def _caption(p: Parts) -> str:
    return _join(_opened(p), p.cta, *p.support[:1], p.link, _tags(p.tags))


def _pin(p: Parts) -> str:
    # A call to action after a body that ends with a credit line ("— The Quiet Hours") starts a
    # paragraph of its own: on the credit's line it would read as part of the name.
    opened = _opened(p)
    description = opened + (("\n\n" if "\n" in opened else " ") + p.cta if p.cta else "")
    return _join(p.pin_title, description, _tags(p.tags))


def _conversational(p: Parts) -> str:
    return _join(_opened(p), *p.support[:1], p.cta, p.link, _tags(p.tags[:2]))


def _join(*paragraphs: str) -> str:
    return "\n\n".join(part for part in paragraphs if part)


_LAYOUTS = {
    "short": _short,
    "long": _long,
    "caption": _caption,
    "pin": _pin,
    "conversational": _conversational,
}
