"""What the LLM writers share at the vendor edge: safe error text, retry-after, the final Draft."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from bookagent.domain.ports import Draft
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import BookProfile
from bookagent.platforms.hashtags import post_entities
from bookagent.writers.pricing import cost_usd

logger = logging.getLogger(__name__)

PLACEHOLDER_KEY = "not-needed"  # keyless local servers ignore it, but the SDKs insist on one
_KEY_LIKE = re.compile(r"\b(?:sk|rk|pk|key)-[\w*-]{6,}")


def vendor_message(message: object, secret: str) -> str:
    """The vendor's human message, shortened and with anything key-like removed."""
    if not isinstance(message, str) or not message:
        return ""
    if secret and secret != PLACEHOLDER_KEY:
        message = message.replace(secret, "[redacted]")
    message = _KEY_LIKE.sub("[redacted]", " ".join(message.split()))
    return message if len(message) <= 200 else message[:199] + "…"


def retry_after_s(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            seconds = float(millis) / 1000
        except ValueError:
            seconds = math.nan
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def finish_draft(
    *,
    provider: str,
    book: BookProfile,
    constraints: WriteConstraints,
    content: str,
    model: str,
    prompt_id: str,
    input_tokens: int,
    output_tokens: int,
    metadata: Mapping[str, Any],
) -> Draft:
    """The Draft of a reply, with its cost; logs the usage (never the prompt or the key)."""
    cost = cost_usd(model, input_tokens, output_tokens)
    logger.info(
        "%s draft book_id=%s platform=%s post_type=%s model=%s input_tokens=%s "
        "output_tokens=%s cost_usd=%.6f prompt_hash=%s",
        provider,
        book.id,
        constraints.platform,
        constraints.post_type,
        model,
        input_tokens,
        output_tokens,
        cost,
        prompt_id,
    )
    hashtags, links = post_entities(constraints.platform, content)
    return Draft(
        content=content,
        platform=constraints.platform,
        post_type=constraints.post_type,
        provider=provider,
        model=model,
        prompt_hash=prompt_id,
        hashtags=hashtags,
        links=links,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=cost,
        metadata={**metadata, "attempt": constraints.attempt},
    )
