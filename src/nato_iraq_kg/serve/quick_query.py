"""Answer one-pattern lookups in the serving process, without the round trip to a query worker.

Queries go to worker processes so that one overrunning its time can be killed (pyoxigraph
cannot cancel a query). A lookup such as ``SELECT ?l WHERE { <x> rdfs:label ?l }`` cannot
overrun: it is one triple pattern, read from an index and cut after a few rows. For those the
worker hop (pickling, a pipe write that wakes another process, the reply) costs several times
what the query does, so they are answered here, from the snapshot's own store, while the
event loop waits. Only texts that are bounded by their shape qualify:

* ``SELECT`` of variables or ``*``, optionally ``WHERE``, then exactly one triple pattern of
  IRIs, prefixed names, variables, ``a`` or (as object) a literal, then optionally ``LIMIT n``;
* no variable twice in the pattern (``?x <p> ?x`` would scan the whole predicate for a few
  rows), no ``DISTINCT``/``REDUCED`` (a scan can yield many duplicates for one distinct row),
  no ``OFFSET``, ``ORDER BY``, paths, blank nodes, ``FILTER`` or anything else.

So every quad the index scan reads is a row of the answer, and the rows are read at most
:data:`MAX_ROWS` + 1 times: when the answer is longer, it is not answered here but by a worker
as any other query (the few rows read are thrown away). The answer is serialised by the same
code as a worker's, so the bytes are the same either way.

Parsing the SPARQL text costs pyoxigraph more than the lookup itself (about 25 of the 45 us of
``Store.query`` here, where the index scan takes 2). So a lookup whose terms are all written
out in full (``<IRI>``, ``?var``, ``a``), in plain ASCII without comments or escapes, is not
handed to the SPARQL engine at all: its pattern is read from the match and scanned with
``Store.quads_for_pattern``, which is what Oxigraph's engine does for one pattern over the
union default graph (every graph, the default one included, one row per quad, in the index's
order). Anything else (prefixed names, literals, a ``PREFIX``, a comment) goes through
``Store.query`` as before, and so does a text whose IRI the engine would refuse.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from .sparql_protocol import RESULT_MEDIA, Answer, QueryRefused, execute, serialize_solutions

#: Most rows answered in the serving process; longer answers go to a worker.
MAX_ROWS = 200
#: Longest query text looked at here: a lookup is a line or two (with its PREFIX lines), and
#: the match below then costs microseconds, whatever a longer text holds.
MAX_TEXT = 4096

_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_PNAME = r"(?:[A-Za-z][\w-]*)?:(?:[\w-]+(?:\.[\w-]+)*)?"
_VAR = r"[?$](?P<{name}>\w+)"
_STRING = r"\"(?:[^\"\\\n\r]|\\.)*\"|'(?:[^'\\\n\r]|\\.)*'"
_LITERAL = rf"(?:{_STRING})(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:{_IRI}|{_PNAME}))?"
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


def _term(name: str, *extra: str) -> str:
    return "(?:" + "|".join((_IRI, _PNAME, _VAR.format(name=name), *extra)) + ")"


# Every repetition below can be split only one way (no two adjacent parts can match the same
# characters), so a failing match costs time linear in the text: a query text up to the body cap
# must not be able to stall the event loop in this regex.
_SPACE = r"(?:\s|#[^\n]*\n)"
_SUBJECT = _term("s")
_PREDICATE = _term("p", r"a(?=\s)")
_OBJECT = _term("o", _LITERAL, _NUMBER, "true", "false")
_QUICK = re.compile(
    rf"{_SPACE}*(?:PREFIX{_SPACE}+{_PNAME}{_SPACE}*{_IRI}{_SPACE}*)*"
    rf"SELECT{_SPACE}+(?P<projection>\*{_SPACE}*|(?:[?$]\w+{_SPACE}*)+)"
    rf"(?:WHERE{_SPACE}*)?\{{{_SPACE}*"
    rf"(?P<subject>{_SUBJECT}){_SPACE}+(?P<predicate>{_PREDICATE}){_SPACE}+(?P<object>{_OBJECT})"
    rf"{_SPACE}*(?:\.{_SPACE}*)?\}}{_SPACE}*"
    rf"(?:LIMIT{_SPACE}+(?P<limit>\d+){_SPACE}*)?",
    re.IGNORECASE,
)
#: What the direct scan reads itself: a full IRI, a plain ASCII variable, or ``a``.
_PLAIN_TERM = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>|[?$][A-Za-z0-9_]+|a")
_PLAIN_VARIABLE = re.compile(r"[?$]([A-Za-z0-9_]+)")
#: Escapes, and ASCII controls Python's ``\s`` takes for spaces where SPARQL does not.
_ODD_CHARACTER = re.compile(r"[\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _quick_match(sparql: str) -> re.Match[str] | None:
    """The match of a one-pattern lookup whose cost is bounded by its shape, or None."""
    if len(sparql) > MAX_TEXT:
        return None
    match = _QUICK.fullmatch(sparql)
    if match is None:
        return None
    names = [match.group(n).lower() for n in ("s", "p", "o") if match.group(n)]
    return match if len(names) == len(set(names)) else None


def is_quick(sparql: str) -> bool:
    """Say whether ``sparql`` is a one-pattern lookup whose cost is bounded by its shape."""
    return _quick_match(sparql) is not None


def _plain_pattern(sparql: str, match: re.Match[str]) -> tuple[tuple[str, ...], list[Any]] | None:
    """Read a lookup that needs no SPARQL parser: its projected variables and its three terms.

    Each term is a pyoxigraph ``NamedNode`` or, for a variable, its name. None when the text
    has anything the regular expression alone cannot read as the SPARQL grammar does: a
    prefixed name, a literal, ``PREFIX``, a comment (SPARQL ends one at ``\\r`` too), an
    escape, whitespace other than SPARQL's four characters, any non-ASCII character, an
    upper-case ``A`` (only ``a`` means rdf:type), a variable projected twice, or an IRI the
    engine would refuse. The engine then reads the text as before.
    """
    import pyoxigraph

    if not sparql.isascii() or _ODD_CHARACTER.search(sparql):
        return None
    texts = [match.group(part) for part in ("subject", "predicate", "object")]
    if not all(_PLAIN_TERM.fullmatch(text) for text in texts):
        return None
    (s0, s1), (p0, p1), (o0, o1) = (match.span(p) for p in ("subject", "predicate", "object"))
    rest = sparql[:s0] + sparql[s1:p0] + sparql[p1:o0] + sparql[o1:]
    if "#" in rest or rest.lstrip()[:1] not in ("s", "S"):
        return None  # a comment, or a PREFIX (which the engine would still read and check)
    terms: list[Any] = []
    for text in texts:
        if text == "a":
            terms.append(pyoxigraph.NamedNode(_RDF_TYPE))
        elif text[0] == "<":
            try:
                terms.append(pyoxigraph.NamedNode(text[1:-1]))
            except ValueError:  # a relative or malformed IRI: the engine says why (400)
                return None
        else:
            terms.append(text[1:])
    projection = match.group("projection").strip()
    if projection == "*":  # Oxigraph lists the variables of SELECT * in code point order
        return tuple(sorted(t for t in terms if isinstance(t, str))), terms
    variables = tuple(_PLAIN_VARIABLE.findall(projection))
    if len(set(variables)) != projection.count("?") + projection.count("$"):
        return None  # a variable projected twice ($x is ?x)
    return variables, terms


@dataclass(frozen=True)
class LookupPlan:
    """What a plain lookup's text says, read once: the scan to make and the answer's shape.

    It holds no rows and no store: running it (:func:`run_plan`) scans the store it is given,
    so the same plan answers from whichever build is served when it runs.
    """

    variables: tuple[str, ...]
    #: The pattern's subject, predicate and object: a ``NamedNode``, or None for a variable.
    pattern: tuple[Any, Any, Any]
    #: For each projected variable, its place in the triple (None: not in the pattern).
    columns: tuple[int | None, ...]
    limit: int | None
    fmt: str


def lookup_plan(sparql: str, fmt: str) -> LookupPlan | None:
    """The plan of a plain lookup the scan answers as the engine would; None for any other text.

    Raises:
        QueryRefused: a plain lookup asked for in a format a SELECT answer cannot take (406).
    """
    match = _quick_match(sparql)
    if match is None:
        return None
    return _plan_of_match(sparql, match, fmt)


def _plan_of_match(sparql: str, match: re.Match[str], fmt: str) -> LookupPlan | None:
    plain = _plain_pattern(sparql, match)
    if plain is None:
        return None
    if fmt not in RESULT_MEDIA:
        raise QueryRefused(f"a SELECT answer cannot be given as {fmt}", 406)
    variables, terms = plain
    positions = {term: i for i, term in enumerate(terms) if isinstance(term, str)}
    s, p, o = (None if isinstance(term, str) else term for term in terms)
    limit = match.group("limit")
    return LookupPlan(
        variables=variables,
        pattern=(s, p, o),
        columns=tuple(positions.get(v) for v in variables),
        limit=None if limit is None else int(limit),
        fmt=fmt,
    )


def run_plan(store: Any, plan: LookupPlan, cap: int) -> Answer:
    """Scan ``store`` for ``plan``'s pattern and serialise at most ``cap`` rows, as ``execute``
    would (with ``X-Result-Truncated: true`` when there were more).
    """
    s, p, o = plan.pattern
    quads = store.quads_for_pattern(s, p, o, None)
    if plan.limit is not None:
        quads = itertools.islice(quads, plan.limit)
    columns = plan.columns
    rows: list[tuple[Any, ...]] = []
    truncated = False
    for quad in quads:
        if len(rows) >= cap:
            truncated = True
            break
        triple = (quad.subject, quad.predicate, quad.object)
        rows.append(tuple(None if c is None else triple[c] for c in columns))
    headers = {
        "X-Result-Rows": str(len(rows)),
        "X-Result-Truncated": "true" if truncated else "false",
    }
    return Answer(
        serialize_solutions(plan.variables, rows, plan.fmt), RESULT_MEDIA[plan.fmt], headers
    )


def _scan(store: Any, sparql: str, match: re.Match[str], fmt: str, cap: int) -> Answer | None:
    """Answer a plain lookup from the store's index, as ``execute`` would; None if not plain."""
    plan = _plan_of_match(sparql, match, fmt)
    return None if plan is None else run_plan(store, plan, cap)


def answer_quickly(store: Any, sparql: str, fmt: str, *, max_rows: int) -> Answer | None:
    """Answer a vetted quick lookup from ``store``, or return None to leave it to a worker.

    None when the text is not a quick lookup, or its answer is longer than :data:`MAX_ROWS`
    (and than the service's ``max_rows``, whose cut then still applies as usual).

    Raises:
        QueryRefused: as :func:`execute` does (malformed SPARQL, a format the form cannot take).
    """
    match = _quick_match(sparql)
    if match is None:
        return None
    cap = min(max_rows, MAX_ROWS)
    answer = _scan(store, sparql, match, fmt, cap) or execute(store, sparql, fmt, max_rows=cap)
    if answer.headers.get("X-Result-Truncated") == "true" and cap < max_rows:
        return None
    return answer


__all__ = [
    "MAX_ROWS",
    "MAX_TEXT",
    "LookupPlan",
    "QueryRefused",
    "answer_quickly",
    "is_quick",
    "lookup_plan",
    "run_plan",
]
