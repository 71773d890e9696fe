"""The prompt contract shared by the LLM writers: what we ask and how we read the answer.

`build_prompt` turns a book profile and the constraints for one draft into a system prompt (the
rules, identical for every call, so providers can cache it) and a user prompt (the book, the
allowed quotes, the platform's limits, the post type, recent posts to avoid and, on a retry, why
the previous draft was rejected). `clean_reply` undoes the wrapping quotes and code fences models
sometimes add, and `extract_hashtags`/`extract_links` read the final text. The validators still
check every draft: the prompt only makes a passing draft likely.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import BookProfile

POST_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "hook_question": (
            "Open with one sharp question the book's ideal reader cannot ignore, drawn from the "
            "premise or central conflict in the blurb, then say in a line why this book answers it."
        ),
        "theme_spotlight": (
            "Spotlight one of the book's key themes: why it matters to readers and how the story "
            "explores it, without spoiling the plot."
        ),
        "author_quote": (
            "Share exactly one of the allowed quotes, word for word in quotation marks, with a "
            "short line that frames it. If there are no allowed quotes, write about a theme "
            "instead and quote nothing."
        ),
        "review_highlight": (
            "Highlight exactly one of the allowed reviews, word for word in quotation marks and "
            "credited to its source, then invite readers to see for themselves. If there are no "
            "allowed reviews, do not mention reviews at all."
        ),
        "behind_the_scenes": (
            "A glimpse behind the book in the author's own voice: what drew them to its themes, "
            "setting or characters. Speak in general terms; invent no anecdotes, dates or numbers."
        ),
        "reader_question": (
            "Ask readers an open, personal question tied to one of the book's themes that invites "
            "replies; mention the book naturally, not as a hard sell."
        ),
        "launch_countdown": (
            "Build anticipation for the launch: state the launch date exactly as given and what "
            "readers can do now (pre-order, follow, mark it to read). Do not count the days left. "
            "If no launch date is given, celebrate that the book is available instead."
        ),
        "retailer_cta": (
            "A clear call to action to buy or pre-order, with one reason to read the book and one "
            "of the given links copied exactly."
        ),
        "fun_fact": (
            "One surprising or delightful detail about the book taken only from the profile (its "
            "setting, genre, themes or premise). Never invent statistics or trivia."
        ),
        "excerpt_teaser": (
            "Tease the story like the first lines of a back cover, paraphrasing the blurb and "
            "ending on suspense. Do not present any words in quotation marks as if quoted from "
            "the book."
        ),
    }
)
"""The post types the writers know, each with the brief the model gets."""

_UNIT_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "characters": "characters",
        "chars": "characters",
        "weighted": "weighted characters (emoji and CJK count as 2, every link counts as 23)",
        "graphemes": "graphemes (user-perceived characters; an emoji counts as one)",
        "bytes": "UTF-8 bytes",
    }
)

_MAX_FIELD_CHARS = 1500  # bounds prompt size (and cost) when an author pastes a whole chapter
_MAX_AVOID_POSTS = 5
_MAX_AVOID_CHARS = 240
_MAX_FEEDBACK_ITEMS = 8

_SYSTEM_PROMPT = """\
You write social media posts that market a book on its author's behalf. Every post goes out in
the author's name, so it must be honest, on-brand and ready to publish as is.

Rules:
1. Voice: follow the author's tone and content guidelines. Write for the book's audience.
2. Facts: state only facts found in the book profile. Never invent quotes, reviews, ratings,
   stars, awards, rankings, bestseller claims, sales figures, prices, dates or events.
3. Quotations: you may quote only the allowed quotes and reviews, word for word, inside
   quotation marks. Put no other words in quotation marks.
4. Prices and dates: the only price you may state is the book's price and the only date is its
   launch date, written exactly as given. If they are not given, state none.
5. Links: use only the links given, copied exactly. Never shorten, alter or invent a URL.
6. Limits: respect the platform's maximum length and hashtag rule. The limit counts the whole
   post: text, emoji, hashtags and links.
7. Variety: do not reuse the opening, angle or phrasing of the recent posts you are shown.
8. Output: answer with ONLY the final post text, exactly as it will be published, hashtags and
   links included. No preamble, no explanation, no title or label, no quotation marks around
   the whole post, no markdown code fences."""


@dataclass(frozen=True)
class Prompt:
    """The system and user prompts for one draft."""

    system: str
    user: str

    @property
    def hash(self) -> str:
        """The prompt's provenance id: see `prompt_hash`."""
        return prompt_hash(self.system, self.user)


def build_prompt(book: BookProfile, constraints: WriteConstraints) -> Prompt:
    """Build the prompts that ask for one post of `constraints.post_type` about `book`."""
    sections = [
        _book_section(book),
        _allowed_quotes_section(book),
        _platform_section(constraints),
        _post_type_section(constraints.post_type),
        _avoid_section(constraints.avoid),
        _feedback_section(constraints),
        "Write the post now. Reply with only the post text.",
    ]
    user = "\n\n".join(section for section in sections if section)
    return Prompt(system=_SYSTEM_PROMPT, user=user)


def prompt_hash(system: str, user: str) -> str:
    """A short, stable id for a prompt pair: the first 16 hex digits of its SHA-256."""
    digest = hashlib.sha256()
    digest.update(system.encode("utf-8"))
    digest.update(b"\x00")  # so ("ab", "c") and ("a", "bc") differ
    digest.update(user.encode("utf-8"))
    return digest.hexdigest()[:16]


_FENCE_RE = re.compile(r"^```[\w-]*[ \t]*\n(?P<body>.*?)\n?```$", re.DOTALL)
_LABEL_RE = re.compile(r"^(?:post|final post|here is the post|here's the post)\s*:\s*", re.I)
_QUOTE_PAIRS = (('"', '"'), ("'", "'"), ("“", "”"), ("«", "»"), ("„", "“"))


def clean_reply(text: str) -> str:
    """Strip what models wrap around a post: code fences, a "Post:" label, enclosing quotes.

    Enclosing quotes are removed only when they wrap the whole reply and appear nowhere inside,
    so a post that opens with a quotation and ends with its credit keeps its quotation marks.
    """
    cleaned = text.strip()
    fenced = _FENCE_RE.match(cleaned)
    if fenced:
        cleaned = fenced.group("body").strip()
    cleaned = _LABEL_RE.sub("", cleaned, count=1).strip()
    for opening, closing in _QUOTE_PAIRS:
        inner = cleaned[len(opening) : -len(closing)]
        if (
            len(cleaned) >= 2
            and cleaned.startswith(opening)
            and cleaned.endswith(closing)
            and opening not in inner
            and closing not in inner
        ):
            cleaned = inner.strip()
            break
    return cleaned


_LINK_RE = re.compile(r"https?://\S+")
_HASHTAG_RE = re.compile(r"(?<![\w&])#\w+")
_TRAILING_PUNCTUATION = ".,;:!?)]}>\"'”’»…"


def extract_links(text: str) -> tuple[str, ...]:
    """The URLs in a post, in order and without duplicates or trailing punctuation."""
    links = (match.rstrip(_TRAILING_PUNCTUATION) for match in _LINK_RE.findall(text))
    return tuple(dict.fromkeys(link for link in links if link))


def extract_hashtags(text: str) -> tuple[str, ...]:
    """The hashtags in a post (`#\\w+`), in order, ignoring `#fragments` inside URLs."""
    without_links = _LINK_RE.sub(" ", text)
    return tuple(dict.fromkeys(_HASHTAG_RE.findall(without_links)))


def _book_section(book: BookProfile) -> str:
    lines = ["## The book", f"Title: {book.title}"]
    if book.subtitle:
        lines.append(f"Subtitle: {book.subtitle}")
    lines += [f"Author: {book.author}", f"Genre: {book.genre}"]
    lines.append(f"Blurb: {_trim(book.blurb, _MAX_FIELD_CHARS)}")
    if book.target_audience:
        lines.append(f"Audience: {_trim(book.target_audience, _MAX_FIELD_CHARS)}")
    if book.key_themes:
        lines.append("Key themes: " + "; ".join(_trim(theme, 120) for theme in book.key_themes))
    if book.tone:
        lines.append(f"Tone and brand voice: {_trim(book.tone, _MAX_FIELD_CHARS)}")
    if book.content_guidelines:
        guidelines = _trim(book.content_guidelines, _MAX_FIELD_CHARS)
        lines.append(f"Content guidelines from the author: {guidelines}")
    if book.launch_date:
        spoken = f"{book.launch_date:%B} {book.launch_date.day}, {book.launch_date.year}"
        lines.append(
            f"Launch date: {book.launch_date.isoformat()} (if you mention it, write {spoken})"
        )
    else:
        lines.append("Launch date: not given (state no date)")
    lines.append(f"Price: {book.price} (exactly as written)" if book.price else "Price: not given")
    links = book.link_urls()
    if links:
        lines.append("Links (copy exactly):")
        lines += [f"- {name}: {url}" for name, url in links.items()]
    else:
        lines.append("Links: none (include no URL)")
    if book.hashtags:
        tags = " ".join(tag if tag.startswith("#") else f"#{tag}" for tag in book.hashtags)
        lines.append(f"The author's preferred hashtags: {tags}")
    return "\n".join(lines)


def _allowed_quotes_section(book: BookProfile) -> str:
    lines = [
        "## Allowed quotes and reviews",
        "These are the only quotations the post may contain, copied word for word. Apart from "
        "them and the price and launch date above, no quote, rating, award, price or date may "
        "be stated.",
    ]
    if not book.quotes and not book.reviews:
        lines.append("None: do not quote anyone and do not mention reviews or ratings.")
    for quote in book.quotes:
        lines.append(f'- Quote: "{quote}"')
    for review in book.reviews:
        credit = f" (credit: {review.source})" if review.source else ""
        lines.append(f'- Review: "{review.text}"{credit}')
    return "\n".join(lines)


def _platform_section(constraints: WriteConstraints) -> str:
    unit = _UNIT_WORDS.get(constraints.length_unit, constraints.length_unit)
    target = max(1, int(constraints.max_length * 0.85))  # models count loosely; leave headroom
    lines = [
        "## Platform rules",
        f"Platform: {constraints.platform}",
        f"Maximum length: {constraints.max_length} {unit} for the whole post, hashtags and links "
        f"included. Aim for {target} or fewer.",
        _hashtag_rule(constraints.hashtags_min, constraints.hashtags_max),
    ]
    return "\n".join(lines)


def _hashtag_rule(minimum: int, maximum: int) -> str:
    if maximum <= 0:
        return "Hashtags: use none."
    if minimum == maximum:
        return f"Hashtags: exactly {minimum}, at the end of the post."
    if minimum <= 0:
        return f"Hashtags: at most {maximum}, at the end of the post."
    return f"Hashtags: between {minimum} and {maximum}, at the end of the post."


def _post_type_section(post_type: str) -> str:
    brief = POST_TYPES.get(post_type, "A post of this type about the book, true to its profile.")
    return f"## Post type: {post_type}\n{brief}"


def _avoid_section(avoid: tuple[str, ...]) -> str:
    # `avoid` runs oldest to newest: show the newest few.
    recent = [_trim(post, _MAX_AVOID_CHARS) for post in avoid[-_MAX_AVOID_POSTS:] if post.strip()]
    if not recent:
        return ""
    lines = ["## Recent posts (do not repeat their opening, angle or phrasing)"]
    lines += [f"- {post}" for post in recent]
    return "\n".join(lines)


def _feedback_section(constraints: WriteConstraints) -> str:
    if constraints.attempt <= 0:
        return ""
    reasons = [_trim(reason, 300) for reason in constraints.feedback[:_MAX_FEEDBACK_ITEMS]]
    if not reasons:
        return f"## Attempt {constraints.attempt + 1}\nWrite a clearly different take."
    lines = [
        f"## Your previous draft was rejected. Fix every one of these in attempt "
        f"{constraints.attempt + 1}:"
    ]
    lines += [f"- {reason}" for reason in reasons if reason]
    return "\n".join(lines)


def _trim(text: str, limit: int) -> str:
    """Collapse whitespace and cut at `limit` characters, marking the cut with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
