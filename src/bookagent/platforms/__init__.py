"""Platform rules and text measurement: limits per platform, counting in each platform's unit,
hashtags as each platform parses them, and a preview of a post as its platform shows it."""

from __future__ import annotations

from bookagent.platforms.escape import escape_linkedin_little
from bookagent.platforms.hashtags import hashtags
from bookagent.platforms.hashtags import is_portable_tag
from bookagent.platforms.measure import count_bytes
from bookagent.platforms.measure import count_graphemes
from bookagent.platforms.measure import extract_hashtags
from bookagent.platforms.measure import extract_urls
from bookagent.platforms.measure import measure
from bookagent.platforms.preview import LinkCard
from bookagent.platforms.preview import MediaPlaceholder
from bookagent.platforms.preview import Preview
from bookagent.platforms.preview import Span
from bookagent.platforms.preview import preview
from bookagent.platforms.rules import SUPPORTED_PLATFORMS
from bookagent.platforms.rules import UNITS
from bookagent.platforms.rules import PlatformRules
from bookagent.platforms.rules import Unit
from bookagent.platforms.rules import get_rules
from bookagent.platforms.rules import normalize_platform

__all__ = [
    "SUPPORTED_PLATFORMS",
    "UNITS",
    "LinkCard",
    "MediaPlaceholder",
    "PlatformRules",
    "Preview",
    "Span",
    "Unit",
    "count_bytes",
    "count_graphemes",
    "escape_linkedin_little",
    "extract_hashtags",
    "extract_urls",
    "get_rules",
    "hashtags",
    "is_portable_tag",
    "measure",
    "normalize_platform",
    "preview",
]
