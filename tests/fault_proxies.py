"""Loopback proxies that put faults between the publisher and a real store.

``CuttingProxy`` works on TCP: it forwards bytes and, once a byte budget is spent, drops the
connection in the middle of a request (and every later one) until told to pass again; it can
also call a hook at that moment, e.g. to kill the server. ``FaultyHTTPProxy`` works on HTTP: it
forwards each request to the store and lets a rule answer some of them itself (a 413, a 429,
a redirect, a silent drop) or add headers to the store's answer (a capped result).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class CuttingProxy:
    """Forward TCP to ``127.0.0.1:target_port``; once ``cut_after`` bytes went, drop connections."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.cut_after: int | None = None
        self.on_cut: Callable[[], None] | None = None
        self.cut = False
        self.sent = 0
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def arm(self, cut_after: int, on_cut: Callable[[], None] | None = None) -> None:
        """Cut once ``cut_after`` more bytes went from client to store."""
        with self._lock:
            self.sent, self.cut_after, self.on_cut, self.cut = 0, cut_after, on_cut, False

    def pass_through(self) -> None:
        with self._lock:
            self.cut_after, self.cut = None, False

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self.cut:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, outbound: bool) -> None:
        try:
            while True:
                data = source.recv(4096)
                if not data:
                    break
                if outbound and self._spend(len(data)):
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def _spend(self, size: int) -> bool:
        """Count bytes; return True when this connection must be dropped now."""
        hook = None
        with self._lock:
            if self.cut:
                return True
            if self.cut_after is None:
                return False
            self.sent += size
            if self.sent < self.cut_after:
                return False
            self.cut, hook = True, self.on_cut
        if hook is not None:
            hook()
        return True


@dataclass
class Reply:
    """What the proxy answers instead of (or on top of) the store's answer."""

    status: int | None = None  # None: the store's own status
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None  # None: the store's own body
    forward: bool = False  # also send the request to the store
    forward_body: bytes | None = None  # send this body instead of the client's


@dataclass(frozen=True)
class Seen:
    """A request the proxy received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class FaultyHTTPProxy:
    """An HTTP reverse proxy to a store; ``rule(index, request)`` may answer in its place."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.rule: Callable[[int, Seen], Reply | None] = lambda index, seen: None
        self.seen: list[Seen] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                proxy._handle(self)

            def do_POST(self) -> None:
                proxy._handle(self)

            def log_message(self, *args: object) -> None:
                """Keep test output quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, handler: Any) -> None:
        length = int(handler.headers.get("Content-Length", 0))
        body = handler.rfile.read(length) if length else b""
        seen = Seen(handler.command, handler.path, dict(handler.headers.items()), body)
        self.seen.append(seen)
        reply = self.rule(len(self.seen) - 1, seen)
        status, headers, answer = 200, {}, b""
        if reply is None or reply.forward:
            sent = seen
            if reply is not None and reply.forward_body is not None:
                sent = Seen(seen.method, seen.path, seen.headers, reply.forward_body)
            status, headers, answer = self._forward(sent)
        if reply is not None:
            status = reply.status or status
            headers = {**headers, **reply.headers}
            answer = reply.body if reply.body is not None else answer
        handler.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(answer)))
        handler.end_headers()
        handler.wfile.write(answer)

    def _forward(self, seen: Seen) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.target_port, timeout=60)
        dropped = ("host", "connection", "content-length")
        headers = {k: v for k, v in seen.headers.items() if k.lower() not in dropped}
        connection.request(seen.method, seen.path, body=seen.body or None, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        connection.close()
        return response.status, dict(response.getheaders()), answer
