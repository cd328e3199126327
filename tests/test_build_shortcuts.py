"""The build's shortcuts give what the long way gave: the shared stated view, the quote check
read from one index per predicate, and VoID's counts read in one pass."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD

from nato_iraq_kg.build import pipeline, void
from nato_iraq_kg.errors import CheckFailure
from nato_iraq_kg.namespaces import ENTAILED_GRAPH, EVIDENCE_GRAPH, ID, OA

EX = "https://w3id.org/nato-iraq-kg/id/"


@pytest.fixture(scope="module")
def built() -> pipeline.BuildResult:
    """A build of the real document (the tests copy what they change)."""
    return pipeline.assemble()


def test_the_shared_stated_view_is_the_facts_without_the_entailed_types() -> None:
    """The view is made once, and again when a graph or the entailed graph changes."""
    a, b, c = URIRef(EX + "a"), URIRef(EX + "b"), URIRef(EX + "c")
    one, entailed = Graph(), Graph()
    one.add((a, RDF.type, b))
    one.add((a, RDF.type, c))
    entailed.add((a, RDF.type, c))
    result = pipeline.BuildResult([], {}, [], {a: one, ENTAILED_GRAPH: entailed}, Graph())
    first = result.stated_view()
    assert set(first) == {(a, RDF.type, b)}
    assert result.stated_view() is first
    one.add((b, b, b))
    assert set(result.stated_view()) == {(a, RDF.type, b), (b, b, b)}
    entailed.add((b, b, b))
    assert set(result.stated_view()) == {(a, RDF.type, b)}
    result.graphs[ENTAILED_GRAPH] = Graph()
    assert set(result.stated_view()) == {(a, RDF.type, b), (a, RDF.type, c), (b, b, b)}


def test_the_tables_of_another_facts_graph_are_made_from_that_graph(built) -> None:
    """Only the build's own facts view is answered from the shared stated view."""
    facts = built.facts_view()
    shared = pipeline.render_tables_of(built, facts)
    copy = Graph()
    copy += facts
    assert pipeline.render_tables_of(built, copy) == shared
    copy.remove((None, RDF.type, None))
    assert pipeline.render_tables_of(built, copy) != shared


def _outcome(check: Callable[[], int]) -> str:
    try:
        return f"checked {check()}"
    except CheckFailure as error:
        return f"refused: {error}"
    except ValueError as error:  # an offset that is no number: as before, not a CheckFailure
        return f"failed: {type(error).__name__}: {error}"


def _by_lookups_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline._QuoteIndex, "fields", lambda self, annotation: None)


def _first(graph: Graph, predicate: URIRef, subject: object = None) -> tuple:
    return next(iter(graph.triples((subject, predicate, None))))  # type: ignore[arg-type]


def _mutants(evidence: Graph) -> dict[str, Callable[[Graph], None]]:
    """Broken copies of an evidence graph, each with one change the index must read as the
    lookups do (or leave to them)."""
    annotation = sorted(evidence.subjects(RDF.type, OA.Annotation))[5]
    target = evidence.value(annotation, OA.hasTarget)
    selectors = sorted(evidence.objects(target, OA.hasSelector))
    quote = next(s for s in selectors if evidence.value(s, OA.exact) is not None)
    position = next(s for s in selectors if evidence.value(s, OA.start) is not None)
    other = sorted(evidence.subjects(RDF.type, OA.Annotation))[9]
    other_target = evidence.value(other, OA.hasTarget)
    nni = XSD.nonNegativeInteger

    def change(*, drop: list[tuple] = (), add: list[tuple] = ()) -> Callable[[Graph], None]:
        def apply(graph: Graph) -> None:
            for triple in drop:
                graph.remove(triple)
            for triple in add:
                graph.add(triple)

        return apply

    exact = evidence.value(quote, OA.exact)
    start = evidence.value(position, OA.start)
    return {
        "no target": change(drop=[(annotation, OA.hasTarget, None)]),
        "two targets": change(add=[(annotation, OA.hasTarget, other_target)]),
        "no source": change(drop=[(target, OA.hasSource, None)]),
        "two sources": change(add=[(target, OA.hasSource, URIRef(EX + "elsewhere"))]),
        "no selectors": change(drop=[(target, OA.hasSelector, None)]),
        "no quote": change(drop=[(quote, OA.exact, None)]),
        "two quotes on one selector": change(add=[(quote, OA.exact, Literal("other words"))]),
        "a quote on both selectors": change(add=[(position, OA.exact, Literal("other words"))]),
        "the same quote on both": change(add=[(position, OA.exact, exact)]),
        "an empty quote": change(
            drop=[(quote, OA.exact, None)], add=[(quote, OA.exact, Literal(""))]
        ),
        "start at zero": change(
            drop=[(position, OA.start, None)], add=[(position, OA.start, Literal(0, datatype=nni))]
        ),
        "two starts": change(add=[(position, OA.start, Literal(int(start) + 1, datatype=nni))]),
        "a start on both selectors": change(add=[(quote, OA.start, Literal(3, datatype=nni))]),
        "no end": change(drop=[(position, OA.end, None)]),
        "an end that is no number": change(
            drop=[(position, OA.end, None)], add=[(position, OA.end, Literal("x"))]
        ),
        "another quote": change(
            drop=[(quote, OA.exact, None)], add=[(quote, OA.exact, Literal(str(exact) + "!"))]
        ),
        "a shared selector": change(add=[(other_target, OA.hasSelector, quote)]),
        "an annotation with nothing": change(add=[(URIRef(EX + "bare"), RDF.type, OA.Annotation)]),
    }


def test_the_quote_index_reads_every_real_annotation_as_the_lookups_do(built) -> None:
    """On the real evidence every annotation is read from the index, and as by the lookups."""
    evidence = built.graphs[EVIDENCE_GRAPH]
    index = pipeline._QuoteIndex(evidence)
    annotations = sorted(evidence.subjects(RDF.type, OA.Annotation))
    assert len(annotations) > 300
    for annotation in annotations:
        fields = index.fields(annotation)
        assert fields is not None
        assert fields == pipeline._quote_fields_by_lookups(evidence, annotation)


def test_the_quote_check_refuses_each_broken_evidence_as_the_lookups_do(
    built, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every broken copy gets the same count or the same refusal, word for word."""
    revisions = built.revisions
    mutants = _mutants(built.graphs[EVIDENCE_GRAPH])
    outcomes = set()
    for name, apply in mutants.items():
        broken = Graph()
        broken += built.graphs[EVIDENCE_GRAPH]
        apply(broken)
        fast = _outcome(lambda g=broken: pipeline.check_evidence(g, revisions))
        with monkeypatch.context() as patched:
            _by_lookups_only(patched)
            slow = _outcome(lambda g=broken: pipeline.check_evidence(g, revisions))
        assert fast == slow, name
        outcomes.add(fast.split(":")[0])  # "refused: ...", "failed: ..." or "checked N"
    assert len(mutants) == 18
    assert outcomes == {"checked 326", "refused", "failed"}  # every kind of outcome was reached


def test_the_quote_index_leaves_ambiguous_annotations_to_the_lookups(built) -> None:
    """Where ``Graph.value`` would pick one of two values, the index gives no answer."""
    evidence = Graph()
    evidence += built.graphs[EVIDENCE_GRAPH]
    annotation = sorted(evidence.subjects(RDF.type, OA.Annotation))[0]
    target = evidence.value(annotation, OA.hasTarget)
    evidence.add((target, OA.hasSource, URIRef(EX + "elsewhere")))
    assert pipeline._QuoteIndex(evidence).fields(annotation) is None


def _five_passes(facts: Graph) -> tuple:
    """VoID's counts as they were read before: one pass over the facts for each."""
    subjects = {s for s in facts.subjects() if isinstance(s, URIRef)}
    classes = Counter(o for _, _, o in facts.triples((None, RDF.type, None)))
    properties = Counter(p for _, p, _ in facts)
    same_as = sorted(o for _, _, o in facts.triples((None, OWL.sameAs, None)))
    return len(facts), subjects, set(facts.objects()), classes, properties, same_as


def test_voids_counts_in_one_pass_are_those_of_five(built) -> None:
    """The real facts, and facts with blank nodes, a repeated sameAs and literals as objects."""
    odd = Graph()
    blank, a = BNode(), URIRef(EX + "a")
    odd.add((blank, RDF.type, a))
    odd.add((a, RDF.type, a))
    odd.add((a, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q1")))
    odd.add((blank, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q1")))
    odd.add((a, URIRef(EX + "p"), Literal("1", datatype=XSD.integer)))
    odd.add((a, URIRef(EX + "p"), Literal("01", datatype=XSD.integer)))
    for facts in (built.facts_view(), odd, Graph()):
        counts = void._FactCounts(facts)
        mine = (
            counts.triples,
            counts.subjects,
            counts.objects,
            counts.classes,
            counts.properties,
            sorted(counts.same_as),
        )
        assert mine == _five_passes(facts)


def test_a_name_in_void_is_the_same_with_the_prefixes_sorted_once() -> None:
    """``_local_in`` with the sorted prefixes is ``_local``, for ours and an unknown IRI."""
    ordered = void._longest_first()
    for iri in (ID["event/x"], URIRef("https://schema.org/Event"), URIRef("urn:x:unknown")):
        assert void._local_in(iri, ordered) == void._local(iri)


def _store_graph(*triples: tuple) -> Graph:
    from nato_iraq_kg.build.store import new_graph

    graph = new_graph()
    for triple in triples:
        graph.add(triple)
    return graph


def test_adding_a_graph_by_its_indexes_gives_what_plus_equals_gives() -> None:
    """Overlapping graphs of the build's store, equal literals written two ways, a blank node:
    the same statements, the same answers to every kind of pattern, and no index shared."""
    from nato_iraq_kg.build.store import add_graph

    a, b, p, q = (URIRef(EX + n) for n in ("a", "b", "p", "q"))
    one = Literal("1", datatype=XSD.integer)
    two = Literal("01", datatype=XSD.integer, normalize=False)  # equal by value, not as terms
    blank = BNode()
    left = _store_graph((a, p, b), (a, p, one), (blank, q, a))
    right = _store_graph((a, p, b), (a, p, two), (b, q, blank), (a, q, Literal("x", lang="en")))
    expected = Graph()
    expected += left
    expected += right
    merged = add_graph(_store_graph(*left), right)
    assert set(merged) == set(expected)
    assert len(merged) == len(expected) == 6
    for pattern in ((a, None, None), (None, p, None), (None, None, b), (None, q, blank)):
        assert set(merged.triples(pattern)) == set(expected.triples(pattern))
    right.add((b, p, b))
    right.remove((a, p, two))
    assert set(merged) == set(expected)  # the source's later changes stay its own
    merged.remove((a, q, None))
    assert (a, q, Literal("x", lang="en")) in right


def test_adding_a_graph_of_another_store_falls_back_to_plus_equals() -> None:
    """rdflib's default store on either side, or a graph added to itself: ``+=``, as before."""
    from nato_iraq_kg.build.store import add_graph

    a, p = URIRef(EX + "a"), URIRef(EX + "p")
    plain = Graph()
    plain.add((a, p, a))
    mine = _store_graph((p, p, p))
    assert set(add_graph(_store_graph(), plain)) == {(a, p, a)}
    assert set(add_graph(Graph(), mine)) == {(p, p, p)}
    assert set(add_graph(mine, mine)) == {(p, p, p)}


def test_adding_graphs_without_the_indexes_rdflib_had_falls_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should rdflib rename its indexes, the graphs are added by ``+=``."""
    from nato_iraq_kg.build import store

    a, p = URIRef(EX + "a"), URIRef(EX + "p")
    monkeypatch.setattr(store, "_INDEXES", ("_SimpleMemory__gone", *store._INDEXES[1:]))
    assert set(store.add_graph(_store_graph(), _store_graph((a, p, a)))) == {(a, p, a)}


def test_the_tables_of_a_union_made_before_the_graphs_changed_are_that_unions() -> None:
    """A union handed over after the graphs changed is not swapped for the new one."""
    result = pipeline.assemble()
    facts = result.facts_view()
    lapsed = result.history.lapsed if result.history else {}
    for name, graph in result.graphs.items():
        if name != EVIDENCE_GRAPH and name not in lapsed:
            graph.remove((None, RDF.type, None))  # every type gone from the graphs, not the union
    copy = Graph()
    copy += facts
    tables = pipeline.render_tables_of(result, facts)  # before anything asks for the new union
    assert tables == pipeline.render_tables_of(result, copy)
    assert result.facts_view() is not facts
    assert tables != pipeline.render_tables_of(result, result.facts_view())
