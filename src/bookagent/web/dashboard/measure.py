"""`POST /api/posts/measure`: a draft's length in its platform's unit, and what would block it.

The approval queue's live counter calls this (debounced) while the author edits. With a
`post_id` the text gets exactly the check that saving it would run (`domain.posts.check_edit`:
limits, grounding in the book's facts, near-duplicates on its platform and, unless the post is
cross-posted, on the others); with a `platform` and a `book_id` it is checked the same way as a
new post of that book; with only a `platform` it gets the platform's length limits. A Mastodon
post's content warning (the post's own, or for a new post the book's) counts toward its length
and heads its preview, as Mastodon shows it.
"""

from __future__ import annotations

from typing import Annotated
from typing import Any

from flask import Response
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StringConstraints
from pydantic import model_validator

from bookagent.db.base import utcnow
from bookagent.domain import books as book_ops
from bookagent.domain import posts as post_ops
from bookagent.domain.content_warnings import book_warning
from bookagent.domain.content_warnings import post_warning
from bookagent.domain.profile import AuthorRules
from bookagent.domain.validation import limit_violations
from bookagent.domain.violation import ValidationReport
from bookagent.errors import InvalidInputError
from bookagent.platforms import PlatformRules
from bookagent.platforms import normalize_platform
from bookagent.platforms import preview
from bookagent.platforms.content_warning import with_content_warning
from bookagent.platforms.threads import post_size
from bookagent.web.api.blueprints import api_blueprint
from bookagent.web.api.schemas import Identifier
from bookagent.web.context import caller
from bookagent.web.context import services
from bookagent.web.envelope import ok

blueprint = api_blueprint("post_measure", __name__)

Content = Annotated[str, StringConstraints(max_length=70000)]


class MeasureBody(BaseModel):
    """The text to measure, and either the post it would replace or its platform."""

    model_config = ConfigDict(extra="ignore")

    content: Content
    post_id: Identifier | None = None
    platform: str | None = None
    book_id: Identifier | None = Field(
        default=None,
        description="With platform: check the text as a new post of this book (its facts and "
        "recent posts), not only against the platform's limits.",
    )
    cross_posted: bool | None = Field(
        default=None,
        description="Check as if the post were (or were not) marked as a cross-post; by "
        "default, as the post is marked (a new post: not).",
    )

    @model_validator(mode="after")
    def _post_or_platform(self) -> MeasureBody:
        if self.post_id is None and not self.platform:
            raise ValueError("give post_id (to check an edit) or platform")
        if self.platform:
            try:
                self.platform = normalize_platform(self.platform)
            except InvalidInputError as exc:
                raise ValueError(exc.details[0].message if exc.details else exc.message) from None
        return self


@blueprint.post("/posts/measure")
def measure_post(body: MeasureBody) -> Response:
    """The measured length, limit and unit of a draft, whether it may be saved, why not, and
    its preview on the platform."""
    svc = services()
    if body.post_id is None:
        assert body.platform is not None  # the validator asks for one of the two
        rules = svc.rules(body.platform)
        if body.book_id is None:
            report = check_length(rules, body.content)
            return ok(
                {
                    "platform": body.platform,
                    **_report_json(report, rules),
                    "preview": preview(rules.name, body.content, rules).to_dict(),
                }
            )
        with svc.db.session() as session:
            book = book_ops.get_book(session, caller(), body.book_id)
            report = post_ops.check_text(
                session, book, body.content, rules, utcnow(), cross_posted=bool(body.cross_posted)
            )
            warning = book_warning(AuthorRules.of(book.rules), rules.name)
            shown = with_content_warning(preview(rules.name, body.content, rules), warning, rules)
            return ok(
                {
                    "platform": body.platform,
                    "book_id": book.id,
                    **_report_json(report, rules),
                    "preview": shown.to_dict(),
                }
            )
    with svc.db.session() as session:
        post = post_ops.get_post(session, caller(), body.post_id)
        rules = svc.rules(post.platform)
        marked = post.cross_posted if body.cross_posted is None else body.cross_posted
        report = post_ops.check_edit(
            session, post, body.content, rules, utcnow(), cross_posted=marked
        )
        shown = with_content_warning(
            preview(rules.name, body.content, rules), post_warning(post), rules
        )
        return ok(
            {
                "platform": post.platform,
                "post_id": post.id,
                **_report_json(report, rules),
                "preview": shown.to_dict(),
            }
        )


def check_length(rules: PlatformRules, content: str) -> ValidationReport:
    """The platform's length and byte limits only (no book to check facts against)."""
    size = post_size(rules, content)
    found = tuple(limit_violations(rules, content, size))
    return ValidationReport(not found, size.length, rules.max_length, found, rules.unit, size.size)


def _report_json(report: ValidationReport, rules: PlatformRules) -> dict[str, Any]:
    return {**report.to_dict(), "max_bytes": rules.max_bytes}
