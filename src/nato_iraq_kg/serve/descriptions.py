"""What an IRI of ours dereferences to, in each RDF syntax we offer.

An entity's description is every statement with it as subject or object, across all graphs,
plus the labels of what it links to. An assertion graph's IRI names a graph, so its description
also holds the statements *in* that graph: the fact the page states. The quad syntaxes (TriG,
N-Quads) keep the graph of each statement, the triple syntaxes give the statements alone, and
JSON-LD is compacted with ``ontology/context.jsonld`` exactly as ``data/nato-iraq.jsonld`` is,
so a client reads ``/id/...`` and the dump with the same terms.
"""

from __future__ import annotations

from typing import Any

from ..formats.registry import media_types, syntax
from ..namespaces import prefixes

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: What ``/id/...`` offers, by syntax key, in order of preference (a tie goes to Turtle).
ENTITY_MEDIA = media_types(("ttl", "jsonld", "nt", "xml", "trig", "nq"))
QUAD_FORMATS = frozenset({"trig", "nq"})


def describe_quads(store: Any, iri: str) -> list[Any]:
    """Return the quads that describe ``iri``: about it, pointing at it, in it, and labels.

    Labels of the IRIs it links to (and of its predicates) come along so a client can show the
    neighbourhood by name without a second request. Uses quad patterns, not SPARQL, so nothing in
    the requested path can change what is looked up.
    """
    from pyoxigraph import NamedNode

    node = NamedNode(iri)
    label = NamedNode(RDFS_LABEL)
    quads: dict[Any, None] = {}
    linked: dict[Any, None] = {}
    for quad in store.quads_for_pattern(node, None, None, None):
        quads[quad] = None
        linked[quad.predicate] = None
        if isinstance(quad.object, NamedNode):
            linked[quad.object] = None
    for quad in store.quads_for_pattern(None, None, node, None):
        quads[quad] = None
        linked[quad.predicate] = None
        if isinstance(quad.subject, NamedNode):
            linked[quad.subject] = None
    if store.contains_named_graph(node):
        for quad in store.quads_for_pattern(None, None, None, node):
            quads[quad] = None
            for term in (quad.subject, quad.predicate, quad.object):
                if isinstance(term, NamedNode):
                    linked[term] = None
    if not quads:
        return []
    for other in linked:
        if other != node:
            for quad in store.quads_for_pattern(other, label, None, None):
                quads[quad] = None
    return list(quads)


def triples_of(quads: list[Any]) -> list[Any]:
    """Return the distinct triples of ``quads``, in order, dropping their graphs."""
    return list(dict.fromkeys(quad.triple for quad in quads))


def compact_jsonld(triples: list[Any]) -> bytes:
    """Return triples as JSON-LD compacted with our context, like ``data/nato-iraq.jsonld``."""
    import pyoxigraph
    from rdflib import Graph

    from ..formats.jsonld import to_jsonld

    graph = Graph()
    text = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
    graph.parse(data=text.decode("utf-8"), format="nt")
    return to_jsonld(graph).encode("utf-8")


def serialize_description(quads: list[Any], fmt: str) -> bytes:
    """Serialise a description in one of :data:`ENTITY_MEDIA`'s formats."""
    import pyoxigraph

    if fmt == "jsonld":
        return compact_jsonld(triples_of(quads))
    if fmt in QUAD_FORMATS:
        kw = {"prefixes": prefixes()} if fmt == "trig" else {}
        return pyoxigraph.serialize(quads, format=syntax(fmt).rdf_format, **kw) or b""
    from .sparql_protocol import serialize_triples

    return serialize_triples(triples_of(quads), fmt)
