"""Whether a quote states what its triples say, for the values a program can check.

Offsets prove that a quote is in the page; they do not prove that the quote says the triple. For
three kinds of value the words can be checked: a date (its year, month name, day and "early",
"mid" or "late"), a number (its digits, with or without thousands commas), and a name (a label
or alternative label, as written). Numbers and names must be in the quote. A date may be in the
sentence around the quote: the page writes "At the NATO Summit in Wales in 2014, Allied leaders
reaffirmed ..." and "2004: The NTM-I is established", and the quote is the part that states the
event. Other terms, such as which entity an event concerns, stay with the curator and reviewer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SKOS, XSD

from ..errors import CheckFailure
from ..namespaces import ID, SCHEMA
from ..source.dates import MONTH_WORDS, Precision, parse_key
from ..source.document import DocumentModel
from .assertion import Assertion

_DATE_PREFIX = str(ID) + "date/"
_NUMERIC = frozenset(
    {
        XSD.integer,
        XSD.int,
        XSD.long,
        XSD.decimal,
        XSD.double,
        XSD.float,
        XSD.nonNegativeInteger,
        XSD.positiveInteger,
    }
)
_NAMES = frozenset({RDFS.label, SKOS.prefLabel, SKOS.altLabel, SCHEMA.name})


def _says(quote: str, pattern: str) -> bool:
    return re.search(rf"(?<![\w]){pattern}(?![\w])", quote, re.IGNORECASE) is not None


def date_words_missing(quote: str, key: str) -> list[str]:
    """Return the words of date ``key`` that ``quote`` lacks (none when it states the date)."""
    value = parse_key(key)
    year, month, day = value.earliest.year, value.earliest.month, value.earliest.day
    missing = [] if _says(quote, str(year)) else [str(year)]
    if value.precision in (Precision.MONTH, Precision.DAY):
        names = MONTH_WORDS[month - 1]
        if not any(_says(quote, re.escape(name)) for name in names):
            missing.append(names[0])
    if value.precision is Precision.DAY and not _says(quote, str(day)):
        missing.append(str(day))
    if value.precision is Precision.VAGUE:
        part = key.split("-", 1)[0]
        if not _says(quote, part):
            missing.append(part)
    return missing


#: Numbers the page may write as words ("a temporary one-year NATO Transition Cell").
# fmt: off
_NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)
# fmt: on


def _number_pattern(value: Literal) -> str | None:
    """Return a pattern for the ways the page may write an integer: 15000, 15,000, fifteen."""
    number = value.toPython()
    if isinstance(number, bool) or not isinstance(number, int):
        return None
    ways = {str(number), f"{number:,}"}
    if 0 <= number < len(_NUMBER_WORDS):
        ways.add(_NUMBER_WORDS[number])
    return "(?:" + "|".join(re.escape(way) for way in sorted(ways)) + ")"


def sentence_of(item: Assertion, model: DocumentModel | None) -> str:
    """Return the text of the sentence(s) the quote lies in (the quote itself without a model)."""
    sentences = model.sentences_overlapping(item.start, item.end) if model else ()
    if not sentences:
        return item.quote
    start = min(item.start, sentences[0].start)
    end = max(item.end, sentences[-1].end)
    return item.source.text[start:end]


def unsupported(item: Assertion, sentence: str | None = None) -> str | None:
    """Return why ``item``'s words do not state one of its checkable values, or None.

    ``sentence`` is the text around the quote where a date may be written (default: the quote).
    """
    quote = item.quote
    around = sentence if sentence is not None else quote
    for s, p, o in item.triples:
        for term in (s, o):
            if isinstance(term, URIRef) and str(term).startswith(_DATE_PREFIX):
                key = str(term)[len(_DATE_PREFIX) :]
                missing = date_words_missing(around, key)
                if missing:
                    return f"date:{key} ({', '.join(missing)} not in the quote or its sentence)"
        if not isinstance(o, Literal):
            continue
        if o.datatype in _NUMERIC:
            pattern = _number_pattern(o)
            if pattern is not None and not _says(quote, pattern):
                return f"the number {o} (not in the quote)"
        elif p in _NAMES and str(o).casefold() not in quote.casefold():
            return f"the name {str(o)!r} (not in the quote)"
    return None


def check_quotes_state_their_values(
    assertions: Iterable[Assertion], models: Mapping[str, DocumentModel]
) -> int:
    """Refuse the first assertion whose words lack a date, number or name it asserts.

    ``models`` are the revisions' document models by slug, for the sentence around each quote.
    Returns how many assertions were checked, so a caller (and a test) can see it ran.
    """
    checked = 0
    for item in assertions:
        reason = unsupported(item, sentence_of(item, models.get(item.source.slug)))
        if reason is not None:
            raise CheckFailure(f"{item.where}: the quote does not state {reason}: {item.quote!r}")
        checked += 1
    return checked
