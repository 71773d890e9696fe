"""The tasks page: what runs now (with progress and a revoke button) and what finished lately."""

from __future__ import annotations

from bookagent.queue import operations as queue_ops
from bookagent.queue.documents import active_json
from bookagent.queue.documents import task_json
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.dashboard.page import render_page

RECENT_TASKS = 20


def tasks_page() -> str:
    """Active tasks (kept current by the page's script) and the most recent finished ones."""
    svc, who = services(), caller()
    active = [active_json(row) for row in queue_ops.list_active(svc, who, None)]
    recent = [task_json(row) for row in queue_ops.list_recent(svc, who, RECENT_TASKS)]
    return render_page(
        "tasks.html",
        title="Tasks",
        active=active,
        recent=recent,
        backend=svc.require_queue().backend,
    )
