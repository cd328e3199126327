"""Bare ASGI request and response helpers for the endpoint's lean path.

The SPARQL endpoint answers its requests as a plain ASGI callable rather than through
Starlette's ``Request``/``Response`` objects: on a lookup, building those (headers parsed into
a multi-dict, the query string into another, the response's headers into a third) cost more
than the query. These helpers read what the endpoint needs straight from the scope and send a
response whose status, headers and body are byte for byte what Starlette's ``Response`` sends,
so a client cannot tell which path answered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ClientGone(Exception):
    """The client disconnected before its request body arrived: there is no one to answer."""


@dataclass
class Reply:
    """A whole response: status, body, media type and extra headers (names as written)."""

    status: int
    body: bytes
    media_type: str
    headers: Mapping[str, str] = field(default_factory=dict)


def text_reply(message: str, status: int, **headers: str) -> Reply:
    """A plain-text error or notice, as :func:`.config.text_response` gives it."""
    return Reply(status, (message + "\n").encode("utf-8"), "text/plain", headers)


def header(scope: Scope, name: bytes) -> str | None:
    """Return the first value of request header ``name`` (lower case), as Starlette reads it."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def raw_headers(reply: Reply) -> list[tuple[bytes, bytes]]:
    """The response headers Starlette's ``Response`` would send for ``reply``, in its order.

    The extra headers first (names lower-cased), then ``content-length``, then
    ``content-type``, with ``; charset=utf-8`` added to a ``text/`` type that names none.
    """
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()]
    names = {name for name, _ in raw}
    if b"content-length" not in names and not (reply.status < 200 or reply.status in (204, 304)):
        raw.append((b"content-length", str(len(reply.body)).encode("latin-1")))
    if b"content-type" not in names:
        media = reply.media_type
        if media.startswith("text/") and "charset=" not in media.lower():
            media += "; charset=utf-8"
        raw.append((b"content-type", media.encode("latin-1")))
    return raw


async def send_reply(send: Send, reply: Reply) -> None:
    """Send ``reply`` as one response: its start, then its whole body."""
    await send(
        {"type": "http.response.start", "status": reply.status, "headers": raw_headers(reply)}
    )
    await send({"type": "http.response.body", "body": reply.body})


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """Read the request body, or return None as soon as it exceeds ``limit`` bytes.

    A declared ``Content-Length`` over the limit is refused before anything is read.

    Raises:
        ClientGone: the client disconnected while the body was on its way.
    """
    declared = header(scope, b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
