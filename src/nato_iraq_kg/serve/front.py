"""The server's front: ``/sparql`` straight to its endpoint, everything else through Starlette.

Starlette's routing and its middleware stack (the error handler, the exception handler, the
router's scan of every route) cost tens of microseconds a request, which on a lookup is as much
as the query. The pages gain nothing from skipping them, but the SPARQL endpoint is the part
clients hammer, and it needs none of them: it is a bare ASGI app that answers every request
itself (see :class:`.endpoint.SparqlEndpoint`). So :class:`Front`, a Starlette app, hands a
``/sparql`` request to the endpoint before its own stack, unless a middleware (CORS) or an
exception handler has been configured, which must see every request; then the request takes
Starlette's route to the same endpoint. Either way the answer is the same, byte for byte.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from .asgi_http import ASGIApp, Receive, Scope, Send

#: The methods Starlette's ``/sparql`` route allows (HEAD comes with GET).
SPARQL_METHODS = frozenset({"GET", "HEAD", "POST"})


class Front(Starlette):
    """A Starlette app whose ``/sparql`` skips routing and middleware when none is configured."""

    def __init__(self, *args: Any, sparql: ASGIApp, path: str = "/sparql", **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.sparql = sparql
        self.sparql_path = path

    @property
    def lean(self) -> bool:
        """Whether /sparql skips the stack: not when a middleware must see every request, nor
        when an exception handler is there to turn an error into an answer.
        """
        return not self.user_middleware and not self.exception_handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.lean
            and scope["type"] == "http"
            and scope["path"] == self.sparql_path
            and not scope.get("root_path")
            and scope["method"] in SPARQL_METHODS
        ):
            scope["app"] = self
            await self.sparql(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
