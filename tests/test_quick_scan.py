"""Lookups answered from the index without the SPARQL parser answer exactly as the engine does.

``quick_query`` reads a plain one-pattern lookup (full IRIs, variables, ``a``) itself and scans
``Store.quads_for_pattern``; these tests compare it, byte for byte in every results format,
with ``execute`` (Oxigraph's engine) on the real data and on a store built to hold the cases
that could differ (the default graph, one triple in two graphs, blank nodes, literals), and
check that every text the regular expression could read otherwise than SPARQL does is left to
the engine.
"""

from __future__ import annotations

import itertools
from typing import Any

import pyoxigraph
import pytest

from nato_iraq_kg.serve.quick_query import MAX_ROWS, _plain_pattern, _quick_match, answer_quickly
from nato_iraq_kg.serve.sparql_protocol import QueryRefused, execute

FORMATS = ("json", "xml", "csv", "tsv")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NATO = "https://w3id.org/nato-iraq-kg/id/actor/nato"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def engine_answer(store: Any, sparql: str, fmt: str, max_rows: int) -> Any:
    """What the engine gives the quick path: ``execute`` under the quick path's row cap."""
    return execute(store, sparql, fmt, max_rows=min(max_rows, MAX_ROWS))


def assert_same(store: Any, sparql: str, max_rows: int = 10_000) -> None:
    """The quick answer is the engine's, in every format, or both refuse it alike, or the
    text is left to a worker (which runs the engine).
    """
    for fmt in FORMATS:
        try:
            expected = engine_answer(store, sparql, fmt, max_rows)
        except QueryRefused as refused:
            if _quick_match(sparql) is None:
                assert answer_quickly(store, sparql, fmt, max_rows=max_rows) is None
                continue
            with pytest.raises(QueryRefused) as raised:
                answer_quickly(store, sparql, fmt, max_rows=max_rows)
            assert (raised.value.status, str(raised.value)) == (refused.status, str(refused))
            continue
        quick = answer_quickly(store, sparql, fmt, max_rows=max_rows)
        if quick is None:  # left to a worker: not a lookup, or longer than MAX_ROWS
            too_long = expected.headers["X-Result-Truncated"] == "true" and max_rows > MAX_ROWS
            assert too_long or _quick_match(sparql) is None, sparql
            continue
        assert (quick.body, quick.media_type, quick.headers) == (
            expected.body,
            expected.media_type,
            expected.headers,
        ), (sparql, fmt)


def is_plain(sparql: str) -> bool:
    """Whether the quick path reads ``sparql`` itself, without the engine."""
    match = _quick_match(sparql)
    return match is not None and _plain_pattern(sparql, match) is not None


def term(node: Any) -> str:
    return "a" if node.value == RDF_TYPE else f"<{node.value}>"


def lookups(quads: list[Any]) -> list[str]:
    """Every way of binding a pattern taken from each quad, with several projections."""
    texts = []
    for quad in quads:
        parts = (quad.subject, quad.predicate, quad.object)
        for bound in itertools.product((True, False), repeat=3):
            if any(
                b and not isinstance(p, pyoxigraph.NamedNode)
                for b, p in zip(bound, parts, strict=True)
            ):
                continue
            names = ("s", "p", "o")
            pattern = " ".join(
                (term(p) if b else f"?{n}") for b, p, n in zip(bound, parts, names, strict=True)
            )
            free = [n for b, n in zip(bound, names, strict=True) if not b]
            texts.append(f"SELECT * WHERE {{ {pattern} }}")
            texts.append(
                f"select {' '.join('$' + n for n in reversed(free))} ?unbound {{ {pattern} . }}"
            )
            texts.append(f"SELECT * {{ {pattern} }} LIMIT 2")
            texts.append(f"SELECT * {{ {pattern} }} limit 0")
    return texts


@pytest.fixture(scope="module")
def odd_store(store: Any) -> Any:
    """The real data plus what could tell a scan from the engine: the default graph, a triple
    in two graphs, blank nodes as subject and object, literals of every kind, a triple term.
    """
    odd = pyoxigraph.Store()
    odd.extend(store)
    ex = "http://example.org/"
    a, p, q = (pyoxigraph.NamedNode(ex + n) for n in ("a", "p", "q"))
    g1, g2 = pyoxigraph.NamedNode(ex + "g1"), pyoxigraph.NamedNode(ex + "g2")
    blank = pyoxigraph.BlankNode("b1")
    objects = [
        pyoxigraph.NamedNode(ex + "c"),
        pyoxigraph.Literal("x"),
        pyoxigraph.Literal("x", language="en-GB"),
        pyoxigraph.Literal("5", datatype=pyoxigraph.NamedNode(ex + "int")),
        pyoxigraph.Literal('tab\there, "quoted"\nline'),
        blank,
    ]
    for graph in (g1, g2, pyoxigraph.DefaultGraph()):
        for obj in objects:
            odd.add(pyoxigraph.Quad(a, p, obj, graph))
    odd.add(pyoxigraph.Quad(blank, q, a, g1))
    odd.add(pyoxigraph.Quad(a, pyoxigraph.NamedNode(RDF_TYPE), pyoxigraph.NamedNode(ex + "C"), g2))
    return odd


def test_plain_lookups_on_the_real_data_answer_as_the_engine(store: Any) -> None:
    """Patterns from 40 real quads, every binding, several projections and limits."""
    quads = list(itertools.islice(store, 0, None, max(1, len(store) // 40)))
    texts = lookups(quads)
    assert len(texts) > 400
    plain = [t for t in texts if is_plain(t)]
    assert len(plain) == len(texts)
    for text in texts:
        assert_same(store, text)


def test_plain_lookups_on_odd_data_answer_as_the_engine(odd_store: Any) -> None:
    """Default graph, duplicates across graphs, blank nodes, literals: same rows, same order."""
    ex = "http://example.org/"
    texts = [
        f"SELECT * {{ <{ex}a> <{ex}p> ?o }}",
        f"SELECT ?o ?g {{ <{ex}a> ?p ?o }}",
        f"SELECT * {{ ?s <{ex}q> ?o }}",
        f"SELECT * {{ ?s ?p <{ex}a> }}",
        f"SELECT * {{ <{ex}a> <{ex}p> <{ex}c> }}",
        f"SELECT * {{ <{ex}a> a ?c }}",
        f"SELECT ?s {{ ?s a <{ex}C> }}",
        f"SELECT * {{ <{ex}a> <{ex}p> ?o }} LIMIT 4",
        f"SELECT * {{ <{ex}a> ?p ?o }}",
    ]
    assert all(is_plain(text) for text in texts)
    for text in texts:
        for max_rows in (10_000, 3):
            assert_same(odd_store, text, max_rows)


def test_the_scan_is_what_answers_a_plain_lookup(store: Any, monkeypatch: Any) -> None:
    """The bench's lookup is answered without the engine (the shortcut is really taken)."""
    import nato_iraq_kg.serve.quick_query as quick_query

    def no_engine(*args: Any, **kw: Any) -> Any:
        raise AssertionError("the engine was asked")

    monkeypatch.setattr(quick_query, "execute", no_engine)
    answer = answer_quickly(
        store, f"SELECT ?l WHERE {{ <{NATO}> <{LABEL}> ?l }}", "json", max_rows=9
    )
    assert answer is not None and b'"NATO"' in answer.body


@pytest.mark.parametrize(
    "text",
    [
        # SPARQL ends a comment at \r; the regular expression reads on to \n, past the LIMIT.
        f"SELECT ?p WHERE {{ <{NATO}> ?p ?o }} # c\r LIMIT 1\n",
        f"# c\rSELECT ?p WHERE {{ <{NATO}> ?p ?o }}",
        f"SELECT ?p WHERE {{ <{NATO}> # c\n ?p ?o }}",
        # Only a lower-case "a" is rdf:type; "A" is a syntax error.
        f"SELECT ?t WHERE {{ <{NATO}> A ?t }}",
        # Python's \s takes these for spaces, SPARQL does not.
        f"SELECT ?p\u00a0WHERE {{ <{NATO}> ?p ?o }}",
        f"SELECT ?p WHERE {{ <{NATO}>\x0c?p ?o }}",
        f"SELECT ?p WHERE {{ <{NATO}>\x1c?p ?o }}",
        # An escape in a name, a relative IRI, a PREFIX the engine reads and checks.
        f"SELECT ?p WHERE {{ <{NATO}> ?p ?\\u006f }}",
        "SELECT ?p WHERE { <nato> ?p ?o }",
        "SELECT ?p WHERE { <http://a b> ?p ?o }",
        f"PREFIX x: <relative> SELECT ?p WHERE {{ <{NATO}> ?p ?o }}",
        f"PREFIX x: <http://x/> SELECT ?p WHERE {{ <{NATO}> ?p ?o }}",
        # Prefixed names and literals are the engine's to read.
        "SELECT ?s WHERE { ?s rdfs:label ?o } LIMIT 3",
        'SELECT ?s WHERE { ?s ?p "NATO"@en }',
        "SELECT ?s WHERE { ?s ?p 5 }",
        # A variable projected twice ($x is ?x).
        f"SELECT ?o $o WHERE {{ <{NATO}> ?p ?o }}",
    ],
)
def test_texts_the_pattern_could_misread_are_left_to_the_engine(store: Any, text: str) -> None:
    """Each of these, read by the regular expression alone, could answer otherwise than SPARQL:
    the quick path hands them to the engine, so the answer (or the refusal) is the engine's.
    """
    assert not is_plain(text)
    assert_same(store, text)
