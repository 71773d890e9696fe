"""Dates a post states in relative or short form, resolved against the day it goes out.

"Tomorrow", "this Saturday", "in 3 days", "only 3 days left", "out today" and short dates such
as "3/14" or "14.03." each name a day. A post may name only the book's own days (its launch date,
its events) or the day it is scheduled for; a relative date can only be checked against the
scheduled day, so an unscheduled post that uses one is refused with a reason that says to write
the date instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from bookagent.domain.match_starts import matches_at

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "a": 1, "a couple of": 2, "a few": 3,
}  # fmt: skip
_COUNT = r"\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|a\s+couple\s+of|a\s+few|a"
_RELATIVE = re.compile(
    r"\b(?P<tomorrow>tomorrow)\b"
    r"|\b(?P<tonight>tonight)\b"
    r"|\b(?P<today>(?:out|releases?|launch(?:es)?|publish(?:es)?|arrives?|drops?|hits\s+shelves"
    r"|on\s+sale|available|live)\s+(?:today|now\s+today))\b"
    rf"|\b(?:(?P<which>this|next|coming|on)\s+)?(?P<weekday>{'|'.join(_WEEKDAYS)})\b"
    # "Wednesday, March 3": the date that follows is checked, not the weekday.
    r"(?!,?\s+(?:the\s+)?(?:\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))"
    rf"|\bin\s+(?P<n>{_COUNT})\s+(?P<unit>days?|weeks?)\b"
    rf"|\b(?P<n2>{_COUNT})\s+(?P<unit2>days?|weeks?)\s+(?:left|to\s+go|away|until|till|remain(?:ing)?)\b"
    r"|\b(?P<weekend>this\s+weekend|next\s+week(?:end)?)\b",
    re.IGNORECASE,
)
# Month and day as digits: "3/14", "14/3", "3/14/27", "14.03.", "14.3.2027" (4-digit-year forms
# with slashes or dots are `validation`'s). Not a rating ("4/5", "9/10"), a fraction of a price
# or "24/7".
_SHORT = re.compile(
    r"(?<![\w$€£¥₹/.,:])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{2}))?(?![\w/%]|\.\d|,\d)"
    r"|(?<![\w$€£¥₹/.,:])(?P<c>\d{1,2})\.(?P<d>\d{1,2})\.(?!\d)(?!\s*(?:€|eur|usd|\$))"
    r"|(?P<e>\d{1,2})\s*月\s*(?P<f>\d{1,2})\s*日"
    r"|(?:(?<=\bon\s)|(?<=\bthe\s))(?P<g>\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?(?i:jan|feb|mar|apr"
    r"|may|jun|jul|aug|sep|oct|nov|dec|century|anniversary|edition|printing|birthday|time|floor"
    r"|chapter|book|place))",
    re.IGNORECASE,
)
_NOT_DATES = frozenset({("24", "7"), ("9", "11"), ("1", "2"), ("1", "3"), ("1", "4"), ("3", "4")})


@dataclass(frozen=True)
class DateMention:
    """A day a post names: the words, and the days they may mean (empty: unresolvable)."""

    words: str
    days: tuple[date, ...]
    relative: bool
    #: False for "out today": the day it goes out must itself be the launch or an event.
    any_day: bool = True


def mentions(
    text: str, scheduled_on: date | None, digit_starts: list[int] | None = None
) -> Iterator[DateMention]:
    """The relative and short dates of `text`, resolved from `scheduled_on` when given.

    `digit_starts` (see `bookagent.domain.match_starts.Scan`), where given, is where every run
    of digits starts: a short date is tried there alone.
    """
    lowered = text.casefold()
    if any(k in lowered for k in ("tomorrow", "tonight", "today", "day", "week")):
        yield from _relative(text, scheduled_on)
    if any(mark in lowered for mark in ("/", ".", "月", "th", "st", "nd", "rd")):
        yield from _short(text, scheduled_on, digit_starts)


def unsupported(
    found: Iterable[DateMention], book_days: frozenset[date], scheduled_on: date | None
) -> Iterator[str]:
    """A sentence for each mention that names none of the book's days or the scheduled one."""
    with_own = book_days | {scheduled_on} if scheduled_on else book_days
    for mention in found:
        allowed = with_own if mention.any_day else book_days
        if mention.relative and scheduled_on is None:
            yield (
                f"“{mention.words}” is a relative date, but the post has no scheduled day to "
                "count from: write the date itself."
            )
        elif not any(day in allowed for day in mention.days):
            yield (
                f"“{mention.words}” is not the launch date, an event's date or the day the post "
                "goes out."
            )


def _relative(text: str, on: date | None) -> Iterator[DateMention]:
    for m in _RELATIVE.finditer(text):
        words = " ".join(m.group().split())
        if on is None:
            if m["weekday"] and not m["which"] and m.start() > 0 and text[m.start() - 1] in "#＃":
                continue
            yield DateMention(words, (), True)
            continue
        yield DateMention(words, tuple(_days(m, on)), True, any_day=not m["today"])


def _days(m: re.Match[str], on: date) -> Iterator[date]:
    if m["tomorrow"]:
        yield on + timedelta(days=1)
    elif m["tonight"] or m["today"]:
        yield on
    elif m["weekday"]:
        ahead = (_WEEKDAYS.index(m["weekday"].casefold()) - on.weekday()) % 7
        which = (m["which"] or "").casefold()
        if which != "next":
            yield on + timedelta(days=ahead)
        if which in ("next", ""):
            yield on + timedelta(days=ahead + 7)
    elif m["weekend"]:
        span = m["weekend"].casefold()
        start = on + timedelta(days=(5 - on.weekday()) % 7)  # the coming Saturday
        if span.startswith("next"):
            start += timedelta(days=7) if span.endswith("end") else timedelta(days=-5)
        length = 2 if span.endswith("end") else 7
        yield from (start + timedelta(days=i) for i in range(length))
    else:
        count = (m["n"] or m["n2"]).casefold()
        n = int(count) if count.isdigit() else _NUMBERS.get(" ".join(count.split()), 1)
        unit = (m["unit"] or m["unit2"]).casefold()
        days = n * (7 if unit.startswith("week") else 1)
        # "3 days left" (to pre-order) ends the day before the date it counts to, or on it.
        yield from (on + timedelta(days=days), on + timedelta(days=days + 1))


def _short(text: str, on: date | None, starts: list[int] | None) -> Iterator[DateMention]:
    found = _SHORT.finditer(text) if starts is None else matches_at(_SHORT, text, starts)
    for m in found:
        pairs: tuple[tuple[int, int], ...]
        if m["g"] is not None:  # "on the 14th": of this month or the next
            base = on or date.today()
            months = [(base.year, base.month), _next_month(base.year, base.month)]
            days: list[date] = []
            for y, month in months:
                days += _candidates(month, int(m["g"]), str(y % 100), on)
            if days:
                yield DateMention(m.group(), tuple(days), False)
            continue
        if m["a"] is not None:
            first, second, year = m["a"], m["b"], m["y"]
            if (first, second) in _NOT_DATES or (second in ("5", "10") and not year):
                continue  # "24/7", "1/2", and ratings out of 5 or 10
            pairs = ((int(first), int(second)), (int(second), int(first)))
        elif m["e"] is not None:  # 3月14日: month first, always
            year = None
            pairs = ((int(m["e"]), int(m["f"])),)
        else:
            first, second, year = m["c"], m["d"], None
            pairs = ((int(first), int(second)), (int(second), int(first)))
        days = []
        for month, day in pairs:
            for candidate in _candidates(month, day, year, on):
                days.append(candidate)
        if not days:
            continue  # "13/45" is no date
        yield DateMention(m.group(), tuple(days), False)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _candidates(month: int, day: int, year: str | None, on: date | None) -> Iterator[date]:
    base = on or date.today()
    years = [2000 + int(year)] if year else [base.year - 1, base.year, base.year + 1]
    for y in years:
        try:
            yield date(y, month, day)
        except ValueError:
            return
