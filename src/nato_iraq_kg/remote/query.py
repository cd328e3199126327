"""Ask a remote SPARQL 1.1 endpoint a read-only question (``query --endpoint``).

The request goes through the one client (:mod:`.client`): http(s) only, bounded retries that
honour ``Retry-After``, separate timeouts, capped reads. The query text carries PREFIX lines for
the prefixes the embedded store predeclares, so a question runs the same here and there.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from ..errors import InputError
from ..formats.registry import syntax
from ..guard.sparql_text import READ_FORMS, query_form
from ..sparql.local import with_declared_prefixes
from .client import (
    USER_AGENT,
    Connection,
    EndpointError,
    RemoteAnswer,
    SparqlClient,
    check_answer,
    retry_after_seconds,
)

__all__ = [
    "USER_AGENT",
    "EndpointError",
    "RemoteAnswer",
    "ask_as_boolean",
    "query_endpoint",
    "retry_after_seconds",
]

#: SELECT/ASK return formats, named as pyoxigraph's ``QueryResultsFormat`` members.
RESULT_FORMATS = ("json", "xml", "csv", "tsv")


def accept_for(return_format: str) -> str:
    """Return the media type to ask for: a SPARQL results format, or an RDF syntax for graphs."""
    import pyoxigraph

    if return_format in RESULT_FORMATS:
        return str(getattr(pyoxigraph.QueryResultsFormat, return_format.upper()).media_type)
    return syntax(return_format).media_type


def ask_as_boolean(answer: RemoteAnswer) -> RemoteAnswer:
    """Return an ASK answer as a SPARQL JSON boolean, mending Virtuoso 7.2's row form.

    Virtuoso 7.2 (Debian's build) answers an ASK in JSON as a SELECT with one variable,
    ``__ASK_RETVAL``, and one row when true, none when false (openlink/virtuoso-opensource#464).
    """
    document = json.loads(answer.body)
    if "boolean" in document or document.get("head", {}).get("vars") != ["__ASK_RETVAL"]:
        return answer
    rows = document.get("results", {}).get("bindings", [])
    value = bool(rows) and rows[0].get("__ASK_RETVAL", {}).get("value") not in ("0", "false")
    body = json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    return RemoteAnswer(body, "application/sparql-results+json")


def query_endpoint(
    url: str,
    sparql: str,
    *,
    return_format: str = "json",
    timeout: float = 30.0,
    retries: int = 3,
    sleep: Callable[[float], None] = time.sleep,
    user: str | None = None,
    password: str | None = None,
) -> RemoteAnswer:
    """Send ``sparql`` to ``url`` (POST) and return the endpoint's answer.

    ``return_format`` is one of json, xml, csv, tsv for SELECT/ASK, or turtle / n-triples for
    CONSTRUCT and DESCRIBE.
    """
    form = query_form(sparql)
    if form not in READ_FORMS:
        raise InputError(f"{url}: refusing to send a SPARQL update ({form}): queries only read")
    accept = accept_for(return_format)
    connection = Connection(
        query_url=url,
        user=user,
        password=password,
        connect_timeout=min(timeout, 10.0),
        read_timeout=timeout,
        retries=retries,
        sleep=sleep,
    )
    with SparqlClient(connection) as client:
        answer = client.query(with_declared_prefixes(sparql), accept)
    check_answer(url, answer, return_format)
    return ask_as_boolean(answer) if form == "ASK" and return_format == "json" else answer
