"""Logging, configured once per process, with the request id and task id on every record."""

from __future__ import annotations

import logging
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
task_id_var: ContextVar[str] = ContextVar("task_id", default="-")

FORMAT = "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s task=%(task_id)s] %(message)s"


class ContextFilter(logging.Filter):
    """Stamps `request_id` and `task_id` on every record (redash's CurrentJobFilter idea)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.task_id = task_id_var.get()
        return True


def configure_logging(level: str = "INFO") -> None:
    """Configure the root logger once; later calls only adjust the level."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    if any(isinstance(f, ContextFilter) for h in root.handlers for f in h.filters):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
