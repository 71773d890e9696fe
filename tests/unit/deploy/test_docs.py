"""The usage guide documents every setting, so the docs cannot fall behind the code."""

from __future__ import annotations

from pathlib import Path

from bookagent.settings import LEGACY_ENV
from bookagent.settings import variable_names

ROOT = Path(__file__).resolve().parents[3]


def test_the_guide_lists_every_variable_and_legacy_name() -> None:
    guide = (ROOT / "docs" / "ASYNC_GUIDE.md").read_text()
    missing = [v for v in [*variable_names(), *LEGACY_ENV] if f"`{v}`" not in guide]
    assert missing == []
