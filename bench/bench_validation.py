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


def main() -> None:
    """Print the table and write bench/results-validation.json."""
    import pyshacl

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    dataset = Dataset()
    dataset.parse(ROOT / "data" / "nato-iraq.trig", format="trig")
    data = Graph()
    for s, p, o, _ in dataset.quads():
        data.add((s, p, o))
    ontology = Graph().parse(ROOT / "ontology" / "nato-iraq.ttl")
    shapes = load_shapes()
    raw_shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")

    ours, report = median_s(
        lambda: validate_graph(data, shapes=shapes, ontology=ontology), args.repeat
    )
    plain, _ = median_s(
        lambda: pyshacl.validate(data + ontology, shacl_graph=raw_shapes, inference="none"),
        args.repeat,
    )
    rdfs, _ = median_s(
        lambda: pyshacl.validate(
            data, shacl_graph=raw_shapes, ont_graph=ontology, inference="rdfs"
        ),
        args.repeat,
    )
    rows = [
        ("ours: no inference, merged hierarchy, cached queries", ours),
        ("pyshacl.validate, merged hierarchy, no inference", plain),
        ("pyshacl.validate, ont_graph + RDFS inference", rdfs),
    ]
    print(f"validating {len(data)} triples with {len(shapes)} shape triples")
    print(f"{'configuration':55} {'median (s)':>10} {'vs ours':>8}")
    for name, seconds in rows:
        print(f"{name:55} {seconds:10.2f} {seconds / ours:7.1f}x")
    print(f"ours conforms: {report.conforms}")
    results = {"repeat": args.repeat, "triples": len(data), "seconds": dict(rows)}
    (ROOT / "bench" / "results-validation.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
