"""The usage guide documents every setting, so the docs cannot fall behind the code."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from bookagent.settings import LEGACY_ENV
from bookagent.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


def variables(model: type[BaseModel] = Settings, prefix: str = "BOOKAGENT_") -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += variables(annotation, f"{prefix}{name.upper()}__")
        else:
            names.append(f"{prefix}{name.upper()}")
    return names


def test_the_guide_lists_every_variable_and_legacy_name() -> None:
    guide = (ROOT / "docs" / "ASYNC_GUIDE.md").read_text()
    missing = [v for v in [*variables(), *LEGACY_ENV] if f"`{v}`" not in guide]
    assert missing == []
