"""The baseline: a plain Celery app on the same Redis, and a bare Flask app in front of it.

Nothing of bookagent is imported here. The worker runs it as
`celery -A benchmarks.raw_celery_app:app worker -Q raw --pool=prefork -c 2`, and gunicorn serves
`benchmarks.raw_celery_app:create_bare_app()`. Both read the Redis URL from `BENCH_REDIS_URL`.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.result import AsyncResult
from flask import Flask
from flask import jsonify
from flask import request
from flask.typing import ResponseReturnValue

RAW_QUEUE = "raw"
NOOP_TASK = "raw.noop"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"


def make_raw_app(redis_url: str) -> Celery:
    """A Celery app with Celery's defaults, a Redis result backend and one no-op task."""
    celery = Celery("raw", broker=redis_url, backend=redis_url)
    celery.conf.update(
        task_default_queue=RAW_QUEUE,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
    )

    @celery.task(name=NOOP_TASK, shared=False)  # type: ignore[untyped-decorator]
    def noop(**_kwargs: Any) -> None:
        """Do nothing."""

    return celery


# The Celery command line needs a module-level app; creating one opens no connection.
app = make_raw_app(os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))


def create_bare_app() -> Flask:
    """The thinnest Flask front end: one route that sends a task, one that reads its state."""
    flask_app = Flask(__name__)
    noop = app.tasks[NOOP_TASK]

    @flask_app.post("/bare/submit")
    def submit() -> ResponseReturnValue:
        result = noop.apply_async(kwargs=request.get_json(silent=True) or {})
        return jsonify({"task_id": result.id}), 202

    @flask_app.get("/bare/status/<task_id>")
    def status(task_id: str) -> ResponseReturnValue:
        return jsonify({"task_id": task_id, "state": AsyncResult(task_id, app=app).state})

    return flask_app
