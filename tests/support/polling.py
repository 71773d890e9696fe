"""Waiting for a condition without wall-clock assertions: poll until true or a generous limit."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    probe: Callable[[], T | None],
    timeout_s: float = 30.0,
    every_s: float = 0.05,
    what: str = "condition",
) -> T:
    """Call `probe` until it returns something truthy; raise after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every_s)
