"""Pydantic models shared by several API resources (path and query parameters)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import StringConstraints

Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


class BookPath(BaseModel):
    """A book id in the path."""

    book_id: Identifier


class UserQuery(BaseModel):
    """An optional `user_id` (and the legacy `app_id`) in the query string."""

    model_config = ConfigDict(extra="ignore")

    user_id: Identifier | None = None
    app_id: str | None = None


class BookRef(UserQuery):
    """Which book: `book_id`, or the user's only book."""

    book_id: Identifier | None = None
