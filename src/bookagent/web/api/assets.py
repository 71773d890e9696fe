"""`/api/books/<id>/assets`: the book's cover and author photo, uploaded by the author.

POST takes multipart/form-data (`kind`, `file`) under a limit of its own (`MAX_ASSET_BYTES`
and the form's framing; every other route takes JSON of at most `web.max_body_bytes`); the
image is cleaned (`bookagent.domain.assets.clean_image`) before it is kept. GET lists the assets
or serves one image to whoever may see the book; DELETE forgets one.
"""

from __future__ import annotations

from typing import Any
from typing import Literal

from flask import Response
from flask import request
from flask_openapi3 import FileStorage
from pydantic import BaseModel
from pydantic import ConfigDict
from werkzeug.datastructures import FileStorage as UploadedFile

from bookagent.db.base import utcnow
from bookagent.domain import assets as ops
from bookagent.domain.assets import MAX_ASSET_BYTES
from bookagent.domain.assets import BookAsset
from bookagent.domain.assets import UploadTooLargeError
from bookagent.errors import InvalidInputError
from bookagent.web.api.blueprints import CREATED
from bookagent.web.api.blueprints import accepts_upload
from bookagent.web.api.blueprints import api_blueprint
from bookagent.web.api.schemas import BookPath
from bookagent.web.api.schemas import Identifier
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.envelope import ok
from bookagent.web.errors import error_response

blueprint = api_blueprint("book_assets", __name__)

#: Room for the multipart framing and the `kind` field around the file.
FORM_OVERHEAD_BYTES = 64 * 1024
Kind = Literal["cover", "author_photo"]
IMAGE_RESPONSE: dict[Any, Any] = {
    200: {
        "description": "The image",
        "content": {
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


class AssetForm(BaseModel):
    """An upload: which asset it is, and the image file (PNG, JPEG or WebP, at most 10 MB)."""

    model_config = ConfigDict(extra="ignore")

    kind: Kind
    file: FileStorage


class AssetPath(BaseModel):
    """A book id and an asset kind in the path."""

    book_id: Identifier
    kind: Kind


def asset_url(book_id: str, kind: str) -> str:
    """Where the dashboard and API clients find a book's asset."""
    return f"/api/books/{book_id}/assets/{kind}"


def asset_to_dict(book_id: str, asset: BookAsset) -> dict[str, Any]:
    """An asset as the API shows it: its stored fields and the URL of its image."""
    return {**asset.to_json(), "url": asset_url(book_id, asset.kind)}


@blueprint.get("/books/<book_id>/assets")
def list_assets(path: BookPath) -> Response:
    """The book's uploaded images: its cover and author photo, where it has them."""
    with services().db.session() as session:
        found = ops.list_assets(session, caller(), path.book_id)
    listed = [asset_to_dict(path.book_id, asset) for asset in found]
    return ok({"assets": listed, "count": len(listed)})


@blueprint.post("/books/<book_id>/assets", responses=CREATED)
@accepts_upload(MAX_ASSET_BYTES + FORM_OVERHEAD_BYTES)
def upload_asset(path: BookPath, form: AssetForm) -> Response:
    """Upload the book's cover or author photo (multipart/form-data: `kind`, `file`); it
    replaces the one of that kind the book had. 413 for a file over 10 MB."""
    svc = services()
    try:
        data = _file_bytes(form.file)
        with svc.db.session() as session:
            asset = ops.store_asset(
                session, caller(), path.book_id, form.kind, data, store=svc.media, now=utcnow()
            )
    except UploadTooLargeError as exc:
        details = [{"field": d.field, "message": d.message} for d in exc.details]
        return error_response(413, exc.message, exc.code, details)
    payload = asset_to_dict(path.book_id, asset)
    return ok({"asset": payload}, 201, {"Location": payload["url"]})


def _file_bytes(file: object) -> bytes:
    """The uploaded file's bytes, read no further than one byte past the limit."""
    if not isinstance(file, UploadedFile):
        raise InvalidInputError.for_field("file", "must be a file (multipart/form-data)")
    data = file.stream.read(MAX_ASSET_BYTES + 1)
    if len(data) > MAX_ASSET_BYTES:
        message = f"must be at most {MAX_ASSET_BYTES:,} bytes"
        raise UploadTooLargeError.for_field("file", message)
    return bytes(data)


@blueprint.get("/books/<book_id>/assets/<kind>", responses=IMAGE_RESPONSE)
def asset_image(path: AssetPath) -> Response:
    """The asset's image, with its own type (404 if the book has none of that kind)."""
    svc = services()
    with svc.db.session() as session:
        asset = ops.get_asset(session, caller(), path.book_id, path.kind)
    response = Response(
        svc.media.get(asset.key),
        mimetype=asset.mime,
        # The URL stays while an upload replaces the image: revalidate by its key (the ETag).
        headers={"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"},
    )
    response.set_etag(asset.key)
    response.make_conditional(request)  # 304 when the browser holds this image
    return response


@blueprint.delete("/books/<book_id>/assets/<kind>")
def delete_asset(path: AssetPath) -> Response:
    """Forget the book's asset of `kind` (posts that use the image keep it)."""
    with services().db.session() as session:
        ops.delete_asset(session, caller(), path.book_id, path.kind)
    return ok({"deleted": True, "book_id": path.book_id, "kind": path.kind})
