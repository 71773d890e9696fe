"""The Anthropic writer: one Messages API call per draft, through Anthropic's SDK.

The SDK retries 429s, 5xx (529 "overloaded" included) and connection errors itself, with backoff
that honours `Retry-After`, up to `max_retries` times; each attempt gets `timeout_s`. Its final
error is translated here into the ProviderError tree. A custom `base_url` (a gateway or proxy)
may go without a key. The SDK is built on `httpx2` and refuses `httpx` objects, so an injected
client must be an `httpx2.AsyncClient`.
"""

from __future__ import annotations

import logging
from types import TracebackType

import anthropic
import httpx2
from anthropic.types import TextBlock

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

DEFAULT_BASE_URL = "https://api.anthropic.com"


class AnthropicWriter:
    """Writes drafts with a Claude model through the Messages API."""

    name: str = "anthropic"

    def __init__(
        self,
        *,
        api_key: str | None,
        model: str,
        base_url: str | None = None,
        timeout_s: float = 60.0,
        max_retries: int = 2,
        max_tokens: int = 1024,
        http_client: httpx2.AsyncClient | None = None,
    ) -> None:
        """Build the SDK client; no network call is made here.

        Raises ConfigurationError when api.anthropic.com is used without a key, or when a limit
        is out of range. The caller keeps ownership of an injected `http_client`.
        """
        self.model = model
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        if not model:
            raise ConfigurationError("The anthropic writer needs a model name.")
        if not api_key and self.base_url == DEFAULT_BASE_URL:
            raise ConfigurationError(
                "The anthropic writer needs an API key for api.anthropic.com: set the Anthropic "
                "API key in the writer settings."
            )
        if timeout_s <= 0 or max_retries < 0 or max_tokens <= 0:
            raise ConfigurationError(
                "The anthropic writer needs timeout_s > 0, max_retries >= 0 and max_tokens > 0."
            )
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.max_tokens = max_tokens
        self._api_key = api_key or PLACEHOLDER_KEY
        self._owns_http_client = http_client is None
        # An explicit api_key and base_url keep the SDK from reading ANTHROPIC_* env vars or
        # credential profiles on disk: settings.py is the only reader of the environment.
        self._client = anthropic.AsyncAnthropic(
            api_key=self._api_key,
            base_url=self.base_url,
            timeout=httpx2.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
            max_retries=max_retries,
            http_client=http_client,
        )

    def __repr__(self) -> str:
        return f"AnthropicWriter(model={self.model!r}, base_url={self.base_url!r})"

    async def write(self, book: BookProfile, constraints: WriteConstraints) -> Draft:
        """Ask the model for one post; raise a ProviderError subclass when the vendor fails."""
        prompt = build_prompt(book, constraints)
        prompt_id = prompt.hash
        logger.debug(
            "anthropic request book_id=%s platform=%s post_type=%s attempt=%s model=%s "
            "prompt_hash=%s",
            book.id,
            constraints.platform,
            constraints.post_type,
            constraints.attempt,
            self.model,
            prompt_id,
        )
        try:
            message = await self._client.messages.create(
                model=self.model,
                max_tokens=self.max_tokens,
                system=prompt.system,
                messages=[{"role": "user", "content": prompt.user}],
            )
        except anthropic.AnthropicError as exc:
            error = _translate(exc, self._api_key)
            logger.warning(
                "anthropic write failed book_id=%s platform=%s model=%s error=%s vendor_error=%s",
                book.id,
                constraints.platform,
                self.model,
                error.code,
                type(exc).__name__,
            )
            raise error from exc

        if message.stop_reason == "refusal":
            raise ProviderRejected("anthropic declined to write this post (refusal).")
        text = "".join(block.text for block in message.content if isinstance(block, TextBlock))
        content = clean_reply(text)
        if not content:
            raise ProviderError(f"anthropic returned an empty reply (stop={message.stop_reason}).")
        if message.stop_reason == "max_tokens":
            logger.warning(
                "anthropic reply cut at max_tokens book_id=%s platform=%s max_tokens=%s",
                book.id,
                constraints.platform,
                self.max_tokens,
            )

        model = str(message.model) or self.model
        input_tokens = message.usage.input_tokens
        output_tokens = message.usage.output_tokens
        return finish_draft(
            provider=self.name,
            book=book,
            constraints=constraints,
            content=content,
            model=model,
            prompt_id=prompt_id,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            metadata={"response_id": message.id, "stop_reason": message.stop_reason},
        )

    async def aclose(self) -> None:
        """Close the connection pool, unless the caller injected (and so owns) the client."""
        if self._owns_http_client:
            await self._client.close()

    async def __aenter__(self) -> AnthropicWriter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _translate(exc: anthropic.AnthropicError, secret: str) -> ProviderError:
    """Map the SDK's final error to ours; messages carry no key and no prompt."""
    if isinstance(exc, anthropic.RateLimitError):
        return RateLimited(
            f"anthropic rate limit reached (HTTP 429{_code_suffix(exc)}).",
            retry_after_s=retry_after_s(exc.response.headers),
        )
    if isinstance(exc, anthropic.APITimeoutError):
        return ProviderUnavailable("anthropic did not answer in time.")
    if isinstance(exc, anthropic.APIConnectionError):
        return ProviderUnavailable("anthropic could not be reached.")
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        if status >= 500 or status == 408:
            return ProviderUnavailable(f"anthropic is unavailable (HTTP {status}).")
        detail = vendor_message(exc.api_message, secret)
        return ProviderRejected(
            f"anthropic rejected the request (HTTP {status}{_code_suffix(exc)})"
            + (f": {detail}" if detail else ".")
        )
    return ProviderError(f"anthropic failed ({type(exc).__name__}).")


def _code_suffix(exc: anthropic.APIStatusError) -> str:
    """` authentication_error` from the error body, or ""."""
    code = exc.error_code or exc.type
    return f" {code}" if code else ""
