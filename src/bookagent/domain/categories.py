"""A book's category (fiction, children's, nonfiction) and the post types that suit each.

The category is read from the profile's genre and audience: a picture book, a middle-grade novel
or a book "for children aged 3 to 6" is children's; a genre naming nonfiction or a nonfiction
kind (business, memoir, history, self-help, ...) is nonfiction; anything else is fiction. It
decides which post types a batch writes when none are asked for, and how writers phrase them:
"what happens next?" is a fiction line, a key idea a nonfiction one, a read-aloud moment a
children's one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Literal

from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import launch_phase

Category = Literal["fiction", "children", "nonfiction"]
CATEGORIES: tuple[Category, ...] = ("fiction", "children", "nonfiction")

#: Post types every category writes (phrased for the category).
SHARED_TYPES: tuple[str, ...] = (
    "hook_question",
    "theme_spotlight",
    "author_quote",
    "review_highlight",
    "behind_the_scenes",
    "reader_question",
    "launch_countdown",
    "retailer_cta",
    "fun_fact",
    "excerpt_teaser",
)
#: Post types of one category only.
OWN_TYPES: Mapping[Category, tuple[str, ...]] = MappingProxyType(
    {
        "fiction": (),
        "children": ("read_aloud", "parent_teacher", "activity_idea"),
        "nonfiction": ("key_idea", "framework", "myth_vs_fact", "chapter_takeaway"),
    }
)
#: Every post type a request may name.
POST_TYPES: tuple[str, ...] = (*SHARED_TYPES, *(t for c in CATEGORIES for t in OWN_TYPES[c]))
#: The mix a batch cycles through when the request names no post types.
DEFAULT_MIX: Mapping[Category, tuple[str, ...]] = MappingProxyType(
    {
        "fiction": SHARED_TYPES,
        "children": (
            "read_aloud",
            "parent_teacher",
            "activity_idea",
            "author_quote",
            "review_highlight",
            "launch_countdown",
            "retailer_cta",
            "theme_spotlight",
            "behind_the_scenes",
            "excerpt_teaser",
        ),
        "nonfiction": (
            "key_idea",
            "framework",
            "myth_vs_fact",
            "chapter_takeaway",
            "author_quote",
            "review_highlight",
            "launch_countdown",
            "retailer_cta",
            "behind_the_scenes",
            "reader_question",
        ),
    }
)

_CHILDREN = re.compile(
    r"\b(?:picture[\s-]?books?|board[\s-]?books?|children['’]?s|kids?|kid[\s-]?lit|"
    r"middle[\s-]grade|early[\s-]readers?|chapter[\s-]books?|toddlers?|preschool(?:ers)?|"
    r"(?:aged?|ages)\s+\d{1,2}\s*(?:-|–|to)\s*\d{1,2}|\d{1,2}\s*(?:-|–|to)\s*\d{1,2}[\s-]year[\s-]olds?)\b",
    re.IGNORECASE,
)
_NONFICTION = re.compile(
    r"\b(?:non[\s-]?fiction|business|self[\s-]help|memoirs?|biograph(?:y|ies)|autobiograph(?:y|ies)|"
    r"history|how[\s-]to|guides?|cookbooks?|cooking|leadership|productivity|management|"
    r"marketing|entrepreneurship|personal\s+finance|finance|economics|psychology|science|"
    r"parenting|health|wellness|essays?|true\s+crime|travel|philosophy|politics|journalism|"
    r"reference|textbook|careers?|spirituality|religion)\b",
    re.IGNORECASE,
)
# Fiction that names a nonfiction word: "science fiction", "historical fiction", a novel.
_FICTION = re.compile(r"\b(?:fiction|novels?|novellas?|thrillers?|fantasy|romance)\b", re.I)
_NONFICTION_NAMED = re.compile(r"\bnon[\s-]?fiction\b", re.IGNORECASE)


def book_category(book: BookProfile) -> Category:
    """The category of `book`, from its genre (and, for children's books, its audience)."""
    genre = book.genre or ""
    if _CHILDREN.search(genre) or _children_audience(book.target_audience or ""):
        return "children"
    if _NONFICTION_NAMED.search(genre):
        return "nonfiction"
    if _NONFICTION.search(genre) and not _FICTION.search(genre):
        return "nonfiction"
    return "fiction"


def default_post_types(book: BookProfile, on: date | None = None) -> tuple[str, ...]:
    """The post types a batch for `book` cycles through when none are asked for. Given the day
    `on`, a launch countdown is left out once no launch is ahead (no launch date, or its launch
    week is over): it would only stand in for another type."""
    mix = DEFAULT_MIX[book_category(book)]
    if on is not None and launch_phase(book.launch_date, on) == "post_launch":
        return tuple(post_type for post_type in mix if post_type != "launch_countdown")
    return mix


def suits(post_type: str, category: Category) -> bool:
    """Whether `post_type` is one `category` writes (the shared ones, or its own)."""
    return post_type in SHARED_TYPES or post_type in OWN_TYPES[category]


def _children_audience(audience: str) -> bool:
    """An audience of young children, not "adults who loved children's books as kids"."""
    lowered = audience.casefold()
    if re.search(r"\badults?\b|\bgrown[\s-]?ups? who (?:loved|grew)\b", lowered):
        return bool(re.search(r"\b(?:aged?|ages)\s+\d", lowered))
    return bool(_CHILDREN.search(audience))
