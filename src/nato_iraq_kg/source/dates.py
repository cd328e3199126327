"""Dates as the text gives them: a year stays a year, a month a month, a day a day.

Two entry points turn strings into a :class:`DateValue`:

* :func:`parse_phrase` reads English date words as they appear in the text:
  ``"2004"``, ``"June 2012"``, ``"24 September 2012"``, ``"03 Feb. 2017"``,
  ``"early 2016"``, ``"mid-2016"``, ``"late 2016"``.
* :func:`parse_key` reads the compact canonical keys (also used as IRI slugs):
  ``"2004"``, ``"2012-06"``, ``"2012-09-24"``, ``"early-2016"``, ``"mid-2016"``, ``"late-2016"``.

Each value keeps its precision and the first and last day it covers (inclusive).
Precise values carry the XSD lexical form and type (``gYear``, ``gYearMonth``, ``date``).

Vague bounds convention (see :data:`VAGUE_PARTS`): "early" covers January..April,
"mid" covers May..August and "late" covers September..December of the given year.
The three parts tile the year without overlap. Years must lie in 1000..9999.
Month names are English whatever the process locale; this module uses the
standard library only and does not import rdflib.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType

__all__ = [
    "VAGUE_PARTS",
    "DateFormatError",
    "DateValue",
    "Precision",
    "parse_key",
    "parse_phrase",
]

VAGUE_PARTS: MappingProxyType[str, tuple[int, int]] = MappingProxyType(
    {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}
)
"""Vague word -> (first month, last month) of the year it qualifies, inclusive."""

MIN_YEAR, MAX_YEAR = 1000, 9999

# Hard-coded rather than calendar.month_name, which follows the process locale.
# fmt: off
_MONTHS = ("January", "February", "March", "April", "May", "June",
           "July", "August", "September", "October", "November", "December")
# fmt: on
_MONTH_BY_WORD = {name.lower(): i for i, name in enumerate(_MONTHS, start=1)}
_MONTH_BY_ABBR = {name[:3].lower(): i for i, name in enumerate(_MONTHS, start=1)}
_MONTH_BY_ABBR["sept"] = 9
#: The words a text may use for each month: its name and its abbreviation with a full stop.
MONTH_WORDS: tuple[tuple[str, ...], ...] = tuple((name, f"{name[:3]}.") for name in _MONTHS)

_VAGUE = "|".join(VAGUE_PARTS)
_Y = r"([0-9]{4})"
_PHRASE_DAY = re.compile(rf"([0-9]{{1,2}}) ([A-Za-z]+\.?) {_Y}")
_PHRASE_MONTH = re.compile(rf"([A-Za-z]+\.?) {_Y}")
_PHRASE_VAGUE = re.compile(rf"({_VAGUE})[ -]{_Y}", re.IGNORECASE)
_KEY_YEAR = re.compile(_Y)
_KEY_MONTH = re.compile(rf"{_Y}-([0-9]{{2}})")
_KEY_DAY = re.compile(rf"{_Y}-([0-9]{{2}})-([0-9]{{2}})")
_KEY_VAGUE = re.compile(rf"({_VAGUE})-{_Y}")


class DateFormatError(ValueError):
    """A string that is not a well-formed date phrase or date key."""


class Precision(str, Enum):
    """How much of the calendar a date value pins down."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"
    VAGUE = "vague"


# Coarsest first; VAGUE (a third of a year) sits between YEAR and MONTH.
_RANK = {Precision.YEAR: 0, Precision.VAGUE: 1, Precision.MONTH: 2, Precision.DAY: 3}


@dataclass(frozen=True, order=True)
class DateValue:
    """A date at the precision the text gives, with its inclusive day bounds."""

    key: str
    precision: Precision
    earliest: datetime.date
    latest: datetime.date
    lexical: str | None
    xsd_type: str | None
    label: str

    def contains(self, other: DateValue) -> bool:
        """True if ``other``'s [earliest, latest] lies inside this value's."""
        return self.earliest <= other.earliest and other.latest <= self.latest

    def refines(self, other: DateValue) -> bool:
        """True if ``other`` is strictly coarser than this value and contains it."""
        return _RANK[other.precision] < _RANK[self.precision] and other.contains(self)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateFormatError(f"year {year} is outside {MIN_YEAR}..{MAX_YEAR} in {text!r}")


def _check_month(month: int, text: str) -> None:
    if not 1 <= month <= 12:
        raise DateFormatError(f"month {month} is not in 1..12 in {text!r}")


def _year(year: int, text: str) -> DateValue:
    _check_year(year, text)
    key = f"{year:04d}"
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return DateValue(key, Precision.YEAR, first, last, key, "gYear", key)


def _month(year: int, month: int, text: str) -> DateValue:
    _check_year(year, text)
    _check_month(month, text)
    key = f"{year:04d}-{month:02d}"
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, _last_day(year, month))
    label = f"{_MONTHS[month - 1]} {year}"
    return DateValue(key, Precision.MONTH, first, last, key, "gYearMonth", label)


def _day(year: int, month: int, day: int, text: str) -> DateValue:
    _check_year(year, text)
    _check_month(month, text)
    if not 1 <= day <= _last_day(year, month):
        raise DateFormatError(
            f"day {day} does not exist in {_MONTHS[month - 1]} {year} "
            f"(it has {_last_day(year, month)} days) in {text!r}"
        )
    when = datetime.date(year, month, day)
    label = f"{day} {_MONTHS[month - 1]} {year}"
    return DateValue(when.isoformat(), Precision.DAY, when, when, when.isoformat(), "date", label)


def _vague(part: str, year: int, text: str) -> DateValue:
    _check_year(year, text)
    part = part.lower()
    first_month, last_month = VAGUE_PARTS[part]
    first = datetime.date(year, first_month, 1)
    last = datetime.date(year, last_month, _last_day(year, last_month))
    label = f"mid-{year}" if part == "mid" else f"{part} {year}"
    return DateValue(f"{part}-{year}", Precision.VAGUE, first, last, None, None, label)


def _month_number(word: str, text: str) -> int:
    lowered = word.lower()
    if lowered in _MONTH_BY_WORD:
        return _MONTH_BY_WORD[lowered]
    if lowered.rstrip(".") in _MONTH_BY_ABBR:
        return _MONTH_BY_ABBR[lowered.rstrip(".")]
    raise DateFormatError(f"unknown month name {word!r} in {text!r}")


def parse_phrase(words: str) -> DateValue:
    """Parse English date words ("2004", "June 2012", "3 Feb. 2017", "early 2016")."""
    if not isinstance(words, str):
        raise TypeError(f"expected a str, got {type(words).__name__}")
    # str.split() also splits on NBSP and other Unicode spaces; unify hyphen look-alikes.
    text = " ".join(words.split()).replace("\u2010", "-").replace("\u2011", "-")
    if m := _KEY_YEAR.fullmatch(text):
        return _year(int(m[1]), words)
    if m := _PHRASE_VAGUE.fullmatch(text):
        return _vague(m[1], int(m[2]), words)
    if m := _PHRASE_MONTH.fullmatch(text):
        return _month(int(m[2]), _month_number(m[1], words), words)
    if m := _PHRASE_DAY.fullmatch(text):
        return _day(int(m[3]), _month_number(m[2], words), int(m[1]), words)
    raise DateFormatError(f"not a date phrase (expected e.g. '24 September 2012'): {words!r}")


def parse_key(key: str) -> DateValue:
    """Parse a compact date key ("2004", "2012-06", "2012-09-24", "early-2016")."""
    if not isinstance(key, str):
        raise TypeError(f"expected a str, got {type(key).__name__}")
    if m := _KEY_YEAR.fullmatch(key):
        return _year(int(m[1]), key)
    if m := _KEY_MONTH.fullmatch(key):
        return _month(int(m[1]), int(m[2]), key)
    if m := _KEY_DAY.fullmatch(key):
        return _day(int(m[1]), int(m[2]), int(m[3]), key)
    if m := _KEY_VAGUE.fullmatch(key):
        return _vague(m[1], int(m[2]), key)
    raise DateFormatError(
        f"not a date key (expected YYYY, YYYY-MM, YYYY-MM-DD or early/mid/late-YYYY): {key!r}"
    )
