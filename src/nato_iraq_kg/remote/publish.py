"""Publish the dataset into a remote store: stage, verify, swap in one update, verify again.

Why this order: a store that fails half-way through a load must not be left with half a graph,
and a load that "succeeded" must be proved by reading it back. So the triples go first into fresh
staging graphs (``urn:nato-iraq-kg:staging:{run}:{n}``) in chunks; their count and the SHA-256 of
their canonical N-Quads are read back and must equal what was sent; only then does one SPARQL
update, a single transaction on Oxigraph and Virtuoso, ``MOVE`` each staging graph onto its
target and drop the target graphs the new publication no longer has. The targets are read back
and checked once more. Every failure before the swap leaves the targets as they were; the staging
graphs are dropped whenever the store still answers. Reading the targets again just before the
swap catches a concurrent publish: the later one finds the targets changed and stops.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .client import EndpointError, PayloadTooLarge, SparqlClient
from .publish_plan import PUBLISHED_NAMESPACE, Publication, quads_digest, term_from_binding

STAGING_PREFIX = "urn:nato-iraq-kg:staging:"
DEFAULT_CHUNK = 1000
Graphs = dict[str, set[str]]


class PublishError(EndpointError):
    """Publishing stopped; the message says what state the target is in."""


@dataclass(frozen=True)
class PublishReport:
    """What a successful publish left in the store."""

    count: int
    graphs: int
    digest: str
    previous_count: int
    dropped_graphs: int


def _scope_filter(publication: Publication) -> str:
    """Return the FILTER that selects the graphs this publication owns in the store."""
    if publication.mode == "dataset":
        return f'FILTER(STRSTARTS(STR(?g), "{PUBLISHED_NAMESPACE}"))'
    (graph,) = publication.graphs
    return f"FILTER(?g = <{graph}>)"


def read_graphs(client: SparqlClient, graph_filter: str) -> Graphs:
    """Read every quad of the graphs ``graph_filter`` selects; a short read is a failure."""
    pattern = f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {graph_filter} }}"
    counted = client.select(f"SELECT (COUNT(*) AS ?n) {pattern}")
    expected = int(counted[0]["n"]["value"]) if counted else 0
    rows = client.select(f"SELECT ?g ?s ?p ?o {pattern}")
    if len(rows) != expected:
        raise PublishError(
            f"{client.connection.query_url}: read {len(rows)} of {expected} triples back; the "
            "store caps its answers (raise its result limit, e.g. Virtuoso's ResultSetMaxRows)"
        )
    graphs: Graphs = {}
    for row in rows:
        triple = " ".join(term_from_binding(row[v]) for v in ("s", "p", "o"))
        graphs.setdefault(row["g"]["value"], set()).add(triple)
    return graphs


def _count(graphs: Mapping[str, set[str]]) -> int:
    return sum(len(v) for v in graphs.values())


def _insert_text(chunk: list[tuple[str, str]]) -> str:
    blocks: dict[str, list[str]] = {}
    for graph, triple in chunk:
        blocks.setdefault(graph, []).append(f"{triple} .")
    body = "\n".join(f"GRAPH <{g}> {{\n" + "\n".join(t) + "\n}" for g, t in blocks.items())
    return f"INSERT DATA {{\n{body}\n}}"


def _upload(
    client: SparqlClient,
    quads: list[tuple[str, str]],
    chunk_size: int,
    progress: Callable[[int], None],
) -> None:
    """Insert ``quads`` in chunks; a chunk refused for its size is split in two and resent."""
    pending = [quads[i : i + chunk_size] for i in range(0, len(quads), chunk_size)]
    while pending:
        chunk = pending.pop(0)
        try:
            client.update(_insert_text(chunk), idempotent=True)
        except PayloadTooLarge:
            if len(chunk) == 1:
                raise
            half = len(chunk) // 2
            pending[:0] = [chunk[:half], chunk[half:]]
            continue
        progress(len(chunk))


def _drop(client: SparqlClient, graphs: list[str]) -> None:
    for start in range(0, len(graphs), 200):
        ops = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs[start : start + 200])
        client.update(ops, idempotent=True)


def _drop_quietly(client: SparqlClient, graphs: list[str]) -> bool:
    try:
        _drop(client, graphs)
    except EndpointError:
        return False
    return True


def drop_leftover_staging(client: SparqlClient) -> list[str]:
    """Drop staging graphs that an interrupted publish left behind; return their IRIs.

    They would otherwise show up in every query over a union default graph (Virtuoso's, and
    Oxigraph's with ``--union-default-graph``).
    """
    rows = client.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }}'
    )
    leftovers = sorted(row["g"]["value"] for row in rows)
    if leftovers:
        _drop(client, leftovers)
    return leftovers


def _swap_text(stale: list[str], moves: Mapping[str, str]) -> str:
    ops = [f"DROP SILENT GRAPH <{g}>" for g in stale]
    ops += [f"MOVE <{stage}> TO <{target}>" for target, stage in moves.items()]
    return " ;\n".join(ops)


def _swap(
    client: SparqlClient,
    stale: list[str],
    staging: Mapping[str, str],
    before: Graphs,
    scope: str,
    expected: str,
    run: str,
) -> None:
    """Drop the stale targets and MOVE every staging graph onto its target, in one request.

    Oxigraph applies the request as one transaction. Virtuoso 7.2 applies its operations one by
    one (a later failing operation does not undo an earlier MOVE), so after a failure the
    staging graphs still present are moved in a second request: the swap rolls forward, never
    back to a mix of old and new.
    """
    try:
        client.update(_swap_text(stale, staging), idempotent=False)
        return
    except EndpointError as exc:
        failure = exc
    try:
        after = read_graphs(client, scope)
    except EndpointError as exc:
        raise PublishError(
            f"{failure}; the store stopped answering during the swap ({exc}); publish again"
        ) from exc
    left = read_graphs(client, f'FILTER(STRSTARTS(STR(?g), "{STAGING_PREFIX}{run}:"))')
    remaining = {target: stage for target, stage in staging.items() if stage in left}
    # The targets looking as before is not enough: moving a graph whose new content equals the
    # old changes nothing visible, so only every staging graph still there proves nothing moved.
    if after == before and len(remaining) == len(staging):
        raise PublishError(f"{failure}; the swap did not apply: target unchanged")
    if not remaining and quads_digest(after) == expected:
        return
    try:
        client.update(_swap_text(stale, remaining), idempotent=False)
    except EndpointError as exc:
        raise PublishError(
            f"{failure}; the swap applied in part and could not be completed ({exc}); publish again"
        ) from exc


def publish(
    client: SparqlClient,
    publication: Publication,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] = lambda n: None,
) -> PublishReport:
    """Replace the publication's graphs in the store, atomically and verified."""
    url = client.connection.write_url
    client.check_reachable()
    client.select("SELECT * WHERE { } LIMIT 1")  # a SPARQL endpoint, not a web page
    drop_leftover_staging(client)
    scope = _scope_filter(publication)
    before = read_graphs(client, scope)
    run = uuid.uuid4().hex[:12]
    staging = {target: f"{STAGING_PREFIX}{run}:{n}" for n, target in enumerate(publication.graphs)}
    quads = [(staging[g], t) for g, triples in publication.graphs.items() for t in triples]
    staged = list(staging.values())
    expected = publication.digest
    swapped = False
    try:
        _upload(client, quads, chunk_size, progress)
        got = read_graphs(client, f'FILTER(STRSTARTS(STR(?g), "{STAGING_PREFIX}{run}:"))')
        back = {target: got.get(stage, set()) for target, stage in staging.items()}
        if _count(back) != publication.count or quads_digest(back) != expected:
            raise PublishError(
                f"{url}: the staging graphs hold {_count(back)} triples, not the "
                f"{publication.count} sent (or their hash differs; did another publish drop "
                "them?); target unchanged"
            )
        if read_graphs(client, scope) != before:
            raise PublishError(
                f"{url}: the target graphs changed while staging (another publish?); "
                "target left as the other writer made it"
            )
        stale = sorted(set(before) - set(publication.graphs))
        _swap(client, stale, staging, before, scope, expected, run)
        swapped = True
        after = read_graphs(client, scope)
        if _count(after) != publication.count or quads_digest(after) != expected:
            raise PublishError(
                f"{url}: after the swap the target holds {_count(after)} triples, not "
                f"{publication.count} (or its hash differs); publish again"
            )
    except EndpointError as exc:
        if swapped:
            raise
        message = str(exc) if isinstance(exc, PublishError) else f"{exc}; target unchanged"
        if not _drop_quietly(client, staged):
            message += f"; staging graphs {STAGING_PREFIX}{run}:* left for the next publish to drop"
        raise PublishError(message) from exc
    return PublishReport(
        count=publication.count,
        graphs=len(publication.graphs),
        digest=expected,
        previous_count=_count(before),
        dropped_graphs=len(stale),
    )
