"""A GET lookup's reading is kept (its plan), never its answer: planned requests answer byte for
byte as requests read in full, every request scans the served build, and whatever the full
reading would refuse or treat otherwise is never answered from a plan.
"""

from __future__ import annotations

from typing import Any

import httpx
import pyoxigraph
import pytest
from starlette.testclient import TestClient

import nato_iraq_kg.serve.endpoint as endpoint
from nato_iraq_kg.serve import create_app
from nato_iraq_kg.serve.app import install
from nato_iraq_kg.serve.snapshot import snapshot_of_store

NATO = "https://w3id.org/nato-iraq-kg/id/actor/nato"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LOOKUP = f"SELECT ?l WHERE {{ <{NATO}> <{LABEL}> ?l }}"
JSON = {"Accept": "application/sparql-results+json"}

#: (params, headers) of GET requests: planned lookups in every format and way of asking for
#: one, then (from :data:`PLANLESS` on) the requests that must not be answered from a plan.
REQUESTS: list[tuple[dict[str, str] | list[tuple[str, str]], dict[str, str]]] = [
    ({"query": LOOKUP}, JSON),
    ({"query": LOOKUP}, {}),
    ({"query": LOOKUP}, {"Accept": "text/csv"}),
    ({"query": LOOKUP}, {"Accept": "text/tab-separated-values"}),
    ({"query": LOOKUP}, {"Accept": "application/sparql-results+xml"}),
    ({"query": LOOKUP}, {"Accept": "application/json;q=0.5, text/csv"}),
    ({"query": LOOKUP}, {"Accept": "text/turtle"}),
    ({"query": LOOKUP, "format": "tsv"}, JSON),
    ({"query": LOOKUP, "format": "text/turtle"}, JSON),
    ({"query": LOOKUP, "other": "ignored"}, JSON),
    ({"query": f"SELECT * WHERE {{ <{NATO}> ?p ?o }} LIMIT 5"}, JSON),
    ({"query": f"SELECT ?p ?o WHERE {{ <{NATO}> ?p ?o }}"}, JSON),
    ({"query": f"SELECT ?s WHERE {{ ?s a <{NATO}> }}"}, JSON),
    ({"query": f"SELECT ?s ?x WHERE {{ ?s <{LABEL}> ?o }} LIMIT 3"}, JSON),
    ({"query": f"SELECT ?s WHERE {{ ?s <{LABEL}> ?o }}"}, JSON),
    ({"query": LOOKUP, "update": "x"}, JSON),
    ({"query": LOOKUP, "default-graph-uri": "urn:g"}, JSON),
    ({"query": LOOKUP, "named-graph-uri": "urn:g"}, JSON),
    ([("query", LOOKUP), ("query", LOOKUP)], JSON),
    ({"query": LOOKUP + " # x"}, JSON),
    ({"query": "SELECT ?p WHERE { <nato> ?p ?o }"}, JSON),
    ({"query": f"SELECT ?l WHERE {{ SERVICE <http://x/> {{ <{NATO}> <{LABEL}> ?l }} }}"}, JSON),
    ({"query": "SELECT ?s WHERE { ?s rdfs:label ?l } LIMIT 2"}, JSON),
    ({"query": LOOKUP + " " * 1000}, JSON),
]

PLANLESS = 15


def comparable(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers (Date aside: it moves with the clock) and body of a response."""
    headers = [(k, v) for k, v in response.headers.multi_items() if k != "date"]
    return response.status_code, headers, response.content


def test_planned_lookups_answer_as_the_full_reading(store: Any, monkeypatch: Any) -> None:
    """Every request gets the same status, headers and body with plans as without them, the
    second time (from a kept plan) as the first; the server's limits still apply.
    """
    app = create_app(store=store, max_body_bytes=1000, max_rows=2)
    with TestClient(app) as http:
        planned = [
            [comparable(http.get("/sparql", params=p, headers=h)) for p, h in REQUESTS]
            for _ in range(2)
        ]
        monkeypatch.setattr(endpoint, "_get_lookup_plan", lambda *args: None)
        read_in_full = [comparable(http.get("/sparql", params=p, headers=h)) for p, h in REQUESTS]
    assert planned[0] == planned[1] == read_in_full
    statuses = [status for status, _, _ in read_in_full]
    assert statuses[:6] == [200] * 6 and statuses[PLANLESS : PLANLESS + 4] == [403, 400, 400, 400]
    assert statuses[-1] == 414  # the query string is over max_body_bytes
    assert read_in_full[PLANLESS - 1][1][:2] == [
        ("x-result-rows", "2"),
        ("x-result-truncated", "true"),
    ]


def test_only_plain_lookups_have_a_plan() -> None:
    """The requests the full reading refuses or treats otherwise never get a plan."""
    encoded = httpx.QueryParams
    assert endpoint._get_lookup_plan(bytes(str(encoded({"query": LOOKUP})), "ascii"), None)
    for params, _ in REQUESTS[PLANLESS:-1]:  # the last is refused by the app's limit instead
        query_string = bytes(str(encoded(params)), "ascii")
        assert endpoint._get_lookup_plan(query_string, None) is None, params
    turtle = bytes(str(encoded({"query": LOOKUP})), "ascii")
    assert endpoint._get_lookup_plan(turtle, "text/turtle") is None  # 406, read in full


def test_a_kept_plan_answers_from_the_build_served_now(store: Any) -> None:
    """The plan holds no answer: after a new build is installed, the same request text gets
    the new build's rows at once, and the old build's again when it comes back.
    """
    other = pyoxigraph.Store()
    other.add(
        pyoxigraph.Quad(
            pyoxigraph.NamedNode(NATO),
            pyoxigraph.NamedNode(LABEL),
            pyoxigraph.Literal("North Atlantic Treaty Organization"),
            pyoxigraph.NamedNode("urn:graph"),
        )
    )
    app = create_app(store=store)
    first = app.state.snapshot
    with TestClient(app) as http:

        def label() -> list[str]:
            answer = http.get("/sparql", params={"query": LOOKUP}, headers=JSON).json()
            return [row["l"]["value"] for row in answer["results"]["bindings"]]

        before = label()
        config = app.state.config
        replacement = snapshot_of_store(other, config.data_dir, config.base_url, 1, None)
        install(app, replacement)
        try:
            after = label()
        finally:
            install(app, first)
            replacement.pool.close()
        again = label()
    assert before == again == ["NATO"]
    assert after == ["North Atlantic Treaty Organization"]


@pytest.mark.parametrize("method", ["POST", "HEAD"])
def test_other_methods_are_read_in_full(store: Any, method: str, monkeypatch: Any) -> None:
    """Only a GET is planned: a POST or HEAD of the same lookup never asks for a plan."""

    def no_plan(*args: Any) -> None:
        raise AssertionError("a plan was asked for")

    monkeypatch.setattr(endpoint, "_get_lookup_plan", no_plan)
    with TestClient(create_app(store=store)) as http:
        if method == "POST":
            response = http.post(
                "/sparql",
                content=LOOKUP.encode(),
                headers={"Content-Type": "application/sparql-query", **JSON},
            )
        else:
            response = http.head("/sparql", params={"query": LOOKUP}, headers=JSON)
    assert response.status_code == 200
