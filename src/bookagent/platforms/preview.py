"""How a post will look on its platform: the text as the platform shows it, where its feed folds
the text behind "…more", its link card or image placeholder, and its length in the platform's unit.

`preview` is pure (no I/O) and cheap, so the API can answer it with every post and with every
keystroke's measure. It describes the platform's feed, not a pixel-exact copy: the fold points
are approximate (see `_DISPLAYS`), and lines are counted at the text's own line breaks, not where
a screen would wrap them.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from typing import Any
from typing import Literal
from urllib.parse import urlsplit

import regex  # type: ignore[import-untyped]  # no stubs; types-regex is not a dependency

from bookagent.platforms.hashtags import hashtags
from bookagent.platforms.measure import extract_urls
from bookagent.platforms.measure import measure
from bookagent.platforms.rules import PlatformRules
from bookagent.platforms.rules import Unit
from bookagent.platforms.rules import get_rules
from bookagent.platforms.threads import thread_posts

SpanKind = Literal["text", "link", "hashtag"]

#: How each counting unit reads in "212 / 280 weighted characters".
UNIT_LABELS: dict[str, str] = {
    "weighted": "weighted characters",
    "graphemes": "graphemes",
    "characters": "characters",
    "code_points": "code points",
}

_GRAPHEME = regex.compile(r"\X")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_X_PREFIX = re.compile(r"\Ahttps?://(?:www\.)?", re.IGNORECASE)
_MASTODON_PREFIX = re.compile(r"\A(?:https?://(?:www\.)?|xmpp:)")  # TextFormatter's prefix
_MASTODON_VISIBLE = 30  # characters of a link Mastodon shows after its prefix
_X_PATH_MAX, _X_PATH_CUT = 16, 15  # X shows a path of up to 16 characters, else 15 and "…"
_BLUESKY_PATH_MAX, _BLUESKY_PATH_CUT = 15, 13  # toShortUrl: up to 15, else 13 and "..."


@dataclass(frozen=True)
class Span:
    """A run of the displayed text: plain text, a link (`target`: the full URL) or a hashtag
    (`target`: the tag without `#`)."""

    kind: SpanKind
    text: str
    target: str | None = None


@dataclass(frozen=True)
class LinkCard:
    """The card a platform draws under a post for one of its links."""

    url: str
    host: str


@dataclass(frozen=True)
class MediaPlaceholder:
    """The first image a post goes out with (`url`, where the dashboard shows it, and its size),
    or, with no `url`, where the image goes on a platform that never shows a post without one."""

    alt_text: str | None = None
    url: str | None = None
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Preview:
    """A post as its platform shows it. `shown` is what the feed shows; `folded` (empty when
    nothing is folded) is what `more_label` reveals. Lengths are in `unit`, as `measure` counts.
    `content_warning` is the line shown in place of the text, which is then all folded (see
    `bookagent.platforms.content_warning`). A thread (see `bookagent.platforms.threads`) has
    the preview of each of its posts in `thread`; the other fields are its first post's, but
    `length`, its longest post's, as the limit applies."""

    platform: str
    label: str
    shown: tuple[Span, ...]
    folded: tuple[Span, ...]
    more_label: str | None
    link_card: LinkCard | None
    media: MediaPlaceholder | None
    link_note: str | None
    length: int
    limit: int
    unit: Unit
    unit_label: str
    content_warning: str | None = None
    thread: tuple[Preview, ...] = ()
    #: How many images go with the post (the first is `media`).
    media_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The preview as API.md's `preview` object (plain dicts and lists, ready for JSON)."""
        data = asdict(self)
        data["shown"], data["folded"] = list(data["shown"]), list(data["folded"])
        return data


# -- how each platform shows a link --------------------------------------------------------------


def x_display_url(url: str) -> str:
    """A link as X shows it (its t.co `display_url`): no scheme and no `www.`, then the host and
    the path (query included): whole up to 16 characters, else its first 15 and "…".

    Read from the URL entities of X's own sample payloads (developer docs and API answers):
    https://developer.twitter.com/en/use-cases/success-stories/penn
    is shown as `developer.twitter.com/en/use-cases/s…`, https://www.nytimes.com/2021/04/08/...
    as `nytimes.com/2021/04/08/hea…`, and https://www.nytimes.com/by/maggie-astor (a 16-character
    path) whole. https://developer.x.com/en/docs/tco says clients show `display_url`.
    """
    rest = _X_PREFIX.sub("", url)
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    host, path = rest[:cut], rest[cut:]
    if path == "/":
        path = ""
    if len(path) > _X_PATH_MAX:
        path = path[:_X_PATH_CUT] + "…"
    return host + path


def mastodon_display_url(url: str) -> str:
    """A link as Mastodon shows it: `https://` and `www.` hidden, then 30 characters, and "…"
    when more is hidden. Mastodon's `TextFormatter#link_to_url` (app/lib/text_formatter.rb)."""
    prefix = _MASTODON_PREFIX.match(url)
    rest = url[prefix.end() :] if prefix else url
    if len(rest) > _MASTODON_VISIBLE:
        return rest[:_MASTODON_VISIBLE] + "…"
    return rest


def bluesky_display_url(url: str) -> str:
    """A link as Bluesky's app shows it: the host, then the path, cut to 13 characters and "..."
    when the path (with query and fragment) is longer than 15. The app renders every link facet
    through `toShortUrl` (bluesky-social/social-app src/lib/strings/url-helpers.ts, used by
    src/components/RichText.tsx); the record keeps the full URL, which is what is counted.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2].lower()
    path = "" if parts.path in ("", "/") else parts.path
    if parts.query:
        path += "?" + parts.query
    if parts.fragment:
        path += "#" + parts.fragment
    if len(path) > _BLUESKY_PATH_MAX:
        return host + path[:_BLUESKY_PATH_CUT] + "..."
    return host + path


@dataclass(frozen=True)
class _Display:
    """How one platform's feed shows a post: its name, its fold, its link cards and links."""

    label: str
    fold_units: int | None = None  # folds after about this many units (see `_weight`)
    fold_lines: int | None = None  # ... or after this many lines, whichever comes first
    more_label: str = "…more"
    card: Literal["first", "last"] | None = None  # the link that gets a card without media
    display_url: Callable[[str], str] | None = None  # None: links are shown as written
    bare_domains: bool = False  # whether `example.com` without a scheme is a link


# Where each feed folds a post, from the sources below. Every fold number is approximate: the
# platforms do not publish them, they differ between apps, screen widths and post types, and they
# change. X: long posts show 280 characters, then "Show more" (replysocial.co "Long-form X
# posts"; thetechportal.com 2023-02-09). LinkedIn: 3 lines or about 210 characters on mobile
# (John Espirian, "See more breakpoints on LinkedIn posts", 2024-09; boltpost.app "LinkedIn See
# More Preview"). Instagram: 3 lines, "a caption of 125 characters or fewer" shows whole
# (help.instagram.com/1643471055915254). Facebook: about 480 characters (bulkpublish.com; 477 at
# socialk.it and posthell.com), 5 lines. Mastodon, Bluesky, Threads and Pinterest show the text
# whole. Cards: X cards the last link (twittercommunity.com "Which url gets previewed"), the
# others the first; Threads previews a link unless the post has media (Ayrshare Threads doc).
# Bluesky draws a card only for a post with an `app.bsky.embed.external` embed, which its app
# adds for the first link. X links bare domains too (developer.x.com/en/docs/tco); Mastodon does
# not (`extract_url_without_protocol: false` in TextFormatter).
_DISPLAYS: dict[str, _Display] = {
    "twitter": _Display(
        "X", fold_units=280, more_label="Show more", card="last",
        display_url=x_display_url, bare_domains=True,
    ),
    "facebook": _Display(
        "Facebook", fold_units=480, fold_lines=5, more_label="See more", card="first",
    ),
    "instagram": _Display("Instagram", fold_units=125, fold_lines=3, more_label="… more"),
    "pinterest": _Display("Pinterest"),
    "mastodon": _Display("Mastodon", card="first", display_url=mastodon_display_url),
    "bluesky": _Display("Bluesky", card="first", display_url=bluesky_display_url),
    "threads": _Display("Threads", card="first"),
    "linkedin": _Display(
        "LinkedIn", fold_units=210, fold_lines=3, more_label="…more", card="first",
    ),
}  # fmt: skip


def preview(
    platform: str,
    text: str,
    rules: PlatformRules | None = None,
    *,
    alt_text: str | None = None,
    media: Sequence[MediaPlaceholder] = (),
) -> Preview:
    """How `text` will look on `platform`, as a pure function of its arguments.

    `rules` default to `get_rules(platform)`; pass them for per-account limits. `media` are the
    images that go with the post (a network shows them instead of a link card); without them,
    `alt_text` describes the image on the platforms that require one (`rules.requires_media`).
    A thread's images go with its first post.
    """
    if rules is None:
        rules = get_rules(platform)
    posts = thread_posts(rules, text)
    if len(posts) > 1:
        thread = tuple(
            preview(platform, post, rules, alt_text=alt_text, media=media if not i else ())
            for i, post in enumerate(posts)
        )
        longest = max(part.length for part in thread)
        return dataclasses.replace(thread[0], length=longest, thread=thread)
    display = _DISPLAYS[rules.name]
    length = measure(rules.name, text, rules)
    spans = _spans(text, display, rules)
    shown, folded = _fold(spans, length, display, rules)
    link_card = None
    links = extract_urls(text, bare_domains=display.bare_domains)
    shows_card = not rules.requires_media and not media
    if display.card and links and rules.links_clickable and shows_card:
        url = links[0] if display.card == "first" else links[-1]
        link_card = LinkCard(url=url, host=_host(url))
    return Preview(
        platform=rules.name,
        label=display.label,
        shown=shown,
        folded=folded,
        more_label=display.more_label if folded else None,
        link_card=link_card,
        media=media[0]
        if media
        else MediaPlaceholder(alt_text or None)
        if rules.requires_media
        else None,
        media_count=len(media),
        link_note=None if rules.links_clickable else _link_note(display.label),
        length=length,
        limit=rules.max_length,
        unit=rules.unit,
        unit_label=UNIT_LABELS.get(rules.unit, rules.unit),
    )


def _spans(text: str, display: _Display, rules: PlatformRules) -> list[Span]:
    """`text` cut into plain text, links (in the platform's display form) and hashtags (as the
    platform finds them: `#Sci-Fi` is one tag on Bluesky, `#Sci` on Mastodon and X).

    Where links are not clickable they stay plain text, as written.
    """
    links_clickable = rules.links_clickable
    marks: list[tuple[int, int, Span]] = []
    links: list[tuple[int, int]] = []
    cursor = 0
    for url in extract_urls(text, bare_domains=display.bare_domains):
        start = text.find(url, cursor)
        if start < 0:
            continue
        cursor = start + len(url)
        links.append((start, cursor))
        if links_clickable:
            shown = display.display_url(url) if display.display_url else url
            marks.append((start, cursor, Span("link", shown, url)))
    starts = [low for low, _ in links]  # in text order
    for start, end, tag in hashtags(rules.name, text):
        before = bisect_right(starts, start) - 1  # the last link starting at or before the tag
        if before < 0 or links[before][1] <= start:
            marks.append((start, end, Span("hashtag", text[start:end], tag)))
    spans: list[Span] = []
    position = 0
    for start, end, span in sorted(marks, key=lambda mark: mark[0]):
        if start > position:
            spans.append(Span("text", text[position:start]))
        spans.append(span)
        position = end
    if position < len(text):
        spans.append(Span("text", text[position:]))
    return spans


def _fold(
    spans: list[Span], length: int, display: _Display, rules: PlatformRules
) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """The spans the feed shows and those it folds behind "…more" (none when all fit)."""
    text = "".join(span.text for span in spans)
    if _fits(text, length, display, rules):
        return tuple(spans), ()
    cut = _fold_point(spans, display, rules)
    if cut is None or not text[cut:].strip():
        return tuple(spans), ()
    shown: list[Span] = []
    folded: list[Span] = []
    position = 0
    for span in spans:
        end = position + len(span.text)
        if end <= cut:
            shown.append(span)
        elif position >= cut:
            folded.append(span)
        else:  # only plain text is ever split: `_fold_point` never cuts a link or a tag
            shown.append(Span("text", span.text[: cut - position]))
            folded.append(Span("text", span.text[cut - position :]))
        position = end
    return tuple(shown), tuple(folded)


def _fits(text: str, length: int, display: _Display, rules: PlatformRules) -> bool:
    """Whether the feed shows all of `text` (displayed, and measured as `length`): the quick
    answer for most posts, before `_fold_point` walks the text."""
    if display.fold_lines is not None and len(_LINE_BREAK.findall(text)) >= display.fold_lines:
        return False
    if display.fold_units is None:
        return True
    if rules.unit == "weighted":  # the fold counts as `measure` does, links at `url_length`
        return length <= display.fold_units
    return len(text) <= display.fold_units  # else `_fold_point` counts the graphemes


def _fold_point(spans: list[Span], display: _Display, rules: PlatformRules) -> int | None:
    """Where the feed cuts the displayed text (an offset into it), or None if it shows it all.

    The cut falls before the line break that ends the last shown line, or before the character
    that goes past `fold_units`, moved back to the last space so that no word, link or tag is cut.
    """
    budget = display.fold_units
    lines_left = display.fold_lines
    used = 0
    position = 0
    for span in spans:
        if span.kind == "link":
            used += _link_weight(span, rules)
            if budget is not None and used > budget:
                return position or len(span.text)  # a link that opens the post stays shown
            position += len(span.text)
            continue
        offset = 0
        for found in _GRAPHEME.finditer(span.text):  # lazily: the walk stops at the fold
            cluster = found.group(0)
            if lines_left is not None and ("\n" in cluster or "\r" in cluster):
                lines_left -= 1
                if lines_left == 0:
                    return position + offset
            used += _weight(cluster, rules)
            if budget is not None and used > budget:
                return _word_start(span, position, offset)
            offset += len(cluster)
        position += len(span.text)
    return None


def _word_start(span: Span, position: int, offset: int) -> int:
    """The cut at `offset` into `span` (which starts at `position`), moved back to a space."""
    if span.kind != "text":
        return position or len(span.text)  # before the tag, or after it when it opens the post
    space = max(span.text.rfind(c, 0, offset + 1) for c in " \t\n")
    if space >= 0:
        return position + space
    if position > 0:
        return position  # the word starts with this span
    return offset or len(span.text)  # one word longer than the fold: cut inside it


def _weight(cluster: str, rules: PlatformRules) -> int:
    """What one user-perceived character counts toward the fold: its weight on X, else 1."""
    if rules.unit != "weighted" or cluster.isascii():  # ASCII weighs 1 on X too
        return 1
    return measure(rules.name, cluster, rules)


def _link_weight(span: Span, rules: PlatformRules) -> int:
    if rules.unit == "weighted":
        return rules.url_length if rules.url_length is not None else 23
    return len(_GRAPHEME.findall(span.text))


def _link_note(label: str) -> str:
    return f"Link in bio: links in the text are not clickable on {label}."


def _host(url: str) -> str:
    """The host a link card names: lower case, without `www.`."""
    bare = url if "://" in url else "//" + url
    try:
        host = urlsplit(bare).hostname or url
    except ValueError:
        return url
    return host[4:] if host.startswith("www.") else host


def platform_label(platform: str) -> str:
    """The platform's own name as people write it ("X", "LinkedIn"); the id, capitalised, for a
    platform the preview does not know."""
    display = _DISPLAYS.get(platform)
    return display.label if display is not None else platform.capitalize()
