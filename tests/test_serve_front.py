"""The server's front: /sparql skips Starlette's stack yet answers byte for byte as through it,
and the access log keeps uvicorn's line for every request, written cheaply.
"""

from __future__ import annotations

import io
import logging
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from starlette.applications import Starlette
from starlette.testclient import TestClient

from loopback import free_port, wait_until_answering
from nato_iraq_kg.serve import create_app
from nato_iraq_kg.serve.access_log import AccessLog, access_line

NATO = "https://w3id.org/nato-iraq-kg/id/actor/nato"
LOOKUP = f"SELECT ?l WHERE {{ <{NATO}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
FORM = "application/x-www-form-urlencoded"

#: (method, params, body, headers): every branch of the endpoint, answers and refusals.
REQUESTS: list[tuple[str, dict[str, str], bytes | None, dict[str, str]]] = [
    ("GET", {"query": LOOKUP}, None, {"Accept": "application/sparql-results+json"}),
    ("GET", {"query": LOOKUP, "format": "csv"}, None, {}),
    ("GET", {"query": "SELECT ?s { ?s rdfs:label ?l } ORDER BY ?s LIMIT 3"}, None, {}),
    ("GET", {"query": "ASK {}"}, None, {"Accept": "text/csv"}),
    ("GET", {"query": "CONSTRUCT WHERE { ?s a ?c } LIMIT 3"}, None, {"Accept": "text/turtle"}),
    ("GET", {"query": LOOKUP}, None, {"Accept": "text/turtle"}),
    ("GET", {}, None, {"Accept": "application/n-triples"}),
    ("GET", {"query": "SELECT ?s WHERE { ?s ?p"}, None, {}),
    ("GET", {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, None, {}),
    ("GET", {"query": LOOKUP, "update": "x"}, None, {}),
    ("GET", {"query": LOOKUP, "default-graph-uri": "urn:g"}, None, {}),
    ("GET", {"query": "ASK { SERVICE <http://x/> { ?s ?p ?o } }"}, None, {}),
    ("GET", {"query": LOOKUP + " #" + "x" * 2000}, None, {}),
    ("HEAD", {"query": LOOKUP}, None, {}),
    ("POST", {}, LOOKUP.encode(), {"Content-Type": "application/sparql-query"}),
    ("POST", {}, b"query=ASK+%7B%7D&format=xml", {"Content-Type": FORM}),
    ("POST", {}, b"format=json", {"Content-Type": FORM}),
    ("POST", {}, LOOKUP.encode(), {"Content-Type": "text/plain"}),
    ("POST", {}, b"x" * 2000, {"Content-Type": "application/sparql-query"}),
    ("POST", {}, b"INSERT DATA {}", {"Content-Type": "application/sparql-update"}),
]


def comparable(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers (Date aside: it moves with the clock) and body of a response."""
    headers = [(k, v) for k, v in response.headers.multi_items() if k != "date"]
    return response.status_code, headers, response.content


def test_sparql_skips_starlettes_stack(store: Any) -> None:
    """Without middleware, /sparql never builds Starlette's stack; a page does. With CORS
    configured, /sparql takes the stack, whose middleware must see it.
    """
    assert not create_app(store=store, cors_origins=("https://ok.example",)).lean
    app = create_app(store=store, max_body_bytes=1000)
    assert app.lean
    http = TestClient(app)
    assert http.get("/sparql", params={"query": LOOKUP}).status_code == 200
    assert app.middleware_stack is None
    assert http.get("/ontology", headers={"Accept": "text/turtle"}).status_code == 200
    assert app.middleware_stack is not None


def test_the_lean_path_answers_as_starlettes_route(store: Any) -> None:
    """Every kind of request gets the same status, headers and body whichever way it goes:
    straight to the endpoint, or through Starlette's middleware and router to the same one.
    """
    lean = create_app(store=store, max_body_bytes=1000)
    routed = create_app(store=store, max_body_bytes=1000)

    async def the_long_way(scope: Any, receive: Any, send: Any) -> None:
        await Starlette.__call__(routed, scope, receive, send)

    with TestClient(lean) as fast, TestClient(the_long_way) as slow:
        for method, params, body, headers in REQUESTS:
            answers = [
                http.request(method, "/sparql", params=params, content=body, headers=headers)
                for http in (fast, slow)
            ]
            assert comparable(answers[0]) == comparable(answers[1]), (method, params, body)
        assert {fast.get("/sparql", params={"query": LOOKUP}).status_code} == {200}
        assert fast.put("/sparql", content=b"").status_code == 405


def test_the_access_line_is_uvicorns() -> None:
    """Our line is the one uvicorn's AccessFormatter writes (without colours) for a request."""
    from uvicorn.logging import AccessFormatter
    from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

    formatter = AccessFormatter(
        '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False
    )
    for status in (200, 400, 404, 429, 503, 599):
        scope = {
            "type": "http",
            "client": ("127.0.0.1", 50312),
            "method": "GET",
            "path": "/sparql",
            "raw_path": b"/sparql",
            "query_string": b'query=ASK+%7B%7D&x="',
            "http_version": "1.1",
        }
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            (
                get_client_addr(scope),
                scope["method"],
                get_path_with_query_string(scope),
                scope["http_version"],
                status,
            ),
            None,
        )
        assert access_line(scope, status) == formatter.format(record) + "\n"


def test_the_access_log_writes_every_line_soon_and_at_the_end(store: Any) -> None:
    """Lines are buffered, not lost: written within FLUSH_AFTER_S, and all at shutdown."""
    stream = io.StringIO()
    app = create_app(store=store)
    logged = AccessLog(app, stream)
    with TestClient(logged) as http:
        for _ in range(3):
            http.get("/sparql", params={"query": LOOKUP})
        http.get("/nothing-here")
        deadline = time.monotonic() + 5
        while stream.getvalue().count("\n") < 4:
            assert time.monotonic() < deadline, stream.getvalue()
            http.get("/favicon.ico")  # lets the event loop run the flush timer
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith('INFO:     testclient:50000 - "GET /sparql?query=SELECT')
    assert lines[0].endswith('HTTP/1.1" 200 OK')
    assert any(line.endswith('"GET /nothing-here HTTP/1.1" 404 Not Found') for line in lines)


def test_a_real_server_logs_each_request_on_stdout_on_uvloop_and_httptools() -> None:
    """The operator's record: one uvicorn-style line per request on stdout, while it runs;
    and the server runs on uvloop and httptools, as the serve extra installs them.
    """
    port = free_port()
    code = f"from nato_iraq_kg.serve.app import serve; serve(port={port})"
    server = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_answering(server, f"{base}/sparql?{urlencode({'query': LOOKUP})}")
        with httpx.Client(base_url=base) as http:
            statuses = [
                http.get("/sparql", params={"query": LOOKUP}).status_code,
                http.get("/sparql", params={"query": "SELECT ?x { ?x"}).status_code,
                http.get("/id/actor/nope", headers={"Accept": "text/turtle"}).status_code,
            ]
        assert statuses == [200, 400, 404]
        assert server.stdout is not None
        text = b""
        deadline = time.monotonic() + 5
        while text.count(b"\n") < 4:  # the first, polling request, then these three
            assert time.monotonic() < deadline, text
            if select.select([server.stdout], [], [], 0.5)[0]:
                text += server.stdout.read1(65536)
        maps = Path(f"/proc/{server.pid}/maps").read_text()
    finally:
        server.terminate()
        server.wait(timeout=10)
    lines = text.decode().splitlines()
    assert all(line.startswith("INFO:     127.0.0.1:") for line in lines), lines
    assert [line.rsplit('" ', 1)[1] for line in lines[-3:]] == [
        "200 OK",
        "400 Bad Request",
        "404 Not Found",
    ]
    assert '"GET /id/actor/nope HTTP/1.1"' in lines[-1]
    assert "uvloop" in maps and "httptools" in maps
