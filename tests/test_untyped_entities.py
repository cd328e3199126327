"""The untyped-entity check's cheaper route gives the query's answer, on every data we have."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from nato_iraq_kg.check import quality_routes
from nato_iraq_kg.check import untyped_entities as route
from nato_iraq_kg.check.quality import add_ontology, quality_checks, run_quality_checks
from nato_iraq_kg.sparql.local import compact, load_graph
from quality_route_cases import FIXTURES, ROOT, corpus, loaded

QUERY = ROOT / "queries" / "qc" / "untyped-entity-violation.rq"
ID = "https://w3id.org/nato-iraq-kg/id/"


def by_query(store: Any) -> list[str]:
    """Return the answer of the query file itself (the check's specification), sorted."""
    text = QUERY.read_text(encoding="utf-8")
    rows = store.query(text, use_default_graph_as_union=True)
    return sorted(row["resource"].value for row in rows)


def by_route(store: Any) -> list[str]:
    """Return the cheaper route's answer."""
    return [iri.value for iri in route.untyped_entities(store)]


def test_the_route_stands_in_for_the_query_file() -> None:
    """The hash is the query file's: an edit fails this (check the route, then rehash)."""
    assert route.stands_in_for(QUERY.read_text(encoding="utf-8"))
    assert not route.stands_in_for(QUERY.read_text(encoding="utf-8") + "\n")
    assert QUERY.stem == route.CHECK


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_same_answer_on_every_quality_fixture(fixture: Path) -> None:
    """Every quality check's fixture: the route and the query agree."""
    assert len(FIXTURES) >= 7
    store = loaded(fixture)
    assert by_route(store) == by_query(store)


def test_same_answer_on_its_own_fixture_which_has_one() -> None:
    """The check's own fixture has the dangling reference, and the route finds it."""
    store = loaded(ROOT / "tests" / "fixtures" / "qc" / "untyped-entity-violation.trig")
    assert by_route(store) == by_query(store) == [ID + "place/nowhere"]


def test_same_answer_on_the_built_dataset() -> None:
    """The real graph: nothing untyped, by either."""
    store = load_graph()
    add_ontology(store)
    assert by_route(store) == by_query(store) == []


@pytest.mark.parametrize("size", [10_000, 100_000])
def test_same_answer_on_the_bench_corpora(tmp_path: Path, size: int) -> None:
    """The 10k and 100k corpora as the bench makes them: the same (empty) answer."""
    store = loaded(corpus(tmp_path, size))
    assert len(store) > 0.9 * size
    assert by_route(store) == by_query(store) == []


@pytest.mark.parametrize("size", [10_000, 100_000])
def test_same_answer_on_corpora_with_types_dropped(tmp_path: Path, size: int) -> None:
    """The corpora with a share of their rdf:type statements left out: many answers, the same."""
    store = loaded(corpus(tmp_path, size, drop=0.1, predicate="#type>"))
    expected = by_query(store)
    assert len(expected) >= 10
    assert by_route(store) == expected


#: (name, TriG text, the untyped resources the check must find). Each is made to trip the
#: route where it could differ from the query: positions, graphs, the namespace's edges.
TRIPS = [
    ("only as object", "id:a a nik:Actor ; nik:partner id:b .", ["b"]),
    ("only as subject", "id:a rdfs:label 'a' .", ["a"]),
    ("only in a named graph", "id:g1 { id:a a nik:Actor ; nik:partner id:b . }", ["b"]),
    (
        "typed only in another graph",
        "id:g1 { id:a nik:partner id:b . } id:g2 { id:b a nik:Actor . }",
        ["a"],
    ),
    (
        "typed in the default graph",
        "id:b a nik:Actor . id:g1 { id:a a nik:Actor ; nik:partner id:b . }",
        [],
    ),
    (
        "typed on another line",
        "id:a a nik:Actor . id:a nik:partner id:b . id:b rdfs:label 'b' . id:b a nik:Actor .",
        [],
    ),
    ("with a hash", "id:a a nik:Actor ; nik:partner <https://w3id.org/nato-iraq-kg/id/x#y> .", []),
    ("under assertion", "id:a a nik:Actor ; nik:partner id:assertion\\/x .", []),
    ("under method", "id:a a nik:Actor ; nik:partner id:method\\/x .", []),
    (
        "the namespace itself",
        "id:a a nik:Actor ; nik:partner <https://w3id.org/nato-iraq-kg/id/> .",
        [""],
    ),
    (
        "a neighbouring namespace",
        "id:a a nik:Actor ; nik:partner <https://w3id.org/nato-iraq-kg/identity/x> .",
        [],
    ),
    ("http, not https", "id:a a nik:Actor ; nik:partner <http://w3id.org/nato-iraq-kg/id/x> .", []),
    ("only as predicate", "id:a a nik:Actor ; id:p 'x' .", []),
    ("only as graph name", "id:g1 { id:a a nik:Actor . }", []),
    ("graph name also an object", "id:g1 { id:a a nik:Actor ; nik:partner id:g1 . }", ["g1"]),
    (
        "a literal with our text",
        "id:a a nik:Actor ; rdfs:label 'https://w3id.org/nato-iraq-kg/id/x' .",
        [],
    ),
    ("a typed literal with our text", "id:a a nik:Actor ; nik:note 'x'^^id:dt .", []),
    ("a blank node", "id:a a nik:Actor ; nik:partner [ nik:partner id:c ] .", ["c"]),
    ("typed by a blank-node class", "id:a a [ rdfs:label 'c' ] ; nik:partner id:b .", ["b"]),
    ("rdf:type as object", "id:a a nik:Actor ; nik:partner rdf:type .", []),
    ("used as a class only", "id:a a id:SomeClass .", ["SomeClass"]),
    (
        "both sides, many",
        "id:a nik:partner id:b . id:b nik:partner id:c . id:c a nik:Actor .",
        ["a", "b"],
    ),
    (
        "non-ASCII",
        "id:a a nik:Actor ; nik:partner <https://w3id.org/nato-iraq-kg/id/actor/\u00e9> .",
        ["actor/\u00e9"],
    ),
    ("under source", "id:a a nik:Actor ; nik:partner id:source\\/x .", ["source/x"]),
]

_TRIP = {name: trig for name, trig, _ in TRIPS}
_PREFIXES = """
@prefix id: <https://w3id.org/nato-iraq-kg/id/> .
@prefix nik: <https://w3id.org/nato-iraq-kg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


@pytest.mark.parametrize(("name", "trig", "expected"), TRIPS, ids=[t[0] for t in TRIPS])
def test_same_answer_on_fixtures_made_to_trip_it(
    tmp_path: Path, name: str, trig: str, expected: list[str]
) -> None:
    """Each edge: the query's answer is the one written down, and the route's is the same."""
    path = tmp_path / "trip.trig"
    path.write_text(_PREFIXES + trig + "\n", encoding="utf-8")
    store = loaded(path)
    assert by_query(store) == sorted(ID + local for local in expected), name
    assert by_route(store) == by_query(store), name


def _failing_store(tmp_path: Path) -> Any:
    path = tmp_path / "failing.trig"
    path.write_text(
        _PREFIXES + _TRIP["both sides, many"] + " id:a nik:partner id:b2 .\n", encoding="utf-8"
    )
    return loaded(path)


def test_run_quality_checks_answers_as_the_query_would(tmp_path: Path) -> None:
    """Through run_quality_checks: the same rows and terms as the query's, compacted alike."""
    store = _failing_store(tmp_path)
    [result] = [r for r in run_quality_checks(store) if r.name == route.CHECK]
    expected = by_query(store)
    assert expected == [ID + "a", ID + "b", ID + "b2"]
    assert sorted(t[0].value for t in result.terms) == expected
    assert sorted(r[0] for r in result.rows.rows) == sorted(
        compact(pyoxigraph.NamedNode(iri)) for iri in expected
    )
    assert result.rows.variables == ("resource",)
    assert not result.passed


def _fails(*args: Any) -> list[Any]:
    raise AssertionError("the route ran for a query it does not stand in for")


def test_an_edited_query_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An untyped-entity query with one more filter runs as written, not the route."""
    folder = tmp_path / "qc"
    folder.mkdir()
    for check in quality_checks():
        (folder / check.name).write_text(check.read_text(encoding="utf-8"), encoding="utf-8")
    edited = QUERY.read_text(encoding="utf-8").replace(
        'FILTER(!CONTAINS(STR(?resource), "#"))',
        'FILTER(!CONTAINS(STR(?resource), "#") && !CONTAINS(STR(?resource), "b2"))',
    )
    assert edited != QUERY.read_text(encoding="utf-8")
    (folder / QUERY.name).write_text(edited, encoding="utf-8")
    store = _failing_store(tmp_path)
    real = quality_routes.ROUTES[route.CHECK]
    monkeypatch.setitem(
        quality_routes.ROUTES,
        route.CHECK,
        quality_routes.Route(real.stands_in_for, real.variable, _fails),
    )
    [result] = [r for r in run_quality_checks(store, folder) if r.name == route.CHECK]
    assert sorted(t[0].value for t in result.terms) == [ID + "a", ID + "b"]
