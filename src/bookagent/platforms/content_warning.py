"""Content warnings: the line Mastodon shows in place of a post, with the text behind a fold.

Mastodon (a status's `spoiler_text`) is the only supported platform with a free-text warning
field. It counts the warning's characters toward the status limit together with the text
(`StatusLengthValidator` joins the two), so a post that carries one has that much less room:
`rules_with_warning` gives the rules its text is written and checked against.
https://docs.joinmastodon.org/methods/statuses/#create
https://github.com/mastodon/mastodon/blob/main/app/validators/status_length_validator.rb
"""

from __future__ import annotations

import dataclasses

from bookagent.platforms.measure import measure
from bookagent.platforms.preview import Preview
from bookagent.platforms.rules import PlatformRules

#: The platforms whose posts can carry a content warning.
WARNING_PLATFORMS = frozenset({"mastodon"})
#: What Mastodon's web app shows on the fold of a post behind a content warning.
WARNING_MORE_LABEL = "Show more"


def carries_warning(platform: str) -> bool:
    """Whether a post on `platform` can carry a content warning."""
    return platform in WARNING_PLATFORMS


def warning_length(rules: PlatformRules, warning: str | None) -> int:
    """What `warning` counts toward the limit of a post on `rules`' platform, in its unit: 0
    where the platform has no warning. Counted as written, without the text's fixed URL length
    (Mastodon shortens links in the text only)."""
    if not warning or not carries_warning(rules.name):
        return 0
    return measure(rules.name, warning, dataclasses.replace(rules, url_length=None))


def rules_with_warning(rules: PlatformRules, warning: str | None) -> PlatformRules:
    """`rules` for the text of a post that carries `warning`: its length limit less what the
    warning counts (at least 1, so a warning that fills the limit leaves a limit no text meets
    rather than an invalid one)."""
    taken = warning_length(rules, warning)
    if not taken:
        return rules
    return dataclasses.replace(rules, max_length=max(1, rules.max_length - taken))


def with_content_warning(shown: Preview, warning: str | None, rules: PlatformRules) -> Preview:
    """`shown` (the post's preview) as its platform shows it behind `warning`: the warning line,
    all the text folded behind "Show more", and the length counting the warning as the platform
    does. Unchanged where there is no warning or the platform has none."""
    if not warning or not carries_warning(rules.name):
        return shown
    return dataclasses.replace(
        shown,
        content_warning=warning,
        shown=(),
        folded=(*shown.shown, *shown.folded),
        more_label=WARNING_MORE_LABEL,
        length=shown.length + warning_length(rules, warning),
    )
