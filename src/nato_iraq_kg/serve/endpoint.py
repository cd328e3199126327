"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: read-only, bounded, and never blocking.

This is the HTTP side: it reads the request (GET, form POST or ``application/sparql-query``),
refuses updates and what the service never runs, picks the answer format, and hands the vetted
query to a worker process of :mod:`.query_pool` within the concurrency and time limits (or,
for a one-pattern lookup bounded by its shape, answers it in this process: :mod:`.quick_query`;
a GET lookup's text is read once and its plan kept, see :func:`_get_lookup_plan`).
The protocol logic itself (vetting, the row cap, serialisation) is in :mod:`.sparql_protocol`.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import parse_qsl

from ..guard.sparql_text import vet_query
from . import sparql_protocol as protocol
from .asgi_http import ClientGone, Receive, Reply, Scope, Send, header, read_body, send_reply
from .asgi_http import text_reply as text_response
from .config import ServerConfig
from .negotiation import best_match
from .query_pool import QueryPool, WorkerFailed
from .quick_query import MAX_ROWS, MAX_TEXT, LookupPlan, answer_quickly, lookup_plan, run_plan
from .slots import Slots
from .snapshot import Snapshot


class SparqlEndpoint:
    """The endpoint as a bare ASGI app: what ``/sparql`` runs, with or without Starlette.

    A class, not a function, so that Starlette's ``Route`` hands it the raw ASGI call instead of
    wrapping it in a ``Request``/``Response`` pair; the app factory also calls it before
    Starlette's routing when no middleware needs to see the request (see :mod:`.front`). The app
    (for its ``state``) is read from ``scope["app"]``, which Starlette sets.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            reply = await answer(scope, receive)
        except ClientGone:
            return
        await send_reply(send, reply)


#: The one endpoint instance the routes use.
sparql_endpoint = SparqlEndpoint()


def _graph_format(accept: str | None) -> str | None:
    """Return the RDF syntax key (ttl, nt, xml, jsonld) the client accepts best, or None."""
    offers = {media: name for name, media in protocol.GRAPH_MEDIA.items()}
    chosen = best_match(accept, list(offers))
    return offers[chosen] if chosen else None


async def answer(scope: Scope, receive: Receive) -> Reply:
    """Answer the SPARQL 1.1 Protocol (query operation only) on GET and POST.

    Raises:
        ClientGone: the client disconnected before its POST body arrived.
    """
    state = scope["app"].state
    config: ServerConfig = state.config
    query_string = scope["query_string"]
    accept = header(scope, b"accept")
    if scope["method"] == "GET":
        reply = planned_lookup(state, query_string, accept)
        if reply is not None:
            return reply
    params = _params_of(query_string)
    if scope["method"] == "POST":
        media = (header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if media == "application/sparql-update":
            return text_response("this endpoint is read-only: SPARQL updates are not accepted", 403)
        body = await read_body(scope, receive, config.max_body_bytes)
        if body is None:
            return text_response(f"request body larger than {config.max_body_bytes} bytes", 413)
        if media == "application/x-www-form-urlencoded":
            text = body.decode("utf-8", "replace")
            for key, value in parse_qsl(text, keep_blank_values=True):
                params.setdefault(key, []).append(value)
        elif media == "application/sparql-query":
            params.setdefault("query", []).append(body.decode("utf-8", "replace"))
        else:
            return text_response(
                "POST a query as application/sparql-query or application/x-www-form-urlencoded",
                415,
            )
    elif len(query_string) > config.max_body_bytes:
        return text_response(f"query string longer than {config.max_body_bytes} bytes", 414)
    if "update" in params:
        return text_response("this endpoint is read-only: SPARQL updates are not accepted", 403)
    if "default-graph-uri" in params or "named-graph-uri" in params:
        return text_response(
            "default-graph-uri and named-graph-uri are not supported: the default graph is "
            "always the union of the dataset's named graphs",
            400,
        )
    queries = params.get("query", [])
    if not queries:
        if scope["method"] == "POST":
            return text_response("no query: send a 'query' parameter", 400)
        return _service_description(scope, accept)
    if len(queries) > 1:
        return text_response("exactly one 'query' parameter is allowed", 400)
    sparql = queries[0]
    try:
        form = vet_query(sparql)
    except protocol.QueryRefused as refused:
        return text_response(str(refused), refused.status)
    fmt = _result_format(accept, params, form)
    if fmt is None:
        offered = ", ".join(protocol.offers_for(form))
        return text_response(
            f"cannot answer a {form} query in that format; we offer {offered}", 406
        )
    return await _run_query(state, config, sparql, fmt)


def planned_lookup(state: Any, query_string: bytes, accept: str | None) -> Reply | None:
    """The answer to a GET of ``/sparql`` whose query string is a plain lookup, run now over
    the served build; None for any other request (which :func:`answer` then reads in full).

    This is the first thing :func:`answer` tries on a GET, and all that the connection's fast
    path (:mod:`.lookup_protocol`) runs, so both give the same answer to the same request.
    """
    config: ServerConfig = state.config
    if not 0 < len(query_string) <= config.max_body_bytes:
        return None
    plan = _get_lookup_plan(query_string, accept)
    return None if plan is None else _run_lookup(state, config, plan)


def _params_of(query_string: bytes) -> dict[str, list[str]]:
    """The request's query-string parameters, each name with its values in order."""
    params: dict[str, list[str]] = {}
    if query_string:
        for key, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
            params.setdefault(key, []).append(value)
    return params


@functools.lru_cache(maxsize=256)
def _get_lookup_plan(query_string: bytes, accept: str | None) -> LookupPlan | None:
    """The plan of a GET whose one query is a plain lookup (:func:`.quick_query.lookup_plan`),
    read from its query string and ``Accept`` as :func:`answer` reads them; None for any other.

    Clients send the same lookup texts over and over, and reading one (the query string, the
    guards, the format, the pattern) costs three times what scanning and serialising its answer
    does, so the reading is kept, for the last 256 texts. Only the reading: a plan holds no
    rows and no store, and every request still scans the served build (no answer is cached).
    Whatever :func:`answer` would refuse or treat otherwise (an ``update`` or graph parameter,
    two queries, a refused text, a format the answer cannot take) has no plan and takes the
    full path.
    """
    if len(query_string) > 4 * MAX_TEXT:  # percent-encoded, a longer text is no quick lookup
        return None
    params = _params_of(query_string)
    queries = params.get("query", [])
    if len(queries) != 1 or any(name in params for name in _PLANLESS_PARAMETERS):
        return None
    sparql = queries[0]
    try:
        form = vet_query(sparql)
        fmt = _result_format(accept, params, form)
        return None if fmt is None else lookup_plan(sparql, fmt)
    except protocol.QueryRefused:
        return None


#: Parameters that change what the endpoint does with a query: a request naming one is read
#: in full every time.
_PLANLESS_PARAMETERS = ("update", "default-graph-uri", "named-graph-uri")


def _run_lookup(state: Any, config: ServerConfig, plan: LookupPlan) -> Reply | None:
    """Answer a planned lookup from the served build's store, as :func:`_run_query` would; None
    when it must go to a worker after all (no store here, or the answer is longer than the
    in-process cap but not than the service's).
    """
    store = state.snapshot.store
    if store is None:  # a remote store (serve --endpoint) has no index here
        return None
    cap = min(config.max_rows, MAX_ROWS)
    answered = run_plan(store, plan, cap)
    if answered.headers["X-Result-Truncated"] == "true" and cap < config.max_rows:
        return None
    return Reply(200, answered.body, answered.media_type, answered.headers)


def _result_format(accept: str | None, params: dict[str, list[str]], form: str) -> str | None:
    """Return the format to answer in: ``format=`` when it fits the form, else by ``Accept``."""
    for value in params.get("format", []):
        name = protocol.format_name(value, form)
        if name is not None:
            return name
    return _format_by_accept(accept, form)


@functools.lru_cache(maxsize=256)
def _format_by_accept(accept: str | None, form: str) -> str | None:
    """The format ``Accept`` asks for a query form: clients send the same few headers over and
    over, and parsing one costs as much as a lookup's serialisation, so the choice is kept.
    """
    offers = protocol.offers_for(form)
    chosen = best_match(accept, list(offers))
    return offers[chosen] if chosen else None


async def _run_query(state: Any, config: ServerConfig, sparql: str, fmt: str) -> Reply:
    """Run a vetted query in a worker process within the concurrency and time limits.

    A one-pattern lookup, bounded by its shape, is answered here instead from the snapshot's
    own store (see :mod:`.quick_query`): it needs neither a slot nor a time limit, and skipping
    the worker round trip is most of its cost. A server over a remote store has no store here
    and forwards every query.
    """
    snapshot: Snapshot = state.snapshot
    if snapshot.store is not None:  # None: served from a remote store (serve --endpoint)
        try:
            quick = answer_quickly(snapshot.store, sparql, fmt, max_rows=config.max_rows)
        except protocol.QueryRefused as refused:
            return text_response(str(refused), refused.status)
        if quick is not None:
            return Reply(200, quick.body, quick.media_type, quick.headers)
    slots: Slots = state.slots
    if not await slots.wait(config.slot_wait_s):
        return text_response(
            f"too many queries in progress (at most {config.max_concurrent}); retry shortly",
            429,
            **{"Retry-After": "1"},
        )
    try:
        answered = await _run_in_pool(state, config, sparql, fmt)
    except TimeoutError:
        return text_response(
            f"the query took longer than {config.query_timeout_s:g} s and was stopped", 503
        )
    except protocol.QueryRefused as refused:
        return text_response(str(refused), refused.status)
    except WorkerFailed as failed:
        return text_response(f"the query could not be answered: {failed}", 503)
    finally:
        slots.release()
    return Reply(200, answered.body, answered.media_type, answered.headers)


async def _run_in_pool(state: Any, config: ServerConfig, sparql: str, fmt: str) -> Any:
    """Run the query in the served build's pool; if a new build retired that pool meanwhile,
    run it once more in the new build's.
    """
    snapshot: Snapshot = state.snapshot
    try:
        return await snapshot.pool.run_async(
            sparql, fmt, max_rows=config.max_rows, timeout_s=config.query_timeout_s
        )
    except WorkerFailed:
        if state.snapshot is snapshot:
            raise
    pool: QueryPool = state.snapshot.pool
    return await pool.run_async(
        sparql, fmt, max_rows=config.max_rows, timeout_s=config.query_timeout_s
    )


def _service_description(scope: Scope, accept: str | None) -> Reply:
    """Describe the endpoint (SPARQL Service Description), in Turtle unless asked otherwise."""
    from starlette.datastructures import URL

    fmt = _graph_format(accept) or "ttl"
    endpoint = str(URL(scope=scope).replace(query="", fragment=""))
    body = protocol.serialize_triples(protocol.service_description(endpoint), fmt)
    return Reply(200, body, protocol.GRAPH_MEDIA[fmt], {"Vary": "Accept"})
