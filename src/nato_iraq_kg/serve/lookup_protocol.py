"""Answer a planned GET lookup on the connection itself, without uvicorn's ASGI machinery.

Under load, uvicorn's floor (an app doing nothing) was 150 to 165 us of CPU per request, most
of it not HTTP parsing (httptools, in C) but the ASGI cycle around each request: a scope dict,
a ``RequestResponseCycle``, an asyncio task, the ``receive``/``send`` coroutines and their
messages. A lookup's own work (the scan and its serialisation) is a fraction of that. So the
protocol :func:`lookup_protocol` gives uvicorn answers one kind of request as soon as its
headers are read, synchronously, in the parser's callback: a ``GET`` of ``/sparql`` whose query
string the endpoint reads as a plain lookup (:func:`.endpoint.planned_lookup`, the same function
the ASGI path tries first, over the build served at that moment), on a connection where no
earlier request is still being answered (answers go back in request order), with no body, no
``Expect``, no upgrade and no proxy header (uvicorn's proxy middleware may rewrite the client's
address, which the access line shows). It writes the very bytes uvicorn would (status line,
uvicorn's default headers, the endpoint's headers, ``connection: close`` when the connection
ends, the body) and records the same access line. Everything else, and any request for which
the lookup declines or fails, takes uvicorn's path untouched.

uvicorn's protocol internals are not a public API: the ``serve`` extra pins uvicorn's version,
:data:`USED_ATTRIBUTES` names what is relied on (a test checks it), and if any of it is missing
the plain protocol is used instead.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import unquote

from .access_log import AccessLog, access_line
from .asgi_http import raw_headers
from .endpoint import planned_lookup
from .front import Front
from .one_write import http_protocol

#: What the fast path uses of uvicorn's ``HttpToolsProtocol``: class attributes, then the
#: attributes each instance sets in ``__init__``/``connection_made``/``on_message_begin``.
USED_ATTRIBUTES = (
    "on_headers_complete",
    "on_message_complete",
    "on_response_complete",
    "on_message_begin",
)
USED_INSTANCE_ATTRIBUTES = (
    "app",
    "parser",
    "url",
    "headers",
    "scope",
    "cycle",
    "pipeline",
    "flow",
    "transport",
    "server_state",
    "root_path",
    "limit_concurrency",
)

#: Request headers that send a request down uvicorn's own path: a body, ``Expect``, an
#: upgrade, and the proxy headers uvicorn's middleware reads.
_SLOW_HEADERS = frozenset(
    {
        b"content-length",
        b"transfer-encoding",
        b"expect",
        b"upgrade",
        b"x-forwarded-for",
        b"x-forwarded-proto",
    }
)


def _serves(app: Any, logged: AccessLog, front: Front) -> bool:
    """Whether uvicorn's loaded ``app`` is ``logged`` around ``front``, with at most uvicorn's
    proxy-header middleware outside: any other wrapper (uvicorn's message logger at trace
    level, say) must see every request, so the fast path stays off.
    """
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    if isinstance(app, ProxyHeadersMiddleware):
        app = app.app
    return app is logged and logged.app is front


def lookup_protocol(logged: AccessLog, front: Front) -> type[asyncio.Protocol]:
    """uvicorn's protocol (as :func:`.one_write.http_protocol` gives it), answering planned
    lookups for ``front`` (wrapped in ``logged``) on the connection; the plain one when uvicorn
    uses another HTTP implementation than httptools or lacks what the fast path relies on.
    """
    from uvicorn.protocols.http import httptools_impl

    base: Any = http_protocol()
    status_lines: dict[int, bytes] | None = getattr(httptools_impl, "STATUS_LINE", None)
    if (
        not issubclass(base, httptools_impl.HttpToolsProtocol)
        or not all(hasattr(base, name) for name in USED_ATTRIBUTES)
        or status_lines is None
    ):
        return base
    parse_url = httptools_impl.httptools.parse_url

    class LookupProtocol(base):  # type: ignore[misc, valid-type]
        """uvicorn's protocol, which answers a planned lookup as soon as its headers are read."""

        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            self._answer: bytes | None = None
            self._keep_alive = True
            self._fast = (
                not self.root_path
                and self.limit_concurrency is None
                and _serves(self.app, logged, front)
            )

        def on_headers_complete(self) -> None:
            if self._fast and (self.cycle is None or self.cycle.response_complete):
                if self.transport.is_closing():
                    # The connection is ending (httptools already skips what follows a
                    # request that closes it): uvicorn's path would never start this request,
                    # nor log it, so it is dropped here too.
                    self._answer = b""
                    return
                self._answer = self._answer_now()
                if self._answer is not None:
                    return
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            answer = self._answer
            if answer is None:
                super().on_message_complete()
                return
            self._answer = None
            if not answer:
                return
            self.transport.write_whole(answer)
            if not self._keep_alive:
                self.transport.close()
            self.on_response_complete()

        def _answer_now(self) -> bytes | None:
            """The whole response to a planned lookup, its access line recorded; None to leave
            the request to uvicorn's path (any other request, or a lookup that declines).
            """
            if self.pipeline or self.flow.write_paused or not front.lean:
                return None
            parser = self.parser
            if parser.get_method() != b"GET" or parser.should_upgrade():
                return None
            accept = None
            for name, value in self.headers:
                if name in _SLOW_HEADERS:
                    return None
                if name == b"accept" and accept is None:
                    accept = value.decode("latin-1")
            try:
                url = parse_url(self.url)
            except Exception:  # uvicorn's path answers a bad target as it always has
                return None
            raw_path = url.path
            path = raw_path.decode("ascii", "replace")
            if "%" in path:
                path = unquote(path)
            if path != front.sparql_path:
                return None
            query_string = url.query or b""
            try:
                reply = planned_lookup(front.state, query_string, accept)
            except Exception:  # uvicorn's path runs it again and answers the error as usual
                return None
            if reply is None:
                return None
            version = parser.get_http_version()
            self._keep_alive = version != "1.0" and parser.should_keep_alive()
            content = [status_lines[reply.status]]
            for name, value in (*self.server_state.default_headers, *raw_headers(reply)):
                content += (name, b": ", value, b"\r\n")
            if not self._keep_alive:
                content.append(b"connection: close\r\n")
            content += (b"\r\n", reply.body)
            scope = self.scope
            scope["method"] = "GET"
            if version != "1.1":
                scope["http_version"] = version
            scope["path"] = path
            scope["raw_path"] = raw_path
            scope["query_string"] = query_string
            logged.record(access_line(scope, reply.status))
            return b"".join(content)

    return LookupProtocol
