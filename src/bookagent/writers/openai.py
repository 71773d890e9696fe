"""The OpenAI writer: one chat completion per draft, on OpenAI or any OpenAI-compatible server.

A custom `base_url` covers Ollama, vLLM, LM Studio, OpenRouter and LocalAI; those often need no
key, so a placeholder is sent. The SDK retries 429s, 5xx and connection errors itself, with
backoff that honours `Retry-After`, up to `max_retries` times; each attempt gets `timeout_s`.
Only its final error reaches us, and it is translated here into the ProviderError tree. The SDK
is built on `httpx2` (not `httpx`), so an injected client must be an `httpx2.AsyncClient`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import TracebackType

import httpx2
import openai

from bookagent.domain.ports import Draft
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import BookProfile
from bookagent.errors import ConfigurationError
from bookagent.errors import ProviderError
from bookagent.errors import ProviderRejected
from bookagent.errors import ProviderUnavailable
from bookagent.errors import RateLimited
from bookagent.writers.prompts import build_prompt
from bookagent.writers.prompts import clean_reply
from bookagent.writers.vendor import PLACEHOLDER_KEY
from bookagent.writers.vendor import finish_draft
from bookagent.writers.vendor import retry_after_s
from bookagent.writers.vendor import vendor_message

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"


class OpenAIWriter:
    """Writes drafts with a chat-completions model behind any OpenAI-compatible URL."""

    name: str = "openai"

    def __init__(
        self,
        *,
        api_key: str | None,
        model: str,
        base_url: str | None = None,
        timeout_s: float = 60.0,
        max_retries: int = 2,
        temperature: float | None = 0.8,
        max_tokens: int = 1024,
        http_client: httpx2.AsyncClient | None = None,
    ) -> None:
        """Build the SDK client; no network call is made here.

        Raises ConfigurationError when the official endpoint is used without a key, or when a
        limit is out of range. `temperature=None` leaves the model's default (some reasoning
        models accept no other). The caller keeps ownership of an injected `http_client`.
        """
        self.model = model
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._is_official = self.base_url == DEFAULT_BASE_URL
        if not model:
            raise ConfigurationError("The openai writer needs a model name.")
        if not api_key and self._is_official:
            raise ConfigurationError(
                "The openai writer needs an API key for api.openai.com: set the OpenAI API key, "
                "or point the writer's base_url at an OpenAI-compatible server such as Ollama."
            )
        if timeout_s <= 0 or max_retries < 0 or max_tokens <= 0:
            raise ConfigurationError(
                "The openai writer needs timeout_s > 0, max_retries >= 0 and max_tokens > 0."
            )
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.temperature = temperature
        self.max_tokens = max_tokens
        self._api_key = api_key or PLACEHOLDER_KEY
        self._owns_http_client = http_client is None
        # base_url and api_key are always passed, so the SDK never falls back to OPENAI_* env vars.
        self._client = openai.AsyncOpenAI(
            api_key=self._api_key,
            base_url=self.base_url,
            timeout=httpx2.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
            max_retries=max_retries,
            http_client=http_client,
        )

    def __repr__(self) -> str:
        return f"OpenAIWriter(model={self.model!r}, base_url={self.base_url!r})"

    async def write(self, book: BookProfile, constraints: WriteConstraints) -> Draft:
        """Ask the model for one post; raise a ProviderError subclass when the vendor fails."""
        prompt = build_prompt(book, constraints)
        prompt_id = prompt.hash
        logger.debug(
            "openai request book_id=%s platform=%s post_type=%s attempt=%s model=%s prompt_hash=%s",
            book.id,
            constraints.platform,
            constraints.post_type,
            constraints.attempt,
            self.model,
            prompt_id,
        )
        # The official API wants max_completion_tokens (max_tokens is deprecated and refused by
        # reasoning models); compatible servers such as Ollama only know max_tokens.
        try:
            completion = await self._client.chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": prompt.system},
                    {"role": "user", "content": prompt.user},
                ],
                temperature=openai.omit if self.temperature is None else self.temperature,
                max_completion_tokens=self.max_tokens if self._is_official else openai.omit,
                max_tokens=openai.omit if self._is_official else self.max_tokens,
            )
        except openai.OpenAIError as exc:
            error = _translate(exc, self._api_key)
            logger.warning(
                "openai write failed book_id=%s platform=%s model=%s error=%s vendor_error=%s",
                book.id,
                constraints.platform,
                self.model,
                error.code,
                type(exc).__name__,
            )
            raise error from exc

        if not completion.choices:
            raise ProviderError("openai returned no choices.")
        choice = completion.choices[0]
        if choice.message.refusal or choice.finish_reason == "content_filter":
            raise ProviderRejected("openai declined to write this post (content filter).")
        content = clean_reply(choice.message.content or "")
        if not content:
            raise ProviderError(f"openai returned an empty reply (finish={choice.finish_reason}).")
        if choice.finish_reason == "length":
            logger.warning(
                "openai reply cut at max_tokens book_id=%s platform=%s max_tokens=%s",
                book.id,
                constraints.platform,
                self.max_tokens,
            )

        model = completion.model or self.model
        usage = completion.usage
        input_tokens = usage.prompt_tokens if usage else 0
        output_tokens = usage.completion_tokens if usage else 0
        return finish_draft(
            provider=self.name,
            book=book,
            constraints=constraints,
            content=content,
            model=model,
            prompt_id=prompt_id,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            metadata={"response_id": completion.id, "finish_reason": choice.finish_reason},
        )

    async def aclose(self) -> None:
        """Close the connection pool, unless the caller injected (and so owns) the client."""
        if self._owns_http_client:
            await self._client.close()

    async def __aenter__(self) -> OpenAIWriter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _translate(exc: openai.OpenAIError, secret: str) -> ProviderError:
    """Map the SDK's final error to ours; messages carry no key and no prompt."""
    if isinstance(exc, openai.RateLimitError):
        return RateLimited(
            f"openai rate limit reached (HTTP 429{_code_suffix(exc.body)}).",
            retry_after_s=retry_after_s(exc.response.headers),
        )
    if isinstance(exc, openai.APITimeoutError):
        return ProviderUnavailable("openai did not answer in time.")
    if isinstance(exc, openai.APIConnectionError):
        return ProviderUnavailable("openai could not be reached.")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status >= 500 or status == 408:
            return ProviderUnavailable(f"openai is unavailable (HTTP {status}).")
        body = exc.body if isinstance(exc.body, Mapping) else {}
        detail = vendor_message(body.get("message"), secret)
        return ProviderRejected(
            f"openai rejected the request (HTTP {status}{_code_suffix(exc.body)})"
            + (f": {detail}" if detail else ".")
        )
    return ProviderError(f"openai failed ({type(exc).__name__}).")


def _code_suffix(body: object) -> str:
    """` invalid_api_key` from an OpenAI error body, or ""."""
    if isinstance(body, Mapping):
        code = body.get("code") or body.get("type")
        if isinstance(code, str) and code:
            return f" {code}"
    return ""
