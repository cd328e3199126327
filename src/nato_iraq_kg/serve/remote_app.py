"""``serve --endpoint URL``: the same site and endpoint, read through SPARQL from a remote store.

For a graph that lives in Virtuoso, an Oxigraph server or any SPARQL 1.1 store (README,
"Scaling out"). The app has the embedded mode's routes and handlers; only what they read from
changes: ``/id/...`` describes and renders from a scratch store filled per request
(:mod:`.remote_store`), ``/sparql`` forwards the vetted query (:mod:`.remote_runner`), and the
landing page, the timeline data and the search index are read with SELECTs. The build's files
are not served: they describe a build, which need not be what the store holds.

Every request to the store goes through the one client (:mod:`nato_iraq_kg.remote.client`) and
is a query: nothing here sends an update. A store that is down answers 502, a slow one 504,
each with a short page (HTML or text, as the client prefers) that names no internal address;
the details go to the log and the server keeps answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import paths
from ..namespaces import BASE
from ..paths import VOID_FILE
from ..remote.client import Connection, EndpointError, SparqlClient
from .config import ServerConfig, text_response
from .endpoint import sparql_endpoint
from .html_common import esc, page_frame, vocabulary_labels
from .linked_data import entity, favicon, ontology
from .negotiation import best_match
from .page_search import search
from .query_pool import QueryPool
from .remote_runner import RemoteQueryRunner
from .remote_store import RemoteStore, StoreUnavailable, status_for
from .slots import Slots
from .snapshot import Snapshot

log = logging.getLogger(__name__)
T = TypeVar("T")
#: Largest answer read from the store for one request; more is a 502, not a full memory.
ANSWER_CAP_BYTES = 256 * 1024**2
#: How long the landing page's counts and lists and the timeline data are reused.
SITE_CACHE_S = 60.0
TIMELINE_FILE = "timeline.jsonld"
DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"


class RemoteSite:
    """The remote store as the pages see it: per-request reads, bounded in time, and a cache."""

    def __init__(self, remote: RemoteStore, timeout_s: float, data_dir: Path) -> None:
        self.remote = remote
        self.timeout_s = timeout_s
        self.data_dir = data_dir
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = asyncio.Lock()

    async def call(self, work: Callable[..., T], *args: Any) -> T:
        """Run a blocking read in a thread; past the time limit the request fails with 504."""
        try:
            return await asyncio.wait_for(asyncio.to_thread(work, *args), self.timeout_s)
        except TimeoutError:
            raise StoreUnavailable(
                f"{self.remote.url}: no answer within {self.timeout_s:g} s", 504
            ) from None

    async def cached(self, key: str, work: Callable[[], T]) -> T:
        """Return ``work()``'s value, reusing it for :data:`SITE_CACHE_S` seconds."""
        async with self._lock:
            found = self._cache.get(key)
            if found is not None and time.monotonic() - found[0] < SITE_CACHE_S:
                return found[1]
            value = await self.call(work)
            self._cache[key] = (time.monotonic(), value)
            return value

    async def neighbourhood(self, iri: str) -> Any:
        """Return the scratch store ``/id/...`` describes ``iri`` from."""
        return await self.call(self.remote.neighbourhood, iri)

    def landing_html(self) -> str:
        """Build the landing page from the store's types, labels and counts (blocking)."""
        from .pages import landing_page

        void = void_of_counts(self.remote.counts(), self.data_dir / VOID_FILE)
        return landing_page(self.remote.labels(), void)

    def timeline_html(self) -> str:
        """Build the timeline page with the quotes of each event from the store (blocking)."""
        from .pages import timeline_page

        return timeline_page(self.remote.timeline_quotes())

    def timeline_json(self) -> str:
        """Build ``timeline.jsonld`` from the store, as the build does from its files (blocking)."""
        from ..formats.jsonld import timeline_jsonld

        return timeline_jsonld(self.remote.timeline())


def void_of_counts(counts: dict[str, int], local_void: Path) -> bytes:
    """Return a VoID description with the store's counts and the build's title and licence.

    Only what describes the dataset whatever its version is kept from the local ``void.ttl``
    (title, description, licence); its counts, version and downloads describe the local build.
    """
    import pyoxigraph

    rdf_type = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    dataset_class = pyoxigraph.NamedNode(VOID + "Dataset")
    kept = {DCTERMS + "title", DCTERMS + "description", DCTERMS + "license"}
    dataset: Any = pyoxigraph.NamedNode(BASE + "id/dataset")
    triples = []
    if local_void.is_file():
        quads = list(pyoxigraph.parse(path=str(local_void), format=pyoxigraph.RdfFormat.TURTLE))
        found = [q.subject for q in quads if q.predicate == rdf_type and q.object == dataset_class]
        dataset = found[0] if found else dataset
        triples = [q.triple for q in quads if q.subject == dataset and q.predicate.value in kept]
    triples.append(pyoxigraph.Triple(dataset, rdf_type, dataset_class))
    for name, value in counts.items():
        triples.append(
            pyoxigraph.Triple(dataset, pyoxigraph.NamedNode(VOID + name), pyoxigraph.Literal(value))
        )
    return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""


def _site(request: Request) -> RemoteSite:
    return request.app.state.remote_site  # type: ignore[no-any-return]


async def landing(request: Request) -> Response:
    """The landing page, with the counts and entity lists of the store."""
    site = _site(request)
    return HTMLResponse(await site.cached("landing", site.landing_html))


async def timeline(request: Request) -> Response:
    """The timeline page with the events' quotes (its data comes from :func:`data_file`)."""
    site = _site(request)
    return HTMLResponse(await site.cached("timeline page", site.timeline_html))


async def query_editor(request: Request) -> Response:
    """The query page, posting to this server's ``/sparql``."""
    from .pages import query_page

    return HTMLResponse(query_page(cq=request.query_params.get("cq")))


async def data_file(request: Request) -> Response:
    """``/data/timeline.jsonld`` from the store; the build's other files are not served here."""
    name = request.path_params["name"]
    if name != TIMELINE_FILE:
        return text_response(
            f"no download named {name!r}: this server reads a remote store, and the files of a "
            "build are served by 'nato-iraq-kg serve' without --endpoint",
            404,
        )
    site = _site(request)
    body = await site.cached("timeline", site.timeline_json)
    return Response(body, media_type="application/ld+json")


async def store_failed(request: Request, exc: Exception) -> Response:
    """Answer a request the store failed with 502 or 504 and a short page; log the details."""
    assert isinstance(exc, EndpointError)
    status = status_for(exc)
    log.warning("%s %s: the store failed (%d): %s", request.method, request.url.path, status, exc)
    message = (
        "The triplestore this site reads from did not answer in time."
        if status == 504
        else "The triplestore this site reads from could not be reached or failed."
    )
    message += " Please try again shortly."
    if best_match(request.headers.get("accept"), ["text/plain", "text/html"]) == "text/html":
        title = "Gateway timeout" if status == 504 else "Bad gateway"
        body = f"<h1>{esc(title)}</h1>\n<p>{esc(message)}</p>"
        return HTMLResponse(page_frame(f"{title} — NATO–Iraq KG", body), status_code=status)
    return text_response(message, status)


def create_remote_app(
    endpoint: str,
    *,
    user: str | None = None,
    password: str | None = None,
    data_dir: Path | None = None,
    base_url: str = BASE,
    query_timeout_s: float = 10,
    connect_timeout_s: float = 5,
    max_rows: int = 10000,
    max_body_bytes: int = 100_000,
    max_concurrent: int = 4,
    slot_wait_s: float = 1.0,
    cors_origins: tuple[str, ...] = (),
) -> Starlette:
    """Build the server app over the SPARQL store at ``endpoint`` (its query URL).

    The limits are the embedded mode's (:func:`.app.create_app`): ``query_timeout_s`` bounds
    each ``/sparql`` query and each page's reads (then 504), ``max_rows`` cuts answers,
    ``max_concurrent`` queries run at once. The store is not contacted until a request needs it,
    so the server starts (and says what failed, page by page) even while the store is down.

    Raises:
        InputError: ``endpoint`` is not an absolute http(s) URL.
    """
    data_dir = data_dir or paths.data_dir()
    if not base_url.endswith("/"):
        base_url += "/"
    client = SparqlClient(
        Connection(
            query_url=endpoint,
            user=user,
            password=password,
            connect_timeout=min(connect_timeout_s, query_timeout_s),
            read_timeout=query_timeout_s,
            retries=1,
            max_answer_bytes=ANSWER_CAP_BYTES,
        )
    )
    runner = RemoteQueryRunner(client)
    site = RemoteSite(RemoteStore(client), query_timeout_s, data_dir)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            runner.close()

    routes = [
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
        Route("/id/{path:path}", entity, methods=["GET"]),
        Route("/ontology", ontology, methods=["GET"]),
        Route("/data/{name}", data_file, methods=["GET"]),
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
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        EndpointError: store_failed
    }
    app = Starlette(
        routes=routes, middleware=middleware, lifespan=lifespan, exception_handlers=handlers
    )
    state = app.state
    state.root = paths.project_root()
    # What the shared handlers read: no store (each page fetches its own), the runner for
    # /sparql, the ontology's labels; no downloads.
    state.snapshot = Snapshot(
        store=None,
        pool=cast(QueryPool, runner),
        vocabulary=vocabulary_labels(paths.ontology_file(state.root)),
        subclass_of=(),
        downloads={},
    )
    state.store = None
    state.query_pool = runner
    state.vocabulary = state.snapshot.vocabulary
    state.downloads = {}
    state.remote_site = site
    state.fetch_neighbourhood = site.neighbourhood
    state.search_index = None
    state.search_lock = asyncio.Lock()
    state.search_index_factory = site.remote.search_index
    state.config = ServerConfig(
        data_dir=data_dir,
        base_url=base_url,
        query_timeout_s=query_timeout_s,
        max_rows=max_rows,
        max_body_bytes=max_body_bytes,
        max_concurrent=max_concurrent,
        slot_wait_s=slot_wait_s,
        cors_origins=tuple(cors_origins),
    )
    state.slots = Slots(max_concurrent)
    return app


def serve_remote(endpoint: str, host: str = "127.0.0.1", port: int = 8000, **kw: Any) -> None:
    """Run :func:`create_remote_app` with uvicorn until interrupted (loopback by default).

    As :func:`.app.serve`: the socket is bound first, so a busy port is one line and exit 2.
    """
    from .app import listening_socket, run_uvicorn

    run_uvicorn(create_remote_app(endpoint, **kw), listening_socket(host, port), host, port)
