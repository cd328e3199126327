"""Our IRIs dereferenced: compact JSON-LD like the dump, assertion graphs, and the site icon."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph
import pytest
from starlette.testclient import TestClient

from nato_iraq_kg import paths

ID = "https://w3id.org/nato-iraq-kg/id/"
NATO = ID + "actor/nato"
#: The assertion that NTM-I trained about 15,000 officers, and the statement it holds.
ASSERTION_PATH = "assertion/nato-relations-with-iraq-2017-02-03/"


def _assertion_graph(store: Any) -> pyoxigraph.NamedNode:
    """Return an assertion graph of the build that holds exactly one statement about NTM-I."""
    ntm_i = pyoxigraph.NamedNode(ID + "programme/ntm-i")
    for quad in store.quads_for_pattern(ntm_i, None, None, None):
        graph = quad.graph_name
        if isinstance(graph, pyoxigraph.NamedNode) and ASSERTION_PATH in graph.value:
            return graph
    raise AssertionError("no assertion graph about NTM-I")


def test_entity_json_ld_is_compacted_with_the_dumps_context(client: TestClient) -> None:
    """Regression: /id/... answered expanded JSON-LD while data/nato-iraq.jsonld is compact."""
    response = client.get("/id/actor/nato", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    document = response.json()
    dump = json.loads((paths.data_dir() / "nato-iraq.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == dump["@context"]
    nodes = {node["id"]: node for node in document["@graph"]}
    nato = nodes["actor:nato"]
    assert nato["type"] == next(n for n in dump["@graph"] if n["id"] == "actor:nato")["type"]
    assert nato["label"] == "NATO"
    assert "@id" not in json.dumps(nato)  # terms, not expanded IRIs
    # The same statements as the Turtle answer, read back by an independent parser.
    turtle = client.get("/id/actor/nato", headers={"Accept": "text/turtle"}).content
    as_jsonld = set(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.JSON_LD))
    as_turtle = set(pyoxigraph.parse(turtle, format=pyoxigraph.RdfFormat.TURTLE))
    assert as_jsonld == as_turtle and len(as_turtle) > 20


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [("application/trig", pyoxigraph.RdfFormat.TRIG), ("application/n-quads", "nquads")],
)
def test_assertion_graph_answers_its_statements_with_their_graph(
    client: TestClient, store: Any, accept: str, fmt: Any
) -> None:
    """Regression: an assertion graph's IRI gave 406 for TriG; now it gives the graph's quads."""
    graph = _assertion_graph(store)
    expected = set(store.quads_for_pattern(None, None, None, graph))
    assert expected
    response = client.get("/id/" + graph.value[len(ID) :], headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    if fmt == "nquads":
        fmt = pyoxigraph.RdfFormat.N_QUADS
    quads = set(pyoxigraph.parse(response.content, format=fmt))
    assert expected <= quads
    # Its provenance comes along, in the evidence graph.
    evidence = [q for q in quads if q.subject == graph and q.graph_name != graph]
    assert evidence


def test_assertion_graph_as_triples_and_as_a_page(client: TestClient, store: Any) -> None:
    """In triple syntaxes the graph's statements come without the graph; HTML shows the quote."""
    graph = _assertion_graph(store)
    statements = {q.triple for q in store.quads_for_pattern(None, None, None, graph)}
    path = "/id/" + graph.value[len(ID) :]
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    answered = pyoxigraph.parse(turtle.content, format=pyoxigraph.RdfFormat.TURTLE)
    assert statements <= {quad.triple for quad in answered}
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "<mark>" in page.text


def test_entities_also_answer_in_quad_syntaxes(client: TestClient) -> None:
    """An entity in TriG keeps each statement's graph, so its provenance can be followed."""
    response = client.get("/id/actor/nato", headers={"Accept": "application/trig"})
    assert response.status_code == 200
    quads = list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.TRIG))
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, pyoxigraph.NamedNode)}
    assert any(ASSERTION_PATH in g for g in graphs)


def test_favicon_is_a_local_file_linked_from_every_page(client: TestClient) -> None:
    """Regression: /favicon.ico was 404 on every page."""
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.startswith(b"<svg")
    linked = client.get("/static/favicon.svg")
    assert linked.status_code == 200 and linked.content == icon.content
    pages = ["/", "/timeline", "/query", "/id/actor/nato"]
    for path in pages:
        page = client.get(path, headers={"Accept": "text/html"})
        assert '<link rel="icon" href="/static/favicon.svg"' in page.text, path
