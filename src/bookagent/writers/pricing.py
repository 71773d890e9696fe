"""List prices of the hosted models, so every draft can record what it cost.

Prices are USD per million tokens, as published on https://openai.com/api/pricing and
https://www.anthropic.com/pricing (standard tier, no batch or cache discounts), transcribed by
hand in 2025-11 and never fetched live: check them when a vendor changes its price list. A model
that is not in the table (a local Ollama or vLLM model, a fine-tune, a new release) costs 0.0, so
spend reports understate rather than invent; `find_price` tells the two cases apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class ModelPrice:
    """USD per million input and output tokens."""

    input_per_mtok: float
    output_per_mtok: float


PRICES: Mapping[str, ModelPrice] = MappingProxyType(
    {
        # OpenAI
        "gpt-4o-mini": ModelPrice(0.15, 0.60),
        "gpt-4o": ModelPrice(2.50, 10.00),
        "gpt-4.1-nano": ModelPrice(0.10, 0.40),
        "gpt-4.1-mini": ModelPrice(0.40, 1.60),
        "gpt-4.1": ModelPrice(2.00, 8.00),
        "gpt-5-nano": ModelPrice(0.05, 0.40),
        "gpt-5-mini": ModelPrice(0.25, 2.00),
        "gpt-5": ModelPrice(1.25, 10.00),
        "o4-mini": ModelPrice(1.10, 4.40),
        "o3": ModelPrice(2.00, 8.00),
        "gpt-3.5-turbo": ModelPrice(0.50, 1.50),
        # Anthropic
        "claude-3-haiku": ModelPrice(0.25, 1.25),
        "claude-3-5-haiku": ModelPrice(0.80, 4.00),
        "claude-3-5-sonnet": ModelPrice(3.00, 15.00),
        "claude-3-7-sonnet": ModelPrice(3.00, 15.00),
        "claude-haiku-4-5": ModelPrice(1.00, 5.00),
        "claude-sonnet-4": ModelPrice(3.00, 15.00),
        "claude-sonnet-4-5": ModelPrice(3.00, 15.00),
        "claude-opus-4": ModelPrice(15.00, 75.00),
        "claude-opus-4-1": ModelPrice(15.00, 75.00),
        "claude-opus-4-5": ModelPrice(5.00, 25.00),
    }
)
"""List prices by model family; dated snapshots (`gpt-4o-2024-08-06`) use their family's price."""

# What may follow a family name in a snapshot id: a date ("-2024-08-06", "-20250514", "-0125")
# or "-latest". Anything else ("gpt-4o-audio-preview", "claude-opus-4-5") is another model.
_SNAPSHOT_SUFFIX = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest)")
_VENDOR_PREFIXES = ("openai/", "anthropic/")  # OpenRouter-style ids: "openai/gpt-4o-mini"


def find_price(model: str) -> ModelPrice | None:
    """The list price of `model` or of its family, or None when the model is not priced."""
    name = model.strip().lower()
    for prefix in _VENDOR_PREFIXES:
        name = name.removeprefix(prefix)
    if name in PRICES:
        return PRICES[name]
    families = sorted((key for key in PRICES if name.startswith(key)), key=len, reverse=True)
    for family in families:
        if _SNAPSHOT_SUFFIX.fullmatch(name[len(family) :]):
            return PRICES[family]
    return None


def cost_usd(model: str, input_tokens: int, output_tokens: int) -> float:
    """What one call cost at list price, in USD; 0.0 for unpriced (local or unknown) models."""
    price = find_price(model)
    if price is None:
        return 0.0
    total = input_tokens * price.input_per_mtok + output_tokens * price.output_per_mtok
    return round(total / 1_000_000, 8)
