"""Read and write a remote triplestore over SPARQL 1.1, refusing anything but a clean answer.

``remote.query_endpoint`` only reads; publishing also writes, so it needs more care: credentials
that are never dropped (no anonymous retry after a 401), no redirects (a redirected POST becomes a
GET or lands on another store), separate connect and read timeouts, bounded retries that honour
``Retry-After`` only where a retry cannot duplicate anything, and a refusal of answers that are
partial (HTTP 206) or capped (``X-SPARQL-MaxRows``, Virtuoso's anytime-query ``X-SQL-State``),
because a verification read that was cut short would look like a store that lost triples.
SPARQLWrapper builds every request; this module only gives it a private opener, since
SPARQLWrapper's digest support installs a process-wide one and follows redirects.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..errors import InputError
from .query import USER_AGENT, EndpointError, RemoteAnswer, check_answer, retry_after_seconds

RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Headers by which stores say an answer is capped or incomplete (Virtuoso: result cap, anytime).
PARTIAL_HEADERS = ("X-SPARQL-MaxRows", "X-SQL-State")
_DROPPED = (
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
    http.client.HTTPException,
)


class PayloadTooLarge(EndpointError):
    """The store refused a request for its size (HTTP 413, or Virtuoso's SQL-text limit)."""


@dataclass(frozen=True)
class Connection:
    """Where and how to reach a store; ``password`` comes from the environment or a prompt."""

    query_url: str
    update_url: str
    user: str | None = None
    password: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 3
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)


def check_endpoint_url(url: str, option: str) -> None:
    """Refuse a URL that is not absolute http(s) before anything is sent."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{option} {url!r}: not an absolute http(s) URL")


def _refuse_redirect(req: urllib.request.Request, code: int, newurl: str) -> None:
    raise EndpointError(
        f"{req.full_url}: answered {code}, a redirect to {newurl}; publish never follows "
        "redirects (a write could land elsewhere or become a GET): give the final URL"
    )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        _refuse_redirect(req, code, newurl)


def _opener(connection: Connection) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = [_NoRedirects()]
    if connection.user:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in {connection.query_url, connection.update_url}:
            passwords.add_password(None, url, connection.user, connection.password or "")
        handlers += [
            urllib.request.HTTPDigestAuthHandler(passwords),
            urllib.request.HTTPBasicAuthHandler(passwords),
        ]
    return urllib.request.build_opener(*handlers)


def _wrapper_class() -> type:
    """Return a SPARQLWrapper that sends through a given opener with a float timeout."""
    from SPARQLWrapper import SPARQLWrapper

    class _Wrapper(SPARQLWrapper):  # type: ignore[misc]
        opener: urllib.request.OpenerDirector
        read_timeout: float

        def _query(self) -> tuple[Any, str]:
            return self.opener.open(self._createRequest(), timeout=self.read_timeout), (
                self.returnFormat
            )

    return _Wrapper


class StoreClient:
    """One store: SELECT reads as JSON bindings, updates as ``application/sparql-update``."""

    def __init__(self, connection: Connection) -> None:
        check_endpoint_url(connection.query_url, "--endpoint")
        check_endpoint_url(connection.update_url, "--update-endpoint")
        self.connection = connection
        self._opener = _opener(connection)

    def check_reachable(self) -> None:
        """Resolve and connect to each host within the connect timeout, naming what failed."""
        for url in dict.fromkeys((self.connection.query_url, self.connection.update_url)):
            parts = urlsplit(url)
            host = parts.hostname or ""
            port = parts.port or (443 if parts.scheme == "https" else 80)
            try:
                socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except socket.gaierror as exc:
                raise EndpointError(
                    f"{url}: cannot resolve host {host!r} ({exc.strerror})"
                ) from exc
            try:
                socket.create_connection(
                    (host, port), timeout=self.connection.connect_timeout
                ).close()
            except TimeoutError as exc:
                raise EndpointError(
                    f"{url}: no connection within {self.connection.connect_timeout:g} s"
                ) from exc
            except OSError as exc:
                raise EndpointError(
                    f"{url}: cannot connect to {host}:{port} ({exc.strerror or exc})"
                ) from exc

    def select(self, sparql: str) -> list[dict[str, dict[str, str]]]:
        """Run a SELECT and return its bindings; a partial, capped or non-SPARQL answer fails."""
        from SPARQLWrapper import JSON, POST, URLENCODED

        client = self._client(self.connection.query_url)
        client.setQuery(sparql)
        client.queryType = "SELECT"
        client.setMethod(POST)
        client.setRequestMethod(URLENCODED)
        client.setReturnFormat(JSON)
        # Virtuoso reads this as its own execution limit (ms); others ignore it.
        client.addParameter("timeout", str(int(self.connection.read_timeout * 1000)))
        url = self.connection.query_url
        body, headers = self._send(client, url, idempotent=True)
        answer = RemoteAnswer(body, headers.get("Content-Type", ""))
        check_answer(url, answer, "json")
        document = json.loads(body)
        if "results" not in document:
            raise EndpointError(f"{url}: the answer to a SELECT has no results")
        return list(document["results"]["bindings"])

    def update(self, sparql: str, *, idempotent: bool) -> None:
        """Send a SPARQL update; retry dropped connections only when ``idempotent``."""
        from SPARQLWrapper import POST, POSTDIRECTLY

        client = self._client(self.connection.update_url)
        client.setQuery(sparql)
        client.queryType = "INSERT"
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
        url = self.connection.update_url
        _, headers = self._send(client, url, idempotent=idempotent)
        media = headers.get("Content-Type", "").split(";")[0].strip().lower()
        if "html" in media:
            raise EndpointError(f"{url}: answered an update with an HTML page, not SPARQL")

    def _client(self, url: str) -> Any:
        client = _wrapper_class()(url, updateEndpoint=url, agent=USER_AGENT)
        client.opener = self._opener
        client.read_timeout = self.connection.read_timeout
        return client

    def _send(self, client: Any, url: str, *, idempotent: bool) -> tuple[bytes, Any]:
        """Send with bounded retries; return the body and headers of a complete 2xx answer."""
        retries = self.connection.retries
        for attempt in range(retries + 1):
            try:
                response = client.query().response
                body = response.read()
            except urllib.error.HTTPError as exc:
                # A 502/503/504 may come from a proxy after the store applied the request, so
                # only a 429 (refused before any work) is resent for a non-idempotent update.
                resend = idempotent or exc.code == 429
                if exc.code in RETRY_STATUSES and resend and attempt < retries:
                    self.connection.sleep(
                        retry_after_seconds(exc.headers.get("Retry-After"), attempt)
                    )
                    continue
                raise self._http_error(url, exc) from exc
            except TimeoutError as exc:
                raise EndpointError(
                    f"{url}: no answer within {self.connection.read_timeout:g} s (read timeout)"
                ) from exc
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, TimeoutError):
                    raise EndpointError(
                        f"{url}: no answer within {self.connection.read_timeout:g} s"
                    ) from exc
                if idempotent and attempt < retries:
                    self.connection.sleep(retry_after_seconds(None, attempt))
                    continue
                raise EndpointError(f"{url}: cannot reach the store: {exc.reason}") from exc
            except _DROPPED as exc:
                if idempotent and attempt < retries:
                    self.connection.sleep(retry_after_seconds(None, attempt))
                    continue
                raise EndpointError(
                    f"{url}: the connection dropped before a complete answer "
                    f"({type(exc).__name__}: {exc})"
                ) from exc
            self._refuse_partial(url, response)
            return body, response.headers
        raise EndpointError(f"{url}: no answer after {retries + 1} attempts")  # pragma: no cover

    def _refuse_partial(self, url: str, response: Any) -> None:
        status = getattr(response, "status", 200)
        if status == 206:
            raise EndpointError(
                f"{url}: answered 206 Partial Content; a partial answer is a failure"
            )
        for name in PARTIAL_HEADERS:
            value = response.headers.get(name)
            if value:
                raise EndpointError(f"{url}: the answer is capped or incomplete ({name}: {value})")

    def _http_error(self, url: str, exc: urllib.error.HTTPError) -> EndpointError:
        detail = " ".join(exc.read().decode("utf-8", "replace").split())[:300]
        user = self.connection.user
        if exc.code == 401:
            if user:
                return EndpointError(
                    f"{url}: 401 Unauthorized: the credentials of {user!r} were refused"
                )
            return EndpointError(
                f"{url}: 401 Unauthorized: the store needs credentials "
                "(--user NAME, password in NATO_IRAQ_KG_PASSWORD)"
            )
        if exc.code == 403 or "permission" in detail.lower():
            who = f"user {user!r}" if user else "an anonymous client"
            return EndpointError(f"{url}: {exc.code} {exc.reason}: {who} may not do this: {detail}")
        if exc.code == 413 or ("SQL" in detail and "exceed" in detail.lower()):
            return PayloadTooLarge(f"{url}: {exc.code} the request is too large: {detail}")
        return EndpointError(f"{url}: HTTP {exc.code} {exc.reason}: {detail}")
