"""The `bookagent` command (click): serve, worker, beat, db and tokens."""

from __future__ import annotations

import sys

import click

from bookagent.cli.db import db
from bookagent.cli.processes import beat
from bookagent.cli.processes import serve
from bookagent.cli.processes import worker
from bookagent.cli.tokens import tokens
from bookagent.errors import BookAgentError


@click.group()
@click.version_option(package_name="bookagent")
def cli() -> None:
    """bookagent: markets a book on its author's behalf."""


cli.add_command(serve)
cli.add_command(worker)
cli.add_command(beat)
cli.add_command(db)
cli.add_command(tokens)


def main() -> None:
    """Entry point: run the CLI; errors exit non-zero with one line, never a traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BookAgentError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(1)
