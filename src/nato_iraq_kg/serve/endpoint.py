"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: read-only, bounded, and never blocking.

This is the HTTP side: it reads the request (GET, form POST or ``application/sparql-query``),
refuses updates and what the service never runs, picks the answer format, and hands the vetted
query to a worker process of :mod:`.query_pool` within the concurrency and time limits (or,
for a one-pattern lookup bounded by its shape, answers it in this process: :mod:`.quick_query`).
The protocol logic itself (vetting, the row cap, serialisation) is in :mod:`.sparql_protocol`.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from ..guard.sparql_text import vet_query
from . import sparql_protocol as protocol
from .config import ServerConfig, text_response
from .negotiation import best_match
from .query_pool import QueryPool, WorkerFailed
from .quick_query import answer_quickly
from .slots import Slots
from .snapshot import Snapshot


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
    """Return the RDF syntax key (ttl, nt, xml, jsonld) the client accepts best, or None."""
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
            return text_response("this endpoint is read-only: SPARQL updates are not accepted", 403)
        body = await _read_body(request, config.max_body_bytes)
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
    elif len(request.scope["query_string"]) > config.max_body_bytes:
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
        if request.method == "POST":
            return text_response("no query: send a 'query' parameter", 400)
        return _service_description(request, config)
    if len(queries) > 1:
        return text_response("exactly one 'query' parameter is allowed", 400)
    sparql = queries[0]
    try:
        form = vet_query(sparql)
    except protocol.QueryRefused as refused:
        return text_response(str(refused), refused.status)
    fmt = _result_format(request, params, form)
    if fmt is None:
        offered = ", ".join(protocol.offers_for(form))
        return text_response(
            f"cannot answer a {form} query in that format; we offer {offered}", 406
        )
    return await _run_query(request, config, sparql, fmt)


def _result_format(request: Request, params: dict[str, list[str]], form: str) -> str | None:
    """Return the format to answer in: ``format=`` when it fits the form, else by ``Accept``."""
    for value in params.get("format", []):
        name = protocol.format_name(value, form)
        if name is not None:
            return name
    return _format_by_accept(request.headers.get("accept"), form)


@functools.lru_cache(maxsize=256)
def _format_by_accept(accept: str | None, form: str) -> str | None:
    """The format ``Accept`` asks for a query form: clients send the same few headers over and
    over, and parsing one costs as much as a lookup's serialisation, so the choice is kept.
    """
    offers = protocol.offers_for(form)
    chosen = best_match(accept, list(offers))
    return offers[chosen] if chosen else None


async def _run_query(request: Request, config: ServerConfig, sparql: str, fmt: str) -> Response:
    """Run a vetted query in a worker process within the concurrency and time limits.

    A one-pattern lookup, bounded by its shape, is answered here instead from the snapshot's
    own store (see :mod:`.quick_query`): it needs neither a slot nor a time limit, and skipping
    the worker round trip is most of its cost. A server over a remote store has no store here
    and forwards every query.
    """
    snapshot: Snapshot = request.app.state.snapshot
    if snapshot.store is not None:  # None: served from a remote store (serve --endpoint)
        try:
            quick = answer_quickly(snapshot.store, sparql, fmt, max_rows=config.max_rows)
        except protocol.QueryRefused as refused:
            return text_response(str(refused), refused.status)
        if quick is not None:
            return Response(quick.body, media_type=quick.media_type, headers=quick.headers)
    slots: Slots = request.app.state.slots
    if not await slots.wait(config.slot_wait_s):
        return text_response(
            f"too many queries in progress (at most {config.max_concurrent}); retry shortly",
            429,
            **{"Retry-After": "1"},
        )
    try:
        answer = await _run_in_pool(request, config, sparql, fmt)
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
    return Response(answer.body, media_type=answer.media_type, headers=answer.headers)


async def _run_in_pool(request: Request, config: ServerConfig, sparql: str, fmt: str) -> Any:
    """Run the query in the served build's pool; if a new build retired that pool meanwhile,
    run it once more in the new build's.
    """
    snapshot: Snapshot = request.app.state.snapshot
    try:
        return await snapshot.pool.run_async(
            sparql, fmt, max_rows=config.max_rows, timeout_s=config.query_timeout_s
        )
    except WorkerFailed:
        if request.app.state.snapshot is snapshot:
            raise
    pool: QueryPool = request.app.state.snapshot.pool
    return await pool.run_async(
        sparql, fmt, max_rows=config.max_rows, timeout_s=config.query_timeout_s
    )


def _service_description(request: Request, config: ServerConfig) -> Response:
    """Describe the endpoint (SPARQL Service Description), in Turtle unless asked otherwise."""
    fmt = _graph_format(request) or "ttl"
    endpoint = str(request.url.replace(query="", fragment=""))
    body = protocol.serialize_triples(protocol.service_description(endpoint), fmt)
    return Response(body, media_type=protocol.GRAPH_MEDIA[fmt], headers={"Vary": "Accept"})
