"""``/sparql`` over a remote store: the vetted query forwarded, its answer capped and re-served.

:mod:`.endpoint` reads the request, refuses updates, ``SERVICE`` and ``FROM``, picks the format
and holds a concurrency slot; then it calls ``run_async`` on whatever runs queries. In the
embedded mode that is the :class:`.query_pool.QueryPool`; in the remote mode it is
:class:`RemoteQueryRunner`, with the same signature and answers, so the endpoint's checks apply
unchanged and nothing but a vetted read-only query ever reaches the store.

The store's answer is not passed through as it came. It is asked for in one format we can read
(SPARQL JSON results, or N-Triples for graphs), parsed, cut at ``max_rows`` and written again by
:mod:`.sparql_protocol`: so the row cap and the ``X-Result-*`` headers hold, an HTML error page
or a truncated answer never reaches the client as if it were a result, Virtuoso's row-shaped ASK
is a boolean again, and the answer is written exactly as the embedded mode writes it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..remote.client import EndpointError, SparqlClient
from ..remote.query import ask_as_boolean
from ..sparql.local import with_declared_prefixes
from .remote_store import StoreUnavailable
from .sparql_protocol import (
    GRAPH_MEDIA,
    RESULT_MEDIA,
    Answer,
    QueryRefused,
    serialize_solutions,
    serialize_triples,
)

JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
#: Headers by which stores say they cut an answer (Virtuoso: its row cap, an anytime query).
CAPPED_HEADERS = ("X-SPARQL-MaxRows", "X-SQL-State")
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOLEANS = {"1": "true", "0": "false"}


class RemoteQueryRunner:
    """Runs vetted queries on a remote store, as :class:`.query_pool.QueryPool` does locally."""

    def __init__(self, client: SparqlClient) -> None:
        self.client = client

    def fill(self) -> None:
        """Nothing to start: the store is already running (the app's lifespan calls this)."""

    def close(self) -> None:
        """Close the connections to the store."""
        self.client.close()

    async def run_async(self, sparql: str, fmt: str, *, max_rows: int, timeout_s: float) -> Answer:
        """Run a vetted query on the store and return its answer in ``fmt``, cut at ``max_rows``.

        Raises:
            QueryRefused: the store refused the query (400 malformed, 413 too large for it), or
                ``fmt`` does not fit its form.
            StoreUnavailable: no answer within ``timeout_s`` (504), or the store failed (502).
        """
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(self.run, sparql, fmt, max_rows=max_rows, timeout_s=timeout_s),
                timeout_s,
            )
        except TimeoutError:
            # The thread ends at the client's own read timeout; the request ends now.
            raise StoreUnavailable(
                f"{self.client.connection.query_url}: no answer within {timeout_s:g} s", 504
            ) from None

    def run(self, sparql: str, fmt: str, *, max_rows: int, timeout_s: float) -> Answer:
        """:meth:`run_async`, blocking."""
        from ..guard.sparql_text import query_form

        form = query_form(sparql)
        graph = form in ("CONSTRUCT", "DESCRIBE")
        if graph and fmt not in GRAPH_MEDIA:
            raise QueryRefused(f"a graph answer cannot be given as {fmt}", 406)
        if not graph and fmt not in RESULT_MEDIA:
            raise QueryRefused(f"a {form} answer cannot be given as {fmt}", 406)
        try:
            answer = self.client.query(
                with_declared_prefixes(sparql), N_TRIPLES if graph else JSON_RESULTS
            )
        except EndpointError as exc:
            if exc.status in (400, 413):  # the query's fault; anything else is the store's
                detail = str(exc).removeprefix(f"{self.client.connection.query_url}: ")
                raise QueryRefused(f"the store refused the query: {detail}", exc.status) from exc
            raise
        capped = any(answer.header(name) for name in CAPPED_HEADERS)
        if graph:
            return _graph_answer(answer.body, fmt, max_rows, capped, self.client)
        if form == "ASK":
            answer = ask_as_boolean(answer)
        return _results_answer(answer.body, fmt, max_rows, capped, self.client)


def _parse_failure(client: SparqlClient, what: str, exc: Exception) -> EndpointError:
    return EndpointError(f"{client.connection.query_url}: not a readable {what}: {exc}")


def _canonical(term: Any) -> Any:
    """Return a boolean literal in its canonical form: Virtuoso answers ``1``/``0`` for them.

    The same value (XSD), written as the embedded store writes it, so a client sees one answer.
    """
    import pyoxigraph

    if (
        isinstance(term, pyoxigraph.Literal)
        and term.datatype.value == XSD_BOOLEAN
        and term.value in _BOOLEANS
    ):
        return pyoxigraph.Literal(_BOOLEANS[term.value], datatype=term.datatype)
    return term


def _headers(rows: int, truncated: bool) -> dict[str, str]:
    return {"X-Result-Rows": str(rows), "X-Result-Truncated": "true" if truncated else "false"}


def _results_answer(
    body: bytes, fmt: str, max_rows: int, capped: bool, client: SparqlClient
) -> Answer:
    """Re-serialise a SELECT or ASK answer (SPARQL JSON) in ``fmt``, cut at ``max_rows``."""
    import pyoxigraph

    try:
        parsed = pyoxigraph.parse_query_results(body, format=pyoxigraph.QueryResultsFormat.JSON)
        if isinstance(parsed, pyoxigraph.QueryBoolean):
            text = parsed.serialize(format=getattr(pyoxigraph.QueryResultsFormat, fmt.upper()))
            return Answer(text, RESULT_MEDIA[fmt])
        variables = tuple(v.value for v in parsed.variables)
        rows: list[tuple[Any, ...]] = []
        truncated = capped
        for solution in parsed:
            if len(rows) >= max_rows:
                truncated = True
                break
            rows.append(tuple(_canonical(solution[v]) for v in variables))
    except (SyntaxError, ValueError) as exc:
        raise _parse_failure(client, "SPARQL JSON result", exc) from exc
    body = serialize_solutions(variables, rows, fmt)
    return Answer(body, RESULT_MEDIA[fmt], _headers(len(rows), truncated))


def _graph_answer(
    body: bytes, fmt: str, max_rows: int, capped: bool, client: SparqlClient
) -> Answer:
    """Re-serialise a CONSTRUCT or DESCRIBE answer (N-Triples) in ``fmt``, cut at ``max_rows``."""
    import pyoxigraph

    triples: list[Any] = []
    truncated = capped
    try:
        for quad in pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.N_TRIPLES):
            if len(triples) >= max_rows:
                truncated = True
                break
            triples.append(quad.triple)
    except (SyntaxError, ValueError) as exc:
        raise _parse_failure(client, "N-Triples answer", exc) from exc
    body = serialize_triples(triples, fmt)
    return Answer(body, GRAPH_MEDIA[fmt], _headers(len(triples), truncated))
