"""Notice a store whose default graph is not the union of its named graphs.

Our data lives in named graphs (one per assertion, plus evidence and structure); every query we
ship reads the default graph as their union, as the embedded store and ``serve`` do. A store
loaded with ``publish`` but served without that setting (Oxigraph without
``--union-default-graph``, Fuseki without ``tdb:unionDefaultGraph``) answers such a query with
an empty table and success, which reads as "the page says nothing about it". When a remote
answer is empty and the query names no graph, the same query on the built dataset tells
whether the emptiness is the store's doing.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import InputError
from ..guard.sparql_text import blank_opaque
from .client import RemoteAnswer

_GRAPH = re.compile(r"(?<![\w?$:])GRAPH(?![\w:-])", re.IGNORECASE)

#: The one line printed when the store's default graph looks like it is not the union.
ADVICE = (
    "the store's default graph is probably not the union of its named graphs (where this "
    "dataset keeps every fact): serve it with Oxigraph's --union-default-graph, set "
    "tdb:unionDefaultGraph true in Fuseki, or write GRAPH ?g { ... } in the query"
)


def remote_count(answer: RemoteAnswer, return_format: str) -> int | None:
    """Return the rows (or triples; ASK: 1 true, 0 false) of a remote answer; None if unknown."""
    import pyoxigraph

    from ..formats.registry import syntax

    try:
        if return_format in ("json", "xml", "tsv"):
            results = pyoxigraph.parse_query_results(
                answer.body, format=getattr(pyoxigraph.QueryResultsFormat, return_format.upper())
            )
            if isinstance(results, pyoxigraph.QueryBoolean):
                return int(bool(results))
            return sum(1 for _ in results)
        if return_format == "csv":  # lossy, so pyoxigraph will not parse it: count records
            import csv
            import io

            return max(len(list(csv.reader(io.StringIO(answer.body.decode("utf-8"))))) - 1, 0)
        rdf_format = syntax(return_format).rdf_format
        return sum(1 for _ in pyoxigraph.parse(answer.body, format=rdf_format))
    except (SyntaxError, ValueError, InputError, UnicodeDecodeError):
        return None


def local_count(sparql: str, store: Any) -> int:
    """Return the rows (or triples; ASK: 1 or 0) the same query gives on the embedded store."""
    from ..sparql.local import run

    outcome = run(store, sparql)
    if outcome.kind == "ask":
        return int(bool(outcome.boolean))
    if outcome.kind == "select":
        return len(outcome.rows)
    return sum(1 for line in outcome.ntriples.splitlines() if line.strip())


def union_default_graph_warning(
    sparql: str, answer: RemoteAnswer, return_format: str, store: Any | None = None
) -> str | None:
    """Return a one-line warning when the endpoint found nothing that the built dataset has.

    Only for a query that names no ``GRAPH`` (one that does is not affected by the setting).
    The built dataset is loaded only then; if it cannot be (no build) or the query does not
    run on it, there is nothing to compare and no warning.
    """
    if _GRAPH.search(blank_opaque(sparql)) or remote_count(answer, return_format) != 0:
        return None
    try:
        if store is None:
            from ..sparql.local import load_graph

            store = load_graph()
        here = local_count(sparql, store)
    except InputError:
        return None
    if here == 0:
        return None
    return (
        f"warning: the endpoint answered nothing, but the built dataset has {here} "
        f"row{'s' if here != 1 else ''} for this query: {ADVICE}"
    )
