"""A post's content warning: the book's (`AuthorRules.content_warning`), given to every Mastodon
post written for it, kept with the post, changed or cleared per post, and counted with its text.

A post keeps its warning in `generation_metadata["content_warning"]`, so changing the book's rule
later changes no post already written. Its text is written and checked against the platform's
rules less the warning's length (`rules_with_warning`); a report on it is then shown as the
platform counts, the warning included (`counted_with_warning`), so its length and limit read
like the platform's own counter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from bookagent.db.models import Post
from bookagent.domain.profile import MAX_WARNING_CHARS
from bookagent.domain.profile import AuthorRules
from bookagent.domain.violation import ValidationReport
from bookagent.domain.violation import Violation
from bookagent.errors import InvalidInputError
from bookagent.platforms import PlatformRules
from bookagent.platforms.content_warning import carries_warning
from bookagent.platforms.content_warning import warning_length

#: Where a post keeps its warning.
WARNING_KEY = "content_warning"


def book_warning(rules: AuthorRules, platform: str) -> str | None:
    """The warning a new post of the book on `platform` carries: the author's, where the
    platform has a warning field."""
    return rules.content_warning if carries_warning(platform) else None


def post_warning(post: Post) -> str | None:
    """The warning the post carries, or None."""
    value = (post.generation_metadata or {}).get(WARNING_KEY)
    return value if isinstance(value, str) and value and carries_warning(post.platform) else None


def metadata_with_warning(metadata: Mapping[str, Any], warning: str | None) -> dict[str, Any]:
    """`metadata` holding `warning` (none: without the key)."""
    kept = {key: value for key, value in metadata.items() if key != WARNING_KEY}
    return {**kept, WARNING_KEY: warning} if warning else kept


@dataclass(frozen=True)
class WarningEdit:
    """A new warning for one post: `text`, or None to clear it."""

    text: str | None

    @classmethod
    def of(cls, platform: str, text: str | None) -> WarningEdit:
        """The edit of a post on `platform`; InvalidInputError naming `content_warning` if the
        platform has no warning field (even to clear one) or the text is too long. Blank text
        clears it."""
        cleaned = (text or "").strip() or None
        if not carries_warning(platform):
            raise InvalidInputError.for_field(
                "content_warning", f"only Mastodon posts carry one, not {platform} posts"
            )
        if cleaned is not None and len(cleaned) > MAX_WARNING_CHARS:
            raise InvalidInputError.for_field(
                "content_warning", f"must be at most {MAX_WARNING_CHARS} characters"
            )
        return cls(cleaned)


def counted_with_warning(
    report: ValidationReport, rules: PlatformRules, warning: str | None
) -> ValidationReport:
    """`report` on a text checked against `rules_with_warning(rules, warning)`, as the platform
    counts: the warning in its length and limit, and in the words of a `too_long` reason."""
    taken = warning_length(rules, warning)
    if not taken:
        return report
    length, limit = report.measured_length + taken, report.limit + taken
    violations = tuple(
        Violation(
            "too_long",
            f"{length} {report.unit or rules.unit} with the content warning's {taken} is over "
            f"the {rules.name} limit of {limit}.",
        )
        if v.code == "too_long"
        else v
        for v in report.violations
    )
    return replace(report, measured_length=length, limit=limit, violations=violations)
