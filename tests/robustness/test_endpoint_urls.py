"""Case 40: the one SPARQL client goes to http(s) endpoints only, and never where a redirect points.

The old `query --endpoint` opened any URL urllib accepts: `file:///etc/hostname` printed the
file and exited 0. Each scheme and each redirect below is now refused with one line and exit 2,
through the CLI as a user meets it; the redirecting servers are real processes' sockets on
loopback (a tiny HTTP server in a thread), and nothing is fetched from where they point.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from click.testing import CliRunner

from nato_iraq_kg.cli import cli
from nato_iraq_kg.remote.client import Connection, EndpointError, SparqlClient

ASK_TRUE = json.dumps({"head": {}, "boolean": True}).encode()


class _Redirector(BaseHTTPRequestHandler):
    """Answers POST /sparql with a redirect to ``target``, and POST /final with ``true``."""

    target: ClassVar[str] = ""
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).seen.append(self.path)
        if self.path == "/final":
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(ASK_TRUE)))
            self.end_headers()
            self.wfile.write(ASK_TRUE)
            return
        self.send_response(307)
        self.send_header("Location", type(self).target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def redirector() -> Iterator[str]:
    """A loopback server whose /sparql redirects wherever the test says; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Redirector.seen = []
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def _query(endpoint: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, ["query", "05", "--endpoint", endpoint, "--format", "csv", "--timeout", "5"]
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("file:///etc/hostname", "'file'"),
        ("ftp://127.0.0.1/sparql", "'ftp'"),
        ("data:text/csv,x%0Aone", "'data'"),
        ("gopher://127.0.0.1/", "'gopher'"),
        ("/etc/hostname", "no scheme"),
    ],
)
def test_case_40_only_http_and_https_endpoints(url: str, scheme: str) -> None:
    """`--endpoint file:...` (and ftp:, data:, none): exit 2 naming the scheme, nothing read."""
    code, out, err = _query(url)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert f"{scheme} is not allowed; only http and https" in err


def test_case_40_a_redirect_to_a_local_file_is_refused(redirector: str) -> None:
    """A 307 to file:///etc/hostname is refused by scheme; the file is not read."""
    _Redirector.target = "file:///etc/hostname"
    code, out, err = _query(f"{redirector}/sparql")
    assert code == 2 and out == ""
    assert "a redirect to file:///etc/hostname; refused: scheme 'file' is not http(s)" in err


def test_case_40_a_redirect_to_another_host_is_refused(redirector: str) -> None:
    """A 307 to another host (127.0.0.2, still loopback) is refused before any request to it."""
    _Redirector.target = "http://127.0.0.2:9/sparql"
    code, out, err = _query(f"{redirector}/sparql")
    assert code == 2 and out == ""
    assert "refused: reads follow redirects only on the same host and port" in err
    assert _Redirector.seen == ["/sparql"]


def test_a_redirect_on_the_same_host_is_followed_by_a_read(redirector: str) -> None:
    """The one redirect a read may follow: same scheme, host and port."""
    _Redirector.target = f"{redirector}/final"
    with SparqlClient(Connection(f"{redirector}/sparql", retries=0)) as client:
        answer = client.query("ASK {}", "application/sparql-results+json")
    assert json.loads(answer.body) == {"head": {}, "boolean": True}
    assert _Redirector.seen == ["/sparql", "/final"]


def test_a_write_follows_no_redirect_even_on_the_same_host(redirector: str) -> None:
    """Updates never follow a redirect (it could turn a POST into a GET)."""
    _Redirector.target = f"{redirector}/final"
    with (
        SparqlClient(Connection(f"{redirector}/sparql", retries=0)) as client,
        pytest.raises(EndpointError, match="a write never follows redirects"),
    ):
        client.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }", idempotent=True)
    assert _Redirector.seen == ["/sparql"]


def test_an_answer_over_the_cap_is_refused(redirector: str) -> None:
    """Reads are capped: an answer larger than the cap is an error, not a silent cut."""
    _Redirector.target = f"{redirector}/final"
    connection = Connection(f"{redirector}/final", retries=0, max_answer_bytes=10)
    with (
        SparqlClient(connection) as client,
        pytest.raises(EndpointError, match="the answer is over 10 bytes"),
    ):
        client.query("ASK {}", "application/sparql-results+json")
