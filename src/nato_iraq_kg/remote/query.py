"""Ask a remote SPARQL 1.1 endpoint, politely and with bounded patience.

Every request names the project in its User-Agent, has a timeout, and is retried a bounded number
of times on 429/502/503/504 or a dropped connection, waiting as long as the server's
``Retry-After`` asks (capped) or with exponential backoff otherwise.
"""

from __future__ import annotations

import json
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from .. import __version__
from ..errors import InputError, KGError
from ..guard.sparql_text import READ_FORMS, query_form

USER_AGENT = f"nato-iraq-kg/{__version__} (+https://w3id.org/nato-iraq-kg)"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_WAIT_S = 30.0

#: Our output formats and the SPARQLWrapper return format asked of the endpoint.
RESULT_FORMATS = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv"}


class EndpointError(KGError):
    """The endpoint could not answer: unreachable, refused, timed out, or an HTTP error."""

    exit_code = 2


@dataclass(frozen=True)
class RemoteAnswer:
    """The raw bytes an endpoint returned and their media type."""

    body: bytes
    content_type: str


def retry_after_seconds(value: str | None, attempt: int) -> float:
    """Return how long to wait: the server's ``Retry-After`` (seconds or a date), or backoff."""
    if value:
        value = value.strip()
        if value.isdigit():
            return min(float(value), MAX_WAIT_S)
        try:
            delay = parsedate_to_datetime(value).timestamp() - time.time()
            return min(max(delay, 0.0), MAX_WAIT_S)
        except (TypeError, ValueError):
            pass
    return min(0.5 * 2**attempt, MAX_WAIT_S)


def check_answer(url: str, answer: RemoteAnswer, return_format: str) -> None:
    """Refuse what is not an answer: an HTML error page, or a truncated or malformed result.

    Servers behind proxies answer errors with HTML and status 200; a dropped connection leaves
    half a JSON document. Either would otherwise be printed as if it were the result.
    """
    media = answer.content_type.split(";")[0].strip().lower()
    if "html" in media:
        raise EndpointError(f"{url}: answered with an HTML page ({media}), not a SPARQL result")
    if return_format == "json":
        try:
            document = json.loads(answer.body)
        except ValueError as exc:
            raise EndpointError(f"{url}: truncated or malformed JSON result: {exc}") from exc
        if not isinstance(document, dict) or not ("boolean" in document or "results" in document):
            raise EndpointError(f"{url}: the JSON answer is not a SPARQL result")
    elif return_format == "xml":
        import xml.etree.ElementTree as ElementTree

        try:
            ElementTree.fromstring(answer.body)
        except ElementTree.ParseError as exc:
            raise EndpointError(f"{url}: truncated or malformed XML result: {exc}") from exc


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
) -> RemoteAnswer:
    """Send ``sparql`` to ``url`` (POST) and return the endpoint's answer.

    ``return_format`` is one of json, xml, csv, tsv for SELECT/ASK, or turtle / n-triples for
    CONSTRUCT and DESCRIBE.
    """
    from SPARQLWrapper import POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    form = query_form(sparql)
    if form not in READ_FORMS:
        raise InputError(f"{url}: refusing to send a SPARQL update ({form}): queries only read")
    client = SPARQLWrapper(url, agent=USER_AGENT)
    client.setQuery(sparql)
    client.queryType = form
    client.setMethod(POST)
    client.setTimeout(int(max(1, timeout)))
    client.setReturnFormat(return_format)
    for attempt in range(retries + 1):
        try:
            response = client.query().response
            answer = RemoteAnswer(response.read(), response.headers.get("Content-Type", ""))
            check_answer(url, answer, return_format)
            return ask_as_boolean(answer) if form == "ASK" and return_format == "json" else answer
        except urllib.error.HTTPError as exc:
            if exc.code in RETRY_STATUSES and attempt < retries:
                sleep(retry_after_seconds(exc.headers.get("Retry-After"), attempt))
                continue
            detail = exc.read().decode("utf-8", "replace").strip()[:300]
            raise EndpointError(f"{url}: HTTP {exc.code} {exc.reason}: {detail}") from exc
        except SPARQLWrapperException as exc:
            message = " ".join(str(exc).split())[:300]
            if "QueryBadFormed" in type(exc).__name__:
                raise InputError(f"{url}: the endpoint refused the query: {message}") from exc
            raise EndpointError(f"{url}: {message}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            if attempt < retries:
                sleep(retry_after_seconds(None, attempt))
                continue
            raise EndpointError(f"{url}: cannot reach the endpoint: {reason}") from exc
    raise EndpointError(f"{url}: no answer after {retries + 1} attempts")  # pragma: no cover
