"""Robustness catalogue, cases 29-38: the loader against refusals, hangs, cuts and lying stores.

Every case runs against a real store (Oxigraph server; Virtuoso for the credential cases), with a
loopback proxy in between where a fault must be injected, and checks the catalogue's invariant:
the live graphs hold the previous version unless the publish reported success.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest

from fault_proxies import CuttingProxy, FaultyHTTPProxy, Reply, Seen
from loopback import free_port
from nato_iraq_kg.remote.client import Connection, SparqlClient
from nato_iraq_kg.remote.publish import STAGING_PREFIX, PublishError, publish
from nato_iraq_kg.remote.publish_plan import read_publication
from nato_iraq_kg.remote.query import EndpointError
from publishing import DATASET_NQ, publish_cli, store_state
from triplestores import DBA_PASSWORD, READER, OxigraphServer, VirtuosoServer

OLD_QUADS = 1500
NEW_QUADS = 1300


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two versions of a slice of the dataset: the live one and its successor."""
    folder = tmp_path_factory.mktemp("versions")
    lines = DATASET_NQ.read_text(encoding="utf-8").splitlines(keepends=True)[:OLD_QUADS]
    old = folder / "old.nq"
    old.write_text("".join(lines), encoding="utf-8")
    renamed = next(i for i, line in enumerate(lines) if '"Al-Abadi"@en' in line)
    assert renamed < NEW_QUADS
    new_lines = lines[:NEW_QUADS]
    new_lines[renamed] = lines[renamed].replace('"Al-Abadi"@en', '"Haider al-Abadi"@en')
    assert new_lines[renamed] != lines[renamed]
    new = folder / "new.nq"
    new.write_text("".join(new_lines), encoding="utf-8")
    return old, new


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """An Oxigraph server of its own, so faults here never touch the other tests' graphs."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-faults"))
    server.start()
    yield server
    server.stop()


def send(query_url: str, update_url: str, source: Path, *args: str):
    return publish_cli(
        "--endpoint", query_url, "--update-endpoint", update_url, "--file", str(source), *args
    )  # fmt: skip


def live(server: OxigraphServer, source: Path) -> tuple[int, str]:
    """Publish ``source`` directly and return the live (count, hash)."""
    result = send(server.query_url, server.update_url, source)
    assert result.exit_code == 0, result.stderr
    return store_state(server.query_url)[:2]


def staging_left(server: OxigraphServer) -> list[str]:
    client = SparqlClient(Connection(server.query_url, server.update_url))
    rows = client.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }}'
    )
    return [row["g"]["value"] for row in rows]


def one_error_line(result) -> str:
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    return result.stderr


@pytest.fixture
def http_proxy(store: OxigraphServer) -> Iterator[FaultyHTTPProxy]:
    proxy = FaultyHTTPProxy(store.port)
    yield proxy
    proxy.close()


def test_case_29_dns_failure_or_refused_connection(tmp_path: Path, versions) -> None:
    """An unknown host and a closed port: one clear line each, well within the connect timeout."""
    old, _ = versions
    started = time.monotonic()
    result = send("http://publish-test.invalid/sparql", "http://publish-test.invalid/u", old)
    assert "cannot resolve host 'publish-test.invalid'" in one_error_line(result)
    port = free_port()
    result = send(f"http://127.0.0.1:{port}/query", f"http://127.0.0.1:{port}/update", old)
    assert f"cannot connect to 127.0.0.1:{port}" in one_error_line(result)
    assert time.monotonic() - started < 10


def test_case_30_endpoint_that_never_answers(versions) -> None:
    """A store that accepts and stays silent: the read timeout fires; a server timeout was sent."""
    old, _ = versions
    listener = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def hold(connection: socket.socket) -> None:
        connection.settimeout(0.5)
        with contextlib.suppress(OSError):
            while chunk := connection.recv(65536):  # headers and body may come apart
                received.append(chunk)
        time.sleep(6)
        connection.close()

    def swallow() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=hold, args=(connection,), daemon=True).start()

    threading.Thread(target=swallow, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    started = time.monotonic()
    result = send(url, url, old, "--timeout", "1")
    elapsed = time.monotonic() - started
    listener.close()
    assert "no answer within 1 s" in one_error_line(result)
    assert elapsed < 5
    assert b"timeout=1000" in b"".join(received)  # Virtuoso's own execution limit, in ms


def test_case_31_connection_cut_mid_upload(store: OxigraphServer, versions) -> None:
    """The connection drops half-way through the inserts: live graphs unchanged; a retry works."""
    old, new = versions
    before = live(store, old)
    proxy = CuttingProxy(store.port)
    try:
        url = f"http://127.0.0.1:{proxy.port}"
        proxy.arm(cut_after=60_000)
        result = send(f"{url}/query", f"{url}/update", new, "--chunk-size", "100")
        message = one_error_line(result)
        assert "target unchanged" in message
        assert "connection" in message or "cannot reach" in message
        assert store_state(store.query_url)[:2] == before
        proxy.pass_through()
        result = send(f"{url}/query", f"{url}/update", new, "--chunk-size", "100")
        assert result.exit_code == 0, result.stderr
    finally:
        proxy.close()
    assert store_state(store.query_url)[:2] == (NEW_QUADS, read_publication(new, None).digest)
    assert staging_left(store) == []


def test_case_31_connection_cut_mid_upload_to_virtuoso(virtuoso: VirtuosoServer, versions) -> None:
    """The same cut on Virtuoso's authenticated endpoint: old version intact, a retry works."""
    old, new = versions

    def to_virtuoso(url: str, source: Path, *args: str):
        return publish_cli(
            "--endpoint", url, "--user", "dba", "--file", str(source), *args,
            password=DBA_PASSWORD,
        )  # fmt: skip

    assert to_virtuoso(virtuoso.auth_url, old).exit_code == 0
    before = store_state(virtuoso.query_url)[:2]
    proxy = CuttingProxy(virtuoso.http_port)
    try:
        url = f"http://127.0.0.1:{proxy.port}/sparql-auth"
        proxy.arm(cut_after=80_000)
        message = one_error_line(to_virtuoso(url, new, "--chunk-size", "100"))
        assert "target unchanged" in message
        assert store_state(virtuoso.query_url)[:2] == before
        proxy.pass_through()
        result = to_virtuoso(url, new, "--chunk-size", "100")
        assert result.exit_code == 0, result.stderr
    finally:
        proxy.close()
    digest = read_publication(new, None).digest
    assert store_state(virtuoso.query_url)[:2] == (NEW_QUADS, digest)


def test_case_31_server_killed_mid_upload(tmp_path: Path, versions) -> None:
    """The store dies mid-upload: after a restart the old version is intact; a retry works."""
    old, new = versions
    server = OxigraphServer(tmp_path / "store")
    server.start()
    try:
        before = live(server, old)
        proxy = CuttingProxy(server.port)
        url = f"http://127.0.0.1:{proxy.port}"
        proxy.arm(cut_after=60_000, on_cut=server.kill)
        result = send(f"{url}/query", f"{url}/update", new, "--chunk-size", "100")
        proxy.close()
        message = one_error_line(result)
        assert "staging graphs" in message and "left for the next publish to drop" in message
        server.port = free_port()
        server.start()
        assert store_state(server.query_url)[:2] == before
        assert staging_left(server), "the killed upload's staged chunks are still there"
        result = send(server.query_url, server.update_url, new)
        assert result.exit_code == 0, result.stderr
        assert store_state(server.query_url)[:2] == (NEW_QUADS, read_publication(new, None).digest)
        assert staging_left(server) == []
    finally:
        server.stop()


def graphs_of(path: Path) -> dict[str, frozenset[str]]:
    """Each named graph of an N-Quads file with the set of its statements."""
    graphs: dict[str, set[str]] = {}
    for quad in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.N_QUADS):
        graphs.setdefault(quad.graph_name.value, set()).add(str(quad.triple))
    return {name: frozenset(statements) for name, statements in graphs.items()}


def moved_target(operation: bytes) -> str | None:
    """The target graph of a ``MOVE <staging> TO <target>`` operation (None for a DROP)."""
    found = re.fullmatch(rb"\s*MOVE <[^>]+> TO <([^>]+)>\s*", operation)
    return found.group(1).decode() if found else None


@pytest.mark.parametrize("applied", ["none", "part", "part-invisible", "all"])
def test_case_31_error_from_the_swap(
    store: OxigraphServer, http_proxy: FaultyHTTPProxy, versions, applied: str
) -> None:
    """A 500 on the swap: unapplied leaves the old version; part or all applied rolls forward.

    ``part`` applies any stale drops and a move that changes a live graph; ``part-invisible``
    applies only a move whose new content equals the old, so the live graphs look exactly as
    before although a staging graph was used up: only the staging graphs left tell the two apart.
    """
    old, new = versions
    before = live(store, old)
    old_graphs, new_graphs = graphs_of(old), graphs_of(new)
    changed = {name for name in new_graphs if old_graphs.get(name) != new_graphs[name]}
    unchanged = set(new_graphs) - changed
    assert changed and unchanged  # the versions fixture changes some graphs and keeps others

    failed: list[int] = []

    def fail_the_swap(index: int, seen: Seen) -> Reply | None:
        if b"MOVE" not in seen.body or failed:
            return None
        failed.append(index)
        if applied == "none":
            return Reply(500, {"Content-Type": "text/plain"}, b"store failed")
        operations = seen.body.split(b" ;\n")
        if applied == "all":
            sent = operations
        elif applied == "part":
            drops = [op for op in operations if moved_target(op) is None]
            sent = [*drops, next(op for op in operations if moved_target(op) in changed)]
        else:
            sent = [next(op for op in operations if moved_target(op) in unchanged)]
        assert len(sent) < len(operations) or applied == "all"
        return Reply(500, {"Content-Type": "text/plain"}, b"failed late", True, b" ;\n".join(sent))

    http_proxy.rule = fail_the_swap
    result = send(http_proxy.url("/query"), http_proxy.url("/update"), new)
    swaps = [seen for seen in http_proxy.seen if b"MOVE" in seen.body]
    if applied == "none":
        assert "the swap did not apply: target unchanged" in one_error_line(result)
        assert store_state(store.query_url)[:2] == before
    else:
        assert result.exit_code == 0, result.stderr
        assert store_state(store.query_url)[:2] == (NEW_QUADS, read_publication(new, None).digest)
        assert len(swaps) == (1 if applied == "all" else 2)
    assert staging_left(store) == []


def test_case_32_store_rejects_a_chunk_mid_load(
    store: OxigraphServer, http_proxy: FaultyHTTPProxy, versions
) -> None:
    """The store refuses the third insert: the live graphs never saw any of the new triples."""
    old, new = versions
    before = live(store, old)
    inserts = []

    def reject_third_insert(index: int, seen: Seen) -> Reply | None:
        if b"INSERT DATA" in seen.body:
            inserts.append(index)
            if len(inserts) == 3:
                return Reply(400, {"Content-Type": "text/plain"}, b"Parser error: rejected")
        return None

    http_proxy.rule = reject_third_insert
    result = send(http_proxy.url("/query"), http_proxy.url("/update"), new, "--chunk-size", "200")
    message = one_error_line(result)
    assert "HTTP 400" in message and "rejected" in message and "target unchanged" in message
    assert store_state(store.query_url)[:2] == before
    assert staging_left(store) == []
    assert not any(b"MOVE" in seen.body for seen in http_proxy.seen)


def test_case_33_retry_after_is_honoured(
    store: OxigraphServer, http_proxy: FaultyHTTPProxy, versions
) -> None:
    """429 with Retry-After: 7 is waited out (7 s asked); attempts are bounded; no duplicates."""
    old, new = versions
    live(store, old)
    busy_once: list[int] = []

    def busy_first_insert(index: int, seen: Seen) -> Reply | None:
        if b"INSERT DATA" in seen.body and not busy_once:
            busy_once.append(index)
            return Reply(429, {"Retry-After": "7"}, b"slow down")
        return None

    http_proxy.rule = busy_first_insert
    waits: list[float] = []
    client = SparqlClient(
        Connection(http_proxy.url("/query"), http_proxy.url("/update"), sleep=waits.append)
    )
    report = publish(client, read_publication(new, None), chunk_size=500)
    assert waits == [7.0]
    assert report.count == NEW_QUADS
    assert store_state(store.query_url)[:2] == (NEW_QUADS, read_publication(new, None).digest)

    http_proxy.rule = lambda index, seen: (
        Reply(503, {"Retry-After": "1"}, b"") if b"INSERT DATA" in seen.body else None
    )
    waits.clear()
    attempts = len(http_proxy.seen)
    with pytest.raises(PublishError, match="HTTP 503"):
        publish(client, read_publication(old, None), chunk_size=500)
    assert waits.count(1.0) == 3  # --retries 3: four attempts, three waits
    inserts = [s for s in http_proxy.seen[attempts:] if b"INSERT DATA" in s.body]
    assert len(inserts) == 4
    assert store_state(store.query_url)[:2] == (NEW_QUADS, read_publication(new, None).digest)


def test_case_34_bad_credentials_or_no_write_rights(virtuoso: VirtuosoServer, versions) -> None:
    """401 and a user without SPARQL_UPDATE: a clear auth error, nothing sent anonymously."""
    old, _ = versions
    before = store_state(virtuoso.query_url)
    proxy = FaultyHTTPProxy(virtuoso.http_port)
    try:
        url = proxy.url("/sparql-auth")
        wrong = publish_cli("--endpoint", url, "--user", "dba", "--file", str(old), password="x")
        assert "401 Unauthorized: the credentials of 'dba' were refused" in one_error_line(wrong)
        reader = publish_cli(
            "--endpoint", url, "--user", READER[0], "--file", str(old), password=READER[1]
        )  # fmt: skip
        message = one_error_line(reader)
        assert f"user '{READER[0]}' may not do this" in message and "SECURITY" in message
        assert {seen.path.split("?")[0] for seen in proxy.seen} == {"/sparql-auth"}
    finally:
        proxy.close()
    assert store_state(virtuoso.query_url) == before
    right = publish_cli(
        "--endpoint", virtuoso.auth_url, "--user", "dba", "--file", str(old), password=DBA_PASSWORD
    )  # fmt: skip
    assert right.exit_code == 0, right.stderr


def test_case_35_redirect_on_write_is_not_followed(
    store: OxigraphServer, http_proxy: FaultyHTTPProxy, versions
) -> None:
    """A 301 on the update POST is reported, not followed; the live graphs are unchanged."""
    old, new = versions
    before = live(store, old)
    http_proxy.rule = lambda index, seen: (
        Reply(301, {"Location": store.update_url}, b"") if seen.path.startswith("/update") else None
    )
    result = send(http_proxy.url("/query"), http_proxy.url("/update"), new)
    message = one_error_line(result)
    assert "answered 301, a redirect to" in message and "never follows redirects" in message
    assert store_state(store.query_url)[:2] == before


def test_case_36_payload_too_large_falls_back_to_smaller_chunks(
    store: OxigraphServer, http_proxy: FaultyHTTPProxy, versions
) -> None:
    """413 for large bodies: the loader halves its chunks until they pass, then verifies."""
    old, new = versions
    live(store, old)
    limit = 40_000
    http_proxy.rule = lambda index, seen: (
        Reply(413, {}, b"Payload Too Large") if len(seen.body) > limit else None
    )
    result = send(http_proxy.url("/query"), http_proxy.url("/update"), new, "--chunk-size", "1000")
    assert result.exit_code == 0, result.stderr
    refused = [s for s in http_proxy.seen if len(s.body) > limit]
    passed = [s for s in http_proxy.seen if b"INSERT DATA" in s.body and len(s.body) <= limit]
    assert refused and passed
    assert store_state(store.query_url)[:2] == (NEW_QUADS, read_publication(new, None).digest)


@pytest.mark.parametrize(
    "fault",
    [
        Reply(headers={"X-SPARQL-MaxRows": "1000"}, forward=True),
        Reply(status=206, forward=True),
        Reply(headers={"X-SQL-State": "S1TAT"}, forward=True),
    ],
    ids=["max-rows-header", "206", "anytime"],
)
def test_case_37_capped_verification_is_a_failure(
    store: OxigraphServer, http_proxy: FaultyHTTPProxy, versions, fault: Reply
) -> None:
    """A capped or partial read-back of the staging graphs stops the publish before any swap."""
    old, new = versions
    before = live(store, old)
    http_proxy.rule = lambda index, seen: (
        fault if b"urn%3Anato-iraq-kg%3Astaging%3A" in seen.body and b"%3Fs" in seen.body else None
    )
    result = send(http_proxy.url("/query"), http_proxy.url("/update"), new)
    message = one_error_line(result)
    assert "capped or incomplete" in message or "206 Partial Content" in message
    assert store_state(store.query_url)[:2] == before
    assert not any(b"MOVE" in seen.body for seen in http_proxy.seen)


def test_case_37_store_that_drops_triples_silently(
    store: OxigraphServer, http_proxy: FaultyHTTPProxy, versions
) -> None:
    """A store that answers 204 to an insert it never applied: the count check refuses to swap."""
    old, new = versions
    before = live(store, old)
    dropped: list[int] = []

    def swallow_second_insert(index: int, seen: Seen) -> Reply | None:
        if b"INSERT DATA" in seen.body:
            dropped.append(index)
            if len(dropped) == 2:
                return Reply(204, {}, b"")
        return None

    http_proxy.rule = swallow_second_insert
    result = send(http_proxy.url("/query"), http_proxy.url("/update"), new, "--chunk-size", "500")
    message = one_error_line(result)
    assert f"the staging graphs hold 800 triples, not the {NEW_QUADS} sent" in message
    assert store_state(store.query_url)[:2] == before


def test_case_38_same_load_twice_and_racing_loads(store: OxigraphServer, versions) -> None:
    """Twice: same count and hash. Racing: the rival wins wholly, the interrupted load aborts.

    The interrupted load finds either its staging graphs dropped (the rival clears leftovers
    when it starts) or the target changed since it began; either way it never swaps.
    """
    old, new = versions
    first = live(store, old)
    assert live(store, old) == first == (OLD_QUADS, read_publication(old, None).digest)

    client = SparqlClient(Connection(store.query_url, store.update_url))
    raced: list[int] = []

    def rival_publishes_meanwhile(done: int) -> None:
        if not raced:
            raced.append(done)
            assert send(store.query_url, store.update_url, new).exit_code == 0

    with pytest.raises(EndpointError, match=r"changed while staging|staging graphs hold"):
        publish(client, read_publication(old, None), progress=rival_publishes_meanwhile)
    assert raced
    assert store_state(store.query_url)[:2] == (NEW_QUADS, read_publication(new, None).digest)
    assert staging_left(store) == []
