"""The server's access log: one line per request, as uvicorn writes it, for a fraction of the cost.

uvicorn's own access log goes through :mod:`logging` (a record, a copy of it, a formatter, a
lock) and flushes the stream after every line: about 50 us of CPU per request on our machine,
as much as a lookup's query and serialisation together. The operator's record is the line, not
the machinery, so :class:`AccessLog` writes the same line (client address, request line with
the query string, status and its phrase) from a plain f-string into a buffer, and writes the
buffer out at most :data:`FLUSH_AFTER_S` later (or sooner, once it is large), and when the
server stops. ``serve`` turns uvicorn's access log off and wraps the app in this instead.
"""

from __future__ import annotations

import asyncio
import http
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TextIO

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Longest a line waits in the buffer: the log stays live for whoever follows it.
FLUSH_AFTER_S = 0.05
#: Buffered lines that are written out at once, whatever their age.
FLUSH_LINES = 256

_PHRASES = {status.value: status.phrase for status in http.HTTPStatus}


def access_line(scope: Scope, status: int) -> str:
    """Return uvicorn's access line (without colours) for a request and its status.

    ``INFO:     127.0.0.1:50312 - "GET /sparql?query=... HTTP/1.1" 200 OK``: the level prefix,
    the client's address, the request line as the client sent it (raw path and query string,
    ``"`` written ``%22``) and the status with its phrase, exactly as uvicorn's AccessFormatter
    puts them, so tools that read uvicorn's log read this one.
    """
    client = scope.get("client")
    address = f"{client[0]}:{client[1]}" if client else ""
    raw_path = scope.get("raw_path")
    target = raw_path.decode("latin1") if raw_path is not None else scope["path"]
    if scope.get("query_string"):
        target = f"{target}?{scope['query_string'].decode('ascii')}"
    target = target.replace('"', "%22")
    phrase = _PHRASES.get(status, "")
    request = f"{scope['method']} {target} HTTP/{scope['http_version']}"
    return f'INFO:     {address} - "{request}" {status} {phrase}\n'


class AccessLog:
    """ASGI wrapper that records one access line per HTTP request, when its response starts.

    The line is written when the response's status is sent, as uvicorn does, so a request
    whose client goes away before an answer leaves no line in either log.
    """

    def __init__(self, app: ASGIApp, stream: TextIO | None = None) -> None:
        self.app = app
        self.stream = stream
        self._lines: list[str] = []
        self._timer: asyncio.TimerHandle | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            try:
                await self.app(scope, receive, send)
            finally:
                if scope["type"] == "lifespan":
                    self.flush()
            return

        async def send_and_record(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.record(access_line(scope, message["status"]))
            await send(message)

        await self.app(scope, receive, send_and_record)

    def record(self, line: str) -> None:
        """Buffer ``line``; write the buffer out soon, or now if it is long."""
        self._lines.append(line)
        if len(self._lines) >= FLUSH_LINES:
            self.flush()
        elif self._timer is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no loop (a synchronous caller): write at once
                self.flush()
            else:
                self._timer = loop.call_later(FLUSH_AFTER_S, self.flush)

    def flush(self) -> None:
        """Write out every buffered line now."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._lines:
            return
        text = "".join(self._lines)
        self._lines.clear()
        stream = self.stream or sys.stdout
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):  # the log's reader went away: serving goes on
            pass
