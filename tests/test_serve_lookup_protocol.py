"""The connection's fast path for planned lookups answers exactly as uvicorn's ASGI path does:
the same bytes for every lookup form, Accept type, HTTP version and ``Connection: close``, the
same access lines, answers to pipelined requests in request order, and over whichever build is
served at that moment; and the uvicorn internals it relies on are still there.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pyoxigraph
import pytest
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from nato_iraq_kg.serve import create_app
from nato_iraq_kg.serve.access_log import AccessLog
from nato_iraq_kg.serve.lookup_protocol import (
    USED_ATTRIBUTES,
    USED_INSTANCE_ATTRIBUTES,
    lookup_protocol,
)
from nato_iraq_kg.serve.one_write import http_protocol

NATO = "https://w3id.org/nato-iraq-kg/id/actor/nato"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LOOKUP = f"SELECT ?l WHERE {{ <{NATO}> <{LABEL}> ?l }}"
DATE = (b"date", b"Thu, 03 Dec 2026 20:00:00 GMT")

#: Every lookup form the plan cache takes (and a few it does not, answered the long way).
LOOKUPS = [
    LOOKUP,
    f"SELECT * WHERE {{ <{NATO}> <{LABEL}> ?l }}",
    f"SELECT ?l {{ <{NATO}> <{LABEL}> ?l . }} LIMIT 1",
    f"select ?s ?l where {{ ?s <{LABEL}> ?l }} limit 3",
    f"SELECT ?c WHERE {{ <{NATO}> a ?c }}",
    f"SELECT ?p ?o WHERE {{ <{NATO}> ?p ?o }}",
    f"SELECT $l WHERE {{ <{NATO}> <{LABEL}> $l }}",
    f"SELECT ?x WHERE {{ <{NATO}> <{LABEL}> ?l }}",
    f"SELECT ?s WHERE {{ ?s <{LABEL}> ?l }}",  # longer than the in-process cap
    f"SELECT ?l WHERE {{ <{NATO}> rdfs:label ?l }}",  # a prefixed name: no plan
    f"SELECT ?l WHERE {{ <{NATO}> <{LABEL}> ?l }} # a comment",
    "SELECT ?s WHERE { ?s ?p",  # refused (400)
]
ACCEPTS = [
    None,
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",  # a SELECT cannot be answered so: 406
]


class Recording:
    """A transport that keeps what reaches it."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "written after close"
        self.data += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50312), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )


def request(sparql: str | None = None, accept: str | None = None, **extra: str) -> bytes:
    """A GET of /sparql for ``sparql``, HTTP/1.1 unless ``version`` says otherwise."""
    version = extra.pop("version", "1.1")
    method = extra.pop("method", "GET")
    target = extra.pop("target", None)
    if target is None:
        target = "/sparql" + ("" if sparql is None else "?" + urlencode({"query": sparql}))
    lines = [f"{method} {target} HTTP/{version}", "Host: x"]
    if accept is not None:
        lines.append(f"Accept: {accept}")
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class Connection:
    """One connection to an app through a uvicorn protocol class, in memory."""

    def __init__(self, app: Any, protocol_of: Any) -> None:
        self.log = io.StringIO()
        self.logged = AccessLog(app, self.log)
        config = uvicorn.Config(
            self.logged, http="httptools", log_config=None, access_log=False, lifespan="off"
        )
        state = ServerState()
        state.default_headers = [DATE]
        self.transport = Recording()
        self.protocol = protocol_of(self.logged)(config=config, server_state=state, app_state={})
        self.protocol.connection_made(self.transport)

    async def exchange(self, data: bytes, responses: int) -> bytes:
        """Send ``data``; return what came back once ``responses`` answers have (or the
        connection closed).
        """
        self.protocol.data_received(data)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30  # a query that goes to a worker takes a while
        while not self.transport.closed and not _complete(bytes(self.transport.data), responses):
            assert loop.time() < deadline, bytes(self.transport.data)
            await asyncio.sleep(0.002)
        await asyncio.sleep(0.01)  # anything sent after the last answer would show
        self.logged.flush()
        return bytes(self.transport.data)


def _complete(data: bytes, responses: int) -> bool:
    """Whether ``data`` holds ``responses`` whole responses (each with a content-length)."""
    for _ in range(responses):
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            return False
        fields = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:] if b": " in line)
        length = int(fields.get(b"content-length", b"0"))
        if len(rest) < length:
            return False
        data = rest[length:]
    return True


def fast(app: Any) -> Any:
    return lambda logged: lookup_protocol(logged, app)


def plain(app: Any) -> Any:
    return lambda logged: http_protocol()


def both(app: Any, data: bytes, responses: int) -> tuple[tuple[bytes, str], tuple[bytes, str]]:
    """What each protocol sends back for ``data`` on a new connection, and its access lines."""

    async def run() -> tuple[tuple[bytes, str], tuple[bytes, str]]:
        out = []
        for protocol_of in (fast(app), plain(app)):
            connection = Connection(app, protocol_of)
            sent = await connection.exchange(data, responses)
            out.append((sent, connection.log.getvalue()))
        return out[0], out[1]

    return asyncio.run(run())


@pytest.fixture(scope="module")
def app(store: Any) -> Iterator[Any]:
    served = create_app(store=store)
    yield served
    served.state.snapshot.pool.close()


def test_uvicorns_internals_that_the_fast_path_uses_are_there(app: Any) -> None:
    """Fails loudly when a uvicorn release renames what the fast path relies on (the
    ``serve`` extra pins uvicorn's version; this says why a new one would not do).
    """
    from uvicorn.protocols.http import httptools_impl

    assert all(callable(getattr(HttpToolsProtocol, name, None)) for name in USED_ATTRIBUTES)
    assert 200 in httptools_impl.STATUS_LINE and callable(httptools_impl.httptools.parse_url)

    async def connect() -> Connection:
        return Connection(app, fast(app))  # uvicorn's protocol wants a running loop

    connection = asyncio.run(connect())
    connection.protocol.on_message_begin()
    missing = [n for n in USED_INSTANCE_ATTRIBUTES if not hasattr(connection.protocol, n)]
    assert missing == []
    assert connection.protocol._fast, "the fast path is off for the app serve runs"
    assert issubclass(lookup_protocol(connection.logged, app), HttpToolsProtocol)


@pytest.mark.parametrize("accept", ACCEPTS)
def test_every_lookup_form_is_answered_byte_for_byte_as_uvicorns_path(
    app: Any, accept: str | None
) -> None:
    """Each form alone on a connection, then all of them pipelined on one: the same bytes and
    the same access lines as the ASGI path, in the same order.
    """
    for sparql in LOOKUPS:
        (ours, our_log), (theirs, their_log) = both(app, request(sparql, accept), 1)
        assert ours == theirs and our_log == their_log, (sparql, accept)
        assert ours.startswith(b"HTTP/1.1 ") and b"\r\ndate: " in ours
    pipelined = b"".join(request(sparql, accept) for sparql in LOOKUPS)
    (ours, our_log), (theirs, their_log) = both(app, pipelined, len(LOOKUPS))
    assert ours == theirs and our_log == their_log
    assert ours.count(b"HTTP/1.1 ") == len(LOOKUPS)


def test_connection_close_http_10_head_bodies_and_proxies_answer_as_before(app: Any) -> None:
    """The connection's end (``Connection: close``, HTTP/1.0) and whatever takes uvicorn's
    path (HEAD, a body, ``Expect``, proxy headers, another path, an encoded path, an absolute
    target) are answered with the same bytes and lines as before.
    """
    query = urlencode({"query": LOOKUP})
    cases = [
        request(LOOKUP, None, Connection="close"),
        request(LOOKUP, "text/csv", version="1.0"),
        request(LOOKUP, None, version="1.0", Connection="keep-alive"),
        request(LOOKUP, None, method="HEAD"),
        request(LOOKUP, None, Content_Length="0"),
        request(LOOKUP, None, X_Forwarded_For="10.1.2.3"),
        request(target=f"/%73parql?{query}"),
        request(target=f"http://x/sparql?{query}"),
        request(target=f"/sparql/?{query}"),
        request(target="/sparql?"),
        request(target="/sparql?query=%ZZ%"),
        request(target="/sparql?query=SELECT+*+{<a>+<b>+?o}"),
        request(target=f"/sparql?{query}#fragment"),
        request(target=f"/sparql?{query}&query=ASK+%7B%7D"),
        request(target="/sparql"),
        request(target=f"/sparql?{query}&update=x"),
        request(target=f"/sparql?{query}&format=csv"),
    ]
    for data in cases:
        (ours, our_log), (theirs, their_log) = both(app, data, 1)
        assert ours == theirs and our_log == their_log, data
    slow = request("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", Connection="close")
    for first in (request(LOOKUP, None, Connection="close"), slow):
        (ours, our_log), (theirs, their_log) = both(app, first + request(LOOKUP), 2)
        assert ours == theirs and our_log == their_log, first
        assert ours.count(b"HTTP/1.1 ") == 1 and b"connection: close\r\n" in ours
        assert our_log.count("\n") == 1  # the request after the end is never answered


def test_pipelined_answers_keep_request_order_across_both_paths(app: Any) -> None:
    """A lookup behind a request still being answered (here a worker query) waits its turn:
    answers come back in request order, whichever path each takes.
    """
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    order = [LOOKUP, slow, LOOKUP, f"SELECT * WHERE {{ <{NATO}> a ?c }}", slow, LOOKUP]
    data = b"".join(request(sparql, "text/csv") for sparql in order)
    (ours, our_log), (theirs, their_log) = both(app, data, len(order))
    assert ours == theirs and our_log == their_log
    bodies = [part.split(b"\r\n\r\n", 1)[1][:2] for part in ours.split(b"HTTP/1.1 200 OK")[1:]]
    assert bodies == [b"l\r", b"n\r", b"l\r", b"c\r", b"n\r", b"l\r"]


def test_lookups_take_the_fast_path_and_read_the_build_served_now(store: Any) -> None:
    """A planned lookup starts no ASGI cycle; after a new build is swapped in, the same request
    (its plan kept) is answered from the new build, not the old.
    """
    app = create_app(store=store)

    async def run() -> tuple[bytes, bytes, Any]:
        connection = Connection(app, fast(app))
        before = await connection.exchange(request(LOOKUP, "text/csv"), 1)
        newer = pyoxigraph.Store()
        newer.add(
            pyoxigraph.Quad(
                pyoxigraph.NamedNode(NATO),
                pyoxigraph.NamedNode(LABEL),
                pyoxigraph.Literal("the next build"),
                pyoxigraph.NamedNode("urn:g"),
            )
        )
        app.state.snapshot = dataclasses.replace(app.state.snapshot, store=newer)
        connection.transport.data.clear()
        after = await connection.exchange(request(LOOKUP, "text/csv"), 1)
        return before, after, connection.protocol.cycle

    before, after, cycle = asyncio.run(run())
    assert cycle is None, "a lookup went through uvicorn's ASGI cycle"
    assert b"the next build" not in before and after.endswith(b"l\r\nthe next build\r\n")


def test_a_client_gone_before_its_answer_is_not_written_to(app: Any) -> None:
    """The peer closed: the fast path writes nothing to a closing transport and keeps serving
    no one; a lookup after a slow one whose client left is not answered out of turn.
    """

    async def run() -> bytes:
        connection = Connection(app, fast(app))
        slow = request("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        connection.protocol.data_received(slow + request(LOOKUP))
        connection.transport.closed = True
        connection.protocol.connection_lost(None)
        for _ in range(200):
            await asyncio.sleep(0)
        return bytes(connection.transport.data)

    assert asyncio.run(run()) == b""
