"""Book profiles: the validated fields, and the operations that create, change and find books."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Annotated
from typing import Any
from typing import Literal
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StringConstraints
from pydantic import field_validator
from pydantic import model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from bookagent.db.models import Book
from bookagent.domain.identity import Caller
from bookagent.domain.identity import ensure_user
from bookagent.domain.languages import language_tag
from bookagent.domain.profile import MAX_WARNING_CHARS
from bookagent.domain.profile import AuthorRules
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Event
from bookagent.domain.profile import Review as ReviewValue
from bookagent.domain.urls import OptionalHttpUrlStr
from bookagent.domain.voice_rules import MAX_TERM_CHARS
from bookagent.domain.voice_rules import MAX_TERMS
from bookagent.domain.voice_rules import StatedRule
from bookagent.domain.voice_rules import holds
from bookagent.domain.voice_rules import infer_rules
from bookagent.domain.voice_rules import merge_stated
from bookagent.errors import InvalidInputError
from bookagent.errors import NotFoundError
from bookagent.isotime import iso

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Hashtag = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^#?[^\s#]{1,100}$", max_length=101)
]


class ReviewIn(BaseModel):
    """A review the author may quote, and its source."""

    model_config = ConfigDict(extra="ignore")

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    source: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    #: Who wrote it; left out, a review is a reader's when its source says so or is absent.
    kind: Literal["critic", "reader"] | None = None


Phrase = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TERM_CHARS)
]
Phrases = Annotated[list[Phrase], Field(max_length=MAX_TERMS)]


class EventIn(BaseModel):
    """A dated event of the book; a post may name its date."""

    model_config = ConfigDict(extra="ignore")

    date: dt.date
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

    @field_validator("date")
    @classmethod
    def _plausible(cls, value: dt.date) -> dt.date:
        return _plausible_year(value)


class RequiredWordsIn(BaseModel):
    """Per launch phase, words of which each post of that phase must hold one."""

    model_config = ConfigDict(extra="forbid")

    pre_launch: Phrases = Field(default_factory=list)
    launch_week: Phrases = Field(default_factory=list)
    post_launch: Phrases = Field(default_factory=list)


class RulesIn(BaseModel):
    """The author's rules, enforced by the gate on every draft (see docs/API.md).

    Saving a book adds the rules its tone and guidelines state in plain words (`_rules_column`).
    """

    model_config = ConfigDict(extra="forbid")

    no_emoji: bool = False
    no_exclamation: bool = False
    no_comparisons: bool = False
    banned_phrases: Phrases = Field(default_factory=list)
    banned_comparisons: Phrases = Field(default_factory=list)
    spoilers: Phrases = Field(default_factory=list)
    required_words: RequiredWordsIn = Field(default_factory=RequiredWordsIn)
    person: Literal["i", "we", "author"] | None = Field(
        default=None,
        description='Who posts speak as: "i" (the author), "we" (a team or press), "author" '
        "(of the author, by name); null lets a post speak either way.",
    )
    formality: Literal["casual", "neutral", "formal"] | None = Field(
        default=None,
        description='How formal posts are: "formal" (no contractions outside quotations, no '
        'emoji), "neutral" or "casual" (these two only steer the writer); null: no preference.',
    )
    content_warning: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_WARNING_CHARS)]
        | None
    ) = Field(
        default=None,
        description="The content warning every Mastodon post of the book carries (Mastodon's "
        f"`spoiler_text`), at most {MAX_WARNING_CHARS} characters; empty or null: none.",
    )

    @field_validator("content_warning")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None


def _plausible_year(value: date) -> date:
    if not (1900 <= value.year <= 2200):
        raise ValueError("must be a date between 1900 and 2200")
    return value


#: Links a profile may hold (the three known ones included): each is grounding material that
#: every check of a post scans, so their number is bounded like every other field's.
MAX_LINKS = 20


class BookLinks(BaseModel):
    """Retailer and landing-page links; any other named link is kept too. All are http(s) URLs."""

    model_config = ConfigDict(extra="allow")
    # The other named links (`bookshop`, `website`, ...) are validated like the known ones.
    __pydantic_extra__: dict[str, OptionalHttpUrlStr] = Field(init=False)

    amazon: OptionalHttpUrlStr = None
    audible: OptionalHttpUrlStr = None
    landing_page: OptionalHttpUrlStr = None

    @model_validator(mode="after")
    def _few_enough(self) -> BookLinks:
        if len(self.model_extra or {}) + 3 > MAX_LINKS:
            raise ValueError(f"a book has at most {MAX_LINKS} links")
        return self

    def as_dict(self) -> dict[str, str | None]:
        """The links as plain strings (None for an unset one), the known ones first."""
        return {**self.model_dump(), **(self.model_extra or {})}


class BookFields(BaseModel):
    """Every field of a book profile; required ones first. Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    title: ShortText
    author: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    genre: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    blurb: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    subtitle: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    target_audience: LongText | None = None
    key_themes: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    ] = Field(default_factory=list, max_length=20)
    tone: LongText | None = None
    content_guidelines: LongText | None = None
    links: BookLinks = Field(default_factory=BookLinks)
    launch_date: date | None = None
    price: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    quotes: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    ] = Field(default_factory=list, max_length=50)
    reviews: list[ReviewIn] = Field(default_factory=list, max_length=50)
    hashtags: list[Hashtag] = Field(default_factory=list, max_length=30)
    awards: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    ] = Field(default_factory=list, max_length=30)
    events: list[EventIn] = Field(default_factory=list, max_length=50)
    rules: RulesIn = Field(default_factory=RulesIn)
    cover_image_url: OptionalHttpUrlStr = None
    timezone: str = "UTC"
    #: The language of the book's posts, a BCP 47 tag; sent to Bluesky and Mastodon with each.
    language: str = "en"
    human_in_loop: bool = True

    @field_validator("language")
    @classmethod
    def _bcp47(cls, value: str) -> str:
        return language_tag(value)

    @field_validator("timezone")
    @classmethod
    def _iana_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA timezone name such as Europe/Berlin") from None
        return value

    @field_validator("launch_date")
    @classmethod
    def _plausible_date(cls, value: date | None) -> date | None:
        return None if value is None else _plausible_year(value)

    @field_validator("hashtags")
    @classmethod
    def _hash_prefix(cls, value: list[str]) -> list[str]:
        return [tag if tag.startswith("#") else f"#{tag}" for tag in value]


class BookCreate(BookFields):
    """A new book; `user_id` may be left out when the token names the user."""

    user_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=128)] | None = None


def column_values(fields: BookFields, only: set[str] | None = None) -> dict[str, Any]:
    """The book table's column values for `fields` (all of them, or the names in `only`)."""
    data = fields.model_dump(mode="json", exclude={"user_id"})
    data["links"] = fields.links.as_dict()
    # A review's kind is stored only when the author gave one (else it is inferred on reading).
    data["reviews"] = [
        {k: v for k, v in r.items() if v is not None or k != "kind"} for r in data["reviews"]
    ]
    data["launch_date"] = fields.launch_date
    names = set(BookFields.model_fields) if only is None else only
    return {name: data[name] for name in names if name in data}


#: The key of the rules column under which the rules recognised in the tone and guidelines are
#: listed with the words that stated them (`StatedRule.as_json`); `RulesIn` never holds it.
INFERRED_KEY = "inferred"


def _store(book: Book, fields: BookFields, only: set[str] | None = None) -> None:
    """Set the book's columns from `fields` (all, or the names in `only`), and its rules."""
    rules = _rules_column(fields, book)
    for name, value in column_values(fields, only).items():
        setattr(book, name, value)
    book.rules = rules


def _rules_column(fields: BookFields, stored: Book) -> dict[str, Any]:
    """The rules to store: the author's, plus the rules the tone and guidelines newly state.

    `stored` is the book as it was before this save (a new book's columns are all empty). A
    statement counts only if the stored tone and guidelines did not make it already, so a
    rule the author removed does not come back with every save while its words stay in the
    text. Only adds (`merge_stated`). Under `INFERRED_KEY`: the rules recognised, at this save or
    an earlier one, that still hold and whose words are still in the text, with those words.
    """
    rules = fields.rules.model_dump(mode="json")
    now = {s.key: s for s in infer_rules(fields.tone, fields.content_guidelines)}
    before = {s.key for s in infer_rules(stored.tone, stored.content_guidelines)}
    rules, added = merge_stated(rules, [s for key, s in now.items() if key not in before])
    kept = [now[s.key] for s in inferred_rules(stored) if s.key in now and holds(rules, s)]
    kept_keys = {s.key for s in kept}
    listed = [*kept, *(s for s in added if s.key not in kept_keys)]
    rules[INFERRED_KEY] = [s.as_json() for s in listed]
    return rules


def inferred_rules(book: Book) -> list[StatedRule]:
    """The book's rules that were recognised in its tone and guidelines, with their words."""
    listed = (book.rules or {}).get(INFERRED_KEY) or []
    found = (StatedRule.from_json(item) for item in listed)
    return [stated for stated in found if stated is not None]


def create_book(session: Session, caller: Caller, fields: BookCreate) -> Book:
    """Create a book for the caller (or, for an admin, the named user)."""
    user_id = caller.resolve_user(fields.user_id)
    ensure_user(session, user_id)
    book = Book(user_id=user_id)
    _store(book, fields)
    session.add(book)
    session.flush()
    return book


def get_book(session: Session, caller: Caller, book_id: str) -> Book:
    """The book with this id, if the caller may see it; NotFoundError otherwise."""
    book = session.get(Book, book_id)
    if book is None or not caller.can_act_for(book.user_id):
        raise NotFoundError(f"No book with id {book_id}.")
    return book


def list_books(session: Session, caller: Caller, user_id: str | None = None) -> list[Book]:
    """The caller's books (an admin sees all, or one user's when `user_id` is given)."""
    query = select(Book).order_by(Book.created_at, Book.id)
    if user_id:
        caller.resolve_user(user_id)
        query = query.where(Book.user_id == user_id)
    elif not caller.is_admin:
        query = query.where(Book.user_id == caller.user_id)
    return list(session.scalars(query))


def replace_book(session: Session, caller: Caller, book_id: str, fields: BookFields) -> Book:
    """Replace every field of a book (PUT)."""
    book = get_book(session, caller, book_id)
    _store(book, fields)
    session.flush()
    return book


def patch_book(session: Session, caller: Caller, book_id: str, changes: dict[str, Any]) -> Book:
    """Change some fields of a book (PATCH); the result is validated as a whole."""
    book = get_book(session, caller, book_id)
    unknown = set(changes) - set(BookFields.model_fields) - {"user_id"}
    changes = {k: v for k, v in changes.items() if k not in unknown and k != "user_id"}
    merged = {**book_to_fields(book), **changes}
    fields = BookFields.model_validate(merged)
    _store(book, fields, only=set(changes))
    session.flush()
    return book


def delete_book(session: Session, caller: Caller, book_id: str) -> None:
    """Delete a book and everything that hangs off it."""
    session.delete(get_book(session, caller, book_id))
    session.flush()


def resolve_book(
    session: Session, caller: Caller, *, user_id: str | None, book_id: str | None
) -> Book:
    """The book a request means: the one named, or the user's only book (API.md's rule)."""
    if book_id:
        book = get_book(session, caller, book_id)
        if user_id and book.user_id != user_id:
            raise NotFoundError(f"No book with id {book_id} for user {user_id}.")
        return book
    owner = caller.resolve_user(user_id)
    books = list(session.scalars(select(Book).where(Book.user_id == owner).limit(2)))
    if not books:
        raise NotFoundError(
            f"User {owner} has no book yet. Create one with POST /api/books "
            "(title, author, genre, blurb)."
        )
    if len(books) > 1:
        raise InvalidInputError.for_field("book_id", "is required: this user has several books")
    return books[0]


def book_to_fields(book: Book) -> dict[str, Any]:
    """A book's profile fields as JSON-ready values."""
    return {
        "title": book.title,
        "subtitle": book.subtitle,
        "author": book.author,
        "genre": book.genre,
        "blurb": book.blurb,
        "target_audience": book.target_audience,
        "key_themes": list(book.key_themes),
        "tone": book.tone,
        "content_guidelines": book.content_guidelines,
        "links": dict(book.links),
        "launch_date": book.launch_date.isoformat() if book.launch_date else None,
        "price": book.price,
        "quotes": list(book.quotes),
        "reviews": list(book.reviews),
        "hashtags": list(book.hashtags),
        "awards": list(book.awards),
        "events": list(book.events),
        "rules": RulesIn.model_validate(
            {k: v for k, v in (book.rules or {}).items() if k != INFERRED_KEY}
        ).model_dump(mode="json"),
        "cover_image_url": book.cover_image_url,
        "timezone": book.timezone,
        "language": book.language,
        "human_in_loop": book.human_in_loop,
    }


def book_to_dict(book: Book) -> dict[str, Any]:
    """A book as API.md shows it: id, owner, profile fields, the rules recognised in the tone
    and guidelines (read-only) and timestamps."""
    return {
        "id": book.id,
        "user_id": book.user_id,
        **book_to_fields(book),
        "inferred_rules": [stated.as_json() for stated in inferred_rules(book)],
        "created_at": iso(book.created_at),
        "updated_at": iso(book.updated_at),
    }


def book_to_profile(book: Book) -> BookProfile:
    """The frozen profile the writers and validators work from."""
    return BookProfile(
        id=book.id,
        user_id=book.user_id,
        title=book.title,
        subtitle=book.subtitle,
        author=book.author,
        genre=book.genre,
        blurb=book.blurb,
        target_audience=book.target_audience,
        key_themes=tuple(book.key_themes),
        tone=book.tone,
        content_guidelines=book.content_guidelines,
        links=dict(book.links),
        launch_date=book.launch_date,
        price=book.price,
        quotes=tuple(book.quotes),
        reviews=tuple(
            ReviewValue.of(r["text"], r.get("source"), r.get("kind")) for r in book.reviews
        ),
        hashtags=tuple(book.hashtags),
        awards=tuple(book.awards or ()),
        events=tuple(Event(date.fromisoformat(e["date"]), e["name"]) for e in book.events or ()),
        rules=AuthorRules.of(book.rules),
        cover_image_url=book.cover_image_url,
        timezone=book.timezone,
        language=book.language,
        human_in_loop=book.human_in_loop,
    )
