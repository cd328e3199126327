"""What a publish sends: the dataset's quads, grouped by the graph each lands in, with their hash.

Two mappings (the README's "Publishing to a triplestore" says when to use which):

* **dataset** (the default): every named graph of the file keeps its own IRI, exactly as in
  ``data/nato-iraq.trig``, so ``GRAPH ?g`` and every competency question answer the same on the
  store as on the embedded one. The publication owns every graph under the project's namespace
  (``PUBLISHED_NAMESPACE``); a graph it held before and no longer has is dropped when it swaps.
* **one graph** (``--graph IRI``): every triple of the file merged into that one graph, for stores
  where our data must live in a graph of the user's choosing; which assertion a triple came from is
  then lost.

Blank nodes are refused: a store renames them on every insert, so publishing twice would add a
second copy instead of replacing, and no read-back could prove the store holds what we sent. Our
build makes none. Triples are hashed as canonical N-Quads lines (each term as N-Triples writes it,
lines sorted), so the same set of quads has one hash wherever it is read from. One step of that
canonical form is about values: a literal of a type derived from ``xsd:integer`` (our offsets are
``xsd:nonNegativeInteger``) is written as the ``xsd:integer`` of the same value, because Oxigraph
keeps only the value and answers ``"5"^^xsd:integer`` for the ``"5"^^xsd:nonNegativeInteger`` it
was sent (its embedded store does the same, so our queries never depend on the subtype); and an
``xsd:boolean`` is written ``true``/``false``, because Virtuoso answers ``"1"^^xsd:boolean`` for
the ``"true"`` it was sent (the same value: XSD allows both lexical forms).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..formats.registry import syntax_of_file
from ..guard.rdf_input import MAX_INPUT_BYTES, is_gzip, iter_rdf_file

PUBLISHED_NAMESPACE = "https://w3id.org/nato-iraq-kg/"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
_INTEGER_TYPES = frozenset(
    XSD + name
    for name in (
        "integer",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "positiveInteger",
    )
)
#: The syntaxes ``publish --file`` reads: triples or quads, streamed by Oxigraph.
PUBLISHABLE = ("trig", "nq", "nt", "ttl")


@dataclass(frozen=True)
class Publication:
    """The triples to publish: target graph IRI -> N-Triples lines (no final dot), sorted.

    ``canonical`` holds the same triples in the canonical form that read-backs are compared in.
    """

    graphs: Mapping[str, tuple[str, ...]]
    canonical: Mapping[str, frozenset[str]]
    mode: str  # "dataset" | "graph"

    @property
    def count(self) -> int:
        """Return how many distinct quads the store should hold (canonical form)."""
        return sum(len(lines) for lines in self.canonical.values())

    @property
    def digest(self) -> str:
        """Return the SHA-256 of the publication's canonical N-Quads."""
        return quads_digest(self.canonical)


def quads_digest(graphs: Mapping[str, Iterable[str]]) -> str:
    """Return the SHA-256 of canonical N-Quads: ``<s> <p> <o> <g> .`` lines, sorted."""
    lines = sorted(
        f"{triple} <{graph}> .\n" for graph, triples in graphs.items() for triple in triples
    )
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def check_graph_iri(iri: str) -> str:
    """Return ``iri`` if it is an absolute IRI a store can name a graph by, else refuse it."""
    import pyoxigraph

    scheme, colon, rest = iri.partition(":")
    if not colon or not scheme.isascii() or not scheme[:1].isalpha() or not rest:
        raise InputError(f"--graph {iri!r}: not an absolute IRI (it needs a scheme, like https:)")
    try:
        pyoxigraph.NamedNode(iri)
    except ValueError as exc:
        raise InputError(f"--graph {iri!r}: not a valid IRI ({exc})") from exc
    if any(c in iri for c in '<>"{}|^`\\ ') or iri.startswith("urn:nato-iraq-kg:staging:"):
        raise InputError(f"--graph {iri!r}: not usable as a graph name")
    return iri


def term_text(term: Any) -> str:
    """Return a pyoxigraph term as N-Triples writes it, refusing blank nodes."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.BlankNode):
        raise InputError(
            "the data has a blank node; publish refuses blank nodes because a store would "
            "duplicate them on every publish (skolemise them into IRIs first)"
        )
    text = str(term)
    if "\\u" in text or "\\U" in text:
        # SPARQL expands \\u escapes before parsing, so the same text would mean something else.
        raise InputError(f"{text[:80]}: a term with a \\u escape cannot be sent as SPARQL text")
    return text


def read_publication(
    path: Path, graph: str | None, limit: int | None = MAX_INPUT_BYTES
) -> Publication:
    """Read ``path`` (TriG, N-Quads, N-Triples or Turtle, or any of them gzipped) to publish.

    The file is measured against ``limit`` first and parsed as a stream (a gzip file's
    decompressed bytes count against the limit too).
    """
    import pyoxigraph

    inner = path.with_suffix("") if is_gzip(path) else path
    fmt = syntax_of_file(inner, PUBLISHABLE).oxigraph_name
    if not path.is_file():
        raise InputError(f"{path}: no such file (run 'nato-iraq-kg build' first?)")
    graphs: dict[str, set[str]] = {}
    canonical: dict[str, set[str]] = {}
    for quad in iter_rdf_file(path, fmt, limit):
        line = " ".join(term_text(t) for t in (quad.subject, quad.predicate, quad.object))
        if graph is not None:
            target = graph
        elif isinstance(quad.graph_name, pyoxigraph.DefaultGraph):
            raise InputError(
                f"{path}: triples outside any named graph; give --graph IRI to publish into one"
            )
        else:
            target = quad.graph_name.value
            if not target.startswith(PUBLISHED_NAMESPACE):
                raise InputError(
                    f"{path}: graph <{target}> is outside {PUBLISHED_NAMESPACE}; "
                    "give --graph IRI to publish everything into one graph"
                )
        graphs.setdefault(target, set()).add(line)
        canonical.setdefault(target, set()).add(
            " ".join(canonical_text(t) for t in (quad.subject, quad.predicate, quad.object))
        )
    if not graphs:
        raise InputError(f"{path}: no triples to publish")
    return Publication(
        {g: tuple(sorted(lines)) for g, lines in sorted(graphs.items())},
        {g: frozenset(lines) for g, lines in canonical.items()},
        "graph" if graph is not None else "dataset",
    )


def canonical_text(term: Any) -> str:
    """Return a term's N-Triples text: integer subtypes as ``xsd:integer``, booleans as words."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.Literal) and term.datatype.value == XSD + "boolean":
        word = {"1": "true", "0": "false"}.get(term.value.strip(), term.value.strip())
        return str(pyoxigraph.Literal(word, datatype=term.datatype))
    if isinstance(term, pyoxigraph.Literal) and term.datatype.value in _INTEGER_TYPES:
        try:
            value = int(term.value.strip())
        except ValueError:
            return str(term)
        return str(pyoxigraph.Literal(str(value), datatype=pyoxigraph.NamedNode(XSD + "integer")))
    return str(term)


def term_from_binding(value: Mapping[str, str]) -> str:
    """Return a SPARQL JSON result term in the canonical form ``canonical_text`` writes."""
    import pyoxigraph

    kind = value.get("type")
    if kind == "uri":
        return str(pyoxigraph.NamedNode(value["value"]))
    if kind in ("literal", "typed-literal"):
        language = value.get("xml:lang")
        datatype = value.get("datatype")
        if language:
            return str(pyoxigraph.Literal(value["value"], language=language))
        if datatype and datatype != XSD_STRING:
            literal = pyoxigraph.Literal(value["value"], datatype=pyoxigraph.NamedNode(datatype))
            return canonical_text(literal)
        return str(pyoxigraph.Literal(value["value"]))
    return f"_:{value.get('value', '')}"  # a blank node never matches what we sent
