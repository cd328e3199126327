"""The linked-data server: a read-only SPARQL endpoint, dereferenceable IRIs, and downloads.

One Starlette app built by :func:`create_app` from an embedded Oxigraph store, so the published
IRIs (``https://w3id.org/nato-iraq-kg/id/...``) resolve to descriptions in the format a client
asks for, and anyone can query the graph without installing anything. Guard rails make it safe
to expose: queries only read, never reach out (no ``SERVICE``/``FROM``), are bounded in size,
rows, time and concurrency, and nothing outside ``data/`` is ever served.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import paths
from ..namespaces import BASE
from . import sparql_protocol as protocol
from .negotiation import best_match

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: Media types of the downloads, by file extension (the void.ttl media types win when present).
DOWNLOAD_MEDIA = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
    ".jsonld": "application/ld+json",
    ".trig": "application/trig",
    ".nq": "application/n-quads",
}
IANA_MEDIA = "https://www.iana.org/assignments/media-types/"
HTML = "text/html"


@dataclass(frozen=True)
class ServerConfig:
    """The limits and locations one app runs with (kept in ``app.state.config``)."""

    data_dir: Path
    base_url: str
    query_timeout_s: float
    max_rows: int
    max_body_bytes: int
    max_concurrent: int
    slot_wait_s: float = 1.0
    cors_origins: tuple[str, ...] = ()


class _Slots:
    """Counts in-flight queries so that one over the limit waits briefly, then gets 429.

    A counter, not a semaphore, because a client over the limit should be told to come back
    rather than queue behind slow queries. It may wait a little (:meth:`wait`), so a page that
    fires a few queries at once is not refused for a moment's overlap. Only touched from the event
    loop, so no lock is needed; polling rather than an asyncio primitive keeps it independent of
    which event loop serves the app (tests run one app on several).
    """

    #: How often a waiting query looks for a free slot, in seconds.
    POLL_S = 0.02

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_use = 0

    def acquire(self) -> bool:
        """Take a slot if one is free and say whether it was."""
        if self.in_use >= self.limit:
            return False
        self.in_use += 1
        return True

    def release(self) -> None:
        """Give a slot back."""
        self.in_use -= 1

    async def wait(self, wait_s: float) -> bool:
        """Take a slot as soon as one is free, waiting at most ``wait_s``; say whether it was.

        Slots are given back when a query ends or hits its time limit, so a query that arrives
        while a burst holds every slot gets in once the burst times out, if it is within
        ``wait_s``; a flood of requests only costs a sleeping coroutine each meanwhile.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        while not self.acquire():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            await asyncio.sleep(min(self.POLL_S, remaining))
        return True


async def run_in_thread(func: Callable[[], Any], timeout_s: float) -> Any:
    """Run ``func`` in its own daemon thread and wait at most ``timeout_s`` for its result.

    pyoxigraph cannot cancel a running query, so on timeout the thread is abandoned: it finishes
    (or stops at its next row, see :func:`sparql_protocol.execute`) in the background while the
    caller gets :class:`TimeoutError` on time. Daemon threads, not the shared thread pool, so an
    abandoned query never blocks shutdown nor takes a pool worker from the other requests.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def work() -> None:
        try:
            result, error = func(), None
        except BaseException as exc:  # handed to the awaiting coroutine
            result, error = None, _without_tracebacks(exc)
        # RuntimeError: the loop has closed, so nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=work, name="sparql-query", daemon=True).start()
    # On timeout wait_for cancels the future, so a late result is dropped by settle().
    return await asyncio.wait_for(future, timeout_s)


def _without_tracebacks(error: BaseException) -> BaseException:
    """Drop the tracebacks of ``error`` and its causes before it leaves the worker thread.

    A traceback keeps the worker's frames alive, and with them pyoxigraph result iterators, which
    must be dropped on the thread that made them.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return error


def _text(message: str, status: int, **headers: str) -> PlainTextResponse:
    """Return a plain-text error (or notice) with the given status and headers."""
    return PlainTextResponse(message + "\n", status_code=status, headers=headers or None)


async def _read_body(request: Request, limit: int) -> bytes | None:
    """Read the request body, or return None as soon as it exceeds ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _graph_format(request: Request) -> str | None:
    """Return the RDF format (turtle, nt, rdfxml, jsonld) the client accepts best, or None."""
    offers = {media: name for name, media in protocol.GRAPH_MEDIA.items()}
    chosen = best_match(request.headers.get("accept"), list(offers))
    return offers[chosen] if chosen else None


async def sparql_endpoint(request: Request) -> Response:
    """Answer the SPARQL 1.1 Protocol (query operation only) on GET and POST."""
    config: ServerConfig = request.app.state.config
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    if request.method == "POST":
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media == "application/sparql-update":
            return _text("this endpoint is read-only: SPARQL updates are not accepted", 403)
        body = await _read_body(request, config.max_body_bytes)
        if body is None:
            return _text(f"request body larger than {config.max_body_bytes} bytes", 413)
        if media == "application/x-www-form-urlencoded":
            text = body.decode("utf-8", "replace")
            for key, value in parse_qsl(text, keep_blank_values=True):
                params.setdefault(key, []).append(value)
        elif media == "application/sparql-query":
            params.setdefault("query", []).append(body.decode("utf-8", "replace"))
        else:
            return _text(
                "POST a query as application/sparql-query or application/x-www-form-urlencoded",
                415,
            )
    elif len(request.url.query) > config.max_body_bytes:
        return _text(f"query string longer than {config.max_body_bytes} bytes", 414)
    if "update" in params:
        return _text("this endpoint is read-only: SPARQL updates are not accepted", 403)
    if "default-graph-uri" in params or "named-graph-uri" in params:
        return _text(
            "default-graph-uri and named-graph-uri are not supported: the default graph is "
            "always the union of the dataset's named graphs",
            400,
        )
    queries = params.get("query", [])
    if not queries:
        if request.method == "POST":
            return _text("no query: send a 'query' parameter", 400)
        return _service_description(request, config)
    if len(queries) > 1:
        return _text("exactly one 'query' parameter is allowed", 400)
    sparql = queries[0]
    try:
        form = protocol.vet_query(sparql)
    except protocol.QueryRefused as refused:
        return _text(str(refused), refused.status)
    fmt = _result_format(request, params, form)
    if fmt is None:
        offered = ", ".join(protocol.offers_for(form))
        return _text(f"cannot answer a {form} query in that format; we offer {offered}", 406)
    return await _run_query(request, config, sparql, fmt)


def _result_format(request: Request, params: dict[str, list[str]], form: str) -> str | None:
    """Return the format to answer in: ``format=`` when it fits the form, else by ``Accept``."""
    for value in params.get("format", []):
        name = protocol.format_name(value, form)
        if name is not None:
            return name
    offers = protocol.offers_for(form)
    chosen = best_match(request.headers.get("accept"), list(offers))
    return offers[chosen] if chosen else None


async def _run_query(request: Request, config: ServerConfig, sparql: str, fmt: str) -> Response:
    """Run a vetted query in a worker thread within the concurrency and time limits."""
    slots: _Slots = request.app.state.slots
    if not await slots.wait(config.slot_wait_s):
        return _text(
            f"too many queries in progress (at most {config.max_concurrent}); retry shortly",
            429,
            **{"Retry-After": "1"},
        )
    cancelled = threading.Event()
    store = request.app.state.store
    try:
        answer = await run_in_thread(
            lambda: protocol.execute(
                store, sparql, fmt, max_rows=config.max_rows, cancelled=cancelled
            ),
            config.query_timeout_s,
        )
    except TimeoutError:
        cancelled.set()
        return _text(
            f"the query took longer than {config.query_timeout_s:g} s and was abandoned", 503
        )
    except protocol.QueryRefused as refused:
        return _text(str(refused), refused.status)
    finally:
        slots.release()
    return Response(answer.body, media_type=answer.media_type, headers=answer.headers)


def _service_description(request: Request, config: ServerConfig) -> Response:
    """Describe the endpoint (SPARQL Service Description), in Turtle unless asked otherwise."""
    fmt = _graph_format(request) or "turtle"
    endpoint = str(request.url.replace(query="", fragment=""))
    body = protocol.serialize_triples(protocol.service_description(endpoint), fmt)
    return Response(body, media_type=protocol.GRAPH_MEDIA[fmt], headers={"Vary": "Accept"})


def describe(store: Any, iri: str) -> list[Any]:
    """Return every triple with ``iri`` as subject or object (all graphs), plus linked labels.

    Labels of the IRIs it links to (and of its predicates) come along so a client can show the
    neighbourhood by name without a second request. Uses quad patterns, not SPARQL, so nothing in
    the requested path can change what is looked up.
    """
    from pyoxigraph import NamedNode, Triple

    node = NamedNode(iri)
    label = NamedNode(RDFS_LABEL)
    triples: dict[Any, None] = {}
    linked: dict[Any, None] = {}
    for quad in store.quads_for_pattern(node, None, None, None):
        triples[quad.triple] = None
        linked[quad.predicate] = None
        if isinstance(quad.object, NamedNode):
            linked[quad.object] = None
    for quad in store.quads_for_pattern(None, None, node, None):
        triples[quad.triple] = None
        linked[quad.predicate] = None
        if isinstance(quad.subject, NamedNode):
            linked[quad.subject] = None
    if not triples:
        return []
    for other in linked:
        if other == node:
            continue
        for quad in store.quads_for_pattern(other, label, None, None):
            triples[Triple(quad.subject, quad.predicate, quad.object)] = None
    return list(triples)


def _html_fallback(iri: str, triples: list[Any]) -> str:
    """Return a minimal HTML list of the triples, for when the HTML pages module is absent.

    Every term is escaped text and nothing becomes a link, so an IRI such as ``javascript:...``
    in the data can never turn into something a reader clicks.
    """
    items = "\n".join(
        f"<li>{html.escape(str(t.subject))} {html.escape(str(t.predicate))} "
        f"{html.escape(str(t.object))}</li>"
        for t in triples
    )
    title = html.escape(iri)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><h1>{title}</h1><ul>\n{items}\n</ul></body></html>\n"
    )


async def entity(request: Request) -> Response:
    """Dereference ``/id/...``: the entity's description in the negotiated format."""
    config: ServerConfig = request.app.state.config
    iri = f"{config.base_url}id/{request.path_params['path']}"
    vary = {"Vary": "Accept"}
    offers = [*protocol.GRAPH_MEDIA.values(), HTML]
    chosen = best_match(request.headers.get("accept"), offers)
    if chosen is None:
        return _text(f"not available in that format; we offer {', '.join(offers)}", 406, **vary)
    try:
        triples = describe(request.app.state.store, iri)
    except ValueError:  # not a valid IRI
        triples = []
    if not triples:
        return _text(f"nothing is known about {iri}", 404, **vary)
    if chosen == HTML:
        try:
            from .pages import entity_page
        except ImportError:
            page = _html_fallback(iri, triples)
        else:
            page = entity_page(request.app.state.store, iri)
        return Response(page, media_type=HTML, headers=vary)
    fmt = next(name for name, media in protocol.GRAPH_MEDIA.items() if media == chosen)
    return Response(protocol.serialize_triples(triples, fmt), media_type=chosen, headers=vary)


async def ontology(request: Request) -> Response:
    """Dereference the ontology IRI: its Turtle source, another RDF syntax, or its HTML page."""
    vary = {"Vary": "Accept"}
    root = request.app.state.root
    offers = [*protocol.GRAPH_MEDIA.values(), HTML]
    chosen = best_match(request.headers.get("accept"), offers)
    if chosen is None:
        return _text(f"not available in that format; we offer {', '.join(offers)}", 406, **vary)
    if chosen == HTML:
        page = root / "docs" / "ontology.html"
        if not page.is_file():
            return _text("the ontology documentation has not been built", 404, **vary)
        return FileResponse(page, media_type=HTML, headers=vary)
    source = paths.ontology_file(root)
    if chosen == "text/turtle":
        return FileResponse(source, media_type=chosen, headers=vary)
    import pyoxigraph

    triples = [
        q.triple for q in pyoxigraph.parse(path=str(source), format=pyoxigraph.RdfFormat.TURTLE)
    ]
    fmt = next(name for name, media in protocol.GRAPH_MEDIA.items() if media == chosen)
    return Response(protocol.serialize_triples(triples, fmt), media_type=chosen, headers=vary)


def downloads(data_dir: Path, base_url: str) -> dict[str, str]:
    """Return the downloadable files (name -> media type): void.ttl and its distributions.

    The allow-list comes from ``void.ttl`` itself, so the server serves exactly what the dataset
    description advertises, and a request can never name any other file.
    """
    import pyoxigraph

    void = data_dir / "void.ttl"
    if not void.is_file():
        return {}
    files = {"void.ttl": "text/turtle"}
    prefix = f"{base_url}data/"
    download = "http://www.w3.org/ns/dcat#downloadURL"
    media_type = "http://www.w3.org/ns/dcat#mediaType"
    quads = list(pyoxigraph.parse(path=str(void), format=pyoxigraph.RdfFormat.TURTLE))
    media_of = {q.subject: q.object.value for q in quads if q.predicate.value == media_type}
    for quad in quads:
        if quad.predicate.value != download or not quad.object.value.startswith(prefix):
            continue
        name = quad.object.value[len(prefix) :]
        if "/" in name or name.startswith("."):
            continue
        suffix = Path(name).suffix
        media = media_of.get(quad.subject, "")
        media = media[len(IANA_MEDIA) :] if media.startswith(IANA_MEDIA) else None
        files[name] = media or DOWNLOAD_MEDIA.get(suffix, "application/octet-stream")
    return files


async def data_file(request: Request) -> Response:
    """Serve one advertised download from ``data/``; anything else is 404."""
    config: ServerConfig = request.app.state.config
    name = request.path_params["name"]
    media = request.app.state.downloads.get(name)
    path = config.data_dir / name
    if media is None or not path.is_file():
        return _text(f"no download named {name!r}; see /data/void.ttl", 404)
    return FileResponse(path, media_type=media)


async def well_known_void(request: Request) -> Response:
    """Point to the dataset description, as RFC 5785 / VoID §6.2 suggest."""
    return RedirectResponse("/data/void.ttl", status_code=303)


async def landing(request: Request) -> Response:
    """The landing page: what the dataset is, its counts, downloads and example questions."""
    from .pages import landing_page

    config: ServerConfig = request.app.state.config
    html = landing_page(request.app.state.store, config.data_dir / "void.ttl")
    return HTMLResponse(html)


async def timeline(request: Request) -> Response:
    """The interactive timeline of every dated event."""
    from .pages import timeline_page

    return HTMLResponse(timeline_page())


async def query_editor(request: Request) -> Response:
    """The query page: an editor that posts to /sparql, preloaded with ``?cq=NN``."""
    from .pages import query_page

    return HTMLResponse(query_page(cq=request.query_params.get("cq")))


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
) -> Starlette:
    """Build the server app; ``store`` defaults to the dataset built in ``data_dir``.

    A factory, so tests (and several servers in one process) can each have their own store and
    limits: ``app.state`` holds the store, the :class:`ServerConfig`, and the in-flight counter.
    A query finding every one of the ``max_concurrent`` slots busy waits up to ``slot_wait_s``
    for one before it is refused with 429. Cross-origin access is off unless ``cors_origins``
    names the web origins allowed to call the service from a browser: a wildcard would let any
    site drive visitors' browsers at the endpoint, so it must be asked for explicitly (``("*",)``).
    """
    from ..sparql import load_graph

    data_dir = data_dir or paths.data_dir()
    if not base_url.endswith("/"):
        base_url += "/"
    if store is None:
        store = load_graph(data_dir / "nato-iraq.trig")
    routes = [
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
        Route("/id/{path:path}", entity, methods=["GET"]),
        Route("/ontology", ontology, methods=["GET"]),
        Route("/data/{name}", data_file, methods=["GET"]),
        Route("/.well-known/void", well_known_void, methods=["GET"]),
        Route("/", landing, methods=["GET"]),
        Route("/timeline", timeline, methods=["GET"]),
        Route("/query", query_editor, methods=["GET"]),
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
    app = Starlette(routes=routes, middleware=middleware)
    app.state.store = store
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
    app.state.slots = _Slots(max_concurrent)
    app.state.downloads = downloads(data_dir, BASE)
    return app


def serve(host: str = "127.0.0.1", port: int = 8000, **kw: Any) -> None:
    """Run the app with uvicorn until interrupted; ``kw`` goes to :func:`create_app`.

    Loopback by default: exposing the service is a deliberate choice (``host="0.0.0.0"``).
    """
    import uvicorn

    uvicorn.run(create_app(**kw), host=host, port=port, log_level="info")
