"""Who owns a task row: `host:pid:backend` names, and whether that process is still alive."""

from __future__ import annotations

import os
import socket


def owner_id(backend: str) -> str:
    """This process's owner name for rows it runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{backend}"


def is_owner_dead(worker: str | None) -> bool:
    """True when `worker` names a process on this host that no longer exists."""
    if not worker:
        return False
    parts = worker.split(":")
    if len(parts) < 2 or parts[0] != socket.gethostname():
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
