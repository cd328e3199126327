"""Tests for nato_iraq_kg.source.dates: hand-typed cases plus hypothesis properties."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nato_iraq_kg.source.dates import (
    VAGUE_PARTS,
    DateFormatError,
    DateValue,
    Precision,
    parse_key,
    parse_phrase,
)

D = datetime.date

# (phrase, key, precision, earliest, latest, lexical, xsd_type, label) -- all typed by hand.
CASES = [
    ("2004", "2004", Precision.YEAR, D(2004, 1, 1), D(2004, 12, 31), "2004", "gYear", "2004"),
    (
        "June 2012",
        "2012-06",
        Precision.MONTH,
        D(2012, 6, 1),
        D(2012, 6, 30),
        "2012-06",
        "gYearMonth",
        "June 2012",
    ),
    (
        "24 September 2012",
        "2012-09-24",
        Precision.DAY,
        D(2012, 9, 24),
        D(2012, 9, 24),
        "2012-09-24",
        "date",
        "24 September 2012",
    ),
    (
        "31 July 2015",
        "2015-07-31",
        Precision.DAY,
        D(2015, 7, 31),
        D(2015, 7, 31),
        "2015-07-31",
        "date",
        "31 July 2015",
    ),
    (
        "early 2016",
        "early-2016",
        Precision.VAGUE,
        D(2016, 1, 1),
        D(2016, 4, 30),
        None,
        None,
        "early 2016",
    ),
    (
        "January 2017",
        "2017-01",
        Precision.MONTH,
        D(2017, 1, 1),
        D(2017, 1, 31),
        "2017-01",
        "gYearMonth",
        "January 2017",
    ),
    (
        "03 Feb. 2017",
        "2017-02-03",
        Precision.DAY,
        D(2017, 2, 3),
        D(2017, 2, 3),
        "2017-02-03",
        "date",
        "3 February 2017",
    ),
]


@pytest.mark.parametrize(
    ("phrase", "key", "precision", "earliest", "latest", "lexical", "xsd_type", "label"), CASES
)
def test_phrase_cases(phrase, key, precision, earliest, latest, lexical, xsd_type, label):
    """Each hand-written phrase parses to the hand-typed key, precision, bounds and label."""
    v = parse_phrase(phrase)
    assert v == DateValue(key, precision, earliest, latest, lexical, xsd_type, label)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_key_and_label_round_trip_cases(case):
    """The hand-typed key and label of each case parse back to the same value."""
    v = parse_phrase(case[0])
    assert parse_key(case[1]) == v
    assert parse_phrase(case[7]) == v


@pytest.mark.parametrize(
    ("key", "earliest", "latest", "label"),
    [
        ("early-2016", D(2016, 1, 1), D(2016, 4, 30), "early 2016"),
        ("mid-2016", D(2016, 5, 1), D(2016, 8, 31), "mid-2016"),
        ("late-2016", D(2016, 9, 1), D(2016, 12, 31), "late 2016"),
    ],
)
def test_vague_keys(key, earliest, latest, label):
    """Vague keys follow the early/mid/late = Jan-Apr/May-Aug/Sep-Dec convention."""
    v = parse_key(key)
    assert (v.precision, v.earliest, v.latest, v.label) == (
        Precision.VAGUE,
        earliest,
        latest,
        label,
    )
    assert (v.lexical, v.xsd_type) == (None, None)


def test_vague_parts_constant():
    """VAGUE_PARTS documents the month ranges of early, mid and late."""
    assert dict(VAGUE_PARTS) == {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}


@pytest.mark.parametrize(
    ("phrase", "key"),
    [
        ("1 March 2016", "2016-03-01"),
        ("March 2016", "2016-03"),
        ("2016", "2016"),
        ("mid-2016", "mid-2016"),
        ("late 2016", "late-2016"),
        ("Early 2016", "early-2016"),
        ("\u00a0 12\u00a0Sept. 2014 \n", "2014-09-12"),
        ("5 Sept 2014", "2014-09-05"),
        ("5 Sep. 2014", "2014-09-05"),
        ("29 February 2016", "2016-02-29"),
        ("Dec. 2011", "2011-12"),
    ],
)
def test_phrase_variants(phrase, key):
    """Abbreviations, NBSP, surrounding whitespace and case variants are tolerated."""
    assert parse_phrase(phrase).key == key


@pytest.mark.parametrize(
    ("finer", "coarser"),
    [
        ("2011-12", "2011"),
        ("2014-09", "2014"),
        ("2016-07-09", "2016-07"),
        ("2012-09-24", "2012-09"),
        ("early-2016", "2016"),
        ("2016-02", "early-2016"),
    ],
)
def test_refines(finer, coarser):
    """A finer value inside a coarser one refines it."""
    assert parse_key(finer).refines(parse_key(coarser))
    assert parse_key(coarser).contains(parse_key(finer))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("2011", "2011-12"),
        ("2012-09-24", "2012-09-24"),
        ("2016", "2016"),
        ("2016-02", "2015"),
        ("2016-07-09", "2016-08"),
        ("2016-05", "early-2016"),
    ],
)
def test_does_not_refine(a, b):
    """Coarser, equal or disjoint values do not refine."""
    assert not parse_key(a).refines(parse_key(b))


@pytest.mark.parametrize(
    "phrase",
    [
        "31 February 2016",
        "29 February 2015",
        "0 March 2016",
        "Smarch 2016",
        "2016-13",
        "",
        "   ",
        "June. 2016",
        "999",
        "0999",
        "early2016",
        "June 12 2016",
        "\u0662\u0660\u0661\u0666",
    ],
)
def test_bad_phrases(phrase):
    """Malformed phrases raise DateFormatError quoting the input."""
    with pytest.raises(DateFormatError) as err:
        parse_phrase(phrase)
    assert repr(phrase) in str(err.value)


@pytest.mark.parametrize(
    "key",
    [
        "2016-13",
        "2016-00",
        "2016-02-30",
        "2015-02-29",
        "early2016",
        "Early-2016",
        "2016/01",
        "2016-1",
        "2016-01-1",
        " 2016",
        "0999",
        "June 2016",
        "",
    ],
)
def test_bad_keys(key):
    """Malformed keys raise DateFormatError quoting the input."""
    with pytest.raises(DateFormatError) as err:
        parse_key(key)
    assert repr(key) in str(err.value)


def test_non_string_is_type_error():
    """A non-string argument is a TypeError, not a format error."""
    with pytest.raises(TypeError):
        parse_phrase(2016)  # type: ignore[arg-type]


# Independent English month names for building phrases in the property tests.
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

DATES = st.dates(min_value=D(1000, 1, 1), max_value=D(9999, 12, 31))


def phrases_for(d: datetime.date) -> list[str]:
    """Year, month, day and vague phrases that all cover the date d."""
    part = ("early", "mid", "late")[(d.month - 1) // 4]
    return [
        f"{d.year}",
        f"{MONTH_NAMES[d.month - 1]} {d.year}",
        f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}",
        f"{d.day:02d} {MONTH_NAMES[d.month - 1][:3]}. {d.year}",
        f"{part} {d.year}",
    ]


@given(DATES)
def test_round_trips_for_random_dates(d):
    """For random dates, phrase -> key -> value and label -> value round trip."""
    for phrase in phrases_for(d):
        v = parse_phrase(phrase)
        assert parse_key(v.key) == v
        assert parse_phrase(v.label) == v
        assert v.earliest <= d <= v.latest


@given(DATES)
def test_nesting_for_random_dates(d):
    """Day refines month refines vague part refines year, all around the same date."""
    year, month, day, _, vague = (parse_phrase(p) for p in phrases_for(d))
    assert day.key == d.isoformat() and day.earliest == day.latest == d
    assert day.refines(month) and month.refines(vague) and vague.refines(year)
    assert day.refines(year) and not year.refines(day) and not day.refines(day)


@given(st.text())
@settings(max_examples=300)
def test_random_text_only_raises_format_error(text):
    """Arbitrary text either parses (with sane bounds) or raises DateFormatError."""
    for parse in (parse_phrase, parse_key):
        try:
            v = parse(text)
        except DateFormatError:
            continue
        assert v.earliest <= v.latest


@given(
    st.from_regex(r"(early |mid-|late )?([0-9]{1,2} )?([A-Za-z]{3,9}\.? )?[0-9]{4}", fullmatch=True)
)
def test_near_dates_only_raise_format_error(text):
    """Date-shaped text either parses consistently or raises DateFormatError."""
    try:
        v = parse_phrase(text)
    except DateFormatError:
        return
    assert v.earliest <= v.latest and parse_key(v.key) == v


@given(st.from_regex(r"(early-|mid-|late-)?[0-9]{4}(-[0-9]{2}){0,2}", fullmatch=True))
def test_key_shaped_text_only_raises_format_error(text):
    """Key-shaped text either parses back to itself or raises DateFormatError."""
    try:
        v = parse_key(text)
    except DateFormatError:
        return
    assert v.key == text and v.earliest <= v.latest
