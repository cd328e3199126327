"""One-pattern lookups answered in the serving process: which qualify, and that they answer
exactly as the query workers do, within the same row cap, never held up by busy workers.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from nato_iraq_kg.serve import create_app
from nato_iraq_kg.serve.quick_query import MAX_ROWS, MAX_TEXT, answer_quickly, is_quick
from test_serve import HEAVY, run_together

NATO = "https://w3id.org/nato-iraq-kg/id/actor/nato"
LABEL = f"SELECT ?l WHERE {{ <{NATO}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
JSON = "application/sparql-results+json"

QUICK = [
    LABEL,
    f"SELECT ?l WHERE {{ <{NATO}> rdfs:label ?l }}",
    "PREFIX ex: <http://example.org/>\nselect * { ex:a a ?t . } limit 3",
    'SELECT ?s { ?s rdfs:label "NATO"@en }',
    "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o }",
    "# a comment\nSELECT ?o WHERE { <urn:x> ?p ?o } LIMIT 10",
]
NOT_QUICK = [
    "SELECT ?s WHERE { ?s ?p ?s }",  # one variable twice: a scan for few rows
    "SELECT DISTINCT ?p WHERE { ?s ?p ?o }",  # many rows read per distinct row
    "SELECT ?s WHERE { ?s <urn:p> ?o } OFFSET 5",
    "SELECT ?s WHERE { ?s <urn:p> ?o } ORDER BY ?s",
    "SELECT ?s WHERE { ?s <urn:p>* ?o }",
    "SELECT ?s WHERE { ?s ^<urn:p> ?o }",
    "SELECT ?s WHERE { ?s <urn:p>/<urn:q> ?o }",
    "SELECT ?s WHERE { ?s <urn:p>|<urn:q> ?o }",
    "SELECT ?s WHERE { ?s <urn:p> ?o . ?o <urn:q> ?z }",
    "SELECT ?s WHERE { ?s <urn:p> ?o FILTER(isIRI(?o)) }",
    "SELECT ?s WHERE { ?s <urn:p> [] }",
    "SELECT ?s WHERE { _:b <urn:p> ?s }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ASK { <urn:a> ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }",
]


@pytest.mark.parametrize("query", QUICK)
def test_one_pattern_lookups_qualify(query: str) -> None:
    """A SELECT of one triple pattern, bounded by its shape, is answered in-process."""
    assert is_quick(query)


@pytest.mark.parametrize("query", NOT_QUICK)
def test_anything_else_goes_to_a_worker(query: str) -> None:
    """Whatever could read many quads per row, or is not one pattern, is left to a worker."""
    assert not is_quick(query)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?s { ?s ?p ?o" + " " * 100_000 + "x",
        "SELECT ?s { ?s ?p " + "1" * 100_000 + " x",
        "SELECT " + "?a " * 30_000 + "x",
        "SELECT ?s {" + " #c\n" * 30_000 + "x",
        "PREFIX a: <b> " * 10_000 + "x",
    ],
)
def test_long_texts_are_not_matched_here(text: str) -> None:
    """Texts past MAX_TEXT go to a worker unread, and a failing match does not backtrack
    without end (these took seconds to minutes with the first version of the pattern).
    """
    assert not is_quick(text)
    assert not is_quick(text[: MAX_TEXT - 1])


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_a_quick_answer_is_the_workers_answer_byte_for_byte(client: TestClient, fmt: str) -> None:
    """The same body, media type and row headers whichever process answers."""
    config = client.app.state.config
    response = client.get("/sparql", params={"query": LABEL, "format": fmt})
    assert response.status_code == 200
    worker = client.app.state.query_pool.run(
        LABEL, fmt, max_rows=config.max_rows, timeout_s=config.query_timeout_s
    )
    assert response.content == worker.body
    assert response.headers["content-type"].split(";")[0] == worker.media_type
    assert response.headers["x-result-rows"] == worker.headers["X-Result-Rows"] == "1"
    assert response.headers["x-result-truncated"] == "false"


def test_a_long_answer_is_left_to_a_worker_and_answered_whole(store: Any) -> None:
    """Past MAX_ROWS rows the in-process answer gives up; the worker's answer has them all."""
    every = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    assert answer_quickly(store, every, "json", max_rows=10_000) is None
    with TestClient(create_app(store=store)) as http:
        response = http.get("/sparql", params={"query": every}, headers={"Accept": JSON})
    assert response.status_code == 200
    rows = len(response.json()["results"]["bindings"])
    assert rows > MAX_ROWS
    assert response.headers["x-result-rows"] == str(rows)


def test_the_row_cap_still_cuts_a_quick_answer(store: Any) -> None:
    """Below MAX_ROWS, the service's max_rows cuts the answer here as a worker would."""
    with TestClient(create_app(store=store, max_rows=3)) as http:
        response = http.get("/sparql", params={"query": "SELECT ?s ?p ?o { ?s ?p ?o }"})
    assert response.headers["x-result-truncated"] == "true"
    assert response.headers["x-result-rows"] == "3"
    assert len(response.json()["results"]["bindings"]) == 3


def test_a_malformed_quick_lookup_is_400(client: TestClient) -> None:
    """An undeclared prefix in a lookup is refused as the worker would refuse it."""
    response = client.get("/sparql", params={"query": "SELECT ?l { <urn:a> nope:label ?l }"})
    assert response.status_code == 400
    assert "malformed SPARQL" in response.text


def test_lookups_answer_while_every_worker_slot_is_busy(store: Any) -> None:
    """With the one slot held by an overrunning query, a lookup answers at once, not 429."""
    app = create_app(store=store, max_concurrent=1, query_timeout_s=1.5, slot_wait_s=0)
    (heavy, _), (lookup, elapsed) = run_together(app, (0, HEAVY), (0.3, LABEL))
    assert heavy.status_code == 503
    assert lookup.status_code == 200
    assert lookup.json()["results"]["bindings"][0]["l"]["value"]
    assert elapsed < 1
