"""The `bookagent` command (click).

Processes and administration: serve, worker, beat, db, tokens. The client commands (book,
generate, posts, tasks, autonomous, report, metrics) talk to a running server over HTTP, or
with `--local` to the same app run inside the command. Every failure ends with one line on
stderr, never a traceback.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from bookagent.cli.client import ClientError
from bookagent.cli.connection import group_options
from bookagent.errors import BookAgentError

#: The exit status of a command stopped with Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


#: Each command and where it lives: a module loads when its command runs (or help lists it),
#: so `bookagent serve` does not import the client commands (nor they the server).
COMMANDS = {
    "serve": "bookagent.cli.processes:serve",
    "worker": "bookagent.cli.processes:worker",
    "beat": "bookagent.cli.processes:beat",
    "db": "bookagent.cli.db:db",
    "tokens": "bookagent.cli.tokens:tokens",
    "doctor": "bookagent.cli.doctor:doctor",
    "book": "bookagent.cli.book:book",
    "generate": "bookagent.cli.generate:generate",
    "posts": "bookagent.cli.posts:posts",
    "tasks": "bookagent.cli.tasks:tasks",
    "autonomous": "bookagent.cli.autonomous:autonomous",
    "report": "bookagent.cli.report:report",
    "metrics": "bookagent.cli.metrics:metrics",
}


class BookAgentGroup(click.Group):
    """A group that loads its commands on use and turns bookagent's errors and Ctrl-C into one
    line and an exit status."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, _, name = COMMANDS[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BookAgentError as exc:
            raise ClientError(exc.message) from None
        except SQLAlchemyError as exc:
            first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            reason = first[0] if first else type(exc).__name__
            raise ClientError(f"database error: {reason}") from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(INTERRUPTED) from None


@click.group(cls=BookAgentGroup, epilog="Connection options also work after a command's name.")
@click.version_option(package_name="bookagent")
@group_options
def cli() -> None:
    """bookagent: markets a book on its author's behalf."""


def main() -> None:
    """Entry point: run the CLI; errors exit non-zero with one line, never a traceback."""
    try:
        status = cli.main(standalone_mode=False)
    except click.exceptions.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):
            click.echo("Interrupted.", err=True)
            sys.exit(INTERRUPTED)
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BookAgentError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(INTERRUPTED)
    # Without standalone mode click returns an `Exit`'s status instead of exiting.
    sys.exit(status if isinstance(status, int) else 0)
