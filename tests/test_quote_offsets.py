"""The screen's Python stand-in for the quote checks gives pySHACL's results.

:mod:`nato_iraq_kg.check.quote_offsets` replaces, in the screen only, the three SPARQL constraints
of ``ontology/shapes.ttl`` that compare a Web Annotation's quote, ``oa:prefix`` and ``oa:suffix``
with the source text at its offsets, and ``oa:end`` with the text's length. Each case below is
built to trip it (one wrong selector among right ones, a prefix longer than the text before the
quote, offsets of an unexpected type, a text tagged @en, a target with two sources, a failing
selector that is no target) and validated with the project's two selector shapes, screened and by
pySHACL alone: the reports must be equal result by result, and the failing focus nodes are written
out by hand, so a case that fails nothing cannot pass.
"""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from nato_iraq_kg.check.quote_offsets import STANDS_IN_FOR, quote_offset_suspects, stand_in_key
from nato_iraq_kg.check.screened import _quads, screen_graph
from nato_iraq_kg.check.shapes import load_shapes, validate_graph

SH = "http://www.w3.org/ns/shacl#"
SHAPES = "https://w3id.org/nato-iraq-kg/shapes"
PREFIXES = """
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
"""
TEXT = "Hello brave new world"  # "brave" is at 6-11, "new" at 12-15


def selector_shapes() -> Graph:
    """Return the project's two selector shapes, with their prefixes, as one shapes graph."""
    shapes = load_shapes()
    kept = Graph()
    todo: list[Node] = [
        URIRef(SHAPES + "#TextQuoteSelectorShape"),
        URIRef(SHAPES + "#TextPositionSelectorShape"),
        URIRef(SHAPES),
    ]
    seen: set[Node] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in shapes.predicate_objects(node):
            kept.add((node, p, o))
            if isinstance(o, BNode) or str(p) == SH + "declare":
                todo.append(o)
    return kept


def target(name: str, quote: str, position: str, source: str = "ex:src") -> str:
    """Return Turtle for a target with a quote selector and a position selector."""
    return (
        f"ex:{name} oa:hasSource {source} ; oa:hasSelector ex:{name}-q, ex:{name}-p . "
        f"ex:{name}-q a oa:TextQuoteSelector ; {quote} . "
        f"ex:{name}-p a oa:TextPositionSelector ; {position} . "
    )


def offsets(start: int, end: int, kind: str = "nonNegativeInteger") -> str:
    """Return the offsets of a position selector, typed ``kind``."""
    return f'oa:start "{start}"^^xsd:{kind} ; oa:end "{end}"^^xsd:{kind}'


SOURCE = f'ex:src nif:isString "{TEXT}" . '
RIGHT = target("ok", 'oa:exact "brave" ; oa:prefix "Hello " ; oa:suffix " new"', offsets(6, 11))
E = "http://example.org/"
#: (case, data, the focus nodes pySHACL reports, by hand, whether the screen judges it)
CASES = [
    ("all right", SOURCE + RIGHT, set(), True),
    (
        "a quote that is not the text at its offsets",
        SOURCE + RIGHT + target("a", 'oa:exact "brave"', offsets(6, 10)),
        {E + "a-p"},
        True,
    ),
    (
        "an end beyond the text",
        SOURCE + RIGHT + target("a", 'oa:exact "brave"', offsets(6, 99)),
        {E + "a-p"},
        True,
    ),
    (
        "a wrong prefix, a wrong suffix, a prefix longer than the text before the quote",
        SOURCE
        + RIGHT
        + target("a", 'oa:exact "brave" ; oa:prefix "Hallo "', offsets(6, 11))
        + target("b", 'oa:exact "brave" ; oa:suffix " old"', offsets(6, 11))
        + target("c", 'oa:exact "brave" ; oa:prefix "Oh, Hello "', offsets(6, 11)),
        {E + "a-q", E + "b-q", E + "c-q"},
        True,
    ),
    (
        "an end before the start (the quote check filters it out, another check fails it)",
        SOURCE + RIGHT + target("a", 'oa:exact "brave" ; oa:suffix "x"', offsets(11, 6)),
        {E + "a-p", E + "a-q"},
        True,
    ),
    (
        "offsets typed xsd:integer (another datatype than the shapes': all to pySHACL)",
        SOURCE + RIGHT + target("a", 'oa:exact "new"', offsets(12, 16, "integer")),
        {E + "a-p"},
        False,
    ),
    (
        "a target with two sources, one of them another text",
        SOURCE
        + 'ex:other nif:isString "Hello brave old world" . '
        + target("a", 'oa:exact "brave" ; oa:suffix " new"', offsets(6, 11), "ex:src, ex:other"),
        {E + "a-q"},
        True,
    ),
    (
        "a text tagged @en (rdflib: its substrings are not the plain quote and prefix)",
        'ex:src nif:isString "Hello brave new world"@en . '
        + target("a", 'oa:exact "brave" ; oa:prefix "Hello "', offsets(6, 11))
        + target("b", 'oa:exact "bravo"', offsets(6, 11)),
        {E + "a-p", E + "a-q", E + "b-p"},
        True,
    ),
    (
        "a quote tagged @en (not a plain string: sh:datatype fails it, all to pySHACL)",
        SOURCE + RIGHT + target("a", 'oa:exact "brave"@en', offsets(6, 11)),
        {E + "a-q"},
        False,
    ),
    (
        "prefixes typed xsd:string, one of them wrong",
        SOURCE
        + target("a", 'oa:exact "brave" ; oa:prefix "Hello "^^xsd:string', offsets(6, 11))
        + target("b", 'oa:exact "brave" ; oa:prefix "Hallo "^^xsd:string', offsets(6, 11)),
        {E + "b-q"},
        True,
    ),
    (
        "a failing selector that is no target, next to a right one",
        SOURCE
        + RIGHT
        + 'ex:x oa:hasSource ex:src ; oa:hasSelector ex:x-q, ex:x-p . ex:x-q oa:exact "nope" . '
        + f"ex:x-p {offsets(6, 11)} .",
        set(),
        True,
    ),
]


def test_the_stand_in_keys_are_the_shapes_queries() -> None:
    """Each key is one of our constraints' texts: editing one fails here, not silently."""
    shapes = load_shapes()
    keys = {stand_in_key(str(select)) for select in shapes.objects(None, URIRef(SH + "select"))}
    assert keys >= STANDS_IN_FOR
    assert len(STANDS_IN_FOR) == 3


@pytest.mark.parametrize(("case", "data", "failing", "judged"), CASES, ids=[c[0] for c in CASES])
def test_quote_checks_give_pyshacls_results(
    case: str, data: str, failing: set[str], judged: bool
) -> None:
    """Each case: the screened report equals pySHACL's, and fails the nodes written above."""
    del case
    shapes = selector_shapes()
    graph = Graph().parse(data=PREFIXES + data, format="turtle")
    screened = validate_graph(graph, shapes=shapes, ontology=Graph())
    reference = validate_graph(
        graph, shapes=shapes, ontology=Graph(), screen=False, prefilter=False
    )
    assert screened.results == reference.results
    assert {str(r.focus) for r in reference.results} == failing
    assert (screen_graph(graph, shapes, Graph()) is not None) == judged


def test_suspects_cover_every_failing_selector() -> None:
    """The stand-in itself lists the failing selectors of a case, not only the shapes' targets."""
    import pyoxigraph

    data = (
        SOURCE
        + RIGHT
        + target("a", 'oa:exact "brave" ; oa:prefix "Hallo "', offsets(6, 11))
        + 'ex:x oa:hasSource ex:src ; oa:hasSelector ex:x-q, ex:x-p . ex:x-q oa:exact "nope" . '
        + f"ex:x-p {offsets(6, 11)} ."
    )
    store = pyoxigraph.Store()
    store.extend(_quads(Graph().parse(data=PREFIXES + data, format="turtle"), None))
    assert quote_offset_suspects(store) == {f"<{E}a-q>", f"<{E}x-p>"}
