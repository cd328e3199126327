"""The linked-data server: SPARQL protocol, guard rails, dereferenceable IRIs and downloads."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from loopback import free_port, wait_until_answering
from nato_iraq_kg.cli import cli
from nato_iraq_kg.guard.sparql_text import QueryRefused, vet_query
from nato_iraq_kg.serve import create_app
from nato_iraq_kg.serve.negotiation import best_match, parse_accept
from nato_iraq_kg.sparql.local import load_graph

ROOT = Path(__file__).resolve().parents[1]
NATO = "https://w3id.org/nato-iraq-kg/id/actor/nato"
SELECT_LABELS = "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s LIMIT 5"
# Counting all triples cubed (about 4.7e11 rows) never ends here: its worker is killed at the limit.
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "ASK { ?s ?p ?o }"
FORM = "application/x-www-form-urlencoded"
UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <urn:g>",
    "CREATE GRAPH <urn:g>",
    "ADD <urn:a> TO <urn:b>",
    "MOVE <urn:a> TO <urn:b>",
    "COPY <urn:a> TO <urn:b>",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
]


def run_together(app: Any, *requests: tuple[float, str]) -> list[tuple[httpx.Response, float]]:
    """Send GET /sparql queries concurrently (each after its delay); return responses and times.

    The query workers are started first, as a real server's start-up does (the ASGI transport
    does not run the app's lifespan), so the timings are those of a running server.
    """
    app.state.query_pool.fill()

    async def one(
        http: httpx.AsyncClient, delay: float, query: str
    ) -> tuple[httpx.Response, float]:
        await asyncio.sleep(delay)
        start = time.monotonic()
        response = await http.get("/sparql", params={"query": query})
        return response, time.monotonic() - start

    async def main() -> list[tuple[httpx.Response, float]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return list(await asyncio.gather(*(one(http, d, q) for d, q in requests)))

    return asyncio.run(main())


def test_get_select_json(client: TestClient) -> None:
    """A GET query answers SPARQL JSON results by default."""
    response = client.get("/sparql", params={"query": SELECT_LABELS})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    document = response.json()
    assert document["head"]["vars"] == ["s", "l"]
    assert len(document["results"]["bindings"]) == 5
    assert response.headers["x-result-truncated"] == "false"


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/json", "application/sparql-results+json"),
        ("text/html;q=0.9, text/csv;q=0.5", "text/csv"),
    ],
)
def test_select_by_accept(client: TestClient, accept: str, media: str) -> None:
    """The results format follows the Accept header."""
    response = client.get("/sparql", params={"query": SELECT_LABELS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)


def test_format_parameter_beats_accept(client: TestClient) -> None:
    """A format= parameter overrides the Accept header."""
    response = client.get(
        "/sparql", params={"query": SELECT_LABELS, "format": "csv"}, headers={"Accept": "text/xml"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines()[0] == "s,l"


def test_post_form_and_direct(client: TestClient, store: Any) -> None:
    """POST with a form or a direct sparql-query body gives the same answer as GET."""
    by_get = client.get("/sparql", params={"query": SELECT_LABELS, "format": "tsv"}).text
    by_form = client.post("/sparql", data={"query": SELECT_LABELS, "format": "tsv"}).text
    direct = client.post(
        "/sparql",
        content=SELECT_LABELS.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/tab-separated-values"},
    ).text
    assert by_get == by_form == direct
    assert len(by_get.splitlines()) == 6


def test_ask(client: TestClient) -> None:
    """An ASK query answers a boolean."""
    response = client.get("/sparql", params={"query": CHEAP})
    assert response.json()["boolean"] is True


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", pyoxigraph.RdfFormat.TURTLE),
        ("application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", pyoxigraph.RdfFormat.RDF_XML),
        ("application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
    ],
)
def test_construct_formats(client: TestClient, accept: str, fmt: Any) -> None:
    """CONSTRUCT answers parse in each RDF syntax offered."""
    query = f"CONSTRUCT {{ <{NATO}> ?p ?o }} WHERE {{ <{NATO}> ?p ?o }}"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    triples = list(pyoxigraph.parse(response.content, format=fmt))
    assert triples and all(t.subject.value == NATO for t in triples)


def test_unacceptable_format_is_406(client: TestClient) -> None:
    """An Accept header naming nothing we can give is refused with 406."""
    response = client.get(
        "/sparql", params={"query": SELECT_LABELS}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 406


def test_service_description(client: TestClient) -> None:
    """A bare GET describes the service in Turtle."""
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    triples = list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    objects = {(t.predicate.value, t.object.value) for t in triples}
    assert (sd + "supportedLanguage", sd + "SPARQL11Query") in objects
    assert (sd + "feature", sd + "UnionDefaultGraph") in objects
    assert (sd + "endpoint", "http://testserver/sparql") in objects
    assert any(p == sd + "resultFormat" for p, _ in objects)


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_every_way(client: TestClient, update: str) -> None:
    """Every update form is refused with 403, however it is sent."""
    attempts = [
        client.post("/sparql", data={"update": update}),
        client.post(
            "/sparql", content=update, headers={"Content-Type": "application/sparql-update"}
        ),
        client.get("/sparql", params={"query": update}),
        client.post("/sparql", data={"query": update}),
        client.post(
            "/sparql", content=update, headers={"Content-Type": "application/sparql-query"}
        ),
    ]
    for response in attempts:
        assert response.status_code == 403, response.text
        assert "read-only" in response.text


def test_service_and_from_are_400(client: TestClient) -> None:
    """SERVICE and FROM are refused before evaluation."""
    for query in [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    ]:
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 400
        assert "not allowed" in response.text


def test_keywords_in_strings_names_and_comments_are_not_refused() -> None:
    """Guards ignore keywords inside strings, comments, IRIs, prefixed names and variables."""
    query = """# insert the service from here
    PREFIX ex: <http://example.org/from/service/>
    SELECT ?from WHERE { ?from ex:service "DELETE FROM SERVICE" ; ex:from ?x }"""
    assert vet_query(query) == "SELECT"
    with pytest.raises(QueryRefused):
        vet_query("select * from <urn:x> { ?s ?p ?o }")


def test_malformed_query_is_400(client: TestClient) -> None:
    """A query that does not parse is answered 400 with the parser's message."""
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p "})
    assert response.status_code == 400
    assert "malformed SPARQL" in response.text


def test_large_body_is_413(client: TestClient) -> None:
    """A body over max_body_bytes is refused with 413."""
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 100_001
    response = client.post(
        "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413


def test_rows_beyond_the_cap_are_cut(store: Any) -> None:
    """SELECT rows beyond max_rows are cut and the cut is announced in headers."""
    with TestClient(create_app(store=store, max_rows=2)) as small:
        response = small.get("/sparql", params={"query": SELECT_LABELS, "format": "json"})
        assert response.headers["x-result-truncated"] == "true"
        assert response.headers["x-result-rows"] == "2"
        assert len(response.json()["results"]["bindings"]) == 2
        whole = small.get("/sparql", params={"query": SELECT_LABELS + " OFFSET 0", "format": "csv"})
        assert len(whole.text.splitlines()) == 3


def test_slow_query_times_out_with_503(store: Any) -> None:
    """A query over the time limit gets 503 on time, and its worker is stopped, not left running."""
    with TestClient(create_app(store=store, query_timeout_s=0.2)) as quick:
        start = time.monotonic()
        response = quick.get("/sparql", params={"query": HEAVY})
        assert response.status_code == 503
        assert "stopped" in response.text
        assert time.monotonic() - start < 2
        pool = quick.app.state.query_pool
        assert pool.discarded == 1
        assert quick.get("/sparql", params={"query": CHEAP}).json()["boolean"] is True


def test_over_concurrency_limit_is_429(store: Any) -> None:
    """A query beyond max_concurrent in flight is refused with 429 and Retry-After."""
    app = create_app(store=store, max_concurrent=1, query_timeout_s=1.5, slot_wait_s=0)
    (heavy, _), (refused, elapsed) = run_together(app, (0, HEAVY), (0.3, CHEAP))
    assert heavy.status_code == 503
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert elapsed < 1


def test_query_over_the_limit_waits_briefly_for_a_slot(store: Any) -> None:
    """A query over the limit gets the slot a timed-out one frees within slot_wait_s."""
    app = create_app(store=store, max_concurrent=1, query_timeout_s=0.6, slot_wait_s=1)
    (heavy, _), (waited, elapsed) = run_together(app, (0, HEAVY), (0.2, CHEAP))
    assert heavy.status_code == 503
    assert waited.status_code == 200
    assert 0.2 < elapsed < 1


def test_cheap_query_is_not_stalled_by_a_heavy_one(store: Any) -> None:
    """A cheap query answers fast while a heavy one runs."""
    app = create_app(store=store, query_timeout_s=2)
    (heavy, _), (cheap, elapsed) = run_together(app, (0, HEAVY), (0.3, CHEAP))
    assert heavy.status_code == 503
    assert cheap.status_code == 200
    assert cheap.json()["boolean"] is True
    assert elapsed < 1


def test_negotiation_honours_q_values() -> None:
    """q=0 excludes, specific ranges beat wildcards, and server order breaks ties."""
    offers = ["text/turtle", "application/ld+json", "text/html"]
    assert best_match(None, offers) == "text/turtle"
    assert best_match("*/*", offers) == "text/turtle"
    assert best_match("text/html,*/*;q=0.8", offers) == "text/html"
    assert best_match("*/*;q=0.5, text/turtle;q=0", offers) == "application/ld+json"
    assert best_match("application/*;q=0.2, text/*;q=0.1", offers) == "application/ld+json"
    assert best_match("image/png", offers) is None
    assert best_match("text/turtle;q=bogus", offers) is None
    assert parse_accept("text/html; charset=utf-8; q=0.4")[0].q == 0.4


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", pyoxigraph.RdfFormat.TURTLE),
        ("application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
        ("application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", pyoxigraph.RdfFormat.RDF_XML),
    ],
)
def test_entity_description(client: TestClient, accept: str, fmt: Any) -> None:
    """An entity IRI dereferences to its triples, both directions, with linked labels."""
    response = client.get("/id/actor/nato", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert "Accept" in response.headers["vary"]
    triples = list(pyoxigraph.parse(response.content, format=fmt))
    subjects = {t.subject.value for t in triples}
    objects = {t.object.value for t in triples if isinstance(t.object, pyoxigraph.NamedNode)}
    assert NATO in subjects and NATO in objects
    labels = [t for t in triples if t.predicate.value.endswith("rdf-schema#label")]
    assert len(labels) > 1


def test_entity_html_406_404(client: TestClient) -> None:
    """HTML is offered, other types are 406, unknown IRIs are 404, and Vary is always set."""
    page = client.get("/id/actor/nato", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"]
    refused = client.get("/id/actor/nato", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert "Accept" in refused.headers["vary"]
    missing = client.get("/id/actor/no-such-actor", headers={"Accept": "text/turtle"})
    assert missing.status_code == 404
    assert "Accept" in missing.headers["vary"]


def test_ontology(client: TestClient) -> None:
    """The ontology IRI gives its Turtle source or its HTML documentation."""
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    assert turtle.content == (ROOT / "ontology" / "nato-iraq.ttl").read_bytes()
    assert "Accept" in turtle.headers["vary"]
    page = client.get("/ontology", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert page.content == (ROOT / "docs" / "ontology.html").read_bytes()
    jsonld = client.get("/ontology", headers={"Accept": "application/ld+json"})
    assert json.loads(jsonld.content)


@pytest.mark.parametrize(
    ("name", "media"),
    [
        ("nato-iraq.ttl", "text/turtle"),
        ("nato-iraq.nt", "application/n-triples"),
        ("nato-iraq.rdf", "application/rdf+xml"),
        ("nato-iraq.jsonld", "application/ld+json"),
        ("nato-iraq.trig", "application/trig"),
        ("nato-iraq.nq", "application/n-quads"),
        ("timeline.jsonld", "application/ld+json"),
        ("void.ttl", "text/turtle"),
        ("tables/facts.csv", "text/csv"),
        ("tables/datapackage.json", "application/json"),
    ],
)
def test_downloads(client: TestClient, name: str, media: str) -> None:
    """Each advertised distribution is served as it is on disk, with its media type."""
    response = client.get(f"/data/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert response.content == (ROOT / "data" / name).read_bytes()


def test_nothing_outside_the_downloads_is_served(client: TestClient) -> None:
    """Unlisted files and path traversal are 404, and /.well-known/void redirects to void.ttl."""
    for path in [
        "/data/README.md",
        "/data/../pyproject.toml",
        "/data/..%2Fpyproject.toml",
        "/data/%2e%2e%2fpyproject.toml",
        "/data/source/",
        "/data/source/nato-relations-with-iraq-2017-02-03.toml",
        "/data/tables/../release.toml",
        "/data/tables/%2e%2e/release.toml",
        "/data/..%2f..%2fetc%2fpasswd",
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "[project]" not in response.text
    redirect = client.get("/.well-known/void", follow_redirects=False)
    assert redirect.status_code == 303
    assert redirect.headers["location"] == "/data/void.ttl"


def test_real_server_answers_the_cli_like_the_embedded_store() -> None:
    """The CLI asking the real server gets the same CSV as the embedded store."""
    port = free_port()
    code = f"from nato_iraq_kg.serve.app import serve; serve(port={port})"
    server = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    endpoint = f"http://127.0.0.1:{port}/sparql"
    try:
        wait_until_answering(server, endpoint, 20)
        command = Path(sys.executable).parent / "nato-iraq-kg"
        remote = subprocess.run(
            [str(command), "query", "05", "--endpoint", endpoint, "--format", "csv"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert remote.returncode == 0, remote.stderr
        embedded = CliRunner().invoke(cli, ["query", "05", "--format", "csv"])
        assert embedded.exit_code == 0
        assert remote.stdout == embedded.output
        assert len(remote.stdout.splitlines()) > 1
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_odd_requests(store: Any) -> None:
    """Invalid IRIs are 404, odd body types 415, and over-long GET query strings 414."""
    with TestClient(create_app(store=store, max_body_bytes=1000)) as small:
        assert small.get("/id/actor/a%3Eb", headers={"Accept": "text/turtle"}).status_code == 404
        odd = small.post("/sparql", content=CHEAP, headers={"Content-Type": "text/plain"})
        assert odd.status_code == 415
        long_query = "ASK { ?s ?p ?o } #" + "x" * 1001
        assert small.get("/sparql", params={"query": long_query}).status_code == 414
        assert small.post("/sparql", data={"format": "json"}).status_code == 400


def test_no_cross_origin_access_unless_configured(store: Any) -> None:
    """CORS headers go only to the configured origins, and Vary: Accept stays."""
    evil = {"Origin": "https://evil.example", "Accept": "text/turtle"}
    ok = {"Origin": "https://ok.example", "Accept": "text/turtle"}
    with TestClient(create_app(store=store)) as closed:
        for path in ["/sparql", "/id/actor/nato", "/ontology"]:
            response = closed.get(path, headers=evil)
            assert "access-control-allow-origin" not in response.headers, path
        preflight = closed.options(
            "/sparql", headers={**evil, "Access-Control-Request-Method": "POST"}
        )
        assert "access-control-allow-origin" not in preflight.headers
    with TestClient(create_app(store=store, cors_origins=("https://ok.example",))) as opened:
        for path in ["/sparql", "/id/actor/nato", "/ontology"]:
            allowed = opened.get(path, headers=ok)
            assert allowed.headers["access-control-allow-origin"] == "https://ok.example", path
            refused = opened.get(path, headers=evil)
            assert "access-control-allow-origin" not in refused.headers, path
            if path != "/sparql":
                assert "Accept" in allowed.headers["vary"], path
        preflight = opened.options(
            "/sparql", headers={**ok, "Access-Control-Request-Method": "POST"}
        )
        assert preflight.headers["access-control-allow-origin"] == "https://ok.example"
        denied = opened.options(
            "/sparql", headers={**evil, "Access-Control-Request-Method": "POST"}
        )
        assert "access-control-allow-origin" not in denied.headers


TRAVERSALS = [
    "/id/..%2F..%2Fetc%2Fpasswd",
    "/data/..%2F..%2Fetc%2Fpasswd",
    "/data/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2F..%2Fapp.py",
    "/static/..%2Fapp.py",
    "/static/%2e%2e/app.py",
]


def assert_not_leaked(status: int, body: bytes, path: str) -> None:
    """Fail unless a traversal attempt got 404 and none of the files it aimed at."""
    assert status == 404, path
    assert b"root:" not in body, path
    assert b"def create_app" not in body, path
    assert b"[project]" not in body, path


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_is_404(client: TestClient, path: str) -> None:
    """Encoded ../ in /id/, /data/ and /static/ is 404 and never a file's content."""
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert_not_leaked(response.status_code, response.content, path)


def test_fallback_html_makes_no_links() -> None:
    """The fallback HTML escapes every term and turns no IRI (javascript: included) into a link."""
    from nato_iraq_kg.serve.linked_data import _html_fallback

    bad = pyoxigraph.NamedNode("javascript:alert(1)")
    triple = pyoxigraph.Triple(pyoxigraph.NamedNode(NATO), bad, bad)
    page = _html_fallback(NATO, [triple]).lower()
    assert "href" not in page and "<a" not in page
    assert "javascript:alert(1)" in page


@contextlib.contextmanager
def running_server(**kw: Any) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run ``serve(**kw)`` in a subprocess on a free loopback port; yield it and its base URL."""
    port = free_port()
    code = f"from nato_iraq_kg.serve.app import serve; serve(port={port}, **{kw!r})"
    with running_command([sys.executable, "-c", code], port) as started:
        yield started


@contextlib.contextmanager
def running_command(command: list[str], port: int) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run a server command that listens on ``port``; yield it once /sparql answers."""
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(server, f"{base}/sparql", 20)
        yield server, base
    finally:
        server.kill()
        server.wait(timeout=10)


def test_real_server_refuses_path_traversal() -> None:
    """Through uvicorn, which decodes %2F itself, encoded ../ is still 404 and leaks nothing."""
    with running_server() as (_, base):
        host, port = base.removeprefix("http://").split(":")
        for path in TRAVERSALS:
            # http.client sends the path exactly as written, with no normalisation.
            connection = http.client.HTTPConnection(host, int(port), timeout=5)
            try:
                connection.request("GET", path, headers={"Accept": "text/turtle"})
                response = connection.getresponse()
                assert_not_leaked(response.status, response.read(), path)
            finally:
                connection.close()


def test_fifty_heavy_queries_at_once_leave_the_server_usable() -> None:
    """A burst of 50 heavy queries gets 429/503, the server lives, and ASK gets through fast."""
    # The four admitted heavy queries hold every slot until their 2 s limit; the other 46 wait up
    # to slot_wait_s (1 s) and get 429. An ASK sent at 1.5 s, while all slots are still taken,
    # waits for the slots the time limit frees and so answers in about 0.5 s, not 429. One shared
    # client and a barrier make the 50 requests arrive together (a client each would stagger them).
    with (
        running_server(max_concurrent=4, query_timeout_s=2) as (server, base),
        httpx.Client(base_url=base, limits=httpx.Limits(max_connections=64), timeout=15) as http,
    ):
        barrier = threading.Barrier(51)

        def cheap_during_burst() -> tuple[int, float]:
            barrier.wait()
            time.sleep(1.5)
            start = time.monotonic()
            response = http.get("/sparql", params={"query": "ASK {}"}, timeout=5)
            return response.status_code, time.monotonic() - start

        def heavy(_: int) -> int:
            barrier.wait()
            try:
                response = http.get("/sparql", params={"query": HEAVY})
            except httpx.TransportError:
                return -1
            if response.status_code == 429:
                assert response.headers.get("retry-after") == "1"
            return response.status_code

        with ThreadPoolExecutor(max_workers=51) as pool:
            during = pool.submit(cheap_during_burst)
            statuses = list(pool.map(heavy, range(50)))
            during_status, during_elapsed = during.result()
        assert during_status == 200, statuses
        assert during_elapsed < 1, statuses
        assert -1 not in statuses, statuses
        assert sum(s in (429, 503) for s in statuses) >= 45, statuses
        assert all(s < 500 or s == 503 for s in statuses), statuses
        assert server.poll() is None
        start = time.monotonic()
        cheap = http.get("/sparql", params={"query": "ASK {}"}, timeout=5)
        assert cheap.status_code == 200
        assert cheap.json()["boolean"] is True
        assert time.monotonic() - start < 1


def worker_pids(pid: int) -> set[int]:
    """The ids of the query workers (spawned children) of process ``pid``, from /proc."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    found = set()
    for child in children.read_text().split() if children.exists() else []:
        with contextlib.suppress(OSError):
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.add(int(child))
    return found


def test_cli_serve_applies_its_limits_and_leaves_no_workers_behind() -> None:
    """`nato-iraq-kg serve` with its options: rows cut, heavy query stopped, workers reaped."""
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("nato-iraq-kg")),
        "serve",
        "--port", str(port),
        "--max-rows", "3",
        "--timeout", "1",
        "--max-concurrent", "1",
    ]  # fmt: skip
    with running_command(command, port) as (server, base), httpx.Client(base_url=base) as http:
        rows = http.get("/sparql", params={"query": SELECT_LABELS, "format": "csv"})
        assert rows.headers["x-result-rows"] == "3"
        assert rows.headers["x-result-truncated"] == "true"
        start = time.monotonic()
        heavy = http.get("/sparql", params={"query": HEAVY}, timeout=10)
        assert heavy.status_code == 503
        assert "longer than 1 s" in heavy.text
        assert time.monotonic() - start < 3
        # One slot plus one spare: two worker processes, whatever was killed and replaced.
        deadline = time.monotonic() + 20
        while len(workers := worker_pids(server.pid)) != 2:
            assert time.monotonic() < deadline, workers
            time.sleep(0.1)
        assert http.get("/sparql", params={"query": CHEAP}).json()["boolean"] is True
    # The server was killed outright: its workers see their pipe close and exit on their own.
    deadline = time.monotonic() + 20
    while alive := [pid for pid in workers if Path(f"/proc/{pid}").exists()]:
        status = [Path(f"/proc/{pid}/stat").read_text().split()[2] for pid in alive]
        if all(state == "Z" for state in status):
            break  # exited; only waiting for init to reap it
        assert time.monotonic() < deadline, f"workers still running: {alive}"
        time.sleep(0.1)


def test_real_server_sends_long_answers_whole_under_concurrent_load() -> None:
    """Answers far larger than a pipe's buffer arrive whole, many at once, on the real server.

    uvicorn runs on uvloop here, which makes the descriptors it watches non-blocking: a long
    answer from a query worker then arrives in pieces, and reading it must wait for all of them.
    """
    construct = "CONSTRUCT WHERE { ?s ?p ?o }"
    # What an Oxigraph store holds of the dump: Oxigraph keeps derived integer types
    # (xsd:nonNegativeInteger, ...) as xsd:integer, as every Oxigraph-backed endpoint does.
    expected = {quad.triple for quad in load_graph()}
    with running_server() as (_, base), httpx.Client(base_url=base, timeout=60) as http:

        def fetch(_: int) -> tuple[int, bytes]:
            response = http.get(
                "/sparql", params={"query": construct}, headers={"Accept": "application/n-triples"}
            )
            return response.status_code, response.content

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(fetch, range(24)))
    assert {status for status, _ in answers} == {200}, [body[:200] for _, body in answers]
    assert min(len(body) for _, body in answers) > 512 * 1024  # larger than any socket buffer
    assert len({body for _, body in answers}) == 1  # every copy complete and the same
    triples = {
        quad.triple
        for quad in pyoxigraph.parse(answers[0][1], format=pyoxigraph.RdfFormat.N_TRIPLES)
    }
    assert triples == expected


def test_serve_on_a_busy_port_is_one_line_and_exit_2() -> None:
    """A port another server holds: one line naming it, exit 2 (uvicorn alone exits 3)."""
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: cannot listen on 127.0.0.1:{port}: the port is in use "
        "(another server? choose another --port)\n"
    )
