"""Tests for the SHACL shapes (ontology/shapes.ttl) and nato_iraq_kg.check.shapes.

Fixture files under ``tests/fixtures/shapes/`` state what they expect in their header:
``# expect: <focus IRI> sh:SomeConstraintComponent``, one line per result that must appear.
``valid/`` files must produce no result at all, ``invalid/`` files must fail with the expected
Violations, and ``warning/`` files must conform but produce the expected Warnings.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from nato_iraq_kg.build.pipeline import BuildResult
from nato_iraq_kg.check.shapes import (
    ValidationReport,
    ValidationResult,
    load_shapes,
    validate_graph,
)
from nato_iraq_kg.namespaces import ENTAILED_GRAPH, EVIDENCE_GRAPH, ID, NIK, OA, SCHEMA, TIME

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
EXPECT_LINE = re.compile(r"^#\s*expect:\s*<([^>]+)>\s+sh:(\w+)\s*$")

#: How many fixture files each folder holds: a glob that silently finds nothing must fail.
FIXTURE_COUNTS = {"valid": 5, "invalid": 24, "warning": 4}

#: At most this many mutations of each kind are drawn, so the mutation test stays fast.
MUTATIONS_PER_KIND = 8

Triple = tuple[Node, Node, Node]
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")


def fixture_files(kind: str) -> list[Path]:
    """Return the fixture files of one folder, sorted for stable test ids."""
    return sorted((FIXTURES / kind).glob("*.ttl"))


def expectations(path: Path) -> set[tuple[str, str]]:
    """Read the ``# expect: <focus> sh:Component`` lines of a fixture's header."""
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = EXPECT_LINE.match(line.strip())
        if match:
            found.add((match[1], match[2]))
    return found


def pairs(results: tuple[ValidationResult, ...]) -> set[tuple[str, str]]:
    """Return the (focus node, constraint component) of each result."""
    return {(r.focus, r.component) for r in results}


@pytest.fixture(scope="module")
def built_graph(build: BuildResult) -> Graph:
    """Return the built facts and the evidence graph in one graph."""
    graph = Graph()
    graph += build.facts()
    graph += build.graphs[EVIDENCE_GRAPH]
    return graph


@pytest.fixture(scope="module")
def built_report(built_graph: Graph, build: BuildResult, shapes: Graph) -> ValidationReport:
    """Validate the real built graph once for the module."""
    return validate_graph(built_graph, shapes=shapes, ontology=build.ontology)


def validate_file(path: Path, shapes: Graph, ontology: Graph) -> ValidationReport:
    """Validate one fixture file with the project ontology merged in."""
    return validate_graph(Graph().parse(path, format="turtle"), shapes=shapes, ontology=ontology)


# ---------------------------------------------------------------------------------------------
# The real data
# ---------------------------------------------------------------------------------------------


def test_built_graph_conforms(built_report: ValidationReport) -> None:
    """The built facts, evidence and ontology have no Violation."""
    assert built_report.conforms, built_report.text()
    assert not built_report.violations


def test_built_graph_has_no_warnings(built_report: ValidationReport) -> None:
    """The built data raises no Warning either (list them if this ever fails)."""
    assert not built_report.warnings, built_report.text()


def test_shapes_reach_the_built_data(built_graph: Graph, build: BuildResult, shapes: Graph) -> None:
    """A broken copy of the real data fails, so the shapes do reach subclass instances."""
    broken = Graph()
    broken += built_graph
    nato = ID["actor/nato"]
    broken.remove((nato, RDFS.label, None))
    report = validate_graph(broken, shapes=shapes, ontology=build.ontology, focus_nodes=[nato])
    assert not report.conforms
    assert (str(nato), "MinCountConstraintComponent") in pairs(report.violations)


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


def test_fixture_counts() -> None:
    """Each fixture folder holds exactly the expected number of files."""
    found = {kind: len(fixture_files(kind)) for kind in FIXTURE_COUNTS}
    assert found == FIXTURE_COUNTS


def test_expectation_header_is_parsed(tmp_path: Path) -> None:
    """The expect header yields (focus, component) pairs and ignores other comments."""
    path = tmp_path / "x.ttl"
    path.write_text(
        "# a comment\n# expect: <https://e.org/a> sh:MinCountConstraintComponent\n"
        "#expect:  <https://e.org/b>  sh:SPARQLConstraintComponent \n<https://e.org/a> a <x:C> .\n",
        encoding="utf-8",
    )
    assert expectations(path) == {
        ("https://e.org/a", "MinCountConstraintComponent"),
        ("https://e.org/b", "SPARQLConstraintComponent"),
    }


@pytest.mark.parametrize("path", fixture_files("valid"), ids=lambda p: p.stem)
def test_valid_fixture_conforms(path: Path, shapes: Graph, build: BuildResult) -> None:
    """A valid fixture conforms with no result at all."""
    assert not expectations(path)
    report = validate_file(path, shapes, build.ontology)
    assert report.conforms, report.text()
    assert not report.results, report.text()


@pytest.mark.parametrize("path", fixture_files("invalid"), ids=lambda p: p.stem)
def test_invalid_fixture_fails_as_expected(path: Path, shapes: Graph, build: BuildResult) -> None:
    """An invalid fixture fails, with a Violation at each expected focus node and component."""
    expected = expectations(path)
    assert expected, f"{path.name} has no '# expect:' line"
    report = validate_file(path, shapes, build.ontology)
    assert not report.conforms
    missing = expected - pairs(report.violations)
    assert not missing, f"missing {sorted(missing)}; got:\n{report.text()}"


@pytest.mark.parametrize("path", fixture_files("warning"), ids=lambda p: p.stem)
def test_warning_fixture_warns_as_expected(path: Path, shapes: Graph, build: BuildResult) -> None:
    """A doubtful fixture conforms, with a Warning at each expected focus node and component."""
    expected = expectations(path)
    assert expected, f"{path.name} has no '# expect:' line"
    report = validate_file(path, shapes, build.ontology)
    assert report.conforms, report.text()
    missing = expected - pairs(report.warnings)
    assert not missing, f"missing {sorted(missing)}; got:\n{report.text()}"


# ---------------------------------------------------------------------------------------------
# The API
# ---------------------------------------------------------------------------------------------


def test_report_is_sorted_and_deterministic(shapes: Graph, build: BuildResult) -> None:
    """Two validations give equal, sorted results, Violations before Warnings."""
    path = FIXTURES / "invalid" / "refines-wrong-direction.ttl"
    first = validate_file(path, shapes, build.ontology)
    second = validate_file(path, shapes, build.ontology)
    assert first.results == second.results
    assert [r.severity for r in first.results] == sorted(
        (r.severity for r in first.results), key=("Violation", "Warning", "Info").index
    )
    assert first.violations and first.warnings
    assert set(first.violations) | set(first.warnings) == set(first.results)
    assert all(r.source_shape and r.message for r in first.results)


def test_validate_graph_leaves_input_alone(shapes: Graph, build: BuildResult) -> None:
    """Validation neither adds the ontology to nor otherwise changes the caller's graph."""
    graph = Graph().parse(FIXTURES / "invalid" / "missing-label.ttl", format="turtle")
    before = set(graph)
    validate_graph(graph, shapes=shapes, ontology=build.ontology)
    assert set(graph) == before


def test_focus_nodes_limit_the_report(shapes: Graph, build: BuildResult) -> None:
    """Results are only reported for the focus nodes asked for."""
    graph = Graph().parse(FIXTURES / "invalid" / "missing-label.ttl", format="turtle")
    elsewhere = validate_graph(
        graph, shapes=shapes, ontology=build.ontology, focus_nodes=[ID["actor/iraq"]]
    )
    assert elsewhere.conforms and not elsewhere.results
    here = validate_graph(
        graph, shapes=shapes, ontology=build.ontology, focus_nodes=[ID["actor/nato"]]
    )
    assert not here.conforms


def test_without_ontology_subclass_targets_are_missed(shapes: Graph) -> None:
    """With an empty ontology, nik:Actor's shapes do not reach a nik:InternationalOrganization."""
    graph = Graph().parse(FIXTURES / "invalid" / "missing-label.ttl", format="turtle")
    report = validate_graph(graph, shapes=shapes, ontology=Graph())
    assert ("https://w3id.org/nato-iraq-kg/id/actor/nato", "MinCountConstraintComponent") not in (
        pairs(report.results)
    )


def test_malformed_shapes_raise(build: BuildResult) -> None:
    """A shapes graph that pyshacl cannot apply raises ValueError instead of passing silently."""
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <https://e.org/S> a sh:NodeShape ;
            sh:targetNode <https://e.org/x> ;
            sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?v { 1 } }" ] .
        """,
        format="turtle",
    )
    data = Graph().parse(data="<https://e.org/x> <https://e.org/p> 1 .", format="turtle")
    with pytest.raises(ValueError, match="VALUES"):
        validate_graph(data, shapes=shapes, ontology=Graph())


def test_load_shapes_default_path() -> None:
    """The default shapes file parses and defines node shapes."""
    graph = load_shapes()
    assert len(graph) > 500
    shape = URIRef("https://w3id.org/nato-iraq-kg/shapes#ActorShape")
    assert (shape, RDF.type, URIRef("http://www.w3.org/ns/shacl#NodeShape")) in graph


# ---------------------------------------------------------------------------------------------
# Mutations of the real data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """A small change to the graph that the shapes must notice."""

    kind: str
    remove: Triple
    add: Triple | None = None

    def __str__(self) -> str:
        """Describe the mutation in one line."""
        s, p, o = self.remove
        change = f" -> {self.add[2].n3()}" if self.add else ""
        return f"{self.kind}: {s.n3()} {p.n3()} {o.n3()}{change}"


def _is_entity(node: Node) -> bool:
    """Tell whether a node is one of ours (id/...), excluding evidence and assertion graphs."""
    text = str(node)
    return (
        isinstance(node, URIRef)
        and text.startswith(str(ID))
        and not text.startswith((str(ID) + "evidence/", str(ID) + "assertion/"))
        and "/source/" not in text
    )


def _none(_: Triple) -> None:
    """Make no replacement: the mutation only removes."""
    return None


def _shift(triple: Triple, rng: random.Random) -> Triple:
    """Move an offset by one character, staying non-negative."""
    s, p, o = triple
    step = 1 if int(o) == 0 else rng.choice((-1, 1))
    return (s, p, Literal(int(o) + step, datatype=o.datatype))


def _retype(triple: Triple, datatype: URIRef | None) -> Triple:
    """Keep a literal's text but give it another datatype (None: a plain string)."""
    s, p, o = triple
    return (s, p, Literal(str(o), datatype=datatype))


def mutations(graph: Graph, rng: random.Random) -> list[Mutation]:
    """Draw, deterministically, up to MUTATIONS_PER_KIND mutations of each kind."""
    milestones = set(graph.objects(None, NIK.milestone))
    date_literals = (
        NIK.earliestDate,
        NIK.latestDate,
        TIME.inXSDgYear,
        TIME.inXSDgYearMonth,
        TIME.inXSDDate,
    )
    kinds: dict[str, tuple[list[Triple], Callable[[Triple], Triple | None]]] = {
        "remove type": (
            [t for t in graph.triples((None, RDF.type, None)) if _is_entity(t[0])],
            _none,
        ),
        "remove label": (list(graph.triples((None, RDFS.label, None))), _none),
        "remove milestone date": (
            [t for t in graph.triples((None, NIK.date, None)) if t[0] in milestones],
            _none,
        ),
        "remove offset": (
            [t for p in (OA.start, OA.end) for t in graph.triples((None, p, None))],
            _none,
        ),
        "shift offset": (
            [t for p in (OA.start, OA.end) for t in graph.triples((None, p, None))],
            lambda t: _shift(t, rng),
        ),
        "remove value": (list(graph.triples((None, SCHEMA.value, None))), _none),
        "value as decimal": (
            list(graph.triples((None, SCHEMA.value, None))),
            lambda t: _retype(t, XSD_DECIMAL),
        ),
        "date as string": (
            [t for p in date_literals for t in graph.triples((None, p, None))],
            lambda t: _retype(t, None),
        ),
    }
    drawn = []
    for kind, (candidates, change) in kinds.items():
        ordered = sorted(candidates, key=lambda t: tuple(x.n3() for x in t))
        for triple in rng.sample(ordered, min(MUTATIONS_PER_KIND, len(ordered))):
            drawn.append(Mutation(kind, triple, change(triple)))
    return drawn


def affected_nodes(graph: Graph, mutation: Mutation) -> set[URIRef]:
    """Return the nodes whose shapes can see the change: its subject, object and their users."""
    s, _, o = mutation.remove
    nodes = {n for n in (s, o) if isinstance(n, URIRef)}
    for node in list(nodes):
        nodes |= {x for x in graph.subjects(None, node) if isinstance(x, URIRef)}
    return nodes


def test_every_mutation_is_caught(
    built_graph: Graph, build: BuildResult, shapes: Graph, built_report: ValidationReport
) -> None:
    """Removing or corrupting required triples of the real data is always reported.

    The mutations are made to the data as stated, without the superclass types the build adds
    (graph/entailed): those restate what the ontology already implies, so a removed type would
    otherwise hide behind its own superclasses.
    """
    graph = Graph()
    graph += built_graph
    graph -= build.graphs[ENTAILED_GRAPH]
    drawn = mutations(graph, random.Random(0))
    assert len(drawn) >= 50
    assert {m.kind for m in drawn} == {
        "remove type",
        "remove label",
        "remove milestone date",
        "remove offset",
        "shift offset",
        "remove value",
        "value as decimal",
        "date as string",
    }
    baseline = set(built_report.results)
    missed = []
    for mutation in drawn:
        focus = affected_nodes(graph, mutation)
        graph.remove(mutation.remove)
        if mutation.add is not None:
            graph.add(mutation.add)
        try:
            report = validate_graph(
                graph, shapes=shapes, ontology=build.ontology, focus_nodes=focus
            )
        finally:
            if mutation.add is not None:
                graph.remove(mutation.add)
            graph.add(mutation.remove)
        if not set(report.results) - baseline:
            missed.append(str(mutation))
    caught = len(drawn) - len(missed)
    print(f"caught {caught}/{len(drawn)} mutations")
    assert not missed, f"caught {caught}/{len(drawn)}; missed:\n" + "\n".join(missed)


def test_one_line_drops_comments_but_keeps_strings_and_iris() -> None:
    """Queries go on one line by tokens: ``#`` in an IRI or a string is not a comment."""
    from nato_iraq_kg.guard.sparql_text import one_line

    text = (
        "SELECT ?s WHERE {  # a comment\n"
        "  ?s <http://e.org/p#q> '''two\nlines # kept''' . # another\n"
        '  FILTER(?s != "#x")\n}\n'
    )
    assert one_line(text) == (
        "SELECT ?s WHERE { ?s <http://e.org/p#q> '''two\nlines # kept''' . FILTER(?s != \"#x\") }"
    )
