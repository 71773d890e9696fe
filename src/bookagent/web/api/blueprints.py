"""How every /api blueprint is made, so the OpenAPI document lists what each route can answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import TypeVar

from flask_openapi3 import APIBlueprint
from flask_openapi3 import Tag
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field


class _SchemaOnce(BaseModel):
    """A response model whose JSON schema is computed once per set of arguments.

    flask-openapi3 asks for a response model's schema for every route and status as the route is
    declared: ErrorBody's ~500 times (14 statuses on 36 routes), a quarter of a second of the
    API's import. Each caller gets its own copy.
    """

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        key = (cls, args, tuple(sorted(kwargs.items())))
        schema = _SCHEMAS.get(key)
        if schema is None:
            schema = _SCHEMAS[key] = super().model_json_schema(*args, **kwargs)
        copied: dict[str, Any] = _copy_json(schema)
        return copied


_SCHEMAS: dict[tuple[Any, ...], dict[str, Any]] = {}


def _copy_json(value: Any) -> Any:
    # A JSON schema holds dicts, lists and scalars only: this copies it several times faster
    # than copy.deepcopy, which spent 60 ms of the API's import on ~550 copies.
    if isinstance(value, dict):
        return {key: _copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_json(item) for item in value]
    return value


class FieldProblem(BaseModel):
    """One invalid field."""

    field: str
    message: str


class ErrorBody(_SchemaOnce):
    """API.md's error shape, for every error status."""

    success: bool = False
    error: str
    code: str
    details: list[FieldProblem] = Field(default_factory=list)


class SuccessBody(_SchemaOnce):
    """API.md's success envelope; each route adds its own keys."""

    model_config = ConfigDict(extra="allow")

    success: bool
    timestamp: str


ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 502, 503, 504)
QUEUED: dict[Any, Any] = {202: SuccessBody}
CREATED: dict[Any, Any] = {201: SuccessBody}

F = TypeVar("F", bound=Callable[..., Any])
_UPLOAD_BYTES = "bookagent_upload_max_bytes"


def accepts_upload(max_bytes: int) -> Callable[[F], F]:
    """Mark a view as taking a multipart/form-data upload of at most `max_bytes` in all.

    The app's body check (JSON only, at most `web.max_body_bytes`) steps aside for such a body
    and sets this limit instead (see `bookagent.web.app`). Put it below the route decorator.
    """

    def mark(view: F) -> F:
        setattr(view, _UPLOAD_BYTES, max_bytes)  # copied onto the route's wrapper by its @wraps
        return view

    return mark


def upload_limit(view: object) -> int | None:
    """The upload limit `accepts_upload` set on a view (None: the view takes JSON only)."""
    limit = getattr(view, _UPLOAD_BYTES, None)
    return limit if isinstance(limit, int) else None


def api_blueprint(name: str, import_name: str, *, public: bool = False) -> APIBlueprint:
    """An /api blueprint whose routes document the success envelope and every error status."""
    responses: dict[Any, Any] = {200: SuccessBody, **dict.fromkeys(ERROR_STATUSES, ErrorBody)}
    return APIBlueprint(
        name,
        import_name,
        url_prefix="/api",
        abp_tags=[Tag(name=name)],
        abp_security=[] if public else [{"bearer": []}],
        abp_responses=responses,
    )
