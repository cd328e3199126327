"""The fact-without-evidence check's cheaper route gives the query's answer on all our data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from nato_iraq_kg.check import facts_without_evidence as route
from nato_iraq_kg.check import quality_routes
from nato_iraq_kg.check.quality import add_ontology, quality_checks, run_quality_checks
from nato_iraq_kg.sparql.local import compact, load_graph
from quality_route_cases import FIXTURES, ROOT, corpus, loaded

QUERY = ROOT / "queries" / "qc" / "fact-without-evidence-violation.rq"
ASSERTION = "https://w3id.org/nato-iraq-kg/id/assertion/"


def by_query(store: Any) -> list[str]:
    """Return the answer of the query file itself (the check's specification), sorted."""
    rows = store.query(QUERY.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    return sorted(row["assertion"].value for row in rows)


def by_route(store: Any) -> list[str]:
    """Return the cheaper route's answer."""
    return [graph.value for graph in route.facts_without_evidence(store)]


def test_the_route_stands_in_for_the_query_file() -> None:
    """The hash is the query file's: an edit fails this (check the route, then rehash)."""
    text = QUERY.read_text(encoding="utf-8")
    assert route.stands_in_for(text) and not route.stands_in_for(text + "\n")
    assert quality_routes.route_for(QUERY.stem, text) is quality_routes.ROUTES[route.CHECK]
    assert quality_routes.route_for(QUERY.stem, text + "\n") is None


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_same_answer_on_every_quality_fixture(fixture: Path) -> None:
    """Every quality check's fixture: the route and the query agree."""
    assert len(FIXTURES) >= 7
    store = loaded(fixture)
    assert by_route(store) == by_query(store)


def test_its_own_fixture_has_one() -> None:
    """The check's own fixture has an assertion without evidence, and the route finds it."""
    store = loaded(ROOT / "tests" / "fixtures" / "qc" / "fact-without-evidence-violation.trig")
    found = by_query(store)
    assert found and by_route(store) == found


def test_same_answer_on_the_built_dataset() -> None:
    """The real graph: every assertion has its evidence, by either."""
    store = load_graph()
    add_ontology(store)
    assert by_route(store) == by_query(store) == []


@pytest.mark.parametrize("size", [10_000, 100_000])
def test_same_answer_on_the_bench_corpora(tmp_path: Path, size: int) -> None:
    """The 10k and 100k corpora as the bench makes them, and with bodies dropped."""
    store = loaded(corpus(tmp_path, size))
    assert by_route(store) == by_query(store) == []
    broken = loaded(corpus(tmp_path, size, drop=0.1, predicate="#hasBody>"))
    expected = by_query(broken)
    assert len(expected) >= 10
    assert by_route(broken) == expected


_PREFIXES = """
@prefix a: <https://w3id.org/nato-iraq-kg/id/assertion/> .
@prefix id: <https://w3id.org/nato-iraq-kg/id/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix nik: <https://w3id.org/nato-iraq-kg/ontology#> .
"""

#: (name, TriG text, the assertion graphs (local names) the check must find).
TRIPS = [
    ("no body", "a:x { id:s nik:p id:o . }", ["x"]),
    ("a body in the same graph", "a:x { id:s nik:p id:o . id:e oa:hasBody a:x . }", []),
    ("a body in the default graph", "a:x { id:s nik:p id:o . } id:e oa:hasBody a:x .", []),
    ("a body in another graph", "a:x { id:s nik:p id:o . } id:g { id:e oa:hasBody a:x . }", []),
    ("a body by a blank node", "a:x { id:s nik:p id:o . } [] oa:hasBody a:x .", []),
    (
        "a literal body",
        "a:x { id:s nik:p id:o . } "
        "id:e oa:hasBody 'https://w3id.org/nato-iraq-kg/id/assertion/x' .",
        ["x"],
    ),
    ("another property", "a:x { id:s nik:p id:o . } id:e oa:hasTarget a:x .", ["x"]),
    ("not an assertion graph", "id:g { id:s nik:p id:o . }", []),
    (
        "the bare prefix",
        "<https://w3id.org/nato-iraq-kg/id/assertion/> { id:s nik:p id:o . }",
        [""],
    ),
    (
        "a neighbouring prefix",
        "<https://w3id.org/nato-iraq-kg/id/assertions/x> { id:s nik:p id:o . }",
        [],
    ),
    ("a blank graph name", "_:g { id:s nik:p id:o . }", []),
    ("an assertion only as subject", "a:x nik:p id:o .", []),
    (
        "many",
        "a:x { id:s nik:p id:o . } a:y { id:s nik:p id:o . } a:z { id:s nik:p id:o . } "
        "id:e oa:hasBody a:y .",
        ["x", "z"],
    ),
]


@pytest.mark.parametrize(("name", "trig", "expected"), TRIPS, ids=[t[0] for t in TRIPS])
def test_same_answer_on_fixtures_made_to_trip_it(
    tmp_path: Path, name: str, trig: str, expected: list[str]
) -> None:
    """Each edge: the query's answer is the one written down, and the route's is the same."""
    path = tmp_path / "trip.trig"
    path.write_text(_PREFIXES + trig + "\n", encoding="utf-8")
    store = loaded(path)
    assert by_query(store) == sorted(ASSERTION + local for local in expected), name
    assert by_route(store) == by_query(store), name


def test_an_empty_named_graph_is_not_a_fact(tmp_path: Path) -> None:
    """A graph the store lists but that holds nothing: the query ignores it, so does the route."""
    path = tmp_path / "one.trig"
    path.write_text(_PREFIXES + "a:x { id:s nik:p id:o . }\n", encoding="utf-8")
    store = loaded(path)
    store.add_graph(pyoxigraph.NamedNode(ASSERTION + "empty"))
    assert pyoxigraph.NamedNode(ASSERTION + "empty") in set(store.named_graphs())
    assert by_route(store) == by_query(store) == [ASSERTION + "x"]


def test_run_quality_checks_answers_as_the_query_would(tmp_path: Path) -> None:
    """Through run_quality_checks: the same rows and terms as the query's, compacted alike."""
    path = tmp_path / "many.trig"
    path.write_text(_PREFIXES + TRIPS[-1][1] + "\n", encoding="utf-8")
    store = loaded(path)
    [result] = [r for r in run_quality_checks(store) if r.name == route.CHECK]
    expected = by_query(store)
    assert expected == [ASSERTION + "x", ASSERTION + "z"]
    assert result.rows.variables == ("assertion",)
    assert [t[0].value for t in result.terms] == expected
    assert [r[0] for r in result.rows.rows] == [
        compact(pyoxigraph.NamedNode(iri)) for iri in expected
    ]


def test_an_edited_query_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fact-without-evidence query with one more filter runs as written, not the route."""
    folder = tmp_path / "qc"
    folder.mkdir()
    for check in quality_checks():
        (folder / check.name).write_text(check.read_text(encoding="utf-8"), encoding="utf-8")
    edited = QUERY.read_text(encoding="utf-8").replace(
        "FILTER NOT EXISTS", 'FILTER(!CONTAINS(STR(?assertion), "z"))\n  FILTER NOT EXISTS'
    )
    assert edited != QUERY.read_text(encoding="utf-8")
    (folder / QUERY.name).write_text(edited, encoding="utf-8")
    path = tmp_path / "many.trig"
    path.write_text(_PREFIXES + TRIPS[-1][1] + "\n", encoding="utf-8")
    store = loaded(path)

    def fails(store: Any) -> list[Any]:
        raise AssertionError("the route ran for a query it does not stand in for")

    real = quality_routes.ROUTES[route.CHECK]
    monkeypatch.setitem(
        quality_routes.ROUTES,
        route.CHECK,
        quality_routes.Route(real.stands_in_for, real.variable, fails),
    )
    [result] = [r for r in run_quality_checks(store, folder) if r.name == route.CHECK]
    assert [t[0].value for t in result.terms] == [ASSERTION + "x"]
