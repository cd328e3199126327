"""``serve --endpoint``: pages, descriptions and /sparql read from real stores, as embedded.

Both stores start for real on loopback (``triplestores.py``) and get the dataset by ``publish``;
the remote app is then compared with the embedded one (the session's ``client``) on a sample of
entities of every class, on every competency question, the timeline, search and the landing
counts; and it is put in front of a store that is down, one that never answers, and a proxy
that records every request the store receives.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs

import pytest
from rdflib import Graph
from rdflib.compare import to_isomorphic
from starlette.testclient import TestClient

from answers import Answer, answer_from_file
from fault_proxies import FaultyHTTPProxy, Reply
from loopback import free_port
from nato_iraq_kg.serve.remote_app import create_remote_app
from nato_iraq_kg.serve.remote_store import COUNT_QUERIES
from publishing import publish_cli, store_state
from test_competency_questions import ENTRIES, actual_answer
from test_publish import VIRTUOSO_EXISTS_AS_INTEGER, XSD_INTEGER
from test_serve import running_command
from triplestores import DBA_PASSWORD, READER, OxigraphServer, VirtuosoServer

ID = "https://w3id.org/nato-iraq-kg/id/"
RDF_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld"}
SAMPLE_QUERY = f"""
SELECT ?class (MIN(STR(?s)) AS ?first) (MAX(STR(?s)) AS ?last) WHERE {{
  ?s a ?class . FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}"))
}} GROUP BY ?class"""


def publish_into(name: str, server: OxigraphServer | VirtuosoServer) -> str:
    """Publish the built dataset into ``server`` and return its anonymous query URL."""
    if isinstance(server, OxigraphServer):
        args = ["--endpoint", server.query_url, "--update-endpoint", server.update_url]
        result = publish_cli(*args)
    else:
        result = publish_cli("--endpoint", server.auth_url, "--user", "dba", password=DBA_PASSWORD)
    assert result.exit_code == 0, f"{name}: {result.stderr}"
    return server.query_url


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def published(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(store name, query URL) of a real store holding the published dataset."""
    server = request.getfixturevalue(request.param)
    return request.param, publish_into(request.param, server)


@pytest.fixture(scope="module")
def remote(published: tuple[str, str]) -> Iterator[TestClient]:
    """A client of the app built by the factory over the published store."""
    with TestClient(create_remote_app(published[1])) as test_client:
        yield test_client


def sample_entities(store: Any) -> list[str]:
    """Two entities of every class (the first and last IRI), and the hub NATO, sorted."""
    found = {f"{ID}actor/nato"}
    for row in store.query(SAMPLE_QUERY, use_default_graph_as_union=True):
        found.update({row["first"].value, row["last"].value})
    return sorted(found)


class PageFacts(HTMLParser):
    """What a page says, as a multiset of (element path, text) and links: order does not count.

    Evidence lists come in the order the store lists graphs, which differs between stores; what
    the page says, under which heading, with which links, is what must be equal.
    """

    def __init__(self) -> None:
        super().__init__()
        self.path: list[str] = []
        self.facts: Counter[tuple[str, str]] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("meta", "link", "br", "img", "input"):
            return
        self.path.append(tag)
        for name, value in attrs:
            if name in ("href", "class"):
                self.facts[("/".join(self.path), f"@{name}={value}")] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.path:
            while self.path.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.facts[("/".join(self.path), " ".join(data.split()))] += 1


def page_facts(html: str) -> Counter[tuple[str, str]]:
    parser = PageFacts()
    parser.feed(html)
    return parser.facts


def rdf_graph(body: bytes, fmt: str) -> Graph:
    return Graph().parse(data=body.decode("utf-8"), format=fmt)


def test_entities_of_every_class_read_the_same_from_the_store(
    published: tuple[str, str], remote: TestClient, client: TestClient, store: Any
) -> None:
    """HTML facts, Turtle and JSON-LD of two entities per class equal the embedded mode's."""
    sample = sample_entities(store)
    assert len(sample) >= 100, len(sample)
    for iri in sample:
        path = "/id/" + iri.removeprefix(ID)
        local = client.get(path, headers={"Accept": "text/html"})
        there = remote.get(path, headers={"Accept": "text/html"})
        assert local.status_code == there.status_code == 200, (published[0], iri)
        assert page_facts(there.text) == page_facts(local.text), (published[0], iri)
        for media, fmt in RDF_FORMATS.items():
            local = client.get(path, headers={"Accept": media})
            there = remote.get(path, headers={"Accept": media})
            assert there.headers["content-type"].startswith(media)
            expected = to_isomorphic(rdf_graph(local.content, fmt))
            assert to_isomorphic(rdf_graph(there.content, fmt)) == expected, (iri, media)


def test_unknown_and_hostile_iris_are_404(remote: TestClient) -> None:
    """An IRI the store does not know, or one that could break out of <...>, is 404."""
    for path in ("/id/actor/nobody", "/id/actor/x%3E%20%7D%20UNION%20%7B", "/id/a%22b"):
        answer = remote.get(path, headers={"Accept": "text/turtle"})
        assert answer.status_code == 404, path


def sparql_answer(remote: TestClient, query: str, expected: Answer, store: str) -> Answer:
    """Ask our /sparql in the form of the expected answer; Virtuoso's integers read by value."""
    if expected.kind == "graph":
        answer = remote.post("/sparql", data={"query": query}, headers={"Accept": "text/turtle"})
        assert answer.status_code == 200, answer.text
        return Answer("graph", graph=rdf_graph(answer.content, "turtle"))
    answer = remote.post("/sparql", data={"query": query}, headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.text
    document = answer.json()
    if "boolean" in document:
        return Answer("ask", boolean=document["boolean"])
    variables = tuple(document["head"]["vars"])

    def text(variable: str, term: dict[str, str] | None) -> str:
        if term is None:
            return ""
        if (
            store == "virtuoso"
            and (query, variable) in exists_columns
            and (term.get("datatype") == XSD_INTEGER)
        ):
            return {"1": "true", "0": "false"}.get(term["value"], term["value"])
        return term["value"]

    rows = Counter(
        tuple(text(v, b.get(v)) for v in variables) for b in document["results"]["bindings"]
    )
    return Answer("select", variables, rows)


exists_columns = {
    (query.read_text(encoding="utf-8"), variable)
    for _, query, _ in ENTRIES
    for name, variable in VIRTUOSO_EXISTS_AS_INTEGER
    if query.name == name
}


def test_sparql_answers_every_question_as_embedded(
    published: tuple[str, str], remote: TestClient, store: Any
) -> None:
    """Every competency question through our /sparql over the store: the embedded answer.

    Virtuoso may repeat a row (README, "Scaling out"), so its rows are compared as sets.
    """
    name = published[0]
    assert len(ENTRIES) >= 40
    for _, query, expected_file in ENTRIES:
        expected = answer_from_file(expected_file)
        local = actual_answer(store, query, expected)
        answer = sparql_answer(remote, query.read_text(encoding="utf-8"), expected, name)
        if name == "virtuoso" and answer.kind == "select":
            assert answer.variables == local.variables, query.name
            assert set(answer.rows or ()) == set(local.rows or ()), f"{query.name}\n{answer}"
        else:
            assert answer.same_as(local), f"{name} {query.name}\n{answer}\n{local}"


def test_sparql_cuts_rows_and_keeps_the_limits(published: tuple[str, str]) -> None:
    """The row cap holds over the store; SERVICE and FROM are 400 as in the embedded mode."""
    app = create_remote_app(published[1], max_rows=5)
    with TestClient(app) as remote:
        answer = remote.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert answer.status_code == 200
        assert len(answer.json()["results"]["bindings"]) == 5
        assert answer.headers["x-result-truncated"] == "true"
        assert answer.headers["x-result-rows"] == "5"
        construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
        answer = remote.get(
            "/sparql", params={"query": construct}, headers={"Accept": "text/turtle"}
        )
        assert len(rdf_graph(answer.content, "turtle")) == 5
        service = "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"
        assert remote.get("/sparql", params={"query": service}).status_code == 400
        malformed = remote.get("/sparql", params={"query": "SELECT ?s WHERE { ?s"})
        assert malformed.status_code == 400
        assert "store refused" in malformed.text and "127.0.0.1" not in malformed.text


def landing_counts(html: str) -> dict[str, str]:
    """Return the landing page's counts by their names."""
    block = html.split('<dl class="counts">', 1)[1].split("</dl>", 1)[0]
    return dict(re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", block))


def test_timeline_search_and_counts_read_the_same(
    published: tuple[str, str], remote: TestClient, client: TestClient, store: Any
) -> None:
    """The timeline data, search results and landing counts over the store equal embedded."""
    local = client.get("/data/timeline.jsonld").json()
    there = remote.get("/data/timeline.jsonld")
    assert there.status_code == 200
    assert there.json() == local

    def quotes(page: str) -> dict[str, list[str]]:
        found = page.split('id="timeline-quotes">', 1)[1].split("</script>", 1)[0]
        return json.loads(found)  # type: ignore[no-any-return]

    expected_quotes = quotes(client.get("/timeline").text)
    assert len(expected_quotes) >= 10
    assert quotes(remote.get("/timeline").text) == expected_quotes
    for words in ("Mosul", "DCB", "Stoltenberg", "counter-terrorism"):
        params = {"q": words, "format": "json"}
        assert (
            remote.get("/search", params=params).json()
            == client.get("/search", params=params).json()
        )

    landing = remote.get("/")
    assert landing.status_code == 200
    expected = landing_counts(client.get("/").text)
    assert len(expected) == 6
    if published[0] == "oxigraph":
        # Oxigraph keeps an integer subtype by value only ("5"^^xsd:nonNegativeInteger is
        # "5"^^xsd:integer there, as in the embedded store), so fewer objects are distinct.
        rows = store.query(COUNT_QUERIES["distinctObjects"], use_default_graph_as_union=True)
        expected["distinct objects"] = f"{int(next(iter(rows))['n'].value):,}"
    assert landing_counts(landing.text) == expected
    browse = landing.text.split("<h2>Browse</h2>")[1]
    assert page_facts(browse) == page_facts(client.get("/").text.split("<h2>Browse</h2>")[1])
    assert remote.get("/data/nato-iraq.ttl").status_code == 404


@pytest.fixture()
def recording_proxy(oxigraph: OxigraphServer) -> Iterator[FaultyHTTPProxy]:
    """A proxy in front of the Oxigraph server that records every request the store gets."""
    publish_into("oxigraph", oxigraph)
    proxy = FaultyHTTPProxy(oxigraph.port)
    yield proxy
    proxy.close()


def test_updates_are_403_and_never_reach_the_store(
    recording_proxy: FaultyHTTPProxy, oxigraph: OxigraphServer
) -> None:
    """Every way of sending an update is 403 and the store sees no request at all."""
    before = store_state(oxigraph.query_url)[:2]
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }"
    with TestClient(create_remote_app(recording_proxy.url("/query"))) as remote:
        attempts = [
            remote.post("/sparql", data={"update": update}),
            remote.post("/sparql", data={"query": update}),
            remote.get("/sparql", params={"query": "DROP ALL"}),
            remote.post(
                "/sparql",
                content=update,
                headers={"Content-Type": "application/sparql-update"},
            ),
        ]
        assert [a.status_code for a in attempts] == [403] * 4
        assert recording_proxy.seen == []
        assert remote.get("/id/actor/nato", headers={"Accept": "text/turtle"}).status_code == 200
    assert recording_proxy.seen, "the page read nothing through the proxy"
    for seen in recording_proxy.seen:
        form = parse_qs(seen.body.decode("utf-8"))
        assert seen.method == "POST" and set(form) == {"query"}, seen
    assert store_state(oxigraph.query_url)[:2] == before


def silent_socket() -> tuple[socket.socket, int]:
    """A loopback socket that accepts connections and never answers (a hung store)."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            held.append(connection)

    threading.Thread(target=accept, daemon=True).start()
    return server, server.getsockname()[1]


PROBES = [
    ("/id/actor/nato", "text/html"),
    ("/id/actor/nato", "text/turtle"),
    ("/sparql?query=ASK%7B%7D", "application/json"),
    ("/search?q=Mosul", "text/html"),
    ("/", "text/html"),
    ("/data/timeline.jsonld", "application/ld+json"),
]


def assert_gateway_error(answer: Any, status: int, accept: str) -> None:
    assert answer.status_code == status, (answer.status_code, answer.text[:300])
    assert "Traceback" not in answer.text and "127.0.0.1" not in answer.text
    assert "triplestore" in answer.text
    if accept == "text/html":
        assert answer.headers["content-type"].startswith("text/html")
        assert "<h1>" in answer.text
    else:
        assert answer.headers["content-type"].startswith("text/plain")


def test_a_store_that_is_down_gives_502_and_the_server_stays_up(oxigraph: OxigraphServer) -> None:
    """No store on the port: every page that reads it is 502; then, with the store back, 200."""
    publish_into("oxigraph", oxigraph)
    proxy = FaultyHTTPProxy(oxigraph.port)
    try:
        down = free_port()
        with TestClient(create_remote_app(f"http://127.0.0.1:{down}/query")) as remote:
            for path, accept in PROBES:
                assert_gateway_error(remote.get(path, headers={"Accept": accept}), 502, accept)
            assert remote.get("/query").status_code == 200
        proxy.rule = lambda index, seen: Reply(status=503, body=b"<html>down</html>")
        with TestClient(create_remote_app(proxy.url("/query"))) as remote:
            for path, accept in PROBES:
                assert_gateway_error(remote.get(path, headers={"Accept": accept}), 502, accept)
            proxy.rule = lambda index, seen: None
            for path, accept in PROBES:
                assert remote.get(path, headers={"Accept": accept}).status_code == 200, path
    finally:
        proxy.close()


def test_a_store_that_never_answers_gives_504_and_the_server_stays_up() -> None:
    """A store that accepts and stays silent: 504 within the time limit, then still serving."""
    server, port = silent_socket()
    try:
        app = create_remote_app(f"http://127.0.0.1:{port}/query", query_timeout_s=1)
        with TestClient(app) as remote:
            for path, accept in PROBES:
                assert_gateway_error(remote.get(path, headers={"Accept": accept}), 504, accept)
            assert remote.get("/query").status_code == 200
            assert remote.get("/static/style.css").status_code == 200
    finally:
        server.close()


def fetch(url: str, accept: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_command_serves_virtuoso_with_a_login(
    virtuoso: VirtuosoServer, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``nato-iraq-kg serve --endpoint URL --user NAME`` as a process, over digest auth."""
    publish_into("virtuoso", virtuoso)
    port = free_port()
    command = [
        os.path.join(os.path.dirname(sys.executable), "nato-iraq-kg"),
        "serve",
        "--port",
        str(port),
        "--endpoint",
        virtuoso.auth_url,
        "--user",
        READER[0],
    ]
    monkeypatch.setenv("NATO_IRAQ_KG_PASSWORD", READER[1])
    with running_command(command, port) as (_, base):
        status, body = fetch(f"{base}/id/actor/jens-stoltenberg", "text/turtle")
        assert status == 200
        local = client.get("/id/actor/jens-stoltenberg", headers={"Accept": "text/turtle"})
        assert to_isomorphic(rdf_graph(body, "turtle")) == to_isomorphic(
            rdf_graph(local.content, "turtle")
        )
        ask = "ASK%7B%3Fs%20%3Fp%20%3Fo%7D"
        status, body = fetch(f"{base}/sparql?query={ask}", "application/json")
        assert (status, json.loads(body)["boolean"]) == (200, True)
        status, _ = fetch(f"{base}/sparql?query=DROP%20ALL", "application/json")
        assert status == 403


def test_the_command_refuses_a_bad_endpoint() -> None:
    """A non-http(s) endpoint is refused before the server starts (exit 2, one line)."""
    done = subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "nato-iraq-kg"),
            "serve",
            "--endpoint",
            "file:///etc/passwd",
        ],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert b"only http and https" in done.stderr
