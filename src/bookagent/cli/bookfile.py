"""Reading a book profile from a YAML or JSON file, validated by the API's own model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bookagent.cli.client import JSON
from bookagent.cli.client import ClientError
from bookagent.domain.books import BookCreate

JSON_SUFFIXES = (".json",)
YAML_SUFFIXES = (".yaml", ".yml")


def parse_document(path: Path) -> Any:
    """The file's data: JSON or YAML by extension, else by content (YAML reads JSON too)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ClientError(f"{path}: cannot read it: {exc}") from None
    is_json = path.suffix.lower() in JSON_SUFFIXES or (
        path.suffix.lower() not in YAML_SUFFIXES and raw.lstrip().startswith("{")
    )
    if is_json:
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ClientError(f"{path}: not valid JSON: {exc}") from None
    try:
        return yaml.safe_load(raw)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ClientError(f"{path}: not valid YAML: {exc.problem or exc.context}{where}") from None
    except yaml.YAMLError as exc:
        raise ClientError(f"{path}: not valid YAML: {exc}") from None


def load_book_file(path: Path) -> JSON:
    """The book profile in `path`, validated like `POST /api/books`, as JSON-ready values.

    Raises ClientError naming the file and every invalid field, on one line.
    """
    data = parse_document(path)
    if not isinstance(data, dict):
        raise ClientError(f"{path}: expected a mapping of book fields, found {_kind(data)}")
    try:
        book = BookCreate.model_validate(data)
    except ValidationError as exc:
        raise ClientError(f"{path}: {describe(exc)}") from None
    return book.model_dump(mode="json", exclude_unset=True)


def describe(exc: ValidationError) -> str:
    """Pydantic's errors as `field: message; field: message`."""
    problems = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "book"
        problems.append(f"{field}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(problems)


def _kind(data: Any) -> str:
    return "nothing" if data is None else f"a {type(data).__name__}"
