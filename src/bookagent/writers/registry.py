"""Which writers this deployment can use, built lazily from Settings (one instance per name).

The LLM writers hold async clients bound to the process's one event loop (`AsyncRunner`), so
they are only ever awaited there. Each writer's module (and the LLM writers' vendor SDKs) is
imported when that writer is first built, not with this module: the API starts without them.
"""

from __future__ import annotations

import threading

from bookagent.domain.ports import ContentWriter
from bookagent.errors import InvalidInputError
from bookagent.settings import Settings

WRITER_NAMES = ("template", "openai", "anthropic")


class WriterRegistry:
    """Hands out the configured writers by name; `None` means the configured default."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings.writers
        self._writers: dict[str, ContentWriter] = {}
        self._lock = threading.Lock()

    def is_configured(self, name: str) -> bool:
        """Whether `name` has what it needs (the template writer always has)."""
        s = self._settings
        if name == "openai":
            return bool(s.openai_api_key and s.openai_api_key.get_secret_value()) or bool(
                s.openai_base_url
            )
        if name == "anthropic":
            return bool(s.anthropic_api_key and s.anthropic_api_key.get_secret_value())
        return name == "template"

    def get(self, name: str | None = None) -> ContentWriter:
        """The writer called `name` (default: BOOKAGENT_WRITER); 422 if it is not configured."""
        name = name or self._settings.default
        if name not in WRITER_NAMES:
            raise InvalidInputError.for_field(
                "provider", f"must be one of {', '.join(WRITER_NAMES)}"
            )
        if not self.is_configured(name):
            need = "OPENAI_API_KEY or OPENAI_BASE_URL" if name == "openai" else "ANTHROPIC_API_KEY"
            raise InvalidInputError.for_field("provider", f"{name} is not configured: set {need}")
        with self._lock:
            if name not in self._writers:
                self._writers[name] = self._build(name)
            return self._writers[name]

    def _build(self, name: str) -> ContentWriter:
        s = self._settings
        if name == "openai":
            from bookagent.writers.openai import OpenAIWriter

            return OpenAIWriter(
                api_key=s.openai_api_key.get_secret_value() if s.openai_api_key else None,
                base_url=s.openai_base_url,
                model=s.openai_model,
                timeout_s=s.timeout_s,
                max_retries=s.max_retries,
            )
        if name == "anthropic":
            from bookagent.writers.anthropic import AnthropicWriter

            return AnthropicWriter(
                api_key=s.anthropic_api_key.get_secret_value() if s.anthropic_api_key else None,
                model=s.anthropic_model,
                timeout_s=s.timeout_s,
                max_retries=s.max_retries,
            )
        from bookagent.writers.template import TemplateWriter

        return TemplateWriter()
