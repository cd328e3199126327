"""The same questions through a real SPARQL endpoint: Oxigraph's server, read-only, on loopback."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner
from rdflib import Graph

from answers import Answer, answer_from_csv, answer_from_file, answer_from_json
from loopback import free_port
from nato_iraq_kg.cli import cli
from nato_iraq_kg.remote.query import EndpointError, query_endpoint, retry_after_seconds
from test_competency_questions import ENTRIES, actual_answer

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "data" / "nato-iraq.trig"


def oxigraph_binary() -> str:
    """Return the oxigraph server installed with the test extras (never skipped)."""
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    assert Path(found).exists(), "the 'oxigraph' package (test extras) is not installed"
    return found


@contextlib.contextmanager
def oxigraph_serving(location: Path, *, union_default_graph: bool = True) -> Iterator[str]:
    """Load the built dataset into a fresh Oxigraph store at ``location``; serve it read-only.

    ``union_default_graph=False`` serves it as a store does by default: the default graph is
    then empty, and every fact is only in its named graph.
    """
    binary = oxigraph_binary()
    subprocess.run(
        [binary, "load", "--location", str(location), "--file", str(DATASET)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    union = ["--union-default-graph"] if union_default_graph else []
    server = subprocess.Popen(
        [
            binary,
            "serve-read-only",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            *union,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(f"oxigraph did not start: {server.stderr.read()!r}") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built dataset in an Oxigraph server whose default graph is the union (as we serve)."""
    with oxigraph_serving(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


@pytest.fixture(scope="module")
def embedded():
    """The built dataset in the embedded store."""
    from nato_iraq_kg.sparql.local import load_graph

    return load_graph()


def remote_answer(url: str, query: Path, expected: Answer) -> Answer:
    """Ask the endpoint through the CLI, in the form the expected answer is written in."""
    fmt = {"graph": "nt", "ask": "json"}.get(expected.kind, "csv")
    result = CliRunner().invoke(cli, ["query", str(query), "--endpoint", url, "--format", fmt])
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    if expected.kind == "graph":
        return Answer("graph", graph=Graph().parse(data=result.stdout, format="nt"))
    if expected.kind == "ask":
        return answer_from_json(result.stdout)
    return answer_from_csv(result.stdout)


def test_every_question_answers_the_same_through_the_endpoint(endpoint: str, embedded) -> None:
    """All competency questions: the endpoint's answers equal the embedded store's."""
    assert len(ENTRIES) >= 40
    for _, query, result in ENTRIES:
        expected = answer_from_file(result)
        local = actual_answer(embedded, query, expected)
        assert remote_answer(endpoint, query, expected).same_as(local), query.name


def test_endpoint_table_output_for_people(endpoint: str) -> None:
    """The default table also works against an endpoint."""
    result = CliRunner().invoke(
        cli,
        [
            "query",
            "--sparql",
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?l WHERE "
            "{ <https://w3id.org/nato-iraq-kg/id/actor/nato> rdfs:label ?l }",
            "--endpoint",
            endpoint,
            "--format",
            "table",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "NATO" in result.stdout and "(1 row)" in result.stdout


def test_predeclared_prefixes_work_with_an_endpoint_and_tables_stay_compact(
    endpoint: str,
) -> None:
    """Regression (issue 22.3): the text that works locally works remotely, with the same table.

    `actor:` and `rdfs:` are predeclared by the embedded store only; the client now sends their
    PREFIX lines, and the remote table shows `actor:...` names as the local one does.
    """
    sparql = "SELECT ?who ?l WHERE { VALUES ?who { actor:nato } ?who rdfs:label ?l }"
    runs = [
        CliRunner().invoke(cli, ["query", "--sparql", sparql, "--format", "table", *extra])
        for extra in ([], ["--endpoint", endpoint])
    ]
    for result in runs:
        assert result.exit_code == 0, result.stderr
        assert "actor:nato" in result.stdout and "NATO" in result.stdout
    assert runs[0].stdout == runs[1].stdout


def test_declared_prefixes_are_not_declared_twice() -> None:
    """A query that declares its own prefix (even to another namespace) keeps it unchanged."""
    from nato_iraq_kg.sparql.local import with_declared_prefixes

    own = "PREFIX rdfs: <urn:mine#>\nSELECT * { ?s rdfs:label ?o }"
    assert with_declared_prefixes(own) == own
    sent = with_declared_prefixes('SELECT * { ?s rdfs:label "nik:x" } # skos:broader')
    assert sent.splitlines()[0] == "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"
    assert "PREFIX nik:" not in sent and "PREFIX skos:" not in sent


def test_query_never_sends_an_update(endpoint: str) -> None:
    """An update given to 'query --endpoint' is refused before sending: exit 2, one clear line."""
    update_url = endpoint.replace("/query", "/update")
    result = CliRunner().invoke(
        cli,
        ["query", "--sparql", "INSERT DATA { <a:b> <a:c> <a:d> }", "--endpoint", update_url],
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert "refusing to send a SPARQL update (INSERT)" in result.stderr


def test_comments_do_not_change_the_query_form() -> None:
    """Regression: 'create' or 'insert' in a comment or a string leaves a SELECT a SELECT."""
    from nato_iraq_kg.remote.query import query_form

    text = '# to help Iraq create armed forces\nSELECT ?x WHERE { ?x ?p "insert" }'
    assert query_form(text) == "SELECT"
    assert query_form("PREFIX a: <http://e/drop#> ASK { a:x ?p ?o }") == "ASK"
    assert query_form("DELETE WHERE { ?s ?p ?o }") == "DELETE"


def test_unreachable_endpoint_fails_clearly_after_bounded_retries() -> None:
    """A refused connection: one clear line, exit 2, after a bounded number of waits."""
    waits: list[float] = []
    with pytest.raises(EndpointError, match="cannot reach the endpoint"):
        query_endpoint(
            f"http://127.0.0.1:{free_port()}/sparql", "ASK {}", retries=2, sleep=waits.append
        )
    assert len(waits) == 2


class _BusyThenOk(BaseHTTPRequestHandler):
    """Answers 429 with Retry-After once, then a SPARQL JSON boolean; records the User-Agent."""

    calls: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).calls.append(self.headers.get("User-Agent", ""))
        if len(type(self).calls) == 1:
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.end_headers()
            return
        body = json.dumps({"head": {}, "boolean": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""


def test_retry_honours_retry_after_and_names_the_project() -> None:
    """A 429 with Retry-After: 1 is waited out once, then the answer comes through."""
    server = HTTPServer(("127.0.0.1", 0), _BusyThenOk)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        waits: list[float] = []
        answer = query_endpoint(
            f"http://127.0.0.1:{server.server_port}/sparql", "ASK {}", sleep=waits.append
        )
    finally:
        server.shutdown()
    assert waits == [1.0]
    assert json.loads(answer.body)["boolean"] is True
    assert all(agent.startswith("nato-iraq-kg/") for agent in _BusyThenOk.calls)


def test_retry_after_parsing() -> None:
    """Seconds are honoured, capped at 30 s; without a header the wait backs off exponentially."""
    assert retry_after_seconds("2", 0) == 2.0
    assert retry_after_seconds("3600", 0) == 30.0
    assert retry_after_seconds(None, 0) == 0.5
    assert retry_after_seconds(None, 2) == 2.0


@pytest.fixture(scope="module")
def endpoint_without_union(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built dataset in an Oxigraph server started WITHOUT --union-default-graph."""
    with oxigraph_serving(tmp_path_factory.mktemp("plain"), union_default_graph=False) as url:
        yield url


@pytest.mark.parametrize("fmt", ["csv", "table", "json", "nt"])
def test_a_store_without_a_union_default_graph_is_named_on_stderr(
    endpoint_without_union: str, fmt: str
) -> None:
    """Issue 20, item 6: the answer is empty there, rows here: one warning line that says why.

    Question 05 (a SELECT; 22 for CONSTRUCT) used to print only a header and exit 0.
    """
    name = "22" if fmt == "nt" else "05"
    result = CliRunner().invoke(
        cli, ["query", name, "--endpoint", endpoint_without_union, "--format", fmt]
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("warning: the endpoint answered nothing, but the built dataset")
    for advice in ("--union-default-graph", "tdb:unionDefaultGraph", "GRAPH ?g"):
        assert advice in lines[0]


@pytest.mark.parametrize(
    "sparql",
    [
        "SELECT ?who ?l WHERE { GRAPH ?g { ?who rdfs:label ?l } } LIMIT 3",
        'SELECT ?who WHERE { ?who rdfs:label "no entity has this label"@en }',
    ],
    ids=["uses-graph", "empty-here-too"],
)
def test_no_warning_when_the_query_names_a_graph_or_is_empty_here_too(
    endpoint_without_union: str, sparql: str
) -> None:
    """A query with GRAPH is not affected by the setting; an answer empty in both is just empty."""
    result = CliRunner().invoke(
        cli, ["query", "--sparql", sparql, "--endpoint", endpoint_without_union]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
