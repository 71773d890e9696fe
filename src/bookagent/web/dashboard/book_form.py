"""The book profile form: HTML form fields to and from the API's book fields, with field errors.

Lists are typed one per line (quotes, reviews as `text | source`, other links as `name: url`,
the rules' phrases) or separated by commas (themes, hashtags). Errors are the API's 422 details
(`links.amazon`, `quotes.2`, `rules.banned_phrases.0`, ...), shown next to the form field they
belong to. The author's rules are shown and edited here, those recognised in the tone and
guidelines marked with the words that stated them; fields the form does not show (awards,
events) keep their stored values when the book is saved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from flask import flash
from flask import g
from flask import redirect
from flask import request
from flask import url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response as BaseResponse

from bookagent.db.models import Book
from bookagent.domain import books as ops
from bookagent.domain.assets import MAX_ASSET_BYTES
from bookagent.domain.assets import book_assets
from bookagent.domain.books import book_to_fields
from bookagent.domain.profile import PHASES
from bookagent.domain.voice_rules import StatedRule
from bookagent.errors import InvalidInputError
from bookagent.web.api.assets import asset_to_dict
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.dashboard.page import choose_book
from bookagent.web.dashboard.page import remember_book
from bookagent.web.dashboard.page import render_page
from bookagent.web.dashboard.page import safe_next

KNOWN_LINKS = ("amazon", "audible", "landing_page")
OPTIONAL_TEXT = (
    "subtitle",
    "target_audience",
    "tone",
    "content_guidelines",
    "price",
    "cover_image_url",
    "launch_date",
)
REQUIRED_TEXT = ("title", "author", "genre", "blurb")
RULE_FLAGS = ("no_emoji", "no_exclamation", "no_comparisons")
RULE_LISTS = ("banned_phrases", "banned_comparisons", "spoilers")
#: Rules of one value the form offers as a select.
SELECTED_RULES = ("person", "formality")
#: Profile fields the form does not show: an edit keeps what the book holds.
KEPT_FIELDS = ("awards", "events")
_OTHER_LINK = re.compile(r"^\s*([\w .-]{1,50}?)\s*[:=]\s*(\S+)\s*$")
_LIST_SPLIT = re.compile(r"[,\n]")
_TAG_SPLIT = re.compile(r"[\s,]+")
_ITEM_NAMES = {"quotes": "line", "reviews": "line", "key_themes": "theme", "hashtags": "hashtag"}

FieldErrors = dict[str, list[str]]

#: Each form field's label, for the error summary at the top of the form.
FIELD_LABELS = {
    "user_id": "Author account",
    "title": "Title",
    "subtitle": "Subtitle",
    "author": "Author",
    "genre": "Genre",
    "blurb": "Blurb",
    "launch_date": "Launch date",
    "price": "Price",
    "cover_image_url": "Cover image URL",
    "target_audience": "Target audience",
    "key_themes": "Key themes",
    "tone": "Tone and brand voice",
    "content_guidelines": "Content guidelines",
    "hashtags": "Hashtags",
    "links.amazon": "Amazon",
    "links.audible": "Audible",
    "links.landing_page": "Landing page",
    "links.other": "Other links",
    "quotes": "Quotes",
    "reviews": "Reviews",
    "timezone": "Timezone",
    "language": "Language",
    "human_in_loop": "Keep me in the loop",
    "rules": "Rules",
    "rules.no_emoji": "No emoji",
    "rules.no_exclamation": "No exclamation marks",
    "rules.no_comparisons": "No comparisons",
    "rules.banned_phrases": "Banned words and phrases",
    "rules.banned_comparisons": "Books and authors never to compare it to",
    "rules.spoilers": "Spoilers",
    "rules.required_words.pre_launch": "Required words before launch",
    "rules.required_words.launch_week": "Required words in launch week",
    "rules.required_words.post_launch": "Required words after launch week",
    "rules.person": "Posts speak as",
    "rules.formality": "Formality",
    "rules.content_warning": "Content warning on Mastodon",
}


@cache
def timezone_names() -> list[str]:
    """Every IANA timezone name, for the form's suggestions."""
    return sorted(name for name in available_timezones() if "/" in name or name == "UTC")


def book_page() -> BaseResponse | str | tuple[str, int]:
    """Create the first (or, with `?new=1`, another) book, or edit the current one."""
    svc, who = services(), caller()
    with svc.db.session() as session:
        books, book = choose_book(session, who)
    creating = book is None or request.values.get("new") == "1"
    if request.method == "GET":
        values = _default_values() if book is None or creating else to_form(book_to_fields(book))
        return _render(books, book, creating, values, {})
    values = {key: request.form.get(key, "") for key in request.form}
    values["human_in_loop"] = "on" if request.form.get("human_in_loop") else ""
    errors: FieldErrors = {}
    fields = from_form(request.form, errors)
    if book is not None and not creating:
        stored = book_to_fields(book)
        fields.update({name: stored[name] for name in KEPT_FIELDS})
    model: ops.BookFields | None = None
    try:
        model = (ops.BookCreate if creating else ops.BookFields).model_validate(fields)
    except ValidationError as exc:
        _merge(errors, validation_errors(exc))
    saved_id: str | None = None
    recognised: list[StatedRule] = []
    if model is not None and not errors:
        try:
            saved_id, recognised = _save(model, None if creating or book is None else book.id)
        except InvalidInputError as exc:
            for detail in exc.details:
                errors.setdefault(_form_field_of(detail.field), []).append(detail.message)
            if not exc.details:
                errors.setdefault("body", []).append(exc.message)
    if saved_id is None:
        return _render(books, book, creating, values, errors), 422
    remember_book(saved_id)
    flash("Book profile created." if creating else "Book profile saved.")
    if recognised:
        said = "; ".join(describe_rule(stated) for stated in recognised)
        flash(f"Rules recognised in your tone and guidelines, now enforced: {said}.")
    return redirect(url_for("dashboard.book"))


def select_book() -> BaseResponse:
    """Make another of the caller's books the current one."""
    chosen = request.form.get("book_id", "")
    with services().db.session() as session:
        books, _ = choose_book(session, caller())
    if any(b.id == chosen for b in books):
        remember_book(chosen)
    else:
        flash("That book is not one of yours.")
    return redirect(safe_next(request.form.get("next")))


def _render(
    books: list[Book],
    book: Book | None,
    creating: bool,
    values: Mapping[str, str],
    errors: FieldErrors,
) -> str:
    return render_page(
        "book.html",
        title="New book profile" if creating else "Book profile",
        books=books,
        book=book,
        creating=creating,
        asks_user=creating and g.caller.user_id is None,
        values=values,
        errors=errors,
        labels=FIELD_LABELS,
        timezones=timezone_names(),
        known_links=KNOWN_LINKS,
        recognised=recognised_rules(ops.inferred_rules(book) if book and not creating else []),
        phases=PHASES,
        assets=_assets_of(book) if book is not None and not creating else None,
        max_asset_mb=MAX_ASSET_BYTES // (1024 * 1024),
    )


def _assets_of(book: Book) -> dict[str, dict[str, Any]]:
    """The book's uploaded images by kind, as the API shows them, for the pictures section."""
    return {asset.kind: asset_to_dict(book.id, asset) for asset in book_assets(book)}


def _save(fields: ops.BookFields, book_id: str | None) -> tuple[str, list[StatedRule]]:
    """Create the book (`book_id` None) or replace its fields.

    Returns its id and the rules this save recognised in the tone and guidelines and added.
    """
    who = caller()
    with services().db.session() as session:
        if book_id is None:
            assert isinstance(fields, ops.BookCreate)
            book = ops.create_book(session, who, fields)
            return book.id, ops.inferred_rules(book)
        listed = {stated.key for stated in ops.inferred_rules(ops.get_book(session, who, book_id))}
        book = ops.replace_book(session, who, book_id, fields)
        return book_id, [s for s in ops.inferred_rules(book) if s.key not in listed]


def describe_rule(stated: StatedRule) -> str:
    """A recognised rule in a few words, for the message after a save."""
    flags = {
        "no_emoji": "no emoji",
        "no_exclamation": "no exclamation marks",
        "no_comparisons": "no comparisons with other books",
    }
    if stated.rule in flags:
        return flags[stated.rule]
    choices = {
        ("person", "i"): "posts speak as the author (I)",
        ("person", "we"): "posts speak as a team or press (we)",
        ("person", "author"): "posts speak of the author by name",
        ("formality", "formal"): "a formal voice, without contractions",
        ("formality", "neutral"): "a neutral voice",
        ("formality", "casual"): "a casual voice",
    }
    if (stated.rule, stated.value) in choices:
        return choices[(stated.rule, str(stated.value))]
    if stated.rule == "content_warning":
        return f"the content warning “{stated.value}” on Mastodon posts"
    kinds = {
        "banned_phrases": "never say",
        "banned_comparisons": "never compare it to",
        "spoilers": "never reveal",
    }
    return f"{kinds[stated.rule]} “{stated.value}”"


@dataclass
class Recognised:
    """Words of the tone or guidelines that stated a rule, and the terms they gave it."""

    words: str
    terms: list[str] = dataclass_field(default_factory=list)


def recognised_rules(stated: list[StatedRule]) -> dict[str, list[Recognised]]:
    """Per rule, the words of the tone and guidelines that stated it (with the terms each
    gave a list rule), for the marks on the form."""
    marks: dict[str, list[Recognised]] = {}
    for one in stated:
        groups = marks.setdefault(one.rule, [])
        group = next((g for g in groups if g.words == one.source), None)
        if group is None:
            group = Recognised(one.source)
            groups.append(group)
        # A choice the form shows as a select is not repeated as a term.
        if isinstance(one.value, str) and one.rule not in SELECTED_RULES:
            group.terms.append(one.value)
    return marks


def _default_values() -> dict[str, str]:
    local = g.caller.local_mode
    return {
        "timezone": "UTC",
        "language": "en",
        "human_in_loop": "on",
        "user_id": "local" if local else "",
    }


def to_form(fields: Mapping[str, Any]) -> dict[str, str]:
    """API book fields as the strings the form's inputs hold."""
    values = {name: str(fields.get(name) or "") for name in (*REQUIRED_TEXT, *OPTIONAL_TEXT)}
    links = dict(fields.get("links") or {})
    for name in KNOWN_LINKS:
        values[f"links.{name}"] = str(links.pop(name, None) or "")
    values["links.other"] = "\n".join(f"{name}: {url}" for name, url in links.items() if url)
    values["key_themes"] = ", ".join(fields.get("key_themes") or [])
    values["hashtags"] = " ".join(fields.get("hashtags") or [])
    values["quotes"] = "\n".join(fields.get("quotes") or [])
    values["reviews"] = "\n".join(
        f"{r['text']} | {r['source']}" if r.get("source") else str(r["text"])
        for r in fields.get("reviews") or []
    )
    values["timezone"] = str(fields.get("timezone") or "UTC")
    values["language"] = str(fields.get("language") or "en")
    values["human_in_loop"] = "on" if fields.get("human_in_loop", True) else ""
    rules = dict(fields.get("rules") or {})
    for flag in RULE_FLAGS:
        values[f"rules.{flag}"] = "on" if rules.get(flag) else ""
    for name in RULE_LISTS:
        values[f"rules.{name}"] = "\n".join(rules.get(name) or [])
    required = dict(rules.get("required_words") or {})
    for phase in PHASES:
        values[f"rules.required_words.{phase}"] = "\n".join(required.get(phase) or [])
    for name in SELECTED_RULES:
        values[f"rules.{name}"] = str(rules.get(name) or "")
    values["rules.content_warning"] = str(rules.get("content_warning") or "")
    return values


def from_form(form: Mapping[str, str], errors: FieldErrors) -> dict[str, Any]:
    """The API book fields for the submitted form; lines that cannot be read go to `errors`."""
    fields: dict[str, Any] = {name: form.get(name, "") for name in REQUIRED_TEXT}
    for name in OPTIONAL_TEXT:
        fields[name] = form.get(name, "").strip() or None
    fields["timezone"] = form.get("timezone", "").strip() or "UTC"
    fields["language"] = form.get("language", "").strip() or "en"
    fields["human_in_loop"] = bool(form.get("human_in_loop"))
    fields["key_themes"] = [t.strip() for t in _LIST_SPLIT.split(form.get("key_themes", ""))]
    fields["key_themes"] = [t for t in fields["key_themes"] if t]
    fields["hashtags"] = [t for t in _TAG_SPLIT.split(form.get("hashtags", "")) if t]
    fields["quotes"] = _lines(form.get("quotes", ""))
    fields["reviews"] = []
    for line in _lines(form.get("reviews", "")):
        text, _, source = line.rpartition(" | ") if " | " in line else (line, "", "")
        fields["reviews"].append({"text": text.strip(), "source": source.strip() or None})
    links: dict[str, str | None] = {
        name: form.get(f"links.{name}", "").strip() or None for name in KNOWN_LINKS
    }
    for number, line in enumerate(_lines(form.get("links.other", "")), start=1):
        match = _OTHER_LINK.match(line)
        name = re.sub(r"\W+", "_", match.group(1).strip().lower()) if match else ""
        if not match or not name or name in KNOWN_LINKS:
            errors.setdefault("links.other", []).append(
                f"line {number}: write each link as name: https://…"
            )
            continue
        links[name] = match.group(2)
    fields["links"] = links
    fields["rules"] = {
        **{flag: bool(form.get(f"rules.{flag}")) for flag in RULE_FLAGS},
        **{name: _lines(form.get(f"rules.{name}", "")) for name in RULE_LISTS},
        "required_words": {
            phase: _lines(form.get(f"rules.required_words.{phase}", "")) for phase in PHASES
        },
        **{name: form.get(f"rules.{name}", "").strip() or None for name in SELECTED_RULES},
        "content_warning": form.get("rules.content_warning", "").strip() or None,
    }
    user_id = form.get("user_id", "").strip()
    if user_id:
        fields["user_id"] = user_id
    return fields


def validation_errors(exc: ValidationError) -> FieldErrors:
    """Pydantic's errors as messages per form field, worded for people."""
    errors: FieldErrors = {}
    for item in exc.errors():
        location = [part for part in item["loc"] if part != "__root__"]
        field, prefix = _form_field(location)
        errors.setdefault(field, []).append(prefix + _friendly(item))
    return errors


def _form_field(location: list[int | str]) -> tuple[str, str]:
    """The form field of an error location (`reviews.1.text` → `reviews`, "line 2: ")."""
    if not location:
        return "body", ""
    root = str(location[0])
    if root == "rules" and len(location) > 1:
        names = [str(part) for part in location if not isinstance(part, int)]
        lines = [part for part in location if isinstance(part, int)]
        return ".".join(names), f"line {lines[0] + 1}: " if lines else ""
    if root == "links" and len(location) > 1:
        name = str(location[1])
        return (f"links.{name}", "") if name in KNOWN_LINKS else ("links.other", f"{name}: ")
    if root in _ITEM_NAMES and len(location) > 1 and isinstance(location[1], int):
        return root, f"{_ITEM_NAMES[root]} {location[1] + 1}: "
    return root, ""


def _form_field_of(dotted: str) -> str:
    parts: list[int | str] = [int(p) if p.isdigit() else p for p in dotted.split(".")]
    field, _ = _form_field(parts)
    return field


def _friendly(item: Mapping[str, Any]) -> str:
    kind, message = str(item.get("type", "")), str(item.get("msg", ""))
    context = item.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and context.get("min_length") == 1):
        return "is required"
    if kind.startswith("url_"):
        return "must be a full web address, starting with https://"
    if kind.startswith("date_"):
        return "must be a date (YYYY-MM-DD)"
    return message.removeprefix("Value error, ")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _merge(errors: FieldErrors, more: FieldErrors) -> None:
    for field, messages in more.items():
        errors.setdefault(field, []).extend(messages)
