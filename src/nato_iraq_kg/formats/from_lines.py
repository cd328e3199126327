"""rdflib terms read from canonical N-Triples/N-Quads lines, for our writers, without a Graph.

Why: Turtle, TriG, RDF/XML and JSON-LD are written by our own writers (fixed prefixes, sorted,
the build's exact bytes), which take rdflib terms. Loading a million statements into an rdflib
``Graph`` costs about 30 s; the writers only need the statements and, for JSON-LD, each subject's
predicate-object pairs. Canonical lines (:mod:`.canonical_lines`) can be cut into terms by plain
string operations: an IRI holds no space and no ``"``, so the subject and predicate end at the
first two spaces, and a literal ends at the last ``"`` of the rest. Each distinct term is made
once: a corpus names the same IRIs and literals many times.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator

from rdflib import Literal, URIRef
from rdflib.term import Node

from ..errors import CheckFailure

Triple = tuple[Node, Node, Node]


class Terms(dict[str, Node]):
    """The rdflib term of each N-Triples term text, ``terms[text]``, each made once.

    A dict with ``__missing__``: a term seen before costs one lookup in C, no Python call.
    """

    def __missing__(self, text: str) -> Node:
        found = self[text] = _term(text)
        return found


def _term(text: str) -> Node:
    """Return the rdflib term of a canonical N-Triples IRI or literal.

    A canonical literal is a JSON string (its escapes are JSON's, no raw control character), so
    the standard decoder reads it. Lexical forms are kept as written (``normalize=False``): what
    Oxigraph wrote to N-Triples is what every other syntax shows.
    """
    if text.startswith("<"):
        return URIRef(text[1:-1])
    end = text.rindex('"')
    value = json.loads(text[: end + 1])
    suffix = text[end + 1 :]
    if suffix.startswith("@"):
        return Literal(value, lang=suffix[1:])
    if suffix.startswith("^^<"):
        return Literal(value, datatype=URIRef(suffix[3:-1]), normalize=False)
    return Literal(value)


def triples(lines: list[bytes], terms: Terms | None = None) -> list[Triple]:
    """Return the triples of sorted canonical N-Triples lines (no newline), in their order."""
    make = terms or Terms()
    found = []
    for line in lines:
        s, p, o = line.decode("utf-8")[:-2].split(" ", 2)
        found.append((make[s], make[p], make[o]))
    return found


def named_graphs(lines: list[bytes], terms: Terms | None = None) -> dict[URIRef, list[Triple]]:
    """Return the triples of canonical N-Quads lines by graph name.

    TriG is written here as named graphs only, as the build writes it: a statement in the
    default graph is refused rather than put in a graph of our choosing.
    """
    make = terms or Terms()
    graphs: dict[URIRef, list[Triple]] = defaultdict(list)
    for line in lines:
        text = line.decode("utf-8")
        s, p, rest = text[:-2].split(" ", 2)
        if rest.startswith("<"):
            o, _, g = rest.partition(" ")
        else:
            end = rest.rindex('"')
            suffix, _, g = rest[end + 1 :].partition(" ")
            o = rest[: end + 1] + suffix
        if not g:
            raise CheckFailure(f"a statement in the default graph is not written to TriG: {text}")
        graphs[make[g]].append((make[s], make[p], make[o]))  # type: ignore[index]
    return graphs


class TripleIndex:
    """The few read methods of an rdflib ``Graph`` the JSON-LD writer uses, over a triple list."""

    def __init__(self, statements: list[Triple]) -> None:
        self.statements = statements
        self._by_subject: dict[Node, list[tuple[Node, Node]]] | None = None

    @property
    def by_subject(self) -> dict[Node, list[tuple[Node, Node]]]:
        """Each subject's (predicate, object) pairs, indexed on first use (Turtle never asks)."""
        if self._by_subject is None:
            self._by_subject = defaultdict(list)
            for s, p, o in self.statements:
                self._by_subject[s].append((p, o))
        return self._by_subject

    def __iter__(self) -> Iterator[Triple]:
        return iter(self.statements)

    def __len__(self) -> int:
        return len(self.statements)

    def subjects(self) -> Iterator[Node]:
        """Every subject, once."""
        return iter(self.by_subject)

    def predicate_objects(self, subject: Node) -> Iterator[tuple[Node, Node]]:
        """The (predicate, object) pairs of one subject."""
        return iter(self.by_subject.get(subject, ()))
