"""The one `write` flow of the SDK-backed writers (OpenAI, Anthropic), as a template method.

`LLMWriter` holds every rule the vendor writers share: the checks of their settings, the SDK
client's options, the request and failure logs, the translation of the SDK's final error into the
ProviderError tree, the warning for a reply cut at `max_tokens`, the Draft, and closing the
client. A subclass names its SDK (`sdk_errors`, its client) and says how to ask (`_create`), how to
read the answer (`_read`) and where its error bodies keep their code and message.
"""

from __future__ import annotations

import logging
from abc import ABC
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from types import TracebackType
from typing import Any
from typing import Generic
from typing import Protocol
from typing import Self
from typing import TypeVar
from urllib.parse import urlsplit

import httpx2

from bookagent.domain.ports import Draft
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import BookProfile
from bookagent.errors import ConfigurationError
from bookagent.errors import ProviderError
from bookagent.errors import ProviderRejected
from bookagent.errors import ProviderUnavailable
from bookagent.errors import RateLimited
from bookagent.writers.prompts import Prompt
from bookagent.writers.prompts import build_prompt
from bookagent.writers.vendor import PLACEHOLDER_KEY
from bookagent.writers.vendor import finish_draft
from bookagent.writers.vendor import retry_after_s
from bookagent.writers.vendor import vendor_message


class SdkStatusError(Protocol):
    """What the SDKs' `APIStatusError` offers: the HTTP answer and its status."""

    response: httpx2.Response
    status_code: int


class _SdkClient(Protocol):
    async def close(self) -> None: ...


StatusErrorT = TypeVar("StatusErrorT", bound=SdkStatusError)
ResponseT = TypeVar("ResponseT")


@dataclass(frozen=True)
class SdkErrors(Generic[StatusErrorT]):
    """An SDK's error classes, by what each proves; `base` is the root of them all."""

    base: type[Exception]
    rate_limited: type[StatusErrorT]
    timed_out: type[Exception]
    unreachable: type[Exception]
    status: type[StatusErrorT]

    @classmethod
    def of(cls, sdk: ModuleType, base: type[Exception]) -> SdkErrors[Any]:
        """The classes of an SDK generated the way OpenAI's and Anthropic's are (same names)."""
        return cls(
            base=base,
            rate_limited=sdk.RateLimitError,
            timed_out=sdk.APITimeoutError,
            unreachable=sdk.APIConnectionError,
            status=sdk.APIStatusError,
        )


@dataclass(frozen=True)
class Reply:
    """A vendor's answer, read: the post's text, who wrote it, what it cost and how it ended."""

    content: str
    model: str
    input_tokens: int
    output_tokens: int
    metadata: Mapping[str, Any]
    cut: bool = False  # stopped at max_tokens


class LLMWriter(ABC, Generic[ResponseT, StatusErrorT]):
    """Writes drafts through a vendor SDK; subclasses supply the vendor's request and reply."""

    name: str
    default_base_url: str
    missing_key_hint: str  # what to do when the default endpoint has no key
    sdk_errors: SdkErrors[StatusErrorT]
    log: logging.Logger  # the subclass module's logger, so its records keep the vendor's name
    _client: _SdkClient

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
        """Check the settings and build the SDK client; no network call is made here.

        Raises ConfigurationError for a missing model, a missing key on the vendor's own endpoint
        (any other `base_url` may go without one: a placeholder is sent, as the SDKs insist on a
        key), or a limit out of range. The caller keeps ownership of an injected `http_client`.
        """
        self.model = model
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self._is_official = self.base_url == self.default_base_url
        if not model:
            raise ConfigurationError(f"The {self.name} writer needs a model name.")
        if not api_key and self._is_official:
            host = urlsplit(self.default_base_url).hostname
            raise ConfigurationError(
                f"The {self.name} writer needs an API key for {host}: {self.missing_key_hint}"
            )
        if timeout_s <= 0 or max_retries < 0 or max_tokens <= 0:
            raise ConfigurationError(
                f"The {self.name} writer needs timeout_s > 0, max_retries >= 0 and max_tokens > 0."
            )
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.max_tokens = max_tokens
        self._api_key = api_key or PLACEHOLDER_KEY
        self._owns_http_client = http_client is None
        # An explicit api_key and base_url keep the SDK from reading its vendor's env vars (or
        # credential files on disk): settings.py is the only reader of the environment.
        self._client = self._connect(
            api_key=self._api_key,
            base_url=self.base_url,
            timeout=httpx2.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
            max_retries=max_retries,
            http_client=http_client,
        )

    @abstractmethod
    def _connect(self, **options: Any) -> _SdkClient:
        """The vendor's SDK client, built from these options (no network call)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r}, base_url={self.base_url!r})"

    async def write(self, book: BookProfile, constraints: WriteConstraints) -> Draft:
        """Ask the model for one post; raise a ProviderError subclass when the vendor fails."""
        prompt = build_prompt(book, constraints)
        prompt_id = prompt.hash
        self.log.debug(
            "%s request book_id=%s platform=%s post_type=%s attempt=%s model=%s prompt_hash=%s",
            self.name,
            book.id,
            constraints.platform,
            constraints.post_type,
            constraints.attempt,
            self.model,
            prompt_id,
        )
        try:
            response = await self._create(prompt)
        except self.sdk_errors.base as exc:
            error = self._translate(exc)
            self.log.warning(
                "%s write failed book_id=%s platform=%s model=%s error=%s vendor_error=%s",
                self.name,
                book.id,
                constraints.platform,
                self.model,
                error.code,
                type(exc).__name__,
            )
            raise error from exc

        reply = self._read(response)
        if reply.cut:
            self.log.warning(
                "%s reply cut at max_tokens book_id=%s platform=%s max_tokens=%s",
                self.name,
                book.id,
                constraints.platform,
                self.max_tokens,
            )
        return finish_draft(
            provider=self.name,
            book=book,
            constraints=constraints,
            content=reply.content,
            model=reply.model,
            prompt_id=prompt_id,
            input_tokens=reply.input_tokens,
            output_tokens=reply.output_tokens,
            metadata=reply.metadata,
        )

    @abstractmethod
    async def _create(self, prompt: Prompt) -> ResponseT:
        """Make the one SDK call for `prompt` (SDK errors propagate)."""

    @abstractmethod
    def _read(self, response: ResponseT) -> Reply:
        """The reply in `response`; raise ProviderRejected or ProviderError when it has none."""

    @abstractmethod
    def _error_code(self, exc: StatusErrorT) -> str | None:
        """The machine code of an error answer (`invalid_api_key`), if it has one."""

    @abstractmethod
    def _error_message(self, exc: StatusErrorT) -> object:
        """The vendor's human message of an error answer, as found (it is cleaned later)."""

    def _translate(self, exc: Exception) -> ProviderError:
        """Map the SDK's final error to ours; messages carry no key and no prompt."""
        name, errors = self.name, self.sdk_errors
        if isinstance(exc, errors.rate_limited):
            return RateLimited(
                f"{name} rate limit reached (HTTP 429{self._code_suffix(exc)}).",
                retry_after_s=retry_after_s(exc.response.headers),
            )
        if isinstance(exc, errors.timed_out):
            return ProviderUnavailable(f"{name} did not answer in time.")
        if isinstance(exc, errors.unreachable):
            return ProviderUnavailable(f"{name} could not be reached.")
        if isinstance(exc, errors.status):
            status = exc.status_code
            if status >= 500 or status == 408:
                return ProviderUnavailable(f"{name} is unavailable (HTTP {status}).")
            detail = vendor_message(self._error_message(exc), self._api_key)
            return ProviderRejected(
                f"{name} rejected the request (HTTP {status}{self._code_suffix(exc)})"
                + (f": {detail}" if detail else ".")
            )
        return ProviderError(f"{name} failed ({type(exc).__name__}).")

    def _code_suffix(self, exc: StatusErrorT) -> str:
        code = self._error_code(exc)
        return f" {code}" if code else ""

    async def aclose(self) -> None:
        """Close the connection pool, unless the caller injected (and so owns) the client."""
        if self._owns_http_client:
            await self._client.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
