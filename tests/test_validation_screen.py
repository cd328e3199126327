"""The validation screen (nato_iraq_kg.check.screen) changes speed, never results.

pySHACL is the oracle: every shapes fixture, every mutant of the real data and a broken copy of
the 10k corpus are validated with the screen and by pySHACL alone (no screen, no SPARQL
prefilter), and the two reports must be equal result by result. The literals Oxigraph stores
differently from how they were written (integer subtypes, ill-typed text) get cases of their own.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from nato_iraq_kg.build.pipeline import BuildResult
from nato_iraq_kg.check.inputs import load_inputs
from nato_iraq_kg.check.screen import has_targets, restrict_targets
from nato_iraq_kg.check.screened import _quads, screen_graph, validate_screened
from nato_iraq_kg.check.shapes import validate_graph
from nato_iraq_kg.namespaces import ENTAILED_GRAPH, EVIDENCE_GRAPH, OA
from test_shapes import affected_nodes, mutations

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "shapes").glob("*/*.ttl"))
EVIDENCE_FIXTURE = ROOT / "tests" / "fixtures" / "shapes" / "valid" / "evidence.ttl"


def reference(data: Graph, shapes: Graph, ontology: Graph) -> tuple:
    """Return pySHACL's own results: no screen, no prefilter."""
    report = validate_graph(data, shapes=shapes, ontology=ontology, screen=False, prefilter=False)
    return report.results


def test_every_fixture_is_found() -> None:
    """The fixtures are found (a glob that finds nothing would pass silently)."""
    assert len(FIXTURES) >= 32


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_results_equal_pyshacl_alone(path: Path, shapes: Graph, build: BuildResult) -> None:
    """Each fixture gives the same results, result by result, with the screen as without."""
    data = Graph().parse(path, format="turtle")
    screened = validate_graph(data, shapes=shapes, ontology=build.ontology)
    assert screened.results == reference(data, shapes, build.ontology)


def test_valid_data_never_reaches_pyshacl(shapes: Graph, build: BuildResult) -> None:
    """On the real data the screen leaves no node to judge: the shapes keep no target."""
    data = build.facts() + build.graphs[EVIDENCE_GRAPH]
    restricted = screen_graph(data, shapes, build.ontology)
    assert restricted is not None
    assert not has_targets(restricted)
    assert has_targets(shapes)


def test_every_mutant_gives_pyshacls_results(shapes: Graph, build: BuildResult) -> None:
    """Mutants of the real data: the screened report equals pySHACL's on the nodes each hits.

    pySHACL validates the nodes the mutation can affect and those two links around them (the
    shapes restricted to them; its own ``focus_nodes`` option miscounts qualified value shapes),
    so each comparison stays fast; the real data has no result at all, so no other node can
    have one.
    """
    import pyoxigraph

    # the data as stated: an entailed superclass type restates what the ontology implies
    graph = build.facts() + build.graphs[EVIDENCE_GRAPH] - build.graphs[ENTAILED_GRAPH]
    every = mutations(graph, random.Random(0))
    kinds = sorted({m.kind for m in every})
    drawn = [m for kind in kinds for m in [m for m in every if m.kind == kind][:2]]
    assert len(kinds) == 8 and len(drawn) >= 15  # two of each kind: each costs two validations
    differ = []
    for mutation in drawn:
        graph.remove(mutation.remove)
        if mutation.add is not None:
            graph.add(mutation.add)
        try:
            screened = validate_graph(graph, shapes=shapes, ontology=build.ontology)
            store = pyoxigraph.Store()
            store.extend(_quads(graph + build.ontology, pyoxigraph.DefaultGraph()))
            nodes = around(graph, affected_nodes(graph, mutation))
            only = restrict_targets(store, shapes, nodes)
            expected = reference(graph, only, build.ontology)
        finally:
            if mutation.add is not None:
                graph.remove(mutation.add)
            graph.add(mutation.remove)
        assert expected, f"pySHACL found nothing for {mutation}"
        if screened.results != expected:
            differ.append(str(mutation))
    assert not differ, "\n".join(differ)


def around(graph: Graph, nodes: set[URIRef]) -> set[URIRef]:
    """Return ``nodes`` and every IRI two links away from them, either way.

    A changed offset of a position selector shows in a check on its sibling quote selector too
    (through their shared target), so the nodes pySHACL judges must reach that far.
    """
    for _ in range(2):
        nodes = nodes | {
            x
            for node in nodes
            for x in (*graph.objects(node, None), *graph.subjects(None, node))
            if isinstance(x, URIRef)
        }
    return nodes


def offsets_typed(datatype: URIRef | None, text: str | None = None) -> Graph:
    """Return the evidence fixture with one selector's oa:start retyped (or re-written)."""
    data = Graph().parse(EVIDENCE_FIXTURE, format="turtle")
    subject, value = sorted(data.subject_objects(OA.start))[0]
    data.set((subject, OA.start, Literal(text or str(value), datatype=datatype)))
    return data


@pytest.mark.parametrize(
    ("datatype", "text"),
    [
        (XSD.integer, None),  # stored alike: only the ledger sees it is not nonNegativeInteger
        (XSD.int, None),
        (XSD.nonNegativeInteger, "-1"),  # ill-typed ("abc" would crash rdflib's SPARQL itself)
        (XSD.nonNegativeInteger, "0760"),  # Oxigraph rewrites the text: no screen at all
        (XSD.string, None),
    ],
)
def test_literals_the_store_rewrites_are_judged_by_pyshacl(
    datatype: URIRef, text: str | None, shapes: Graph, build: BuildResult
) -> None:
    """A retyped or ill-typed offset is reported exactly as pySHACL reports it."""
    data = offsets_typed(datatype, text)
    screened = validate_graph(data, shapes=shapes, ontology=build.ontology)
    expected = reference(data, shapes, build.ontology)
    assert screened.results == expected
    if text != "0760":
        assert any(r.component == "DatatypeConstraintComponent" for r in expected)


def test_validate_file_builds_no_rdflib_graph_for_valid_data(
    shapes: Graph, build: BuildResult
) -> None:
    """``validate FILE`` of valid data answers from Oxigraph alone: no rdflib graph is built."""
    loaded = load_inputs([ROOT / "data" / "nato-iraq.nq"])
    report = validate_screened(
        loaded.store,
        loaded.ledger,
        lambda: pytest.fail("pySHACL was needed"),
        shapes=shapes,
        ontology=build.ontology,
    )
    assert report.conforms and not report.results
    assert len(loaded.store) > 7000  # the store is left as it was given (no ontology in it)
    assert not any(True for _ in loaded.store.named_graphs() if "validation" in str(_))


def test_a_broken_corpus_gives_pyshacls_results(
    tmp_path: Path, shapes: Graph, build: BuildResult
) -> None:
    """The 10k corpus with mistakes in the copies: the same results as pySHACL's, one by one."""
    sys.path.insert(0, str(ROOT / "bench"))
    import scale

    lines = list(scale.generate(10_000, 8))
    assert len(lines) > 10_000
    rng = random.Random(15)
    broken = []
    for number, line in enumerate(lines):
        copy_of_ours = "/id/" in line and "-" in line.split(" ", 1)[0]
        if copy_of_ours and rng.random() < 0.002:
            continue  # a dropped statement: a missing label, offset, type, ...
        if "#start>" in line and rng.random() < 0.01:
            line = line.replace("#nonNegativeInteger>", "#integer>")
        broken.append(line)
        del number
    path = tmp_path / "broken.nq"
    path.write_text("\n".join(broken) + "\n", encoding="utf-8")
    loaded = load_inputs([path])
    screened = validate_screened(
        loaded.store, loaded.ledger, lambda: loaded.graph, shapes=shapes, ontology=build.ontology
    )
    expected = reference(loaded.graph, shapes, build.ontology)
    assert len(expected) >= 10
    assert screened.results == expected


def test_every_compiled_query_runs(shapes: Graph, build: BuildResult) -> None:
    """No compiled query is refused by Oxigraph (a refusal silently widens to all targets)."""
    import pyoxigraph

    from nato_iraq_kg.check.literal_ledger import LedgerBuilder
    from nato_iraq_kg.check.screen import candidates

    store = pyoxigraph.Store()
    builder = LedgerBuilder()
    data = build.facts() + build.graphs[EVIDENCE_GRAPH] + build.ontology
    quads = list(_quads(data, pyoxigraph.DefaultGraph()))
    for quad in quads:
        builder.note(quad)
    store.extend(quads)
    refused: list[str] = []
    ran: list[str] = []

    class Watched:
        """The store, with every query it is asked recorded."""

        def __getattr__(self, name: str) -> object:
            return getattr(store, name)

        def query(self, text: str, **options: object) -> list:
            ran.append(text)
            try:
                return list(store.query(text, **options))
            except SyntaxError:
                refused.append(text)
                raise

    assert candidates(Watched(), shapes, builder.finish()) == set()
    assert len(ran) >= 100
    assert refused == []
