"""Each response leaves in one write: what is written in one loop turn goes out joined, in order,
and nothing is lost when the connection closes; a real server sends a lookup's headers and body
in one segment, and streams a long download whole.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from typing import Any
from urllib.parse import urlencode

import httpx

from loopback import free_port, stop_process, wait_until_answering
from nato_iraq_kg.serve.one_write import GatheringTransport, http_protocol

NATO = "https://w3id.org/nato-iraq-kg/id/actor/nato"
LOOKUP = f"SELECT ?l WHERE {{ <{NATO}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"


class Recording:
    """A transport that records what reaches it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bytes]] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.calls.append(("write", bytes(data)))

    def close(self) -> None:
        self.calls.append(("close", b""))
        self.closing = True

    def write_eof(self) -> None:
        self.calls.append(("eof", b""))

    def abort(self) -> None:
        self.calls.append(("abort", b""))
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 1) if name == "peername" else default


def test_writes_in_one_turn_go_out_as_one_in_order() -> None:
    """Two writes in one turn reach the transport as one, the next turn's as another."""

    async def run() -> list[tuple[str, bytes]]:
        real = Recording()
        gathering = GatheringTransport(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        gathering.write(b"HTTP/1.1 200 OK\r\n\r\n")
        gathering.writelines([b"bo", memoryview(b"dy")])
        assert real.calls == [] and gathering.get_write_buffer_size() == 23
        await asyncio.sleep(0)
        gathering.write(b"next")
        await asyncio.sleep(0)
        assert gathering.get_extra_info("peername") == ("127.0.0.1", 1)
        return real.calls

    assert asyncio.run(run()) == [("write", b"HTTP/1.1 200 OK\r\n\r\nbody"), ("write", b"next")]


def test_closing_writes_out_first_and_an_abort_drops() -> None:
    """close and write_eof send what is kept before they act; abort drops it; bytes kept for a
    connection that is closing by the time they would go are dropped, as uvloop drops them.
    """

    async def run() -> tuple[list[Any], list[Any], list[Any]]:
        loop = asyncio.get_running_loop()
        closed, ended, aborted = Recording(), Recording(), Recording()
        for real, end in ((closed, "close"), (ended, "write_eof"), (aborted, "abort")):
            gathering = GatheringTransport(real, loop)  # type: ignore[arg-type]
            gathering.write(b"last")
            getattr(gathering, end)()
        closed_late = GatheringTransport(closed, loop)  # type: ignore[arg-type]
        closed_late.write(b"after close")
        await asyncio.sleep(0)
        return closed.calls, ended.calls, aborted.calls

    closed, ended, aborted = asyncio.run(run())
    assert closed == [("write", b"last"), ("close", b"")]
    assert ended == [("write", b"last"), ("eof", b"")]
    assert aborted == [("abort", b"")]


def test_the_protocol_is_uvicorns_own_choice() -> None:
    """The protocol is the one uvicorn picks itself (httptools here), with one change."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    protocol = http_protocol()
    assert issubclass(protocol, AutoHTTPProtocol)
    assert protocol.__name__ == f"OneWrite{AutoHTTPProtocol.__name__}"


def test_a_real_server_answers_a_lookup_in_one_segment_and_streams_a_download_whole() -> None:
    """On a kept-alive connection, each lookup's whole response (headers and body) arrives in
    the first read; a download, far longer than a segment, arrives whole and intact.
    """
    port = free_port()
    code = f"from nato_iraq_kg.serve.app import serve; serve(port={port})"
    server = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_answering(server, f"{base}/sparql?{urlencode({'query': 'ASK {}'})}")
        request = (
            f"GET /sparql?{urlencode({'query': LOOKUP})} HTTP/1.1\r\nHost: x\r\n"
            "Accept: application/sparql-results+json\r\n\r\n"
        ).encode()
        firsts = []
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            for _ in range(20):
                sock.sendall(request)  # the first read returns with the first segment
                firsts.append(sock.recv(65536))
        download = httpx.get(f"{base}/data/nato-iraq.nq", timeout=30)
    finally:
        stop_process(server)
    for first in firsts:
        head, _, body = first.partition(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        assert len(body) == length and body.endswith(b"}]}}"), first
    from nato_iraq_kg import paths

    expected = (paths.data_dir() / "nato-iraq.nq").read_bytes()
    assert download.status_code == 200 and download.content == expected
