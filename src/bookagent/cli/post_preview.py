"""`bookagent posts show`'s box: a post as its platform shows it, drawn from the API's `preview`.

The server decides everything (the text as displayed, the fold, the link card, the count; see
`bookagent.platforms.preview`); this module only draws it. All post text goes in as `Text`, so a
post's `[brackets]` or `:emoji:` are shown as written, never read as rich markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Group
from rich.console import RenderableType
from rich.panel import Panel
from rich.text import Text

from bookagent.cli.client import JSON

#: About a phone's feed: the box is never wider, so lines wrap about as the feed wraps them.
PREVIEW_WIDTH = 64
FOLD_MARK = "···"
SPAN_STYLES = {"link": "underline blue", "hashtag": "blue"}


def preview_panel(preview: JSON, width: int | None = None) -> Panel:
    """The box: the image placeholder, the content warning, the text up to the fold, a "···
    more" line and the folded rest (dimmed), the link card, the "link in bio" note and the
    count."""
    parts: list[RenderableType] = []
    thread = preview.get("thread") or []
    if thread:  # each post of the thread in a box of its own, numbered, then the whole count
        for index, post in enumerate(thread, start=1):
            parts.append(Text(f"{index}/{len(thread)}", style="bold"))
            parts.append(_post_box(post))
        parts.append(_count(preview))
        return _panel(preview, parts, width)
    media = preview.get("media")
    if media is not None:
        parts.append(_media_box(media))
    if preview.get("content_warning"):
        parts.append(Text(f"CW: {preview['content_warning']}", style="bold yellow"))
    if preview["shown"]:
        parts.append(_spans(preview["shown"]))
    if preview["folded"]:
        label = str(preview.get("more_label") or "more").lstrip("… ")
        parts.append(Text(f"{FOLD_MARK} {label}", style="bold"))
        # the fold line stands for the space or line break the fold falls on
        parts.append(_spans(preview["folded"], dim=True, strip_start=True))
    card = preview.get("link_card")
    if card is not None:
        parts.append(_card_box(card))
    if preview.get("link_note"):
        parts.append(Text(str(preview["link_note"]), style="yellow"))
    parts.append(_count(preview))
    return _panel(preview, parts, width)


def _panel(preview: JSON, parts: list[RenderableType], width: int | None) -> Panel:
    return Panel(
        Group(*parts),
        title=Text(str(preview["label"]), style="bold"),
        title_align="left",
        box=box.ROUNDED,
        width=min(width or PREVIEW_WIDTH, PREVIEW_WIDTH),
        padding=(0, 1),
    )


def _post_box(post: JSON) -> Panel:
    """One post of a thread: its text (the platforms show a thread's posts whole), its link
    card and its count."""
    parts: list[RenderableType] = [_spans([*post["shown"], *post["folded"]])]
    card = post.get("link_card")
    if card is not None:
        parts.append(_card_box(card))
    parts.append(_count(post))
    return Panel(Group(*parts), box=box.SQUARE, border_style="dim", padding=(0, 1))


def _spans(
    spans: Sequence[dict[str, Any]], *, dim: bool = False, strip_start: bool = False
) -> Text:
    text = Text(style="dim" if dim else "")
    for span in spans:
        words = str(span["text"])
        if strip_start and not text.plain:
            words = words.lstrip()
        text.append(words, style=SPAN_STYLES.get(str(span["kind"]), ""))
    return text


def _media_box(media: dict[str, Any]) -> Panel:
    alt = media.get("alt_text")
    words = Text("Image", style="bold")
    words.append("\n" + (f"Alt text: {alt}" if alt else "No alt text yet"), style="dim")
    return Panel(words, box=box.SQUARE, border_style="dim", padding=(1, 2))


def _card_box(card: dict[str, Any]) -> Panel:
    words = Text(str(card["host"]), style="bold")
    words.append("\n" + str(card["url"]), style="dim")
    return Panel(words, box=box.SQUARE, border_style="dim", padding=(0, 1))


def _count(preview: JSON) -> Text:
    over = int(preview["length"]) > int(preview["limit"])
    line = f"{preview['length']} / {preview['limit']} {preview['unit_label']}"
    if preview.get("thread"):
        line = f"A thread of {len(preview['thread'])} posts; the longest is {line}"
    return Text(line, style="bold red" if over else "dim")
