"""The SPARQL-constraint prefilter (nato_iraq_kg.check.prefilter) changes speed, never results.

Every shape fixture and a few broken copies of the real data are validated twice, with the
prefilter and with plain pyshacl, and the two reports must be equal result for result.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from nato_iraq_kg.build.pipeline import BuildResult
from nato_iraq_kg.check.prefilter import sparql_prefilters
from nato_iraq_kg.check.shapes import validate_graph
from nato_iraq_kg.namespaces import EVIDENCE_GRAPH, ID, OA

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
#: The fixtures where a SPARQL constraint fires: the only results the prefilter could lose.
FIXTURE_FILES = sorted(
    path
    for path in FIXTURES.glob("*/*.ttl")
    if "sh:SPARQLConstraintComponent" in path.read_text(encoding="utf-8")
)


def test_fixtures_are_found() -> None:
    """The fixtures where SPARQL constraints fire are found (an empty glob would pass silently)."""
    assert len(FIXTURE_FILES) >= 10


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_reports_match_plain_pyshacl(path: Path, shapes: Graph, build: BuildResult) -> None:
    """Each fixture gives the same results with the prefilter as with plain pyshacl."""
    data = Graph().parse(path, format="turtle")
    fast = validate_graph(data, shapes=shapes, ontology=build.ontology)
    plain = validate_graph(data, shapes=shapes, ontology=build.ontology, prefilter=False)
    assert fast.results == plain.results


def broken_copies(build: BuildResult) -> dict[str, Graph]:
    """Return copies of the real data, each with a mistake a SPARQL constraint must catch."""
    base = build.facts() + build.graphs[EVIDENCE_GRAPH]
    annotation = sorted(base.subjects(OA.hasBody, None))[0]
    selector = URIRef(f"{annotation}#quote")
    quote = base.value(selector, OA.exact)
    copies = {}
    wrong_quote = base + Graph()
    wrong_quote.set((selector, OA.exact, Literal(f"{quote} and more")))
    copies["quote"] = wrong_quote
    wrong_source = base + Graph()
    wrong_source.set((annotation, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), ID["x"]))
    copies["source"] = wrong_source
    assert quote is not None
    return copies


def test_broken_data_reports_match_plain_pyshacl(shapes: Graph, build: BuildResult) -> None:
    """Broken copies of the real data fail alike with and without the prefilter."""
    for name, data in broken_copies(build).items():
        fast = validate_graph(data, shapes=shapes, ontology=build.ontology)
        plain = validate_graph(data, shapes=shapes, ontology=build.ontology, prefilter=False)
        assert not fast.conforms, name
        assert fast.results == plain.results, name
        assert any(r.component == "SPARQLConstraintComponent" for r in fast.results), name


def test_prefilter_covers_node_shape_constraints(shapes: Graph, build: BuildResult) -> None:
    """Most SPARQL constraints are prefiltered, and on valid data no target is a candidate."""
    data = build.facts() + build.graphs[EVIDENCE_GRAPH] + build.ontology
    found = sparql_prefilters(data, shapes)
    assert len(found) >= 30
    assert all(not f.candidates for f in found.values())
    assert any(f.targets for f in found.values())


def test_unsafe_queries_are_not_prefiltered() -> None:
    """A constraint with LIMIT, a subquery or MINUS is left to pyshacl alone."""
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <https://e.org/S> a sh:NodeShape ; sh:targetSubjectsOf <https://e.org/p> ;
            sh:sparql [ sh:select "SELECT $this WHERE { $this <https://e.org/p> ?o } LIMIT 1" ] .
        <https://e.org/T> a sh:NodeShape ; sh:targetSubjectsOf <https://e.org/p> ;
            sh:sparql [ sh:select "SELECT $this WHERE { { SELECT ?o WHERE { ?o ?p ?q } } }" ] .
        <https://e.org/U> a sh:NodeShape ; sh:targetSubjectsOf <https://e.org/p> ;
            sh:sparql [ sh:select "SELECT $this WHERE { ?a ?b ?c MINUS { $this ?b ?c } }" ] .
        """,
        format="turtle",
    )
    data = Graph().parse(data="<https://e.org/x> <https://e.org/p> 1 .", format="turtle")
    assert sparql_prefilters(data, shapes) == {}


def test_non_canonical_literals_turn_the_prefilter_off() -> None:
    """Data with a literal Oxigraph would rewrite ("1.50" as 1.5) is left to pyshacl entirely.

    Here rdflib sees "1.50", which the IRI does not end with (a violation), while Oxigraph would see
    "1.5", which it does: prefiltering would lose the violation.
    """
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <https://e.org/S> a sh:NodeShape ; sh:targetSubjectsOf <https://e.org/n> ;
            sh:sparql [ sh:select '''SELECT $this WHERE {
                $this <https://e.org/n> ?n . FILTER (!STRENDS(STR($this), STR(?n))) }''' ] .
        """,
        format="turtle",
    )
    xsd = "http://www.w3.org/2001/XMLSchema#"
    canonical = f'<https://e.org/s/1.5> <https://e.org/n> "1.5"^^<{xsd}decimal> .'
    padded = canonical.replace('"1.5"', '"1.50"')
    assert sparql_prefilters(Graph().parse(data=canonical, format="nt"), shapes)
    assert sparql_prefilters(Graph().parse(data=padded, format="nt"), shapes) == {}
    report = validate_graph(
        Graph().parse(data=padded, format="nt"), shapes=shapes, ontology=Graph()
    )
    assert not report.conforms
