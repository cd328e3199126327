"""Catalogue cases 18 to 28: hostile requests to the SPARQL endpoint and the linked-data pages.

The app is built by its factory over the built dataset and driven in process. Every refusal is
checked with the invariants: no network or file access, the store's content hash unchanged, and
the service still answering a cheap query afterwards.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Any

import httpx
import pyoxigraph
import pytest
from robustness_guards import watched
from starlette.testclient import TestClient

from nato_iraq_kg.serve.app import create_app
from nato_iraq_kg.sparql.local import evidence_for, run

FORM = "application/x-www-form-urlencoded"
CHEAP = "ASK { ?s ?p ?o }"


def content_hash(store: Any) -> str:
    """Return a hash of every quad in ``store``, independent of order."""
    dump = store.dump(format=pyoxigraph.RdfFormat.N_QUADS) or b""
    return hashlib.sha256(b"\n".join(sorted(dump.splitlines()))).hexdigest()


def still_answers(client: TestClient) -> None:
    """Check that the service answers a cheap query at once."""
    start = time.perf_counter()
    response = client.get("/sparql", params={"query": CHEAP})
    assert response.status_code == 200
    assert response.json()["boolean"] is True
    assert time.perf_counter() - start < 1


def send(client: TestClient, how: str, text: str) -> httpx.Response:
    """Send ``text`` as a query by GET, urlencoded POST or sparql-query POST."""
    if how == "get":
        return client.get("/sparql", params={"query": text})
    if how == "form":
        return client.post("/sparql", data={"query": text})
    return client.post(
        "/sparql", content=text.encode(), headers={"Content-Type": "application/sparql-query"}
    )


SERVICES = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:7878/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <file:///etc/passwd> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/a> { SERVICE <http://169.254.169.254/> "
    "{ ?s ?p ?o } } }",
    "SELECT * WHERE { ?s ?p ?o . service ?endpoint { ?s ?p ?o } }",
]


@pytest.mark.parametrize("how", ["get", "form", "post"])
@pytest.mark.parametrize("query", SERVICES, ids=["loopback", "file", "nested", "variable"])
def test_case_18_service_is_refused_before_evaluation(
    client: TestClient, store: Any, query: str, how: str
) -> None:
    """Case 18: SERVICE to loopback, ``file:``, nested or by variable: 400, zero requests."""
    before = content_hash(store)
    with watched() as seen:
        response = send(client, how, query)
    assert response.status_code == 400
    assert "SERVICE" in response.text
    assert seen.network == []
    assert not [p for p in seen.opened if "passwd" in p]
    assert content_hash(store) == before
    still_answers(client)


WRITES_AND_READS = [
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", 400),
    ("SELECT * FROM NAMED <http://127.0.0.1:9/g> WHERE { GRAPH ?g { ?s ?p ?o } }", 400),
    ("LOAD <file:///etc/passwd>", 403),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403),
    ("DROP ALL", 403),
]


@pytest.mark.parametrize("how", ["get", "form", "post"])
@pytest.mark.parametrize(("query", "status"), WRITES_AND_READS)
def test_case_19_from_load_and_updates_are_refused_and_change_nothing(
    client: TestClient, store: Any, query: str, status: int, how: str
) -> None:
    """Case 19: FROM, FROM NAMED, LOAD, INSERT DATA, DROP ALL: refused, graph hash identical."""
    before = content_hash(store)
    with watched() as seen:
        response = send(client, how, query)
    assert response.status_code == status
    assert seen.network == []
    assert not [p for p in seen.opened if "passwd" in p]
    assert content_hash(store) == before
    still_answers(client)


@pytest.mark.parametrize("update", ["LOAD <file:///etc/passwd>", "INSERT DATA { <a:a> <a:b> 1 }"])
def test_case_19_updates_in_every_update_channel_are_403(
    client: TestClient, store: Any, update: str
) -> None:
    """Case 19: ``update=`` in a form and ``application/sparql-update`` are 403, nothing changed."""
    before = content_hash(store)
    by_form = client.post("/sparql", data={"update": update})
    by_body = client.post(
        "/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"}
    )
    assert (by_form.status_code, by_body.status_code) == (403, 403)
    assert content_hash(store) == before


def test_case_20_catastrophic_regex_answers_quickly() -> None:
    """Case 20: ``REGEX(?x, "(a+)+$")`` on a long non-matching string is linear, not a hang."""
    small = pyoxigraph.Store()
    small.add(
        pyoxigraph.Quad(
            pyoxigraph.NamedNode("http://example.org/s"),
            pyoxigraph.NamedNode("http://example.org/p"),
            pyoxigraph.Literal("a" * 100_000 + "!"),
        )
    )
    start = time.perf_counter()
    outcome = run(small, 'ASK { ?s ?p ?x FILTER(REGEX(?x, "(a+)+$")) }')
    assert outcome.boolean is False
    assert time.perf_counter() - start < 1


def test_case_21_an_exploding_construct_is_cut_with_a_flag(store: Any) -> None:
    """Case 21: a CONSTRUCT over a cross product stops at the cap and says it was cut."""
    with TestClient(create_app(store=store, max_rows=100)) as capped:
        response = capped.get(
            "/sparql",
            params={"query": "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }"},
            headers={"Accept": "application/n-triples"},
        )
    assert response.status_code == 200
    assert response.headers["x-result-truncated"] == "true"
    assert response.headers["x-result-rows"] == "100"
    assert len(response.text.splitlines()) == 100


def test_case_21_a_select_without_limit_is_cut_with_a_flag(store: Any) -> None:
    """Case 21: ``SELECT *`` over every quad stops at the row cap with an explicit header."""
    with TestClient(create_app(store=store, max_rows=50)) as capped:
        response = capped.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.headers["x-result-truncated"] == "true"
    assert len(response.json()["results"]["bindings"]) == 50


def test_case_22_a_ten_megabyte_body_is_413(client: TestClient) -> None:
    """Case 22: a 10 MB POST is 413, and the service goes on."""
    body = b"SELECT * WHERE { ?s ?p ?o } #" + b"x" * (10 * 1024 * 1024)
    response = client.post(
        "/sparql", content=body, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413
    still_answers(client)


def test_case_22_an_over_long_query_string_is_414(store: Any) -> None:
    """Case 22: a GET URL over the cap is 414 (60 KB here: httpx itself refuses 64 KB URLs)."""
    with TestClient(create_app(store=store, max_body_bytes=50_000)) as small:
        long_query = "ASK { ?s ?p ?o } #" + "x" * 60_000
        assert small.get("/sparql", params={"query": long_query}).status_code == 414
        still_answers(small)


def test_case_22_a_thousand_prefixes_are_answered_or_refused_quickly(client: TestClient) -> None:
    """Case 22: 1 000 PREFIX declarations: an answer or a 400 within a second, never a 500."""
    prefixes = "".join(f"PREFIX p{n}: <http://example.org/{n}#>\n" for n in range(1000))
    start = time.perf_counter()
    response = client.post("/sparql", data={"query": prefixes + CHEAP})
    assert response.status_code in (200, 400, 413)
    assert time.perf_counter() - start < 1


def test_case_22_deeply_nested_queries_are_400_not_a_crash(client: TestClient) -> None:
    """Case 22: a query nested 10 000 levels (which crashes Oxigraph's parser) is a 400."""
    for text in (
        "SELECT * WHERE " + "{ " * 10_000 + "?s ?p ?o" + " }" * 10_000,
        "ASK { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",
        "SELECT * WHERE { ?s ?p " + "[ <http://e/p> " * 1000 + "?o" + " ]" * 1000 + " }",
    ):
        response = client.post("/sparql", data={"query": text})
        assert response.status_code == 400
        assert "nested" in response.text
    still_answers(client)


def test_case_23_fifty_parallel_heavy_queries_are_bounded(store: Any) -> None:
    """Case 23: 50 parallel queries: each answered, timed out or told 429 with Retry-After."""
    app = create_app(store=store, max_concurrent=2, slot_wait_s=0, query_timeout_s=2)
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?a ?d ?e }"

    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return list(
                await asyncio.gather(
                    *(http.get("/sparql", params={"query": heavy}) for _ in range(50))
                )
            )

    responses = asyncio.run(main())
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 429, 503}
    assert statuses.count(429) >= 40
    assert all(r.headers["retry-after"] for r in responses if r.status_code == 429)
    with TestClient(app) as after:
        still_answers(after)


@pytest.mark.parametrize(
    "path", ["/id/actor/nato%00", "/id/" + "a" * 10_000, "/data/nato-iraq.ttl%00.txt"]
)
def test_case_26_nul_and_very_long_paths_are_404(client: TestClient, path: str) -> None:
    """Case 26: a NUL byte or a 10 KB path is 404 or 400, and no file outside is opened."""
    with watched() as seen:
        response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code in (400, 404)
    assert not [p for p in seen.opened if "\x00" in p or "aaaaaaaaaa" in p]


@pytest.mark.parametrize(
    "name",
    [
        'x" } ; DROP ALL ; #',
        "<http://a> } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o",
        "NATO') || true || ('",
    ],
)
def test_case_28_a_user_value_in_a_query_template_cannot_change_it(store: Any, name: str) -> None:
    """Case 28: hostile names are bound as literals: no rows, no request, nothing changed."""
    before = content_hash(store)
    with watched() as seen:
        result = evidence_for(store, name)
    assert result.rows == ()
    assert seen.network == []
    assert content_hash(store) == before
    assert evidence_for(store, "NATO").rows  # the template still works for a real name


def test_case_24_the_four_rdf_formats_of_a_resource_are_isomorphic(client: TestClient) -> None:
    """Case 24: Turtle, JSON-LD, N-Triples and RDF/XML of one IRI are the same graph."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from nato_iraq_kg.guard.rdf_input import parse_rdf, to_rdflib

    graphs: list[Graph] = []
    for media, fmt in [
        ("text/turtle", "TURTLE"),
        ("application/ld+json", "JSON_LD"),
        ("application/n-triples", "N_TRIPLES"),
        ("application/rdf+xml", "RDF_XML"),
    ]:
        response = client.get("/id/actor/nato", headers={"Accept": media})
        assert response.headers["content-type"].startswith(media)
        assert "Accept" in response.headers["vary"]
        graphs.append(to_rdflib(parse_rdf(response.content, fmt, media).quads))
    assert len(graphs[0]) > 10
    assert all(isomorphic(graphs[0], other) for other in graphs[1:])


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/x-unknown", 406),
        ("*/*", 200),
        ("text/turtle;q=0.1, application/ld+json;q=0.9", "application/ld+json"),
    ],
)
def test_case_24_negotiation_of_a_resource(client: TestClient, accept: str, expected: Any) -> None:
    """Case 24: an unknown type is 406, ``*/*`` gets the default, q-values pick JSON-LD."""
    response = client.get("/id/actor/nato", headers={"Accept": accept})
    assert "Accept" in response.headers["vary"]
    if isinstance(expected, int):
        assert response.status_code == expected
    else:
        assert response.headers["content-type"].startswith(expected)


def test_case_25_markup_and_direction_overrides_are_escaped_in_pages() -> None:
    """Case 25: ``</title>``, ``<script>`` and U+202E in a label come out as inert text."""
    from html.parser import HTMLParser

    from nato_iraq_kg.namespaces import ID
    from nato_iraq_kg.serve import pages

    tiny = pyoxigraph.Store()
    thing = pyoxigraph.NamedNode(ID + "actor/evil")
    label = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    home = pyoxigraph.NamedNode("http://xmlns.com/foaf/0.1/homepage")
    graph = pyoxigraph.NamedNode(ID + "assertion/x")
    evil = "</title><script>alert(1)</script>\u202egnp.exe"
    tiny.add(pyoxigraph.Quad(thing, label, pyoxigraph.Literal(evil, language="en"), graph))
    tiny.add(pyoxigraph.Quad(thing, home, pyoxigraph.NamedNode("javascript:alert(1)"), graph))
    page = pages.entity_page(tiny, thing.value)
    assert "<script>" not in page and "</title><" not in page
    assert 'href="javascript:' not in page.lower()
    links: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            links.extend(v or "" for k, v in attrs if k == "href")

    Links().feed(page)
    assert all(not link.lower().startswith("javascript:") for link in links)


def test_case_27_a_foreign_origin_gets_no_cross_origin_grant(client: TestClient) -> None:
    """Case 27: ``Origin: https://evil.example`` gets no ``Access-Control-Allow-Origin``."""
    for response in (
        client.get("/sparql", params={"query": CHEAP}, headers={"Origin": "https://evil.example"}),
        client.options(
            "/sparql",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        ),
    ):
        assert "access-control-allow-origin" not in response.headers
