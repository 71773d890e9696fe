"""Long-running processes: `serve` (gunicorn), `worker` (Celery) and `beat` (Celery beat)."""

from __future__ import annotations

import os

import click

from bookagent.settings import Settings
from bookagent.settings import describe_unknown
from bookagent.settings import load_settings
from bookagent.settings import unknown_variables


def settings_for_process() -> Settings:
    """The settings, after a warning on stderr naming any `BOOKAGENT_*` variable that no
    setting reads (a misspelt name would otherwise be ignored without a word)."""
    unknown = unknown_variables(os.environ)
    if unknown:
        click.echo(f"warning: ignored, no setting reads: {describe_unknown(unknown)}", err=True)
    return load_settings()


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: PORT or 5000).")
@click.option("--workers", type=int, default=None, help="gunicorn worker processes.")
@click.option("--threads", type=int, default=None, help="Threads per worker (gthread).")
@click.option("--no-migrate", is_flag=True, help="Do not upgrade the database schema first.")
def serve(
    host: str | None, port: int | None, workers: int | None, threads: int | None, no_migrate: bool
) -> None:
    """Serve the API with gunicorn (gthread workers)."""
    from bookagent.web.server import run_server

    settings = settings_for_process()
    run_server(
        settings,
        host=host or settings.web.host,
        port=port or settings.web.port,
        workers=workers or settings.web.gunicorn_workers,
        threads=threads or settings.web.gunicorn_threads,
        migrate=not no_migrate,
    )


@click.command()
@click.option("--concurrency", type=int, default=None, help="Default: CELERY_CONCURRENCY.")
@click.option("--loglevel", default=None, help="Default: CELERY_LOG_LEVEL.")
@click.option("--pool", default="prefork", show_default=True, help="Celery pool.")
@click.option("--hostname", default=None, help="Worker node name (celery -n).")
def worker(concurrency: int | None, loglevel: str | None, pool: str, hostname: str | None) -> None:
    """Start a Celery worker for the bookagent queue."""
    from bookagent.bootstrap import build_worker_app
    from bookagent.queue.worker import run_worker

    settings = settings_for_process()
    run_worker(
        settings,
        build_worker_app,
        concurrency=concurrency or settings.queue.concurrency,
        loglevel=loglevel or settings.queue.log_level,
        pool=pool,
        hostname=hostname,
    )


@click.command()
@click.option("--loglevel", default=None, help="Default: CELERY_LOG_LEVEL.")
def beat(loglevel: str | None) -> None:
    """Start Celery beat; only the holder of the beat lock schedules (others wait)."""
    from bookagent.bootstrap import build_worker_app
    from bookagent.queue.worker import run_beat

    settings = settings_for_process()
    run_beat(settings, build_worker_app, loglevel=loglevel or settings.queue.log_level)
