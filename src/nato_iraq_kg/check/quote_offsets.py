"""The screen's Python stand-in for three SPARQL constraints of our shapes: quotes at their offsets.

``ontology/shapes.ttl`` checks each Web Annotation target's text in three ``sh:sparql``
constraints: the quote is the source text at the position selector's offsets, the position's end
is within the text, and the quote's ``oa:prefix``/``oa:suffix`` are the text right before and after
it. Run by the screen as SPARQL over every selector at once, they cost about 4 s CPU at a million
quads on a busy machine (Oxigraph joins 65,000 selectors with their targets, positions and sources
three times over, about 0.13 s per triple pattern). Here the few predicates they read are read
once (``quads_for_pattern``), and each selector's offsets are compared with its source text in
Python: about 2 s in the same run. (One SPARQL query for all three took 2.7 s; reading its rows
as JSON results 1.8 s: see ``bench/README.md``.)

This is a screen, not a judge: it lists every node that *may* have a solution of one of the three
queries (over any ``$this``, target or not), and pySHACL then runs the real query for those. So any
doubt makes a node a candidate: an offset that is not a non-negative integer literal of
``xsd:integer`` or ``xsd:nonNegativeInteger``, a text, quote, prefix or suffix that is not a plain
string. The stand-in is used only for a constraint whose query text is exactly one of ours
(:data:`STANDS_IN_FOR`, hashes of the one-line text; ``tests/test_quote_offsets.py`` checks they
are still the shapes' texts): edited shapes get the SPARQL again.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pyoxigraph

from ..guard.sparql_text import one_line

__all__ = ["STANDS_IN_FOR", "quote_offset_suspects", "stand_in_key"]

OA = "http://www.w3.org/ns/oa#"
IS_STRING = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString"
XSD = "http://www.w3.org/2001/XMLSchema#"
_LITERAL = pyoxigraph.Literal
_XSD_STRING = pyoxigraph.NamedNode(XSD + "string")
_INTEGER_TYPES = (
    pyoxigraph.NamedNode(XSD + "integer"),
    pyoxigraph.NamedNode(XSD + "nonNegativeInteger"),
)
_DIGITS = re.compile(r"[0-9]+")

#: sha256 of the one-line ``sh:select`` text of each constraint this module stands in for.
STANDS_IN_FOR = frozenset(
    {
        # TextPositionSelectorShape: the quote is the text at the offsets.
        "241b3c0b4dfb855c4bcc493ae845d3473b43f60f350cc2dc463440848ca306b3",
        # TextPositionSelectorShape: oa:end within the source text.
        "58db280ab741188f339741a980fc5d91ae67933d0905121ebf37ae6b4fa93745",
        # TextQuoteSelectorShape: oa:prefix and oa:suffix around the quote.
        "a2e1110a2f24573c8dd2fcd3496b64eb15dbcdb4ae6fc69a38523a67590cc936",
    }
)


def stand_in_key(select: str) -> str:
    """Return the key of a constraint's query text in :data:`STANDS_IN_FOR`."""
    return hashlib.sha256(one_line(select).encode("utf-8")).hexdigest()


def _plain(term: Any) -> str | None:
    """Return a plain string literal's text (xsd:string, no language); None for anything else."""
    if type(term) is _LITERAL and term.datatype == _XSD_STRING:
        return str(term.value)
    return None


def _offset(term: Any) -> int | None:
    """Return an offset literal's value when it is a plain non-negative integer; else None."""
    if type(term) is _LITERAL and term.datatype in _INTEGER_TYPES:
        text = term.value
        if _DIGITS.fullmatch(text):
            return int(text)
    return None


def _values(store: Any, predicate: str, read: Callable[[Any], Any] | None = None) -> dict:
    """Return every subject's objects of ``predicate`` (in any graph), each through ``read``."""
    found: dict[Any, list[Any]] = defaultdict(list)
    for quad in store.quads_for_pattern(None, pyoxigraph.NamedNode(predicate), None, None):
        found[quad.subject].append(quad.object if read is None else read(quad.object))
    return found


def _context_wrong(text: str, first: int, last: int, prefixes: list, suffixes: list) -> bool:
    """True if the prefix/suffix query may have a solution for one position and one text."""
    for before in prefixes:
        if before is None or len(before) > first or text[first - len(before) : first] != before:
            return True
    return any(after is None or text[last : last + len(after)] != after for after in suffixes)


def quote_offset_suspects(store: Any) -> set[str]:
    """Return every selector (as SPARQL text, ``<iri>``) that may fail one of the three checks.

    A selector is a candidate if, for any target that has it and any of that target's sources
    and position selectors, one of the queries may have a solution: the position selector for
    the quote and the end-of-text checks, the quote selector for the prefix/suffix check. Each
    literal is read once (``None`` when it is not what the checks expect: then any check that
    reads it makes its node a candidate).
    """
    selectors = _values(store, OA + "hasSelector")
    sources = _values(store, OA + "hasSource")
    starts, ends = _values(store, OA + "start", _offset), _values(store, OA + "end", _offset)
    exacts = _values(store, OA + "exact", _plain)
    prefixes = _values(store, OA + "prefix", _plain)
    suffixes = _values(store, OA + "suffix", _plain)
    texts = _values(store, IS_STRING, _plain)
    found: set[Any] = set()
    none: list[Any] = []
    for target, members in selectors.items():
        quotes = [exact for member in members for exact in exacts.get(member, none)]
        contexts = [
            (member, prefixes.get(member, none), suffixes.get(member, none))
            for member in members
            if member in prefixes or member in suffixes
        ]
        for source in sources.get(target, none):
            for text in texts.get(source, none):
                for position in members:
                    position_ends = ends.get(position, none)
                    if text is None:
                        if position_ends:
                            found.add(position)  # any check may fail on such a text
                            found.update(member for member, _, _ in contexts)
                        continue
                    size = len(text)
                    for last in position_ends:
                        if last is None or last > size:
                            found.add(position)  # oa:end beyond the text, or may be
                            found.update(member for member, _, _ in contexts)
                            continue
                        for first in starts.get(position, none):
                            if first is None:
                                found.add(position)
                                found.update(member for member, _, _ in contexts)
                                continue
                            if last > first and any(
                                q is None or text[first:last] != q for q in quotes
                            ):
                                found.add(position)
                            for member, before, after in contexts:
                                if _context_wrong(text, first, last, before, after):
                                    found.add(member)
    return {str(node) for node in found}
