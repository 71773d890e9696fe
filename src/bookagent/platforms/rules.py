"""Per-platform posting rules, loaded once from the packaged `limits.json` data file.

The data file holds the default limit, its unit, link and hashtag rules, where each value came
from and when it was last checked. Callers layer per-account overrides on top (a Mastodon
instance's `max_characters`, a paid X tier, a wider Instagram hashtag cap) through `get_rules`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any
from typing import Literal

from bookagent.errors import ConfigurationError
from bookagent.errors import InvalidInputError

Unit = Literal["weighted", "graphemes", "characters", "code_points"]
UNITS: tuple[Unit, ...] = ("weighted", "graphemes", "characters", "code_points")
SUPPORTED_PLATFORMS: tuple[str, ...] = (
    "twitter", "facebook", "instagram", "pinterest", "mastodon", "bluesky", "threads", "linkedin",
)  # fmt: skip


@dataclass(frozen=True)
class PlatformRules:
    """What a post on one platform must respect; lengths are in `unit` (see `measure`).

    `url_length` is set where every URL counts a fixed length (X, Mastodon); `emoji_as_bytes`
    where an emoji counts its UTF-8 byte length (Threads). `max_media` images may go with a post
    (at least one where `requires_media`), each of at most `max_media_bytes`.
    """

    name: str
    max_length: int
    unit: Unit
    max_bytes: int | None
    url_length: int | None
    hashtags_min: int
    hashtags_max: int
    max_links: int | None
    requires_media: bool
    links_clickable: bool
    source: str
    verified_on: date
    emoji_as_bytes: bool = False
    max_media: int = 4
    max_media_bytes: int | None = None


_FIELDS = {f.name for f in dataclasses.fields(PlatformRules)}


@cache
def _load() -> tuple[dict[str, PlatformRules], dict[str, str]]:
    """Read limits.json once; the aliases map lower-case alias -> canonical name."""
    raw = json.loads(resources.files(__package__).joinpath("limits.json").read_text("utf-8"))
    table = {name: _from_mapping(name, data) for name, data in raw["platforms"].items()}
    aliases = {alias.lower(): canonical for alias, canonical in raw["aliases"].items()}
    if tuple(table) != SUPPORTED_PLATFORMS:
        raise ConfigurationError(f"limits.json lists {', '.join(table)}, not the supported set")
    return table, aliases


def _from_mapping(name: str, data: Mapping[str, Any]) -> PlatformRules:
    """Build rules from one platform's JSON object; unknown keys (like `notes`) are ignored."""
    values = {key: value for key, value in data.items() if key in _FIELDS}
    values["name"] = name
    values["verified_on"] = date.fromisoformat(str(values["verified_on"]))
    return _checked(PlatformRules(**values))


def _checked(rules: PlatformRules) -> PlatformRules:
    """Reject rules no post could satisfy, so a bad override fails loudly and early."""
    problems = []
    if rules.unit not in UNITS:
        problems.append(f"unit must be one of {', '.join(UNITS)}")
    if rules.max_length <= 0:
        problems.append("max_length must be positive")
    if not 0 <= rules.hashtags_min <= rules.hashtags_max:
        problems.append("need 0 <= hashtags_min <= hashtags_max")
    if rules.max_bytes is not None and rules.max_bytes <= 0:
        problems.append("max_bytes must be positive")
    if rules.max_media < (1 if rules.requires_media else 0):
        problems.append("max_media must allow the image a post requires")
    if problems:
        raise InvalidInputError.for_field(f"platform_rules.{rules.name}", "; ".join(problems))
    return rules


def normalize_platform(name: str) -> str:
    """The canonical platform name for `name` (case-insensitive; `x` is `twitter`).

    Raises InvalidInputError naming the `platforms` field when the platform is unknown.
    """
    table, aliases = _load()
    key = name.strip().lower()
    key = aliases.get(key, key)
    if key not in table:
        supported = ", ".join(sorted([*table, *aliases]))
        raise InvalidInputError.for_field(
            "platforms", f"unknown platform {name!r}; supported: {supported}"
        )
    return key


def get_rules(name: str, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> PlatformRules:
    """The rules for platform `name`, with `overrides[canonical_name]` replacing fields.

    Example: `get_rules("mastodon", {"mastodon": {"max_length": 1000}})`.
    """
    canonical = normalize_platform(name)
    rules = _load()[0][canonical]
    changes = dict((overrides or {}).get(canonical, {}))
    if not changes:
        return rules
    unknown = sorted(key for key in changes if key not in _FIELDS or key == "name")
    if unknown:
        raise InvalidInputError.for_field(
            f"platform_rules.{canonical}", f"unknown rule field(s): {', '.join(unknown)}"
        )
    if isinstance(changes.get("verified_on"), str):
        changes["verified_on"] = date.fromisoformat(changes["verified_on"])
    return _checked(dataclasses.replace(rules, **changes))
