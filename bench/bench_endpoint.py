"""Benchmark: our SPARQL endpoint under load vs Oxigraph's own server on the same data.

Both servers run as real processes on free loopback ports, loaded from data/nato-iraq.trig with
the default graph as the union of the named graphs, so the numbers include HTTP, the guard rails
and serialisation, not just the engine. Each is driven by the same client threads for a bounded
time with three queries round-robin: a label lookup, the timeline (CQ 01) and an aggregate.
Prints a table, writes bench/results-endpoint.json, and exits non-zero if our server had errors.
Run with `.venv/bin/python bench/bench_endpoint.py [--seconds 20] [--threads 8]`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "data" / "nato-iraq.trig"
RESULTS = ROOT / "bench" / "results-endpoint.json"
ACCEPT = {"Accept": "application/sparql-results+json"}
QUERIES = {
    "lookup": (
        "SELECT ?l WHERE { <https://w3id.org/nato-iraq-kg/id/actor/nato> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    ),
    "timeline": (ROOT / "queries" / "cq" / "01-timeline-of-dated-events.rq").read_text("utf-8"),
    "aggregate": (
        "SELECT ?class (COUNT(*) AS ?triples) WHERE { "
        "?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ?class ; ?p ?o } "
        "GROUP BY ?class ORDER BY DESC(?triples) ?class"
    ),
}


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1, so runs never collide with other services."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oxigraph_binary() -> str:
    """Find the oxigraph CLI on PATH or next to this Python (the venv's bin directory)."""
    venv_bin = str(Path(sys.executable).parent)
    found = shutil.which("oxigraph") or shutil.which("oxigraph", path=venv_bin)
    if found is None:
        sys.exit("the oxigraph CLI is not installed (pip install oxigraph)")
    return found


def wait_until_up(process: subprocess.Popen[bytes], endpoint: str, timeout_s: float = 30) -> None:
    """Poll the endpoint until it answers a query, so load starts on a ready server."""
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            sys.exit(f"the server behind {endpoint} exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            response = httpx.get(endpoint, params={"query": "ASK {}"}, headers=ACCEPT, timeout=1)
            if response.status_code == 200:
                return
        if time.monotonic() > deadline:
            sys.exit(f"the server behind {endpoint} did not start")
        time.sleep(0.1)


@contextlib.contextmanager
def running(command: list[str], endpoint: str) -> Iterator[None]:
    """Run a server process for the duration of the block, and always kill it afterwards."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(process, endpoint)
        yield
    finally:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def our_server() -> Iterator[str]:
    """Run our server with its default limits and yield its SPARQL endpoint."""
    port = free_port()
    code = f"from nato_iraq_kg.serve.app import serve; serve(port={port})"
    endpoint = f"http://127.0.0.1:{port}/sparql"
    with running([sys.executable, "-c", code], endpoint):
        yield endpoint


@contextlib.contextmanager
def oxigraph_server() -> Iterator[str]:
    """Load the dataset into a fresh on-disk Oxigraph store, serve it read-only, yield the URL."""
    binary = oxigraph_binary()
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}/query"
    with tempfile.TemporaryDirectory(prefix="bench-oxigraph-") as location:
        subprocess.run(
            [binary, "load", "--location", location, "--file", str(DATASET)],
            check=True,
            capture_output=True,
        )
        command = [
            binary,
            "serve-read-only",
            "--location",
            location,
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ]
        with running(command, endpoint):
            yield endpoint


def row_counts(endpoint: str) -> dict[str, int]:
    """Run each query once (a warm-up) and return its row count, to check both servers agree."""
    counts = {}
    for name, sparql in QUERIES.items():
        response = httpx.get(endpoint, params={"query": sparql}, headers=ACCEPT, timeout=30)
        response.raise_for_status()
        counts[name] = len(response.json()["results"]["bindings"])
    return counts


def drive(endpoint: str, seconds: float, threads: int) -> dict[str, object]:
    """Send the queries round-robin from ``threads`` clients for ``seconds``; return the stats."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    names = list(QUERIES)
    stop_at = time.monotonic() + seconds

    def client(offset: int) -> None:
        mine: list[float] = []
        failed: dict[str, int] = {}
        with httpx.Client(headers=ACCEPT, timeout=30) as http:
            i = offset
            while time.monotonic() < stop_at:
                sparql = QUERIES[names[i % len(names)]]
                i += 1
                start = time.perf_counter()
                try:
                    response = http.get(endpoint, params={"query": sparql})
                    ok = response.status_code == 200
                    reason = str(response.status_code)
                except httpx.HTTPError as exc:
                    ok, reason = False, type(exc).__name__
                if ok:
                    mine.append((time.perf_counter() - start) * 1000)
                else:
                    failed[reason] = failed.get(reason, 0) + 1
        with lock:
            latencies.extend(mine)
            for reason, n in failed.items():
                errors[reason] = errors.get(reason, 0) + n

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(k,)) for k in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    n_errors = sum(errors.values())
    return {
        "requests": len(latencies) + n_errors,
        "req_per_s": (len(latencies) + n_errors) / elapsed,
        "p50_ms": statistics.median(latencies) if latencies else None,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        if latencies
        else None,
        "errors": n_errors,
        "errors_by_reason": errors,
    }


def main() -> None:
    """Benchmark both servers, print the table, write the JSON, fail if ours had errors."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20, help="load time per server")
    parser.add_argument("--threads", type=int, default=8, help="concurrent client threads")
    args = parser.parse_args()

    results = {}
    counts = {}
    for name, server in [("nato-iraq-kg", our_server), ("oxigraph", oxigraph_server)]:
        with server() as endpoint:
            counts[name] = row_counts(endpoint)
            results[name] = drive(endpoint, args.seconds, args.threads)
    agree = counts["nato-iraq-kg"] == counts["oxigraph"]

    print(f"{args.threads} client threads, {args.seconds:g} s per server, queries: {list(QUERIES)}")
    print(f"{'server':14} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, row in results.items():
        p50 = f"{row['p50_ms']:.1f}" if row["p50_ms"] is not None else "-"
        p99 = f"{row['p99_ms']:.1f}" if row["p99_ms"] is not None else "-"
        print(
            f"{name:14} {row['requests']:>9} {row['req_per_s']:>8.1f} {p50:>8} {p99:>8} "
            f"{row['errors']:>7}"
        )
    print(f"row counts {'agree' if agree else 'DIFFER'}: {counts}")
    document = {
        "seconds": args.seconds,
        "threads": args.threads,
        "queries": QUERIES,
        "row_counts": counts,
        "results": results,
    }
    RESULTS.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if results["nato-iraq-kg"]["errors"] or not agree:
        sys.exit(1)


if __name__ == "__main__":
    main()
