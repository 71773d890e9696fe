"""The context a task function takes: the domain's `TaskContext` over this process's `Services`.

Task modules import it from here (under TYPE_CHECKING) rather than from the queue, which builds
it: tasks may use the queue, the queue never uses the tasks.
"""

from __future__ import annotations

from typing import TypeAlias

from bookagent.domain.tasks import TaskContext as _TaskContext
from bookagent.services import Services

TaskContext: TypeAlias = _TaskContext[Services]
