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

#: The media type asked of the endpoint for each return format.
ACCEPT = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "n-triples": "application/n-triples",
}


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
    if return_format not in ACCEPT:
        raise InputError(f"unknown return format {return_format!r}")
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
        answer = client.query(with_declared_prefixes(sparql), ACCEPT[return_format])
    check_answer(url, answer, return_format)
    return ask_as_boolean(answer) if form == "ASK" and return_format == "json" else answer
