"""Benchmark: SHACL validation of the built graph, our configuration vs pySHACL's usual set-ups.

Ours: no inference, the ontology's class hierarchy merged into the data, SPARQL constraints parsed
once and cached (see nato_iraq_kg.validate). Baselines in the same run: plain ``pyshacl.validate``
with the ontology as ``ont_graph`` and RDFS inference (a common choice to reach subclasses), and
plain ``pyshacl.validate`` on data+ontology without our query cache. Prints medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rdflib import Dataset, Graph  # noqa: E402

from nato_iraq_kg.validate import load_shapes, validate_graph  # noqa: E402


def median_s(action, repeat: int) -> tuple[float, object]:
    """Run ``action`` ``repeat`` times; return the median seconds and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


BASELINES = {
    "pyshacl.validate, merged hierarchy, no inference": "none",
    "pyshacl.validate, ont_graph + RDFS inference": "rdfs",
}

BASELINE_SCRIPT = """
import sys, time
from rdflib import Dataset, Graph
import pyshacl
root, inference = sys.argv[1], sys.argv[2]
dataset = Dataset()
dataset.parse(root + "/data/nato-iraq.trig", format="trig")
data = Graph()
for s, p, o, _ in dataset.quads():
    data.add((s, p, o))
ontology = Graph().parse(root + "/ontology/nato-iraq.ttl")
shapes = Graph().parse(root + "/ontology/shapes.ttl")
start = time.perf_counter()
if inference == "none":
    pyshacl.validate(data + ontology, shacl_graph=shapes, inference="none")
else:
    pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference=inference)
print(time.perf_counter() - start)
"""


def baseline_seconds(inference: str, limit: float) -> float | None:
    """Time plain pySHACL in a child process; None if it does not finish within ``limit``."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", BASELINE_SCRIPT, str(ROOT), inference],
            capture_output=True,
            text=True,
            timeout=limit,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Print the table and write bench/results-validation.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=120, help="Seconds before a baseline stops.")
    args = parser.parse_args()
    dataset = Dataset()
    dataset.parse(ROOT / "data" / "nato-iraq.trig", format="trig")
    data = Graph()
    for s, p, o, _ in dataset.quads():
        data.add((s, p, o))
    ontology = Graph().parse(ROOT / "ontology" / "nato-iraq.ttl")
    shapes = load_shapes()

    ours, report = median_s(
        lambda: validate_graph(data, shapes=shapes, ontology=ontology), args.repeat
    )
    rows: list[tuple[str, float | None]] = [
        ("ours: no inference, merged hierarchy, cached queries", ours)
    ]
    rows += [(name, baseline_seconds(inf, args.limit)) for name, inf in BASELINES.items()]
    print(f"validating {len(data)} triples; baselines stop after {args.limit:.0f} s")
    print(f"{'configuration':55} {'median (s)':>12} {'vs ours':>9}")
    for name, seconds in rows:
        if seconds is None:
            limit, ratio = f"> {args.limit:.0f}", f"> {args.limit / ours:.0f}x"
            print(f"{name:55} {limit:>12} {ratio:>9}")
        else:
            print(f"{name:55} {seconds:12.2f} {seconds / ours:8.1f}x")
    print(f"ours conforms: {report.conforms}")
    results = {
        "repeat": args.repeat,
        "limit_s": args.limit,
        "triples": len(data),
        "seconds": dict(rows),
    }
    (ROOT / "bench" / "results-validation.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
