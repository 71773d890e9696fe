"""Task management: status, active list, revoke, stats and the diagnostics task."""

from __future__ import annotations

from typing import Annotated
from typing import Any

from flask import Response
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from bookagent.queue import operations as ops
from bookagent.queue.documents import active_json
from bookagent.queue.documents import task_json
from bookagent.states import RUNNING_TASK_STATES
from bookagent.web.api.blueprints import QUEUED
from bookagent.web.api.blueprints import api_blueprint
from bookagent.web.api.schemas import Identifier
from bookagent.web.api.schemas import UserQuery
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.envelope import ok

blueprint = api_blueprint("tasks", __name__)


class TaskPath(BaseModel):
    """A task id in the path."""

    task_id: Identifier


class RevokeBody(BaseModel):
    """Revoke options: `terminate` stops a running task too."""

    model_config = ConfigDict(extra="ignore")

    terminate: bool = False


class DiagnosticsBody(BaseModel):
    """A diagnostics run: N steps of a given length, optionally failing at the end."""

    model_config = ConfigDict(extra="ignore")

    steps: Annotated[int, Field(ge=1, le=1000)] = 5
    step_seconds: Annotated[float, Field(ge=0, le=60)] = 0.5
    fail: bool = False


def queued(status: str, task_id: str, message: str, **extra: Any) -> Response:
    """202 with the task id and a Location header pointing at its status."""
    return ok(
        {"status": status, "task_id": task_id, "message": message, **extra},
        202,
        {"Location": f"/api/task-status/{task_id}"},
    )


@blueprint.get("/task-status/<task_id>")
def task_status(path: TaskPath) -> Response:
    """A task's status, progress, result or error (404 for an unknown id)."""
    return ok(task_json(ops.get_task(services(), caller(), path.task_id)))


@blueprint.get("/tasks/active")
def active_tasks(query: UserQuery) -> Response:
    """Tasks not finished yet; a user sees their own, an admin everyone's."""
    rows = ops.list_active(services(), caller(), query.user_id)
    return ok({"active_tasks": [active_json(r) for r in rows], "count": len(rows)})


@blueprint.post("/tasks/revoke/<task_id>")
def revoke_task(path: TaskPath, body: RevokeBody) -> Response:
    """Revoke a task: a pending one never runs; with terminate, a running one stops."""
    row, previous = ops.revoke_task(services(), caller(), path.task_id, terminate=body.terminate)
    running = previous in RUNNING_TASK_STATES
    return ok(
        {
            "result": {
                "task_id": row.id,
                "revoked": True,
                "status": "revoked",
                "terminated": bool(body.terminate and running),
                "previous_status": previous,
            }
        }
    )


@blueprint.get("/tasks/stats")
def task_stats() -> Response:
    """Queue statistics across every user (admin; answers within 2 s from a cache)."""
    caller().require_admin("read the queue's statistics")
    return ok(ops.task_stats(services()))


@blueprint.post("/tasks/diagnostics", responses=QUEUED)
def diagnostics(body: DiagnosticsBody) -> Response:
    """Queue a diagnostics task (admin only; anyone in local mode)."""
    who = caller()
    who.require_admin("run diagnostics")
    task_id = ops.submit_task(
        services(),
        "bookagent.run_diagnostics",
        {"steps": body.steps, "step_seconds": body.step_seconds, "fail": body.fail},
        user_id=who.user_id,
    )
    return queued("diagnostics_queued", task_id, f"Running {body.steps} diagnostic steps.")
