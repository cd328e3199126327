"""Validation in two steps: screen every node in Oxigraph, then let pySHACL judge the few left.

:mod:`.screen` lists the focus nodes that may fail a shape; pySHACL (the reference, with its own
results and messages) validates only those, and when there are none the data conforms without
pySHACL running at all. This module puts the data and the ontology into an Oxigraph store for the
screen, from an rdflib graph (the build) or straight from parsed files (``validate FILE``, where no
rdflib graph is built unless a node needs pySHACL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef

from .literal_ledger import LedgerBuilder
from .screen import candidates, has_targets, restrict_targets

__all__ = [
    "add_ontology_file",
    "conforming_report",
    "screen_graph",
    "screen_store",
    "validate_screened",
]

SH = Namespace("http://www.w3.org/ns/shacl#")
ONTOLOGY_GRAPH = "urn:nato-iraq-kg:validation:ontology"


def _oxigraph_term(term: Any) -> Any:
    """Return an rdflib term as the equal pyoxigraph term."""
    import pyoxigraph

    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
        return pyoxigraph.Literal(str(term))
    raise ValueError(f"cannot put {term!r} in Oxigraph")


def _quads(graph: Graph, graph_name: Any) -> Iterable[Any]:
    """Yield the triples of an rdflib graph as pyoxigraph quads in ``graph_name``."""
    import pyoxigraph

    for s, p, o in graph:
        yield pyoxigraph.Quad(_oxigraph_term(s), _oxigraph_term(p), _oxigraph_term(o), graph_name)


def screen_store(
    store: Any,
    builder: LedgerBuilder,
    shapes: Graph,
    ontology: Graph,
    *,
    ontology_in_store: bool = False,
) -> Graph | None:
    """Return the shapes restricted to the nodes that may fail them, or None to check all nodes.

    ``store`` holds the data, its literals noted in ``builder``. The returned shapes target only
    the candidates (none at all when the data conforms). The ontology is added for the screen
    (class targets follow its ``rdfs:subClassOf``) and taken out again, so the store is left as
    it was given; with ``ontology_in_store``, a copy of it is in the store already (see
    :func:`add_ontology_file`) and is left there.
    """
    import pyoxigraph

    if ontology_in_store:
        return _screened(store, builder, shapes)
    name = pyoxigraph.NamedNode(ONTOLOGY_GRAPH)
    try:
        quads = list(_quads(ontology, name))
    except ValueError:
        return None
    for quad in quads:
        builder.note(quad)
    store.extend(quads)
    try:
        return _screened(store, builder, shapes)
    finally:
        store.remove_graph(name)


def _screened(store: Any, builder: LedgerBuilder, shapes: Graph) -> Graph | None:
    """Return the shapes restricted to the candidates of a store that holds the ontology."""
    found = candidates(store, shapes, builder.finish())
    if found is None:
        return None
    # No candidate: shapes without any target (copying and restricting them costs more than
    # the screen itself on our graph).
    return restrict_targets(store, shapes, found) if found else Graph()


def add_ontology_file(store: Any, builder: LedgerBuilder, path: Path, graph_name: str) -> None:
    """Parse an ontology file into ``store``'s graph ``graph_name``, its literals noted.

    One copy then serves the screen and the quality checks (:func:`.quality.add_ontology` loads
    the same file into the same graph, and keeps a graph that is there), so that they can run
    at the same time: two copies would each be seen by the other. Oxigraph parses the file,
    as the quality checks always had it; the screen had rdflib's parse, the same triples
    (``tests/test_validate_concurrently.py`` compares them).
    """
    import pyoxigraph

    name = pyoxigraph.NamedNode(graph_name)
    quads = [
        pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, name)
        for quad in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    ]
    for quad in quads:
        builder.note(quad)
    store.extend(quads)


def screen_graph(data: Graph, shapes: Graph, ontology: Graph) -> Graph | None:
    """Return the shapes restricted to the nodes of ``data`` that may fail them (see above)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    builder = LedgerBuilder()
    try:
        quads = list(_quads(data, pyoxigraph.DefaultGraph()))
    except ValueError:
        return None
    for quad in quads:
        builder.note(quad)
    store.extend(quads)
    return screen_store(store, builder, shapes, ontology)


def conforming_report() -> Any:
    """Return the report of data in which no node can fail: conforms, no results.

    The report graph is what pySHACL writes for conforming data, so ``--format turtle`` prints
    the same either way.
    """
    from .shapes import ValidationReport

    graph = Graph()
    graph.bind("sh", SH)
    report = BNode()
    graph.add((report, URIRef(str(SH) + "conforms"), Literal(True)))
    graph.add(
        (report, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SH.ValidationReport)
    )
    return ValidationReport(True, (), graph)


def validate_screened(
    store: Any,
    builder: LedgerBuilder,
    graph: Callable[[], Graph],
    *,
    shapes: Graph,
    ontology: Graph,
    ontology_in_store: bool = False,
) -> Any:
    """Validate data held in ``store``; ``graph()`` gives it as rdflib, only if pySHACL must run.

    ``ontology_in_store``: the store holds a copy of ``ontology`` already (see
    :func:`screen_store`); pySHACL, if it runs, still gets ``ontology`` itself.
    """
    from .shapes import validate_graph

    restricted = screen_store(store, builder, shapes, ontology, ontology_in_store=ontology_in_store)
    if restricted is not None and not has_targets(restricted):
        return conforming_report()
    return validate_graph(
        graph(),
        shapes=restricted if restricted is not None else shapes,
        ontology=ontology,
        screen=False,
        prefilter=restricted is not None,  # the screen gave up: plain pyshacl
    )
