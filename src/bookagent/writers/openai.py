"""The OpenAI writer: one chat completion per draft, on OpenAI or any OpenAI-compatible server.

A custom `base_url` covers Ollama, vLLM, LM Studio, OpenRouter and LocalAI; those often need no
key, so a placeholder is sent. The SDK retries 429s, 5xx and connection errors itself, with
backoff that honours `Retry-After`, up to `max_retries` times; each attempt gets `timeout_s`.
Only its final error reaches us, and `LLMWriter` translates it into the ProviderError tree. The SDK
is built on `httpx2` (not `httpx`), so an injected client must be an `httpx2.AsyncClient`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import openai
from openai.types.chat import ChatCompletion

from bookagent.errors import ProviderError
from bookagent.errors import ProviderRejected
from bookagent.writers.llm import LLMWriter
from bookagent.writers.llm import Reply
from bookagent.writers.llm import SdkErrors
from bookagent.writers.prompts import Prompt
from bookagent.writers.prompts import clean_reply

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"


class OpenAIWriter(LLMWriter[ChatCompletion, openai.APIStatusError]):
    """Writes drafts with a chat-completions model behind any OpenAI-compatible URL."""

    name: str = "openai"
    default_base_url = DEFAULT_BASE_URL
    missing_key_hint = (
        "set the OpenAI API key, or point the writer's base_url at an OpenAI-compatible server "
        "such as Ollama."
    )
    sdk_errors = SdkErrors.of(openai, base=openai.OpenAIError)
    log = logger
    _client: openai.AsyncOpenAI

    def __init__(self, *, temperature: float | None = 0.8, **options: Any) -> None:
        """Build the SDK client (`LLMWriter`'s options); no network call is made here.

        `temperature=None` leaves the model's default (some reasoning models accept no other).
        """
        super().__init__(**options)
        self.temperature = temperature

    def _connect(self, **options: Any) -> openai.AsyncOpenAI:
        # base_url and api_key are always passed, so the SDK never falls back to OPENAI_* env vars.
        return openai.AsyncOpenAI(**options)

    async def _create(self, prompt: Prompt) -> ChatCompletion:
        # The official API wants max_completion_tokens (max_tokens is deprecated and refused by
        # reasoning models); compatible servers such as Ollama only know max_tokens.
        return await self._client.chat.completions.create(
            model=self.model,
            messages=[
                {"role": "system", "content": prompt.system},
                {"role": "user", "content": prompt.user},
            ],
            temperature=openai.omit if self.temperature is None else self.temperature,
            max_completion_tokens=self.max_tokens if self._is_official else openai.omit,
            max_tokens=openai.omit if self._is_official else self.max_tokens,
        )

    def _read(self, response: ChatCompletion) -> Reply:
        if not response.choices:
            raise ProviderError("openai returned no choices.")
        choice = response.choices[0]
        if choice.message.refusal or choice.finish_reason == "content_filter":
            raise ProviderRejected("openai declined to write this post (content filter).")
        content = clean_reply(choice.message.content or "")
        if not content:
            raise ProviderError(f"openai returned an empty reply (finish={choice.finish_reason}).")
        usage = response.usage
        return Reply(
            content=content,
            model=response.model or self.model,
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
            metadata={"response_id": response.id, "finish_reason": choice.finish_reason},
            cut=choice.finish_reason == "length",
        )

    def _error_code(self, exc: openai.APIStatusError) -> str | None:
        """`invalid_api_key` from an OpenAI error body, or None."""
        body = exc.body
        if isinstance(body, Mapping):
            code = body.get("code") or body.get("type")
            if isinstance(code, str) and code:
                return code
        return None

    def _error_message(self, exc: openai.APIStatusError) -> object:
        body = exc.body if isinstance(exc.body, Mapping) else {}
        return body.get("message")
