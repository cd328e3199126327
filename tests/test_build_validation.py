"""The build's own shortcuts to validation: the shared facts union, validation from the text."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from nato_iraq_kg.build import pipeline
from nato_iraq_kg.build.rendered_validation import evidence_lines, validate_rendered
from nato_iraq_kg.check.shapes import validate_graph
from nato_iraq_kg.formats.lines_and_xml import ntriples
from nato_iraq_kg.namespaces import EVIDENCE_GRAPH

EX = "https://w3id.org/nato-iraq-kg/id/"
SCHEMA_VALUE = URIRef("https://schema.org/value")


@pytest.fixture(scope="module")
def fresh():
    """A build of its own (these tests change its graphs), with its rendered files."""
    result = pipeline.assemble()
    return result, pipeline.render(result)


def test_evidence_lines_are_the_evidence_graph_as_n_triples(fresh) -> None:
    """Cutting the evidence graph out of the N-Quads dump gives its N-Triples, line for line."""
    result, files = fresh
    text = evidence_lines(files["nato-iraq.nq"])
    assert text == ntriples(result.graphs[EVIDENCE_GRAPH])
    assert text.count("\n") > 1000


def _old_way(result, files):
    return validate_graph(pipeline._validated_graph(result, files), ontology=result.ontology)


def test_validation_from_the_text_gives_the_rdflib_graphs_results(fresh) -> None:
    """Conforming data: the same (empty) results either way; then a broken value and a missing
    quote text, whose results (through pySHACL) must be the same, result for result."""
    result, files = fresh
    ours = validate_rendered(
        files, result.ontology, lambda: pipeline._validated_graph(result, files)
    )
    reference = _old_way(result, files)
    assert ours is not None
    assert (ours.conforms, ours.results) == (reference.conforms, reference.results) == (True, ())
    quantity = URIRef(EX + "quantity/ntm-i-officers-trained")
    named = next(n for n, g in result.graphs.items() if (quantity, SCHEMA_VALUE, None) in g)
    broken = Graph()
    broken += result.graphs[named]
    broken.remove((quantity, SCHEMA_VALUE, None))
    broken.add((quantity, SCHEMA_VALUE, Literal("fifteen thousand")))
    saved = result.graphs[named]
    result.graphs[named] = broken
    try:
        files = pipeline.render(result)
        ours = validate_rendered(
            files, result.ontology, lambda: pipeline._validated_graph(result, files)
        )
        reference = _old_way(result, files)
    finally:
        result.graphs[named] = saved
    assert ours is not None
    assert not reference.conforms
    assert (ours.conforms, ours.results) == (reference.conforms, reference.results)
    assert any(r.focus == str(quantity) for r in ours.results)


def test_a_blank_node_in_the_text_is_left_to_the_rdflib_graph(fresh) -> None:
    """The screen names nodes by label, and a blank node's differs between text and rdflib."""
    result, files = fresh
    blank = dict(files)
    blank["void.ttl"] = files["void.ttl"] + "\n_:b <http://example.org/p> 1 .\n"
    assert validate_rendered(blank, result.ontology, lambda: Graph()) is None


def test_the_shared_facts_union_follows_changes_to_the_graphs() -> None:
    """The union is made once, but a graph added, replaced or grown makes it again."""
    a, b = URIRef(EX + "a"), URIRef(EX + "b")
    one = Graph()
    one.add((a, a, a))
    result = pipeline.BuildResult([], {}, [], {a: one}, Graph())
    first = result.facts_view()
    assert set(first) == set(result.facts()) == {(a, a, a)}
    assert result.facts_view() is first
    one.add((b, b, b))
    assert set(result.facts_view()) == {(a, a, a), (b, b, b)}
    other = Graph()
    other.add((a, b, a))
    result.graphs[b] = other
    assert (a, b, a) in result.facts_view()
    result.graphs[b] = Graph()
    assert (a, b, a) not in result.facts_view()
    result.graphs[EVIDENCE_GRAPH] = other
    assert (a, b, a) not in result.facts_view()
