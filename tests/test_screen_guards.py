"""The screen's shortcuts give pySHACL's results: guards, listed subclasses, merged checks.

The screen (nato_iraq_kg.check.screen) skips a constraint's query over the targets when a cheaper
question about the whole store (a guard) says nothing can fail it, tests ``sh:class`` against a
list of subclasses found once, and checks a shape's ``sh:minCount 1`` and ``sh:hasValue`` in one
query. Each case below is built so that one of these could go wrong (a failing node next to
passing ones, a failing value held by a node that is not a target, a subclass stated in the data
or as a blank node), and its results are compared with pySHACL's alone, result by result; the
failing focus nodes are also written out by hand, so a case that fails nothing cannot pass.
"""

from __future__ import annotations

import pytest
from rdflib import Graph

from nato_iraq_kg.check.literal_ledger import LedgerBuilder, TypedLiteralLines, TypedLiteralNotes
from nato_iraq_kg.check.screened import screen_graph
from nato_iraq_kg.check.shapes import validate_graph

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
"""

SHAPE = "ex:S a sh:NodeShape ; sh:targetClass ex:T ; "
#: (case, shapes, data, the focus nodes pySHACL reports, by hand)
CASES = [
    (
        "maxCount: one subject of the predicate has two values",
        SHAPE + "sh:property [ sh:path ex:p ; sh:maxCount 1 ] .",
        "ex:a a ex:T ; ex:p 1 . ex:b a ex:T ; ex:p 1, 2 . ex:c a ex:T ; ex:p 3 .",
        {"http://example.org/b"},
    ),
    (
        "maxCount: only a node that is not a target has two values",
        SHAPE + "sh:property [ sh:path ex:p ; sh:maxCount 1 ] .",
        "ex:a a ex:T ; ex:p 1 . ex:other ex:p 1, 2 .",
        set(),
    ),
    (
        "maxCount 0",
        SHAPE + "sh:property [ sh:path ex:p ; sh:maxCount 0 ] .",
        "ex:a a ex:T . ex:b a ex:T ; ex:p 1 .",
        {"http://example.org/b"},
    ),
    (
        "maxCount on an inverse path",
        SHAPE + "sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:maxCount 1 ] .",
        "ex:a a ex:T . ex:b a ex:T . ex:x ex:p ex:a . ex:y ex:p ex:b . ex:z ex:p ex:b .",
        {"http://example.org/b"},
    ),
    (
        "minCount 2, and minCount 1 with hasValue in one query",
        SHAPE + "sh:property [ sh:path ex:p ; sh:minCount 2 ] ; "
        "sh:property [ sh:path ex:q ; sh:minCount 1 ] ; "
        "sh:property [ sh:path ex:r ; sh:hasValue ex:yes ] .",
        "ex:a a ex:T ; ex:p 1, 2 ; ex:q 1 ; ex:r ex:yes . "
        "ex:b a ex:T ; ex:p 1 ; ex:q 1 ; ex:r ex:yes . "
        "ex:c a ex:T ; ex:p 1, 2 ; ex:r ex:yes . "
        "ex:d a ex:T ; ex:p 1, 2 ; ex:q 1 ; ex:r ex:no .",
        {"http://example.org/b", "http://example.org/c", "http://example.org/d"},
    ),
    (
        "class: a value's type is a subclass stated in the data, two levels down",
        SHAPE + "sh:property [ sh:path ex:p ; sh:class ex:C ] .",
        "ex:D rdfs:subClassOf ex:C . ex:E rdfs:subClassOf ex:D . "
        "ex:a a ex:T ; ex:p ex:v1 . ex:v1 a ex:E . ex:b a ex:T ; ex:p ex:v2 . ex:v2 a ex:F .",
        {"http://example.org/b"},
    ),
    (
        "two qualified value shapes on one path, counted in one query",
        SHAPE + "sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:A ] ; "
        "sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 ] ; "
        "sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:B ] ; "
        "sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 ] .",
        "ex:a1 a ex:A . ex:a2 a ex:A . ex:b1 a ex:B . ex:b2 a ex:B . ex:ab a ex:A, ex:B . "
        "ex:ok a ex:T ; ex:p ex:a1, ex:b1, ex:other . "
        "ex:twoA a ex:T ; ex:p ex:a1, ex:a2, ex:b1 . "
        "ex:noB a ex:T ; ex:p ex:a1 . "
        "ex:none a ex:T . "
        "ex:both a ex:T ; ex:p ex:ab . "
        "ex:twoB a ex:T ; ex:p ex:a2, ex:b1, ex:b2 . "
        "ex:literal a ex:T ; ex:p ex:a1, ex:b1, 'x' .",
        {
            "http://example.org/twoA",
            "http://example.org/noB",
            "http://example.org/none",
            "http://example.org/twoB",
        },
    ),
    (
        "two qualified value shapes on one path: sh:in and minimum only",
        SHAPE + "sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:in ( 1 2 ) ] ; "
        "sh:qualifiedMaxCount 1 ] ; "
        "sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:datatype xsd:string ] ; "
        "sh:qualifiedMinCount 2 ] .",
        "ex:ok a ex:T ; ex:p 1, 'x', 'y' . ex:two a ex:T ; ex:p 1, 2, 'x', 'y' . "
        "ex:short a ex:T ; ex:p 3, 'x' .",
        {"http://example.org/two", "http://example.org/short"},
    ),
    (
        "class: a subclass that is a blank node",
        SHAPE + "sh:property [ sh:path ex:p ; sh:class ex:C ] .",
        "_:k rdfs:subClassOf ex:C . ex:a a ex:T ; ex:p ex:v1 . ex:v1 a _:k . "
        "ex:b a ex:T ; ex:p ex:v2 .",
        {"http://example.org/b"},
    ),
    (
        "class and datatype: the failing value is held only by a node that is not a target",
        SHAPE + "sh:property [ sh:path ex:p ; sh:class ex:C ] ; "
        "sh:property [ sh:path ex:n ; sh:datatype xsd:integer ] .",
        "ex:a a ex:T ; ex:p ex:v ; ex:n 1 . ex:v a ex:C . ex:other ex:p ex:w ; ex:n 'x' .",
        set(),
    ),
]


@pytest.mark.parametrize(("case", "shapes", "data", "failing"), CASES, ids=[c[0] for c in CASES])
def test_shortcuts_give_pyshacls_results(
    case: str, shapes: str, data: str, failing: set[str]
) -> None:
    """Each case: the screened report equals pySHACL's, and fails the nodes written above."""
    del case
    shapes_graph = Graph().parse(data=PREFIXES + shapes, format="turtle")
    data_graph = Graph().parse(data=PREFIXES + data, format="turtle")
    screened = validate_graph(data_graph, shapes=shapes_graph, ontology=Graph())
    reference = validate_graph(
        data_graph, shapes=shapes_graph, ontology=Graph(), screen=False, prefilter=False
    )
    assert screened.results == reference.results
    assert {r.focus for r in reference.results} == failing
    assert screen_graph(data_graph, shapes_graph, Graph()) is not None  # the screen judged it


def test_typed_literal_lines_survive_any_chunking() -> None:
    """Typed literals are noted whatever the chunks, even one cut inside ``"^^<``."""
    text = (
        b'<http://e/a> <http://e/p> "1"^^<http://www.w3.org/2001/XMLSchema#int> .\n'
        b'<http://e/a> <http://e/q> "plain" .\n'
        b'<http://e/b> <http://e/p> "2"^^<http://www.w3.org/2001/XMLSchema#long> <http://e/g> .\n'
        b'<http://e/c> <http://e/r> "x"@en .\n'
        b'<http://e/c> <http://e/p> "3"^^<http://www.w3.org/2001/XMLSchema#byte> .\n'
    )
    expected = {
        ("<http://e/a>", "<http://e/p>", "1", "int"),
        ("<http://e/b>", "<http://e/p>", "2", "long"),
        ("<http://e/c>", "<http://e/p>", "3", "byte"),
    }
    for size in (1, 3, 4, 7, 50, len(text)):
        lines = TypedLiteralLines()
        for start in range(0, len(text), size):
            lines(text[start : start + size])
        builder = LedgerBuilder()
        lines.note_into(builder, "N_QUADS")
        assert _noted(builder) == expected, size
        # The same in the noting thread, which parses each chunk's whole lines as they come
        builder = LedgerBuilder()
        notes = TypedLiteralNotes(builder, "N_QUADS")
        for start in range(0, len(text), size):
            notes(text[start : start + size])
        notes.finish()
        assert _noted(builder) == expected, size


def _noted(builder: LedgerBuilder) -> set[tuple[str, str, str, str]]:
    """Return the typed literals a builder noted: (subject, predicate, text, datatype's name)."""
    return {
        (s, p, value, datatype.rsplit("#", 1)[1])
        for (s, p), literals in builder._seen.items()
        for value, datatype in literals
    }


def test_typed_literal_notes_stop_after_a_bad_chunk_and_report_it() -> None:
    """A chunk that does not parse fails ``finish``; ``stop`` ends the thread without a word."""
    notes = TypedLiteralNotes(LedgerBuilder(), "N_QUADS")
    notes(b'<http://e/a> <http://e/p> "1"^^<http://e/broken .\n')
    with pytest.raises(SyntaxError):
        notes.finish()
    stopped = TypedLiteralNotes(LedgerBuilder(), "N_QUADS")
    stopped(b'<http://e/a> <http://e/p> "1"^^<http://e/broken .\n')
    stopped.stop()
    assert not stopped._thread.is_alive()
