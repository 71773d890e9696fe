"""Price forms besides a sign or a currency after the amount: codes first, pence, discounts.

`bookagent.domain.validation` reads "$4.99", "4,99 €", "4.99 dollars" and "free"; this module
reads "USD 4.99", "99p", "99 cents", "50% off", "save 30%", "half price" and "discounted". The
profile's `price` field is the only evidence: an amount must be its amount (in its currency
when it names one), and a discount must be one the price field states.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Iterator
from decimal import Decimal

from bookagent.domain.match_starts import matched_word
from bookagent.platforms.pattern_starts import matches_at
from bookagent.platforms.pattern_starts import starts_before

_AMOUNT = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CODES = {
    "usd": "USD", "us$": "USD", "eur": "EUR", "gbp": "GBP", "cad": "CAD", "ca$": "CAD",
    "c$": "CAD", "aud": "AUD", "a$": "AUD", "au$": "AUD", "jpy": "JPY", "inr": "INR",
    "nzd": "NZD", "chf": "CHF",
}  # fmt: skip
_AMOUNTS = re.compile(
    rf"(?<![\w$])(?P<code>usd|eur|gbp|cad|aud|jpy|inr|nzd|chf|us\$|ca\$|c\$|a\$|au\$)\s?(?P<a>{_AMOUNT})"
    r"|(?<![\w.,$€£])(?P<sub>\d{1,3})(?:(?P<unit>[pc])\b|\s?(?P<word>¢|cents?\b|pence\b|penny\b))"
    rf"|(?<![\w.,$€£])(?P<dollars>{_AMOUNT})\s?\$",
    re.IGNORECASE,
)
_PERCENT = re.compile(
    r"(?P<p1>\d{1,3})\s?(?:%|percent\b|per\s?cent\b)\s*(?:off|discount|saving|cheaper|reduction)\b"
    r"|\b(?:save|saving|discount\s+of|take|get)\s+(?P<p2>\d{1,3})\s?(?:%|percent\b|per\s?cent\b)",
    re.IGNORECASE,
)
_DISCOUNT = re.compile(
    r"\b(?:read|get|grab|download|borrow)\s+(?:it\s+|this\s+|them\s+)?(?:for\s+)?free\b"
    r"|\bfree\s+(?:with|on|in)\s+kindle\s+unlimited\b|\bhalf[\s-]?(?:price|off)\b|\bdiscount(?:ed|s)?\b|\bsale\s+price\b|\bprice\s+(?:drop|cut)\b"
    r"|\breduced\s+(?:to|price)\b|\bmarked\s+down\b|\bbogo\b|\bbuy\s+one,?\s+get\s+one\b"
    r"|\b(?:kindle|daily|flash|limited[\s-]time)\s+deal\b|\bbargain\b|\bcheaper\s+than\b",
    re.IGNORECASE,
)
# One of which each `_DISCOUNT` match holds: a quick test before the pattern.
_DISCOUNT_WORDS = (
    "half", "discount", "sale", "price", "reduced", "marked", "bogo", "buy one", "deal",
    "bargain", "cheaper", "free",
)  # fmt: skip
_STATES_DISCOUNT = re.compile(
    r"%|\bsale\b|\bdiscount|\boff\b|\breduced\b|\bdeal\b|\bwas\b|\bhalf\b", re.IGNORECASE
)
_PERCENTS_STATED = re.compile(r"(\d{1,3})\s?(?:%|percent|per\s?cent)", re.IGNORECASE)


def amounts(
    text: str, digit_starts: list[int] | None = None
) -> Iterator[tuple[Decimal, str | None, str]]:
    """(amount, currency or None, the words) of each code-first or pence/cents price.

    `digit_starts`, where each run of digits in `text` starts if every digit of the text is an
    ASCII one (`bookagent.domain.match_starts.Scan`): every match holds a run of digits and
    starts at it or at most 4 characters before it (a code, "us$", and a space), so the pattern
    is tried there alone, not at every place of a long text.
    """
    if digit_starts is None:
        found: Iterable[re.Match[str]] = _AMOUNTS.finditer(text)
    else:
        found = matches_at(_AMOUNTS, text, starts_before(digit_starts, 4))
    for m in found:
        if m["code"]:
            amount = Decimal(_plain(m["a"]))
            yield amount, _CODES[matched_word(m["code"])], m.group()
        elif m["dollars"]:
            yield Decimal(_plain(m["dollars"])), None, m.group()  # "3,99 $": which dollar?
        else:
            unit = (m["unit"] or m["word"] or "").casefold()
            currency = "GBP" if unit in ("p", "pence", "penny") else None
            yield Decimal(m["sub"]) / 100, currency, m.group()


def discounts(text: str) -> Iterator[tuple[int | None, str]]:
    """(percent or None, the words) of each discount `text` states."""
    folded = text.casefold()
    if "%" in folded or "cent" in folded:
        for m in _PERCENT.finditer(text):
            yield int(m["p1"] or m["p2"]), m.group()
    if any(word in folded for word in _DISCOUNT_WORDS):
        for m in _DISCOUNT.finditer(text):
            yield None, m.group()


def stated_discounts(price: str) -> tuple[bool, frozenset[int]]:
    """Whether the profile's price field states a discount, and the percentages it names."""
    percents = frozenset(int(p) for p in _PERCENTS_STATED.findall(price))
    return bool(_STATES_DISCOUNT.search(price)), percents


def _plain(amount: str) -> str:
    """'1,299.00' -> '1299.00'; '4,99' (a decimal comma) -> '4.99'."""
    if re.fullmatch(r"\d+,\d{1,2}", amount):
        return amount.replace(",", ".")
    return amount.replace(",", "")
