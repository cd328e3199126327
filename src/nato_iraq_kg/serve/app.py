"""The linked-data server: a read-only SPARQL endpoint, dereferenceable IRIs, and downloads.

One Starlette app built by :func:`create_app` from an embedded Oxigraph store, so the published
IRIs (``https://w3id.org/nato-iraq-kg/id/...``) resolve to descriptions in the format a client
asks for, and anyone can query the graph without installing anything. Guard rails make it safe
to expose: queries only read, never reach out (no ``SERVICE``/``FROM``), are bounded in size,
rows, time and concurrency, and nothing outside ``data/`` is ever served. A new build in
``data/`` is picked up whole, without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import paths
from ..namespaces import BASE
from .config import ServerConfig
from .endpoint import sparql_endpoint
from .front import Front
from .linked_data import data_file, entity, favicon, ontology, well_known_void
from .page_search import index_factory_of_store, search
from .slots import Slots
from .snapshot import Snapshot, Watcher, load_snapshot, snapshot_of_store

#: Address-space cap of each query worker: a result bomb ends its worker, not the machine.
WORKER_MEMORY_BYTES = 4 * 1024**3


async def landing(request: Request) -> Response:
    """The landing page: what the dataset is, its counts, downloads and example questions."""
    from .pages import landing_page

    snapshot: Snapshot = request.app.state.snapshot
    void = snapshot.downloads.get("void.ttl")
    html = landing_page(
        snapshot.store,
        void.content if void else b"",
        subclass_of=snapshot.subclass_of,
    )
    return HTMLResponse(html)


async def timeline(request: Request) -> Response:
    """The interactive timeline of every dated event."""
    from .pages import timeline_page

    return HTMLResponse(timeline_page(request.app.state.snapshot.store))


async def query_editor(request: Request) -> Response:
    """The query page: an editor that posts to /sparql, preloaded with ``?cq=NN``."""
    from .pages import query_page

    return HTMLResponse(query_page(cq=request.query_params.get("cq")))


def install(app: Starlette, snapshot: Snapshot) -> None:
    """Make ``snapshot`` the one every request from now on is answered from.

    Handlers read ``app.state.snapshot`` once and use it throughout, so the switch is the one
    assignment; the older names (``store``, ``query_pool``, ``vocabulary``, ``downloads``) follow
    for code that reads them directly.
    """
    app.state.snapshot = snapshot
    app.state.store = snapshot.store
    app.state.query_pool = snapshot.pool
    app.state.vocabulary = snapshot.vocabulary
    app.state.downloads = {name: d.media_type for name, d in snapshot.downloads.items()}
    # The search index is built on first use from the store it was made for.
    app.state.search_index = None
    app.state.search_index_factory = index_factory_of_store(snapshot.store)


def create_app(
    *,
    store: Any = None,
    data_dir: Path | None = None,
    base_url: str = BASE,
    query_timeout_s: float = 10,
    max_rows: int = 10000,
    max_body_bytes: int = 100_000,
    max_concurrent: int = 4,
    slot_wait_s: float = 1.0,
    cors_origins: tuple[str, ...] = (),
    watch_interval_s: float | None = 1.0,
) -> Starlette:
    """Build the server app; ``store`` defaults to the dataset built in ``data_dir``.

    A factory, so tests (and several servers in one process) can each have their own store and
    limits: ``app.state.snapshot`` holds what requests are answered from (the store for the
    pages, the :class:`QueryPool` whose worker processes run ``/sparql`` queries, up to
    ``max_concurrent`` at once, each with its own copy of the data, the downloads and labels),
    beside the :class:`ServerConfig` and the in-flight counter. A query finding every slot busy
    waits up to ``slot_wait_s`` for one before it is refused with 429. Cross-origin access is off
    unless ``cors_origins`` names the web origins allowed to call the service from a browser: a
    wildcard would let any site drive visitors' browsers at the endpoint, so it must be asked for
    explicitly (``("*",)``).

    Without ``store``, ``data_dir`` is watched every ``watch_interval_s`` seconds (``None``: not
    at all) and a new build there replaces the served one whole, once it is loaded (see
    :mod:`.snapshot`); a given ``store`` is served as it is.
    """
    data_dir = data_dir or paths.data_dir()
    if not base_url.endswith("/"):
        base_url += "/"
    # One worker more than the slots: when overrunning queries get their workers killed, the
    # spare answers the next query while the replacements start (about half a second each).
    pool_size = max_concurrent + 1

    def load(generation: int) -> Snapshot:
        return load_snapshot(data_dir, base_url, pool_size, WORKER_MEMORY_BYTES, generation)

    if store is None:
        first = load(1)
    else:
        first = snapshot_of_store(store, data_dir, base_url, pool_size, WORKER_MEMORY_BYTES)
        watch_interval_s = None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Ready means ready: the server answers once every worker has loaded the data.
        await asyncio.to_thread(app.state.snapshot.pool.fill)
        task = None
        if watch_interval_s is not None:
            watcher = Watcher(
                data_dir,
                lambda: app.state.snapshot,
                load,
                lambda snapshot: install(app, snapshot),
                watch_interval_s,
            )
            app.state.watcher = watcher
            task = asyncio.create_task(watcher.run())
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            app.state.snapshot.pool.close()

    routes = [
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
        Route("/id/{path:path}", entity, methods=["GET"]),
        Route("/ontology", ontology, methods=["GET"]),
        Route("/data/{name:path}", data_file, methods=["GET"]),
        Route("/.well-known/void", well_known_void, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Route("/", landing, methods=["GET"]),
        Route("/timeline", timeline, methods=["GET"]),
        Route("/query", query_editor, methods=["GET"]),
        Route("/search", search, methods=["GET"]),
        Mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static"),
    ]
    middleware = []
    if cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Accept", "Content-Type"],
                expose_headers=["X-Result-Rows", "X-Result-Truncated", "Retry-After"],
            )
        )
    app = Front(routes=routes, middleware=middleware, lifespan=lifespan, sparql=sparql_endpoint)
    app.state.search_lock = asyncio.Lock()
    install(app, first)
    app.state.root = paths.project_root()
    app.state.config = ServerConfig(
        data_dir=data_dir,
        base_url=base_url,
        query_timeout_s=query_timeout_s,
        max_rows=max_rows,
        max_body_bytes=max_body_bytes,
        max_concurrent=max_concurrent,
        slot_wait_s=slot_wait_s,
        cors_origins=tuple(cors_origins),
    )
    app.state.slots = Slots(max_concurrent)
    return app


def serve(host: str = "127.0.0.1", port: int = 8000, **kw: Any) -> None:
    """Run the app with uvicorn until interrupted; ``kw`` goes to :func:`create_app`.

    Loopback by default: exposing the service is a deliberate choice (``host="0.0.0.0"``).
    The socket is bound here, before the app is built, so a busy port or an unknown host is one
    line and exit 2 (:class:`~nato_iraq_kg.errors.InputError`), not uvicorn's exit 3.
    """
    run_uvicorn(create_app(**kw), listening_socket(host, port), host, port)


def run_uvicorn(app: Any, listener: socket.socket, host: str, port: int) -> None:
    """Serve ``app`` on ``listener`` with uvicorn until interrupted, with our access log.

    uvicorn's access log is replaced by :class:`.access_log.AccessLog`, which writes the same
    line per request to stdout for a tenth of the CPU (see there). uvicorn picks httptools and
    uvloop when they are installed (the ``serve`` extra installs both); its ``server: uvicorn``
    header is left out: it tells a client nothing it needs, and costs every response. Each
    response leaves in one write, its headers with its body (see :mod:`.one_write`), and a
    planned lookup is answered on the connection itself (see :mod:`.lookup_protocol`).
    """
    import uvicorn

    from .access_log import AccessLog
    from .front import Front
    from .lookup_protocol import lookup_protocol
    from .one_write import http_protocol

    logged = AccessLog(app)
    protocol = lookup_protocol(logged, app) if isinstance(app, Front) else http_protocol()
    config = uvicorn.Config(
        logged,
        host=host,
        port=port,
        http=protocol,
        log_level="info",
        access_log=False,
        server_header=False,
    )
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving on http://{shown}:{port}/ (Ctrl+C to stop)", file=sys.stderr, flush=True)
    try:
        uvicorn.Server(config).run(sockets=[listener])
    finally:
        logged.flush()


def listening_socket(host: str, port: int) -> socket.socket:
    """Return a socket bound to ``host``:``port`` and listening, or raise InputError saying why."""
    from ..errors import InputError

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            reason = "the port is in use (another server? choose another --port)"
        else:
            reason = exc.strerror or str(exc)
        raise InputError(f"cannot listen on {host}:{port}: {reason}") from exc
