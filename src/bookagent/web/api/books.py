"""`/api/books`: the book profile resource (list, create, get, replace, patch, delete)."""

from __future__ import annotations

from flask import Response
from flask import request

from bookagent.domain import books as ops
from bookagent.errors import InvalidInputError
from bookagent.web.api.blueprints import CREATED
from bookagent.web.api.blueprints import api_blueprint
from bookagent.web.api.schemas import BookPath
from bookagent.web.api.schemas import UserQuery
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.envelope import ok

blueprint = api_blueprint("books", __name__)


@blueprint.get("/books")
def list_books(query: UserQuery) -> Response:
    """List the caller's books (an admin sees every book, or one user's)."""
    with services().db.session() as session:
        rows = ops.list_books(session, caller(), query.user_id)
        return ok({"books": [ops.book_to_dict(b) for b in rows], "count": len(rows)})


@blueprint.post("/books", responses=CREATED)
def create_book(body: ops.BookCreate) -> Response:
    """Create a book profile."""
    with services().db.session() as session:
        book = ops.create_book(session, caller(), body)
        payload = ops.book_to_dict(book)
    return ok({"book": payload}, 201, {"Location": f"/api/books/{payload['id']}"})


@blueprint.get("/books/<book_id>")
def get_book(path: BookPath) -> Response:
    """One book profile."""
    with services().db.session() as session:
        return ok({"book": ops.book_to_dict(ops.get_book(session, caller(), path.book_id))})


@blueprint.put("/books/<book_id>")
def replace_book(path: BookPath, body: ops.BookFields) -> Response:
    """Replace a book profile."""
    with services().db.session() as session:
        book = ops.replace_book(session, caller(), path.book_id, body)
        return ok({"book": ops.book_to_dict(book)})


@blueprint.patch("/books/<book_id>")
def patch_book(path: BookPath) -> Response:
    """Change some fields of a book profile; the result is validated as a whole."""
    changes = request.get_json()
    if not isinstance(changes, dict):
        raise InvalidInputError.for_field("body", "must be a JSON object")
    with services().db.session() as session:
        book = ops.patch_book(session, caller(), path.book_id, changes)
        return ok({"book": ops.book_to_dict(book)})


@blueprint.delete("/books/<book_id>")
def delete_book(path: BookPath) -> Response:
    """Delete a book and its posts, runs and reports."""
    with services().db.session() as session:
        ops.delete_book(session, caller(), path.book_id)
    return ok({"deleted": True, "book_id": path.book_id})
