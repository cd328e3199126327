"""Send each response in one write: uvicorn's HTTP protocol over a transport that gathers writes.

uvicorn writes a response's status line and headers when the app sends ``http.response.start``
and the body when it sends ``http.response.body``: two ``write`` calls, and uvloop sends each at
once, so every answer leaves as two TCP segments: two ``send`` system calls for the server, and
for a client that reads as data comes, two wake-ups and two reads (1.99 reads per lookup answer
measured on loopback, against 1.0 for Oxigraph's server, which sends a short answer in one
segment). On a busy two-core machine the gain in requests per second was within the noise; the
segment count is what is tested.

:class:`GatheringTransport` keeps what is written during one turn of the event loop and writes
it out, joined, as the loop's next callback: the headers and the body sent one after the other
leave in one ``write``, and nothing waits longer than that turn. Closing (or ending the write
side) first writes out what is kept, so a response is never cut short. Everything else (flow
control, addresses, pausing reads) goes to the real transport. :func:`http_protocol` gives
uvicorn the protocol it would pick itself (httptools, else h11), made to use it.
"""

from __future__ import annotations

import asyncio
from typing import Any


class GatheringTransport:
    """A transport whose writes within one loop turn go out as one write of the real one."""

    __slots__ = ("_due", "_kept", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._kept: list[bytes] = []
        self._due = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Keep ``data``; the loop's next callback writes out everything kept by then."""
        if not data:
            return
        self._kept.append(bytes(data))
        if not self._due:
            self._due = True
            self._loop.call_soon(self.flush)

    def writelines(self, chunks: Any) -> None:
        """Keep each chunk, as :meth:`write` does."""
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        """Write out what is kept, as one write, unless the connection is already closing."""
        self._due = False
        if not self._kept:
            return
        kept = self._kept
        self._kept = []
        if self._transport.is_closing():
            return  # the peer is gone: uvloop would drop the bytes too
        self._transport.write(kept[0] if len(kept) == 1 else b"".join(kept))

    def write_whole(self, data: bytes) -> None:
        """Write ``data``, a whole response, now: after what is kept (joined to it), else alone.

        A response built whole needs no gathering, and writing it at once spares the loop its
        callback; what was kept still goes first, so responses keep their order.
        """
        if self._kept:
            self._kept.append(data)
            self.flush()
        elif not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        """Write out what is kept, then close: the last response is sent whole."""
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        """Write out what is kept, then end the write side."""
        self.flush()
        self._transport.write_eof()

    def abort(self) -> None:
        """Drop what is kept and close at once, as an abort does."""
        self._kept = []
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        """The real transport's buffer plus what is kept here."""
        return self._transport.get_write_buffer_size() + sum(len(c) for c in self._kept)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def http_protocol() -> type[asyncio.Protocol]:
    """uvicorn's automatic HTTP protocol class, made to write through a
    :class:`GatheringTransport`.
    """
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    base: Any = AutoHTTPProtocol

    class OneWriteProtocol(base):  # type: ignore[misc, valid-type]
        """uvicorn's protocol, whose responses leave in one write each."""

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            loop = getattr(self, "loop", None) or asyncio.get_event_loop()
            super().connection_made(GatheringTransport(transport, loop))  # type: ignore[arg-type]

    OneWriteProtocol.__name__ = OneWriteProtocol.__qualname__ = f"OneWrite{base.__name__}"
    return OneWriteProtocol
