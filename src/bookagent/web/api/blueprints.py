"""How every /api blueprint is made, so the OpenAPI document lists what each route can answer."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint
from flask_openapi3 import Tag
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field


class FieldProblem(BaseModel):
    """One invalid field."""

    field: str
    message: str


class ErrorBody(BaseModel):
    """API.md's error shape, for every error status."""

    success: bool = False
    error: str
    code: str
    details: list[FieldProblem] = Field(default_factory=list)


class SuccessBody(BaseModel):
    """API.md's success envelope; each route adds its own keys."""

    model_config = ConfigDict(extra="allow")

    success: bool
    timestamp: str


ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 502, 503, 504)
QUEUED: dict[Any, Any] = {202: SuccessBody}
CREATED: dict[Any, Any] = {201: SuccessBody}


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
