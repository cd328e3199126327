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
"""

from __future__ import annotations

import re
from typing import Any

from .sparql_protocol import Answer, QueryRefused, execute

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
    rf"SELECT{_SPACE}+(?:\*{_SPACE}*|(?:[?$]\w+{_SPACE}*)+)"
    rf"(?:WHERE{_SPACE}*)?\{{{_SPACE}*"
    rf"{_SUBJECT}{_SPACE}+{_PREDICATE}{_SPACE}+{_OBJECT}"
    rf"{_SPACE}*(?:\.{_SPACE}*)?\}}{_SPACE}*"
    rf"(?:LIMIT{_SPACE}+\d+{_SPACE}*)?",
    re.IGNORECASE,
)


def is_quick(sparql: str) -> bool:
    """Say whether ``sparql`` is a one-pattern lookup whose cost is bounded by its shape."""
    if len(sparql) > MAX_TEXT:
        return False
    match = _QUICK.fullmatch(sparql)
    if match is None:
        return False
    names = [match.group(n).lower() for n in ("s", "p", "o") if match.group(n)]
    return len(names) == len(set(names))


def answer_quickly(store: Any, sparql: str, fmt: str, *, max_rows: int) -> Answer | None:
    """Answer a vetted quick lookup from ``store``, or return None to leave it to a worker.

    None when the text is not a quick lookup, or its answer is longer than :data:`MAX_ROWS`
    (and than the service's ``max_rows``, whose cut then still applies as usual).

    Raises:
        QueryRefused: as :func:`execute` does (malformed SPARQL, a format the form cannot take).
    """
    if not is_quick(sparql):
        return None
    cap = min(max_rows, MAX_ROWS)
    answer = execute(store, sparql, fmt, max_rows=cap)
    if answer.headers.get("X-Result-Truncated") == "true" and cap < max_rows:
        return None
    return answer


__all__ = ["MAX_ROWS", "MAX_TEXT", "QueryRefused", "answer_quickly", "is_quick"]
