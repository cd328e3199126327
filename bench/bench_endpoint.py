"""Benchmark: our SPARQL endpoint under load vs Oxigraph's own server on the same data.

Both servers run as real processes on free loopback ports, loaded from the same dataset (by default
data/nato-iraq.trig) with the default graph as the union of the named graphs, so the numbers
include HTTP, the guard rails and serialisation, not just the engine. Each is driven by the same
client threads for a bounded time, one query at a time for a third of the time each: a label
lookup, the timeline (CQ 01) and an aggregate. ``make bench`` (bench/run.py) calls
:func:`compare`; run alone with `.venv/bin/python bench/bench_endpoint.py [--seconds 20]` it
prints a table and exits non-zero if our server had errors.
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
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "data" / "nato-iraq.trig"
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


def wait_until_up(process: subprocess.Popen[bytes], endpoint: str, timeout_s: float = 120) -> None:
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
def our_server(dataset: Path = DATASET) -> Iterator[str]:
    """Run our server with its default limits on ``dataset`` (TriG) and yield its endpoint."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}/sparql"
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        data_dir = Path(folder)
        (data_dir / "nato-iraq.trig").symlink_to(dataset.resolve())
        shutil.copy(ROOT / "data" / "void.ttl", data_dir / "void.ttl")
        code = (
            "from pathlib import Path; from nato_iraq_kg.serve.app import serve; "
            f"serve(port={port}, data_dir=Path({str(data_dir)!r}))"
        )
        with running([sys.executable, "-c", code], endpoint):
            yield endpoint


@contextlib.contextmanager
def oxigraph_server(dataset: Path = DATASET) -> Iterator[str]:
    """Load the dataset into a fresh on-disk Oxigraph store, serve it read-only, yield the URL."""
    binary = oxigraph_binary()
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}/query"
    with tempfile.TemporaryDirectory(prefix="bench-oxigraph-") as location:
        subprocess.run(
            [binary, "load", "--location", location, "--file", str(dataset)],
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


def drive(endpoint: str, sparql: str, seconds: float, threads: int) -> dict[str, Any]:
    """Send one query from ``threads`` clients for ``seconds``; return the stats."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        mine: list[float] = []
        failed: dict[str, int] = {}
        with httpx.Client(headers=ACCEPT, timeout=30) as http:
            while time.monotonic() < stop_at:
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
    workers = [threading.Thread(target=client) for _ in range(threads)]
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


def compare(dataset: Path, seconds: float, threads: int) -> dict[str, Any]:
    """Load ``dataset`` into both servers in turn and drive each query for a third of the time."""
    results: dict[str, dict[str, Any]] = {}
    counts = {}
    for name, server in [("ours", our_server), ("oxigraph", oxigraph_server)]:
        with server(dataset) as endpoint:
            counts[name] = row_counts(endpoint)
            results[name] = {
                query: drive(endpoint, sparql, seconds / len(QUERIES), threads)
                for query, sparql in QUERIES.items()
            }
    return {"threads": threads, "seconds": seconds, "row_counts": counts, "results": results}


def main() -> None:
    """Benchmark both servers on the built data, print the table, fail if ours had errors."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20, help="load time per server")
    parser.add_argument("--threads", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--dataset", type=Path, default=DATASET, help="TriG file to serve")
    args = parser.parse_args()
    document = compare(args.dataset, args.seconds, args.threads)
    print(json.dumps(document, indent=2))
    errors = sum(row["errors"] for row in document["results"]["ours"].values())
    counts = document["row_counts"]
    if errors or counts["ours"] != counts["oxigraph"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
