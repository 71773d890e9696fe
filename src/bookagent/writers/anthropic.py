"""The Anthropic writer: one Messages API call per draft, through Anthropic's SDK.

The SDK retries 429s, 5xx (529 "overloaded" included) and connection errors itself, with backoff
that honours `Retry-After`, up to `max_retries` times; each attempt gets `timeout_s`. Its final
error is translated by `LLMWriter` into the ProviderError tree. A custom `base_url` (a gateway or
proxy) may go without a key. The SDK is built on `httpx2` and refuses `httpx` objects, so an
injected client must be an `httpx2.AsyncClient`."""

from __future__ import annotations

import logging
from typing import Any

import anthropic
from anthropic.types import Message
from anthropic.types import TextBlock

from bookagent.errors import ProviderError
from bookagent.errors import ProviderRejected
from bookagent.writers.llm import LLMWriter
from bookagent.writers.llm import Reply
from bookagent.writers.llm import SdkErrors
from bookagent.writers.prompts import Prompt
from bookagent.writers.prompts import clean_reply

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.anthropic.com"


class AnthropicWriter(LLMWriter[Message, anthropic.APIStatusError]):
    """Writes drafts with a Claude model through the Messages API."""

    name: str = "anthropic"
    default_base_url = DEFAULT_BASE_URL
    missing_key_hint = "set the Anthropic API key in the writer settings."
    sdk_errors = SdkErrors.of(anthropic, base=anthropic.AnthropicError)
    log = logger
    _client: anthropic.AsyncAnthropic

    def _connect(self, **options: Any) -> anthropic.AsyncAnthropic:
        # With api_key and base_url given, the SDK reads no ANTHROPIC_* env vars and no
        # credential profiles on disk.
        return anthropic.AsyncAnthropic(**options)

    async def _create(self, prompt: Prompt) -> Message:
        return await self._client.messages.create(
            model=self.model,
            max_tokens=self.max_tokens,
            system=prompt.system,
            messages=[{"role": "user", "content": prompt.user}],
        )

    def _read(self, response: Message) -> Reply:
        if response.stop_reason == "refusal":
            raise ProviderRejected("anthropic declined to write this post (refusal).")
        text = "".join(block.text for block in response.content if isinstance(block, TextBlock))
        content = clean_reply(text)
        if not content:
            raise ProviderError(f"anthropic returned an empty reply (stop={response.stop_reason}).")
        return Reply(
            content=content,
            model=str(response.model) or self.model,
            input_tokens=response.usage.input_tokens,
            output_tokens=response.usage.output_tokens,
            metadata={"response_id": response.id, "stop_reason": response.stop_reason},
            cut=response.stop_reason == "max_tokens",
        )

    def _error_code(self, exc: anthropic.APIStatusError) -> str | None:
        """`authentication_error` from the error body, or None."""
        return exc.error_code or exc.type

    def _error_message(self, exc: anthropic.APIStatusError) -> object:
        return exc.api_message
