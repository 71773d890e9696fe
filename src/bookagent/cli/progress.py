"""Following a task to its end: poll its status and feed a rich progress bar with its progress.

A task that fails or is revoked ends the command with one error line. Ctrl-C stops the waiting
(exit 130) and says how to pick the task up again; on a server the task keeps running.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.progress import BarColumn
from rich.progress import MofNCompleteColumn
from rich.progress import Progress
from rich.progress import SpinnerColumn
from rich.progress import TextColumn
from rich.progress import TimeElapsedColumn

from bookagent.cli import output
from bookagent.cli.client import FINISHED_STATUSES
from bookagent.cli.client import JSON
from bookagent.cli.client import ClientError
from bookagent.states import TaskState

if TYPE_CHECKING:
    from bookagent.cli.http_client import HttpClient

POLL_INTERVAL_S = 0.25


def follow_task(
    client: HttpClient, task_id: str, label: str, poll_s: float = POLL_INTERVAL_S
) -> JSON:
    """Show the task's progress until it finishes; return its final status (SUCCESS only)."""
    columns = (
        SpinnerColumn(finished_text="✓"),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[message]}", markup=False),
        TimeElapsedColumn(),
    )
    console = output.stderr()
    try:
        if not console.is_terminal:
            # Not a terminal: the bar is drawn once, at the end; say now what we wait for.
            output.note(f"Waiting for task {task_id} ({label.lower()})...")
        with Progress(*columns, console=console) as bar:
            handle = bar.add_task(label, total=None, message="queued")
            while True:
                status = client.task_status(task_id)
                progress = status.get("progress") or {}
                total = int(progress.get("total") or 0) or None
                current = int(progress.get("current") or 0)
                if status["status"] == TaskState.SUCCESS:
                    # Finished means done: a task without progress reports still shows 1/1.
                    total = total or 1
                    current = total
                bar.update(
                    handle,
                    total=total,
                    completed=current,
                    message=progress.get("message") or status["status"].lower(),
                )
                if status["status"] in FINISHED_STATUSES:
                    break
                time.sleep(poll_s)
    except KeyboardInterrupt:
        if not client.is_local:
            output.note(
                f"Stopped waiting; task {task_id} goes on. "
                f"Follow it with: bookagent tasks show {task_id} --wait"
            )
        raise
    return check_finished(status)


def check_finished(status: JSON) -> JSON:
    """The status of a successful task; ClientError for a failed or revoked one."""
    task_id = status["task_id"]
    if status["status"] == TaskState.FAILURE:
        error = status.get("error") or {}
        raise ClientError(
            f"task {task_id} failed: {error.get('type') or 'Error'}: "
            f"{error.get('message') or 'no message'}"
        )
    if status["status"] == TaskState.REVOKED:
        raise ClientError(f"task {task_id} was revoked before it finished")
    return status
