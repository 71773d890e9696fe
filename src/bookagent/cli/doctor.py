"""`bookagent doctor`: a verdict per part of the deployment; exits 1 if any part fails."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from bookagent.bootstrap import build_base_services
from bookagent.settings import load_settings

STYLE = {"ok": "green", "warn": "yellow", "fail": "red"}


@click.command()
def doctor() -> None:
    """Check configuration, database, broker, workers, scheduler and publishers."""
    from bookagent.doctor import run_checks

    settings = load_settings()
    services = build_base_services(settings)
    try:
        verdicts = run_checks(services)
    finally:
        services.close(grace_s=0)
    table = Table(title="bookagent doctor")
    for column in ("item", "verdict", "detail"):
        table.add_column(column)
    for verdict in verdicts:
        style = STYLE[verdict.status]
        table.add_row(verdict.item, f"[{style}]{verdict.status.upper()}[/{style}]", verdict.detail)
    Console(width=120).print(table)
    failed = [v.item for v in verdicts if v.status == "fail"]
    if failed:
        raise click.ClickException(f"{len(failed)} item(s) failed: {', '.join(failed)}")
