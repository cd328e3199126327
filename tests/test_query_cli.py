"""The `query` and `evidence` commands: names, formats, bad input, hostile input, bad endpoints."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from click.testing import CliRunner

from nato_iraq_kg import load_graph, query
from nato_iraq_kg.cli import cli
from nato_iraq_kg.sparql.local import evidence_for

INJECTIONS = [
    'x" } ; DROP ALL ; #',
    "x' } DELETE WHERE { ?s ?p ?o } #",
    '"} UNION { ?entity ?p ?o } #',
    "NATO\\u0022 ) } #",
    "\n} SELECT * WHERE { ?s ?p ?o } #",
]


def invoke(*args: str):
    """Run the CLI in-process."""
    return CliRunner().invoke(cli, list(args))


def test_list_shows_every_question_with_its_words() -> None:
    """--list prints one line per competency question."""
    result = invoke("query", "--list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) >= 40
    assert lines[0].startswith("01-") and lines[0].endswith("?")


@pytest.mark.parametrize(
    "name", ["1", "01", "01-timeline-of-dated-events", "timeline-of-dated-events"]
)
def test_a_question_is_found_by_number_or_slug(name: str) -> None:
    """A question can be named by number, by file stem or by slug."""
    result = invoke("query", name, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("event,")


def test_an_unknown_name_lists_the_near_ones() -> None:
    """An unknown name: exit 2 and the names it may have meant."""
    result = invoke("query", "timelin")
    assert result.exit_code == 2
    assert "did you mean 01-timeline-of-dated-events" in result.stderr


def test_a_syntax_error_gives_line_and_column() -> None:
    """Malformed SPARQL: exit 2 with the position of the error."""
    result = invoke("query", "--sparql", "SELECT ?x WHERE {\n  ?x ?p \n")
    assert result.exit_code == 2
    assert "malformed SPARQL: line 1, column 17: '{' is never closed" in result.stderr


@pytest.mark.parametrize(
    ("fmt", "start"), [("csv", "l\n"), ("tsv", "?l\n"), ("json", "{"), ("xml", "<?xml")]
)
def test_result_formats(fmt: str, start: str) -> None:
    """SELECT answers come out in the W3C result formats."""
    result = invoke(
        "query", "--sparql", "SELECT ?l WHERE { actor:nato rdfs:label ?l }", "--format", fmt
    )
    assert result.exit_code == 0
    assert result.stdout.startswith(start)
    assert "NATO" in result.stdout


def test_construct_prints_turtle() -> None:
    """CONSTRUCT answers print as Turtle by default."""
    result = invoke("query", "22", "--format", "turtle")
    assert result.exit_code == 0
    assert "<https://w3id.org/nato-iraq-kg/id/event/2016-07-warsaw-summit>" in result.stdout


def test_python_api_answers_like_the_command_line() -> None:
    """from nato_iraq_kg import load_graph, query: rows, booleans and graphs."""
    store = load_graph()
    rows = query(
        "SELECT ?l WHERE { <https://w3id.org/nato-iraq-kg/id/actor/jordan> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l }",
        store,
    )
    assert rows == [{"l": "Jordan"}]
    assert query("21", store) is True
    assert len(query("22", store)) > 0


def test_evidence_shows_facts_about_an_entity_with_quotes() -> None:
    """`evidence NAME` finds the entity by name or alias and quotes each fact."""
    result = invoke("evidence", "NTM-I", "--width", "200")
    assert result.exit_code == 0
    assert "The NTM-I is discontinued due to the lack of an agreement" in result.stdout


@pytest.mark.parametrize("hostile", INJECTIONS)
def test_hostile_names_are_bound_as_literals(hostile: str) -> None:
    """Injection attempts find nothing and change nothing: the name is a bound literal."""
    store = load_graph()
    before = len(store)
    assert evidence_for(store, hostile).rows == ()
    assert len(store) == before
    result = invoke("evidence", hostile)
    assert result.exit_code == 1
    assert "no entity is named" in result.stderr


class _BadEndpoint(BaseHTTPRequestHandler):
    """Answers with an HTML page, a truncated JSON result, or nothing at all."""

    mode: ClassVar[str] = "html"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.mode == "silent":
            time.sleep(5)
            return
        if self.mode == "html":
            body, media = b"<html><body>Service unavailable</body></html>", "text/html"
        else:
            body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": []}}).encode()[:20]
            media = "application/sparql-results+json"
        self.send_response(200)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def bad_endpoint() -> Iterator[str]:
    """A loopback HTTP server that misbehaves as `_BadEndpoint.mode` says."""
    server = HTTPServer(("127.0.0.1", 0), _BadEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/sparql"
    server.shutdown()


@pytest.mark.parametrize(
    ("mode", "message"),
    [("html", "answered with an HTML page"), ("truncated", "truncated or malformed JSON")],
)
def test_a_bad_answer_is_detected_not_printed(bad_endpoint: str, mode: str, message: str) -> None:
    """An HTML error page or a truncated result: exit 2 and a clear line, no output."""
    _BadEndpoint.mode = mode
    result = invoke(
        "query",
        "--sparql",
        "SELECT ?x WHERE { ?x ?p ?o }",
        "--endpoint",
        bad_endpoint,
        "--format",
        "json",
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_an_endpoint_that_never_answers_times_out(bad_endpoint: str) -> None:
    """A silent endpoint: a clear error after the read timeout (not retried), exit 2."""
    _BadEndpoint.mode = "silent"
    from nato_iraq_kg.remote.query import EndpointError, query_endpoint

    start = time.monotonic()
    with pytest.raises(EndpointError, match=r"no answer within 1 s"):
        query_endpoint(bad_endpoint, "ASK {}", timeout=1, retries=1, sleep=lambda _: None)
    assert time.monotonic() - start < 4


def test_nothing_listens_on_a_free_port() -> None:
    """Sanity check for the tests above: a refused connection is refused fast."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = invoke(
        "query", "--sparql", "ASK {}", "--endpoint", f"http://127.0.0.1:{port}/q", "--timeout", "1"
    )
    assert result.exit_code == 2
    assert "cannot reach the endpoint" in result.stderr


def test_query_stays_the_api_function_after_every_module_is_imported() -> None:
    """Regression: importing the package's modules must not replace `nato_iraq_kg.query`."""
    import importlib
    import pkgutil

    import nato_iraq_kg

    imported = 0
    for module in pkgutil.walk_packages(nato_iraq_kg.__path__, "nato_iraq_kg."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
            imported += 1
    assert imported > 40, imported
    assert callable(nato_iraq_kg.query)
    assert callable(nato_iraq_kg.load_graph)


@pytest.mark.parametrize("read_first_line", [False, True], ids=["closed-at-once", "head-1"])
def test_query_list_into_a_closed_pipe_exits_0_quietly(read_first_line: bool) -> None:
    """`query --list | head` ends with 0 and says nothing, however early the reader goes away.

    Regression: it exited 1, silently, about half the time. The reader closes either before the
    command writes anything or after the first line, a few times each, in a real process.
    """
    import subprocess
    import sys

    runs = 0
    for _ in range(4):
        proc = subprocess.Popen(
            [sys.executable, "-m", "nato_iraq_kg", "query", "--list"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        if read_first_line:
            assert proc.stdout.readline().strip()
        proc.stdout.close()
        error = proc.stderr.read()
        assert proc.wait(timeout=60) == 0, error
        assert error == b""
        runs += 1
    assert runs == 4


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_every_result_format_ends_with_a_newline(fmt: str) -> None:
    """JSON and XML answers ended without a newline, so a shell prompt followed on their line."""
    result = invoke("query", "05", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("\n")
    assert not result.stdout.endswith("\n\n")


def test_a_table_fits_the_terminal_width() -> None:
    """``COLUMNS=80`` still gave a table about 230 columns wide; without --width it fits now."""
    result = CliRunner(env={"COLUMNS": "80"}).invoke(cli, ["query", "01", "--format", "table"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) > 20
    assert max(len(line) for line in lines) <= 80
    assert "…" in result.stdout


def test_an_explicit_width_caps_cells_and_ignores_the_terminal() -> None:
    """``--width`` keeps its meaning (the README's examples use it): a cap per cell."""
    result = CliRunner(env={"COLUMNS": "80"}).invoke(
        cli, ["query", "01", "--format", "table", "--width", "60"]
    )
    assert result.exit_code == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) > 80


def test_query_without_a_name_says_how_to_name_one() -> None:
    """``query`` alone said "... (not both)"; it now says what to give, exit 2."""
    result = invoke("query")
    assert result.exit_code == 2
    assert "which query? give a competency question's number or slug" in result.stderr
    assert "not both" not in result.stderr
    both = invoke("query", "05", "--sparql", "ASK {}")
    assert both.exit_code == 2
    assert "not both" in both.stderr
