"""Benchmark: our SPARQL endpoint under load vs Oxigraph's own server on the same data.

Both servers run as real processes on free loopback ports, loaded from the same dataset (by default
data/nato-iraq.trig) with the default graph as the union of the named graphs, so the numbers
include HTTP, the guard rails and serialisation, not just the engine. Both are up for the whole
run and are driven in turn, back to back, by the same client threads, one query at a time: a
label lookup (one triple pattern: our server answers it in its own process, see
``serve/quick_query.py``), the same lookup with a FILTER (which takes the worker path, as any
query that is not a one-pattern lookup), the timeline (CQ 01) and an aggregate. The machine is
shared and its load moves, so the run is cut into rounds (ours then Oxigraph's, then the other
way round) and each figure is the median of the rounds; beside it, the CPU time the server's
processes spent per request (from /proc), which the load moves far less than requests per
second. No answer is cached by either server: every request runs its query (ours keeps how it
read the last few hundred lookup texts, the pattern to scan and the format, never their rows).
``make bench`` (bench/run.py) calls :func:`compare`; run alone with
`.venv/bin/python bench/bench_endpoint.py [--seconds 20] [--rounds 3]` it prints the results as
JSON and exits non-zero if our server had errors or the servers disagree on a row count.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
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

#: Ticks per second of the CPU times in /proc/<pid>/stat.
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "data" / "nato-iraq.trig"
ACCEPT = {"Accept": "application/sparql-results+json"}
QUERIES = {
    "lookup": (
        "SELECT ?l WHERE { <https://w3id.org/nato-iraq-kg/id/actor/nato> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    ),
    "lookup-filter": (
        "SELECT ?l WHERE { <https://w3id.org/nato-iraq-kg/id/actor/nato> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(isLiteral(?l)) }"
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
def running(command: list[str], endpoint: str) -> Iterator[int]:
    """Run a server process for the duration of the block (yield its pid), always kill it after."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(process, endpoint)
        yield process.pid
    finally:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def our_server(dataset: Path = DATASET) -> Iterator[tuple[str, int]]:
    """Run our server with its default limits on ``dataset`` (TriG); yield its endpoint and pid."""
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
        with running([sys.executable, "-c", code], endpoint) as pid:
            yield endpoint, pid


@contextlib.contextmanager
def oxigraph_server(dataset: Path = DATASET) -> Iterator[tuple[str, int]]:
    """Load the dataset into a fresh on-disk Oxigraph store, serve it read-only; yield URL, pid."""
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
        with running(command, endpoint) as pid:
            yield endpoint, pid


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


def process_tree_cpu_s(pid: int) -> float | None:
    """Return the CPU seconds (user + system) used so far by ``pid`` and its live descendants.

    Our server answers most queries in worker processes, so the whole tree is counted. None
    where /proc is not there to read.
    """
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return None
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(entry))
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    if pid not in cpu:
        return None
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += cpu.get(current, 0.0)
        todo += children.get(current, [])
    return total


def drive_measured(
    endpoint: str, pid: int, sparql: str, seconds: float, threads: int
) -> dict[str, Any]:
    """:func:`drive`, plus the server's CPU microseconds per request over the same time."""
    before = process_tree_cpu_s(pid)
    stats = drive(endpoint, sparql, seconds, threads)
    after = process_tree_cpu_s(pid)
    if before is not None and after is not None and stats["requests"]:
        stats["cpu_us_per_req"] = (after - before) * 1e6 / stats["requests"]
    else:
        stats["cpu_us_per_req"] = None
    return stats


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One server's figures for one query: the median of the rounds, and each round beside it.

    Medians, because a round that other work on the machine slowed down says little about the
    server; the errors are the sum, since any error counts.
    """

    def median(key: str) -> float | None:
        values = [r[key] for r in rounds if r[key] is not None]
        return statistics.median(values) if values else None

    errors: dict[str, int] = {}
    for r in rounds:
        for reason, n in r["errors_by_reason"].items():
            errors[reason] = errors.get(reason, 0) + n
    return {
        "requests": sum(r["requests"] for r in rounds),
        "req_per_s": median("req_per_s"),
        "p50_ms": median("p50_ms"),
        "p99_ms": median("p99_ms"),
        "cpu_us_per_req": median("cpu_us_per_req"),
        "errors": sum(errors.values()),
        "errors_by_reason": errors,
        "rounds_req_per_s": [round(r["req_per_s"], 1) for r in rounds],
    }


def compare(dataset: Path, seconds: float, threads: int, rounds: int = 3) -> dict[str, Any]:
    """Serve ``dataset`` from both servers at once and drive them in turn, ``rounds`` times.

    Each server gets ``seconds`` of load in all, shared equally by the queries and the rounds.
    The servers alternate within a round (and which goes first alternates between rounds), so
    a change in the machine's load falls on both alike; a server that is not being driven sits
    idle.
    """
    slice_s = seconds / len(QUERIES) / rounds
    load_before = os.getloadavg()
    names = ("ours", "oxigraph")
    measured: dict[str, dict[str, list[dict[str, Any]]]] = {
        name: {query: [] for query in QUERIES} for name in names
    }
    with our_server(dataset) as ours, oxigraph_server(dataset) as theirs:
        servers = {"ours": ours, "oxigraph": theirs}
        counts = {name: row_counts(endpoint) for name, (endpoint, _) in servers.items()}
        for round_no in range(rounds):
            order = names if round_no % 2 == 0 else names[::-1]
            for query, sparql in QUERIES.items():
                for name in order:
                    endpoint, pid = servers[name]
                    measured[name][query].append(
                        drive_measured(endpoint, pid, sparql, slice_s, threads)
                    )
    results = {
        name: {query: summarise(runs) for query, runs in queries.items()}
        for name, queries in measured.items()
    }
    return {
        "threads": threads,
        "seconds": seconds,
        "rounds": rounds,
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "cores": os.cpu_count(),
        "row_counts": counts,
        "results": results,
    }


def main() -> None:
    """Benchmark both servers on the built data, print the table, fail if ours had errors."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20, help="load time per server")
    parser.add_argument("--threads", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--dataset", type=Path, default=DATASET, help="TriG file to serve")
    parser.add_argument("--rounds", type=int, default=3, help="alternations of the two servers")
    args = parser.parse_args()
    document = compare(args.dataset, args.seconds, args.threads, args.rounds)
    print(json.dumps(document, indent=2))
    errors = sum(row["errors"] for row in document["results"]["ours"].values())
    counts = document["row_counts"]
    if errors or counts["ours"] != counts["oxigraph"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
