"""The one SPARQL 1.1 HTTP client: every request to a remote endpoint or store goes through here.

``query --endpoint``, ``publish`` and ``serve --endpoint`` share its rules, so a hole closed here
is closed for all three:

* **http and https only.** Any other scheme (``file:``, ``ftp:``, ``data:``...) is refused before
  anything is sent, naming the scheme.
* **Redirects.** Writes never follow one (a redirected POST becomes a GET, or lands on another
  store). Reads follow at most a few, and only to http(s) on the same host and port.
* **Separate connect and read timeouts**, Digest or Basic authentication as the server asks, and
  credentials never dropped: a 401 after logging in is an error, not an anonymous retry.
* **One retry policy**: 429, 502, 503 and 504 are retried a bounded number of times, waiting as
  long as ``Retry-After`` asks (capped) or backing off; a dropped connection is retried only where
  a retry cannot apply anything twice.
* **Capped reads**: an answer larger than the cap is an error, never half-read silently; answers
  a store marks as partial or capped are refused where completeness matters (publish checks).

Why httpx and not SPARQLWrapper for the transport: SPARQLWrapper sends through urllib's global
opener, which follows redirects to other hosts (and to ``ftp:``), has one timeout for connecting
and reading, and whose Digest support installs a process-wide handler; changing any of that needs
its private ``_query``/``_createRequest``. SPARQLWrapper stays the client the README shows users
for our own endpoint, and the tests query our server with it.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from .. import __version__
from ..errors import InputError, KGError

USER_AGENT = f"nato-iraq-kg/{__version__} (+https://w3id.org/nato-iraq-kg)"
#: Statuses that mean "try again later": rate limited, or a proxy that lost the store.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Longest wait between two tries, whatever ``Retry-After`` asks.
MAX_WAIT_S = 30.0
#: Largest answer read from a store (the built dataset as JSON bindings is about 20 MB).
MAX_ANSWER_BYTES = 512 * 1024 * 1024
#: Redirects a read may follow (same host only).
MAX_REDIRECTS = 5
#: Headers by which stores say an answer is capped or incomplete (Virtuoso: result cap, anytime).
PARTIAL_HEADERS = ("X-SPARQL-MaxRows", "X-SQL-State")
ALLOWED_SCHEMES = ("http", "https")


class EndpointError(KGError):
    """The endpoint could not answer: unreachable, refused, timed out, or an HTTP error.

    ``status`` is the HTTP status the endpoint answered with, when it answered at all, so a
    server relaying the endpoint (``serve --endpoint``) can tell a refused query (4xx) from a
    failing store.
    """

    exit_code = 2

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class PayloadTooLarge(EndpointError):
    """The store refused a request for its size (HTTP 413, or Virtuoso's SQL-text limit)."""


@dataclass(frozen=True)
class RemoteAnswer:
    """The raw bytes an endpoint returned, their media type, and the response headers."""

    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str | None:
        """Return the first value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


@dataclass(frozen=True)
class Connection:
    """Where and how to reach a store; ``password`` comes from the environment or a prompt."""

    query_url: str
    update_url: str | None = None
    user: str | None = None
    password: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 3
    max_answer_bytes: int = MAX_ANSWER_BYTES
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    @property
    def write_url(self) -> str:
        """The update endpoint (the query endpoint unless another was given)."""
        return self.update_url or self.query_url


def check_endpoint_url(url: str, option: str = "--endpoint") -> None:
    """Refuse a URL that is not absolute http(s) before anything is sent (exit 2)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        scheme = f"scheme {parts.scheme!r}" if parts.scheme else "no scheme"
        raise InputError(f"{option} {url!r}: {scheme} is not allowed; only http and https")
    if not parts.hostname:
        raise InputError(f"{option} {url!r}: not an absolute http(s) URL (no host)")


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


class _ServerChosenAuth(httpx.Auth):
    """Digest or Basic, whichever the server's 401 challenge names; nothing is sent before it."""

    requires_request_body = True

    def __init__(self, user: str, password: str) -> None:
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield request
        if response.status_code != 401:
            return
        scheme = response.headers.get("WWW-Authenticate", "").split(" ", 1)[0].lower()
        if scheme == "digest":
            flow = self._digest.auth_flow(request)
            next(flow)  # the unauthenticated request, already answered by ``response``
            try:
                answered = yield flow.send(response)
                flow.send(answered)
            except StopIteration:
                pass
        elif scheme == "basic":
            yield next(self._basic.auth_flow(request))


class SparqlClient:
    """One endpoint or store: reads (any query form) and, for publishing, updates."""

    def __init__(self, connection: Connection) -> None:
        check_endpoint_url(connection.query_url, "--endpoint")
        if connection.update_url is not None:
            check_endpoint_url(connection.update_url, "--update-endpoint")
        self.connection = connection
        auth = (
            _ServerChosenAuth(connection.user, connection.password or "")
            if connection.user
            else None
        )
        self._http = httpx.Client(
            auth=auth,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(
                connection.read_timeout,
                connect=connection.connect_timeout,
                pool=connection.connect_timeout,
            ),
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> SparqlClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reads --------------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        accept: str,
        *,
        params: dict[str, str] | None = None,
        complete: bool = False,
    ) -> RemoteAnswer:
        """POST a read-only query (form-encoded) and return the answer, whole and capped.

        ``complete`` refuses answers a store marks as partial or capped: a verification read
        that was cut short would look like a store that lost triples.
        """
        data = {"query": sparql, **(params or {})}
        url = self.connection.query_url
        response, body = self._send(
            lambda target: self._http.build_request(
                "POST", target, data=data, headers={"Accept": accept}
            ),
            url,
            idempotent=True,
            redirects=MAX_REDIRECTS,
        )
        if complete:
            _refuse_partial(url, response)
        return RemoteAnswer(
            body, response.headers.get("Content-Type", ""), tuple(response.headers.multi_items())
        )

    def select(self, sparql: str) -> list[dict[str, dict[str, str]]]:
        """Run a SELECT and return its bindings; a partial, capped or non-SPARQL answer fails."""
        # Virtuoso reads ``timeout`` as its own execution limit (ms); others ignore it.
        params = {"timeout": str(int(self.connection.read_timeout * 1000))}
        answer = self.query(sparql, "application/sparql-results+json", params=params, complete=True)
        url = self.connection.query_url
        check_answer(url, answer, "json")
        document = json.loads(answer.body)
        if "results" not in document:
            raise EndpointError(f"{url}: the answer to a SELECT has no results")
        return list(document["results"]["bindings"])

    # --- writes -------------------------------------------------------------------------------

    def update(self, sparql: str, *, idempotent: bool) -> None:
        """Send a SPARQL update; retry dropped connections only when ``idempotent``."""
        url = self.connection.write_url
        response, _ = self._send(
            lambda target: self._http.build_request(
                "POST",
                target,
                content=sparql.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
            ),
            url,
            idempotent=idempotent,
            redirects=0,
        )
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if "html" in media:
            raise EndpointError(f"{url}: answered an update with an HTML page, not SPARQL")

    def check_reachable(self) -> None:
        """Resolve and connect to each host within the connect timeout, naming what failed."""
        urls = (self.connection.query_url, self.connection.write_url)
        for url in dict.fromkeys(urls):
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

    # --- the one send loop --------------------------------------------------------------------

    def _send(
        self,
        build: Callable[[str], httpx.Request],
        url: str,
        *,
        idempotent: bool,
        redirects: int,
    ) -> tuple[httpx.Response, bytes]:
        """Send with the retry policy; return a complete 2xx response and its (capped) body."""
        retries = self.connection.retries
        target = url
        followed = 0
        attempt = 0
        while True:
            try:
                response, body = self._exchange(build(target))
            except httpx.ConnectError as exc:
                if attempt < retries:  # nothing reached the store: always safe to resend
                    self.connection.sleep(retry_after_seconds(None, attempt))
                    attempt += 1
                    continue
                raise EndpointError(f"{url}: cannot reach the endpoint: {_reason(exc)}") from exc
            except httpx.TimeoutException as exc:
                raise EndpointError(
                    f"{url}: no answer within {self.connection.read_timeout:g} s "
                    f"({type(exc).__name__})"
                ) from exc
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                if idempotent and attempt < retries:
                    self.connection.sleep(retry_after_seconds(None, attempt))
                    attempt += 1
                    continue
                raise EndpointError(
                    f"{url}: the connection dropped before a complete answer "
                    f"({type(exc).__name__}: {exc})"
                ) from exc
            status = response.status_code
            if response.is_redirect:
                target = self._redirect_target(url, target, response, followed, redirects)
                followed += 1
                continue
            if status in RETRY_STATUSES and attempt < retries and (idempotent or status == 429):
                # A 502/503/504 may come from a proxy after the store applied the request, so
                # only a 429 (refused before any work) is resent for a non-idempotent update.
                self.connection.sleep(
                    retry_after_seconds(response.headers.get("Retry-After"), attempt)
                )
                attempt += 1
                continue
            if status >= 400:
                raise self._http_error(url, status, response.reason_phrase, body)
            return response, body

    def _exchange(self, request: httpx.Request) -> tuple[httpx.Response, bytes]:
        """Send one request and read its body, at most the cap."""
        response = self._http.send(request, stream=True)
        try:
            body = _read_capped(
                response.iter_bytes(), self.connection.max_answer_bytes, str(request.url)
            )
        finally:
            response.close()
        return response, body

    def _redirect_target(
        self, url: str, current: str, response: httpx.Response, followed: int, allowed: int
    ) -> str:
        location = response.headers.get("Location", "")
        target = urljoin(current, location)
        code = response.status_code
        if allowed == 0:
            raise EndpointError(
                f"{url}: answered {code}, a redirect to {target}; a write never follows "
                "redirects (it could land elsewhere or become a GET): give the final URL"
            )
        if followed >= allowed:
            raise EndpointError(f"{url}: more than {allowed} redirects; last to {target}")
        old, new = urlsplit(current), urlsplit(target)
        if new.scheme.lower() not in ALLOWED_SCHEMES:
            raise EndpointError(
                f"{url}: answered {code}, a redirect to {target}; refused: scheme "
                f"{new.scheme!r} is not http(s)"
            )
        if (new.hostname, new.port or _default_port(new.scheme)) != (
            old.hostname,
            old.port or _default_port(old.scheme),
        ):
            raise EndpointError(
                f"{url}: answered {code}, a redirect to {target}; refused: reads follow "
                "redirects only on the same host and port"
            )
        return target

    def _http_error(self, url: str, status: int, reason: str, body: bytes) -> EndpointError:
        detail = " ".join(body.decode("utf-8", "replace").split())[:300]
        user = self.connection.user
        if status == 401:
            if user:
                return EndpointError(
                    f"{url}: 401 Unauthorized: the credentials of {user!r} were refused", status
                )
            return EndpointError(
                f"{url}: 401 Unauthorized: the store needs credentials "
                "(--user NAME, password in NATO_IRAQ_KG_PASSWORD)",
                status,
            )
        if status == 403 or "permission" in detail.lower():
            who = f"user {user!r}" if user else "an anonymous client"
            return EndpointError(
                f"{url}: {status} {reason}: {who} may not do this: {detail}", status
            )
        if status == 413 or ("SQL" in detail and "exceed" in detail.lower()):
            return PayloadTooLarge(f"{url}: {status} the request is too large: {detail}", status)
        return EndpointError(f"{url}: HTTP {status} {reason}: {detail}", status)


def _default_port(scheme: str) -> int:
    return 443 if scheme.lower() == "https" else 80


def _reason(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _read_capped(chunks: Iterator[bytes], cap: int, url: str) -> bytes:
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > cap:
            raise EndpointError(f"{url}: the answer is over {cap} bytes; not read further")
        parts.append(chunk)
    return b"".join(parts)


def _refuse_partial(url: str, response: httpx.Response) -> None:
    if response.status_code == 206:
        raise EndpointError(f"{url}: answered 206 Partial Content; a partial answer is a failure")
    for name in PARTIAL_HEADERS:
        value = response.headers.get(name)
        if value:
            raise EndpointError(f"{url}: the answer is capped or incomplete ({name}: {value})")


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
