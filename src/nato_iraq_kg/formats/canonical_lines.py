"""Sorted canonical N-Triples and N-Quads written by Oxigraph, with no rdflib graph in between.

Why: at a million statements, building an rdflib graph costs about 30 s and writing each term in
Python another 10 s, while Oxigraph parses (checking every IRI) and writes them again in about
three seconds of CPU. Oxigraph's writer gives canonical N-Triples: the bytes of our own writer
(:mod:`.lines_and_xml`) once the lines are sorted as bytes (UTF-8 keeps code-point order), with
one exception: it writes U+0008 and U+000C as ``\\b`` and ``\\f``, where ours writes ``\\u0008``
and ``\\u000C``. Those two are rewritten here, so both routes give the same bytes.

Our writers refuse what they cannot carry in every syntax (blank nodes, RDF 1.2 triple terms,
base-direction language tags). The parser accepts them, so the text is screened for their marks
(``_:``, ``<<``, ``--``) and only the lines that show one are parsed again to decide.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Iterable
from typing import Any

from ..errors import CheckFailure

#: A backslash and what it escapes, where it needs rewriting: ``\\`` is matched so that the
#: ``b`` of an escaped backslash followed by a letter b is never taken for an escape.
_SHORT_ESCAPE = re.compile(rb"\\[\\bf]")
_SHORT_ESCAPE_MARK = re.compile(rb"\\[bf]")
_REWRITE = {b"\\\\": b"\\\\", b"\\b": b"\\u0008", b"\\f": b"\\u000C"}
#: Marks of what our writers refuse; a literal may contain them too, hence the second look.
#: Searched one compiled pattern at a time: ``re`` finds a literal prefix three times faster than
#: ``bytes.__contains__`` does on 300 MB (and an alternation of all four ten times slower).
#: ``<<`` and not ``<<(``: pyoxigraph 0.4 writes RDF-star's ``<< s p o >>``, 0.5 ``<<( s p o )>>``.
_SUSPECT = tuple(re.compile(re.escape(mark)) for mark in (b"_:", b"<<", b"--"))


def _normalise_escapes(text: bytes) -> bytes:
    """Rewrite Oxigraph's ``\\b`` and ``\\f`` as ``\\u0008`` and ``\\u000C``."""
    if _SHORT_ESCAPE_MARK.search(text) is None:
        return text
    return _SHORT_ESCAPE.sub(lambda match: _REWRITE[match.group()], text)


def _refuse_unwritable(lines: list[bytes]) -> None:
    """Raise CheckFailure if a statement has a blank node, a triple term or a directed literal."""
    import pyoxigraph

    for line in lines:
        (quad,) = pyoxigraph.parse(line, format=pyoxigraph.RdfFormat.N_QUADS)
        for term in (quad.subject, quad.object, quad.graph_name):
            if isinstance(term, pyoxigraph.BlankNode):
                raise CheckFailure(f"blank nodes are not written: {line.decode()[:120]}")
            if isinstance(term, pyoxigraph.Triple):
                raise CheckFailure(f"RDF 1.2 triple terms are not written: {line.decode()[:120]}")
            direction = getattr(term, "direction", None)  # RDF 1.2, pyoxigraph 0.5 on
            if isinstance(term, pyoxigraph.Literal) and direction is not None:
                raise CheckFailure(
                    f"language tag {term.language}--{direction} is not written: "
                    f"{line.decode()[:120]}"
                )


def sorted_lines(statements: Iterable[Any], dataset: bool) -> list[bytes]:
    """Return the distinct canonical lines of pyoxigraph statements, sorted as bytes.

    ``statements`` are pyoxigraph ``Quad`` objects (as :func:`pyoxigraph.parse` yields them);
    ``dataset`` False writes their triples (N-Triples: graph names dropped, duplicates merged),
    True the quads (N-Quads). Each line is without its newline.
    """
    return sorted_distinct(_screened_lines(_canonical_text(statements, dataset)))


def sorted_text(statements: Iterable[Any], dataset: bool) -> bytes:
    """Return :func:`sorted_lines` as one document, each line ended by a newline.

    Why not ``join_lines(sorted_lines(...))``: Oxigraph's text of a file that is already sorted
    and free of duplicates (every dump we write) is the answer as it stands, so it is returned
    after one check of the order, without joining a million lines again (a third of the work
    after parsing, at 1M).
    """
    text = _canonical_text(statements, dataset)
    lines = _screened_lines(text)
    if all(map(operator.lt, lines, itertools.islice(lines, 1, None))):
        return text
    return join_lines(sorted_distinct(lines))


def _canonical_text(statements: Iterable[Any], dataset: bool) -> bytes:
    """Return Oxigraph's N-Quads (or N-Triples) text of ``statements``, in their order."""
    import pyoxigraph

    if dataset:
        text = pyoxigraph.serialize(statements, format=pyoxigraph.RdfFormat.N_QUADS)
    else:
        triples = map(operator.attrgetter("triple"), statements)  # no Python frame per quad
        text = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return _normalise_escapes(text)


def _screened_lines(text: bytes) -> list[bytes]:
    """Return the lines of ``text`` (no newlines) after refusing what our writers cannot carry."""
    # split(b"\n"), never splitlines(): a literal may hold U+2028, which N-Triples leaves as is
    lines = text.split(b"\n")
    lines.pop()  # after the last newline
    if any(mark.search(text) for mark in _SUSPECT):
        _refuse_unwritable([line for line in lines if any(m.search(line) for m in _SUSPECT)])
    return lines


def sorted_distinct(lines: list[bytes]) -> list[bytes]:
    """Sort ``lines`` in place and return them without repeats (in place too if there are none)."""
    lines.sort()  # timsort: nearly free on the sorted files we usually read
    # duplicates are neighbours now: looking for one costs a fifth of removing them all
    if any(map(operator.eq, lines, itertools.islice(lines, 1, None))):
        distinct = list(
            itertools.compress(lines, map(operator.ne, lines, itertools.islice(lines, 1, None)))
        )
        distinct.append(lines[-1])  # the last line has no successor to differ from
        return distinct
    return lines


def join_lines(lines: list[bytes]) -> bytes:
    """Return lines as one document, each ended by a newline.

    The last newline comes from joining one empty line more, not from adding it after: at 1M
    lines, ``join(...) + b"\\n"`` copies 230 MB a second time.
    """
    if not lines:
        return b""
    return b"\n".join(itertools.chain(lines, (b"",)))
