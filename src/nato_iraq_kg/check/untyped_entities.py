"""The untyped-entity quality check, answered with one cheap query and a set of typed subjects.

``queries/qc/untyped-entity-violation.rq`` is the check as people read it, and the tests run it:
every resource of our ``id/`` namespace (not an assertion or a method, no ``#``) used as a
subject or an object, in any graph, that has no ``rdf:type`` in any graph. Oxigraph answers it
row by row: for each of the two million subjects and objects of a million quads it makes the
IRI's text, tests it, and looks for a type (2.7 to 3.5 s of CPU, the costliest quality check).

Here Oxigraph only lists the distinct IRIs used as subject or object (about 1.5 s at a million
quads); the types come from its ``rdf:type`` index as one set, and the namespace test is done in
Python on the distinct IRIs alone: about 2 s in all. It stands in for the query only while the
query's text is the one it was checked against (:data:`STANDS_IN_FOR`, a hash of the text);
an edited query runs as written. ``tests/test_untyped_entities.py`` compares the two answers on
every quality-check fixture, the built dataset, the bench corpora and fixtures made to trip it.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pyoxigraph

__all__ = ["CHECK", "STANDS_IN_FOR", "stands_in_for", "untyped_entities"]

#: The quality check's name (its file's stem).
CHECK = "untyped-entity-violation"
#: SHA-256 of the query text this module answers (``queries/qc/untyped-entity-violation.rq``).
STANDS_IN_FOR = "5605bfeea5058b87e861a2c642a9bbd60202cd57df9d60e9be25224092ebd3a3"

NAMESPACE = "https://w3id.org/nato-iraq-kg/id/"
_RDF_TYPE = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_NAMED_NODE = pyoxigraph.NamedNode
#: Every IRI used as a subject or an object, in any graph (the default graph is their union).
_USED = "SELECT DISTINCT ?r WHERE { { ?r ?p ?o } UNION { ?s ?p ?r FILTER(isIRI(?r)) } }"


def stands_in_for(query: str) -> bool:
    """True when ``query`` is the exact text this module answers."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest() == STANDS_IN_FOR


def _ours(iri: str) -> bool:
    """True for an IRI of our namespace that the check is about (not assertions or methods)."""
    return (
        iri.startswith(NAMESPACE)
        and "/assertion/" not in iri
        and "/method/" not in iri
        and "#" not in iri
    )


def untyped_entities(store: Any) -> list[Any]:
    """Return the check's answer on ``store``: the untyped resources, as ``NamedNode``, sorted.

    (The query's rows came in Oxigraph's order; sorted, the output is the same every run.)
    """
    used = [
        row[0]
        for row in store.query(_USED, use_default_graph_as_union=True)
        if row[0].__class__ is _NAMED_NODE and _ours(row[0].value)
    ]
    if not used:
        return []
    typed = {quad.subject for quad in store.quads_for_pattern(None, _RDF_TYPE, None, None)}
    return sorted((iri for iri in used if iri not in typed), key=lambda iri: iri.value)
