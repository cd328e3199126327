"""Benchmark: every competency question on our embedded store (pyoxigraph) vs rdflib's store.

Both engines load the same built dataset (data/nato-iraq.trig) with the default graph as the union
of the named graphs, and run each query several times; the table shows medians and the ratio.
Run with `make bench` (or `.venv/bin/python bench/bench_queries.py [--repeat N]`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rdflib import Dataset  # noqa: E402

from nato_iraq_kg.sparql import competency_questions, load_graph, run  # noqa: E402


def median_ms(action, repeat: int) -> float:
    """Run ``action`` ``repeat`` times and return the median wall time in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Print a table of medians and ratios and write bench/results-queries.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    dataset_path = ROOT / "data" / "nato-iraq.trig"

    start = time.perf_counter()
    store = load_graph(dataset_path)
    load_ox = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    baseline = Dataset(default_union=True)
    baseline.parse(dataset_path, format="trig")
    load_rdflib = (time.perf_counter() - start) * 1000

    rows = []
    for path in competency_questions(ROOT / "queries" / "cq"):
        sparql = path.read_text(encoding="utf-8")
        ours = median_ms(lambda s=sparql: run(store, s), args.repeat)
        theirs = median_ms(lambda s=sparql: list(baseline.query(s)), args.repeat)
        rows.append({"query": path.stem, "oxigraph_ms": ours, "rdflib_ms": theirs})

    print(f"load dataset: pyoxigraph {load_ox:.1f} ms, rdflib {load_rdflib:.1f} ms")
    print(f"{'query':45} {'ours (ms)':>10} {'rdflib (ms)':>12} {'ratio':>7}")
    for row in rows:
        ratio = row["rdflib_ms"] / row["oxigraph_ms"] if row["oxigraph_ms"] else float("inf")
        ours, theirs = row["oxigraph_ms"], row["rdflib_ms"]
        print(f"{row['query']:45} {ours:10.2f} {theirs:12.2f} {ratio:6.1f}x")
    ours_total = sum(r["oxigraph_ms"] for r in rows)
    theirs_total = sum(r["rdflib_ms"] for r in rows)
    print(
        f"{'all ' + str(len(rows)) + ' questions':45} {ours_total:10.2f} {theirs_total:12.2f} "
        f"{theirs_total / ours_total:6.1f}x"
    )
    report = {
        "repeat": args.repeat,
        "load_ms": {"oxigraph": load_ox, "rdflib": load_rdflib},
        "queries": rows,
        "median_of_medians_ms": {
            "oxigraph": statistics.median(r["oxigraph_ms"] for r in rows),
            "rdflib": statistics.median(r["rdflib_ms"] for r in rows),
        },
    }
    (ROOT / "bench" / "results-queries.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
