"""The BookAgentError tree: every error the domain and adapters raise on purpose.

    BookAgentError
    ├── NotFoundError
    ├── ConflictError
    ├── InvalidInputError
    ├── AuthenticationError
    ├── PermissionDeniedError
    ├── BudgetExceededError
    ├── OperationTimeoutError
    ├── ServiceUnavailableError
    ├── ConfigurationError
    └── ProviderError
        ├── ProviderUnavailable
        ├── ProviderRejected
        ├── PublishOutcomeUnknown
        └── RateLimited

Nothing here knows about HTTP: `bookagent.web.errors` owns the one map from these classes to
status codes. A class's docstring is its default message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field, as API.md's `details` lists them."""

    field: str
    message: str


class BookAgentError(Exception):
    """Something went wrong in bookagent."""

    code = "error"

    def __init__(
        self,
        message: str | None = None,
        *,
        details: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or (self.__doc__ or "").strip().splitlines()[0]
        self.details = details or []
        self.extra = extra or {}
        super().__init__(self.message)


class NotFoundError(BookAgentError):
    """The requested resource does not exist."""

    code = "not_found"


class ConflictError(BookAgentError):
    """The resource is not in a state that allows this operation."""

    code = "conflict"


class InvalidInputError(BookAgentError):
    """The request is not valid."""

    code = "invalid_input"

    @classmethod
    def for_field(cls, field: str, message: str) -> InvalidInputError:
        """An error naming one field, with the field's message as the sentence."""
        return cls(f"{field}: {message}", details=[FieldError(field, message)])


class AuthenticationError(BookAgentError):
    """A valid API token is required."""

    code = "unauthorized"


class PermissionDeniedError(BookAgentError):
    """This token may not do that."""

    code = "forbidden"


class BudgetExceededError(BookAgentError):
    """The AI budget for this month is used up."""

    code = "budget_exceeded"


class OperationTimeoutError(BookAgentError):
    """The operation timed out."""

    code = "timeout"

    def __init__(self, timeout_s: float) -> None:
        shown = int(timeout_s) if float(timeout_s).is_integer() else timeout_s
        super().__init__(f"Operation timed out after {shown} seconds", extra={"timeout_s": shown})
        self.timeout_s = timeout_s


class ServiceUnavailableError(BookAgentError):
    """A service this operation needs is unavailable."""

    code = "service_unavailable"


class ConfigurationError(BookAgentError):
    """The configuration is not valid."""

    code = "configuration_error"


class ProviderError(BookAgentError):
    """An external provider failed."""

    code = "provider_error"


class ProviderUnavailable(ProviderError):
    """The provider could not be reached."""

    code = "provider_unavailable"


class ProviderRejected(ProviderError):
    """The provider rejected the request."""

    code = "provider_rejected"


class PublishOutcomeUnknown(ProviderError):
    """The request reached the platform, but whether it created the post is unknown."""

    code = "publish_outcome_unknown"


class ThreadIncomplete(ProviderError):
    """Some posts of a thread went out and the rest did not: the post is settled by the author,
    never sent again (a second try would repeat the posts already out)."""

    code = "thread_incomplete"


class RateLimited(ProviderError):
    """The provider's rate limit was reached."""

    code = "rate_limited"

    def __init__(self, message: str | None = None, *, retry_after_s: float | None = None) -> None:
        super().__init__(message, extra={"retry_after_s": retry_after_s})
        self.retry_after_s = retry_after_s
