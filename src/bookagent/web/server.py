"""Production serving: gunicorn with gthread workers, each building its own app after fork."""

from __future__ import annotations

import logging
import os
import shutil
from typing import Any

from gunicorn.app.base import BaseApplication

from bookagent.bootstrap import build_database
from bookagent.bootstrap import build_services
from bookagent.db import migrate
from bookagent.logs import configure_logging
from bookagent.settings import Settings
from bookagent.web.exposure import check_listen_address

log = logging.getLogger(__name__)


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured from Settings instead of a config file."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from bookagent.web.app import create_app

        return create_app(services=build_services(self.settings))


def _worker_exit(server: Any, worker: Any) -> None:
    # SIGTERM: stop taking tasks, wait the grace period, then mark what remains.
    app = getattr(worker, "wsgi", None)
    services = getattr(app, "extensions", {}).get("bookagent") if app is not None else None
    if services is not None:
        services.close()


def run_server(
    settings: Settings, *, host: str, port: int, workers: int, threads: int, migrate: bool = True
) -> None:
    """Migrate (by default), check the listen address, then run gunicorn."""
    configure_logging(settings.log_level)
    # The app decides local mode and the trusted hosts by the address it really listens on.
    settings = settings.model_copy(
        update={"web": settings.web.model_copy(update={"host": host, "port": port})}
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate:
        migrate_schema(settings)
    database = build_database(settings)
    try:
        check_listen_address(host, settings, database)
    finally:
        database.dispose()
    _prepare_multiprocess_metrics(settings)
    binds = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    if settings.web.metrics_bind:
        binds.append(settings.web.metrics_bind)
        log.info("serving /metrics without a token on http://%s", settings.web.metrics_bind)
    options = {
        "bind": binds,
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 120,
        "graceful_timeout": int(settings.queue.shutdown_grace_s) + 5,
        "accesslog": "-",
        "worker_exit": _worker_exit,
        "child_exit": _child_exit,
    }
    log.info("serving on http://%s:%s (%s workers x %s threads)", host, port, workers, threads)
    GunicornServer(settings, options).run()


def _prepare_multiprocess_metrics(settings: Settings) -> None:
    # gunicorn workers each count requests; prometheus-client aggregates them through files in
    # this directory, which must be empty when the server starts.
    # https://prometheus.github.io/client_python/multiprocess/
    directory = settings.data_dir / "prometheus"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(directory))
    # prometheus-client picks its value class when it is imported, which (through
    # bookagent.web) happened before the variable was set: pick again, so the metrics' children,
    # made in the workers after the fork, write to the directory.
    from prometheus_client import values

    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]


def _child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def migrate_schema(settings: Settings) -> None:
    """Bring the schema up to date."""
    migrate.upgrade(settings.database_url)
