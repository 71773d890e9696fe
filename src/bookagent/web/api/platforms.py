"""Platform status (which publisher serves each platform) and a real, bounded connection test."""

from __future__ import annotations

from datetime import datetime

from flask import Response
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from bookagent.db.base import utcnow
from bookagent.domain import posts as post_ops
from bookagent.errors import BookAgentError
from bookagent.errors import InvalidInputError
from bookagent.errors import NotFoundError
from bookagent.platforms import normalize_platform
from bookagent.web.api.blueprints import api_blueprint
from bookagent.web.api.schemas import Identifier
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.envelope import ok

blueprint = api_blueprint("platforms", __name__)

TEST_TIMEOUT_S = 10.0


class PlatformPath(BaseModel):
    """A platform name in the path."""

    platform: Identifier


class ScheduleQuery(BaseModel):
    """The window of the schedule, and optionally one book."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    user_id: Identifier | None = None
    book_id: Identifier | None = None
    window_from: datetime | None = Field(default=None, alias="from")
    window_to: datetime | None = Field(default=None, alias="to")
    limit: int = Field(default=500, ge=1, le=2000)


@blueprint.get("/platform-status")
def platform_status() -> Response:
    """Every platform: its publisher, whether its credentials are set, and dry-run (admin)."""
    caller().require_admin("read the platforms' configuration")
    status = services().publishers.status()
    return ok(
        {
            "platform_status": {name: row["configured"] for name, row in status.items()},
            "platforms": status,
        }
    )


@blueprint.get("/test-platform/<platform>")
def test_platform(path: PlatformPath) -> Response:
    """Make a real, bounded (≤ 10 s) call to the platform's publisher (admin)."""
    caller().require_admin("test the platforms' connections")
    try:
        platform = normalize_platform(path.platform)
    except InvalidInputError:
        raise NotFoundError(f"Unknown platform {path.platform!r}.") from None
    svc = services()
    publisher = svc.publishers.for_platform(platform)
    session_made_at = None
    try:
        result = svc.runner.run(publisher.check(), TEST_TIMEOUT_S)
        success, message, session_made_at = result.ok, result.message, result.session_made_at
    except BookAgentError as exc:
        success, message = False, exc.message
    test_result = {"success": success, ("message" if success else "error"): message}
    return ok(
        {
            "platform": platform,
            "publisher": publisher.name,
            "account": publisher.account,
            "session_made_at": session_made_at.isoformat() if session_made_at else None,
            "test_result": test_result,
            "status": "connected" if success else "error",
            "api_connected": success,
            "last_test_time": utcnow().isoformat(),
        }
    )


@blueprint.get("/schedule")
def schedule(query: ScheduleQuery) -> Response:
    """Planned and past publications in a window, one row per post and platform."""
    with services().db.session() as session:
        rows = post_ops.schedule_rows(
            session,
            caller(),
            user_id=query.user_id,
            book_id=query.book_id,
            start=query.window_from,
            end=query.window_to,
            limit=query.limit,
        )
    return ok({"schedule": rows, "count": len(rows)})
