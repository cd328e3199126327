"""Run every benchmark against its baseline, print one table of targets, write bench/results.json.

``make bench`` runs this. The steps, each measured in a child process (bench/steps.py) so that its
peak memory is its own and a baseline that overruns its time budget can be stopped:

* start-up: ``nato-iraq-kg --help`` vs ``python -c pass``; a cold ``nato-iraq-kg build --check``
  (everything a build does: extraction, every check, SHACL validation, every export, but it
  compares with data/ instead of writing it), with the validation cache and with ``--no-cache``;
* every competency question on Oxigraph (ours) vs rdflib's in-memory Dataset;
* SHACL validation, ours vs pySHACL's defaults on the same data with the ontology merged in, and
  vs a reference run (pyshacl evaluating every SPARQL constraint itself) to check the results;
* export in every format, our byte-stable writers vs rdflib's serializers;
* the SPARQL endpoint under load (bench/bench_endpoint.py) vs Oxigraph's own server.

Datasets: the real build (data/nato-iraq.nq) and synthetic corpora of about 10k, 100k and 1M
triples (bench/scale.py, seeded, cached in bench/.cache/). Budgets keep the whole run under 15
minutes on a 2-core machine; a step stopped at its budget is reported as "> budget".
Options: ``--sizes 10000`` for a quick run while developing, ``--endpoint-seconds``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import scale  # noqa: E402
from report import render_report, targets  # noqa: E402

REAL = ROOT / "data" / "nato-iraq.nq"
VENV_BIN = Path(sys.executable).parent
CLI = str(VENV_BIN / "nato-iraq-kg")


@dataclass
class Child:
    """What one child process reported, how long it ran, and its peak memory."""

    lines: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    peak_mib: float = 0.0
    stopped: bool = False
    failed: str | None = None

    def first(self, key: str) -> Any:
        """Return the first reported value of ``key``, or None."""
        return next((line[key] for line in self.lines if key in line), None)


def run_child(command: list[str], budget: float) -> Child:
    """Run a command, stop it after ``budget`` seconds, and return its JSON lines and peak RSS.

    ``os.wait4`` returns the resource usage of exactly this child, so the peak memory of one step
    is not mixed with the others'.
    """
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    child = Child()
    errors: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("{"):
                child.lines.append(json.loads(line))

    def read_errors() -> None:
        assert process.stderr is not None
        errors.extend(process.stderr)

    readers = [threading.Thread(target=read), threading.Thread(target=read_errors)]
    for reader in readers:
        reader.start()
    deadline = start + budget
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            child.stopped = True
            pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    child.seconds = time.perf_counter() - start
    for reader in readers:
        reader.join()
    child.peak_mib = usage.ru_maxrss / 1024
    if not child.stopped and process.returncode != 0:
        child.failed = (errors[-1].strip() if errors else f"exit {process.returncode}")[:300]
    return child


def step(name: str, dataset: Path, budget: float, repeat: int = 3) -> Child:
    """Run one step of bench/steps.py on ``dataset`` within ``budget`` seconds."""
    command = [sys.executable, str(BENCH / "steps.py"), name, str(dataset), "--repeat", str(repeat)]
    child = run_child(command, budget)
    state = "stopped" if child.stopped else (f"FAILED: {child.failed}" if child.failed else "ok")
    print(f"  {name:17} {dataset.name:28} {child.seconds:7.1f} s {child.peak_mib:7.0f} MiB {state}")
    return child


def median_wall(command: list[str], repeat: int) -> tuple[float, float]:
    """Return the median wall time of a command over ``repeat`` cold runs, and its peak MiB."""
    runs = [run_child(command, 120) for _ in range(repeat)]
    return statistics.median(r.seconds for r in runs), max(r.peak_mib for r in runs)


#: Budgets in seconds by dataset size (the real build is "real").
BUDGETS: dict[str, dict[str, float]] = {
    "cq-ours": {"real": 60, "10k": 60, "100k": 90, "1M": 120},
    "cq-rdflib": {"real": 30, "10k": 20, "100k": 30, "1M": 20},
    "validate-ours": {"real": 60, "10k": 60, "100k": 60, "1M": 90},
    "validate-reference": {"real": 60, "10k": 60, "100k": 150},
    "validate-pyshacl": {"real": 30, "10k": 5, "100k": 5, "1M": 5},
    "export-ours": {"real": 60, "10k": 60, "100k": 90, "1M": 120},
    "export-rdflib": {"real": 60, "10k": 60, "100k": 90, "1M": 80},
}


def label(triples: int) -> str:
    """Return a size label: 10k, 100k, 1M."""
    return f"{triples // 1_000_000}M" if triples >= 1_000_000 else f"{triples // 1000}k"


def corpus_in_a_child(size: int, seed: int) -> Path:
    """Return the cached corpus file, generating it in a process of its own if it is missing.

    Linux counts a child's peak memory from what it inherited at fork, so generating 1M quads in
    this process (about 400 MiB) would show up as the peak of every later step.
    """
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(scale.corpus_file, (size, seed))


def main() -> None:
    """Run everything, print the table, write bench/results.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--endpoint-seconds", type=float, default=20)
    parser.add_argument("--endpoint-sizes", default="real,100k")
    parser.add_argument("--output", type=Path, default=BENCH / "results.json")
    args = parser.parse_args()
    began = time.perf_counter()
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        },
        "seed": args.seed,
    }

    print("start-up and build (cold processes)")
    help_s, _ = median_wall([CLI, "--help"], 7)
    pass_s, _ = median_wall([sys.executable, "-c", "pass"], 7)
    fresh_s, fresh_mib = median_wall([CLI, "build", "--check", "--no-cache"], 3)
    build_s, build_mib = median_wall([CLI, "build", "--check"], 3)  # the runs above filled it
    results["startup"] = {"help_s": help_s, "python_pass_s": pass_s}
    results["build"] = {
        "check_s": build_s,
        "peak_mib": build_mib,
        "no_cache_s": fresh_s,
        "no_cache_peak_mib": fresh_mib,
    }
    print(
        f"  --help {help_s:.3f} s, python -c pass {pass_s:.3f} s, build --check {build_s:.2f} s"
        f" (validation cached), {fresh_s:.2f} s (--no-cache)"
    )

    datasets: dict[str, Path] = {"real": REAL}
    for size in (int(s) for s in args.sizes.split(",") if s):
        print(f"generating {label(size)} (cached in bench/.cache/)")
        datasets[label(size)] = corpus_in_a_child(size, args.seed)
    results["datasets"] = {}
    for name, path in datasets.items():
        with path.open("rb") as handle:
            results["datasets"][name] = {
                "file": str(path.relative_to(ROOT)),
                "quads": sum(1 for _ in handle),
            }

    for kind in ("cq", "validate", "export"):
        print(kind)
        results[kind] = {}
        for name, path in datasets.items():
            sides = ("ours", "rdflib") if kind != "validate" else ("ours", "reference", "pyshacl")
            results[kind][name] = {}
            for side in sides:
                key = f"{kind}-{side}"
                if name not in BUDGETS[key]:
                    continue
                repeat = 5 if side == "ours" else (3 if name == "real" else 1)
                child = step(key, path, BUDGETS[key][name], repeat)
                results[kind][name][side] = asdict(child) | {"budget_s": BUDGETS[key][name]}

    print("validate FILE from the command line (cold process, parsing included)")
    results["validate_cli"] = {}
    for name in ("100k", "1M"):
        if name not in datasets:
            continue
        command = [CLI, "validate", str(datasets[name]), "--max-input-size", "none"]
        child = run_child(command, 120)
        results["validate_cli"][name] = asdict(child) | {"budget_s": 120}
        state = "stopped" if child.stopped else (child.failed or "exit 0")
        print(f"  {name}: {child.seconds:.1f} s, {child.peak_mib:.0f} MiB ({state})")

    print("endpoint (8 clients on 127.0.0.1)")
    import bench_endpoint

    results["endpoint"] = {}
    for name in (n for n in args.endpoint_sizes.split(",") if n in datasets):
        served = (
            ROOT / "data" / "nato-iraq.trig" if name == "real" else scale.trig_file(datasets[name])
        )
        results["endpoint"][name] = bench_endpoint.compare(served, args.endpoint_seconds, 8)
        for server, rows in results["endpoint"][name]["results"].items():
            summary = ", ".join(
                f"{q} {r['req_per_s']:.0f}/s p99 {r['p99_ms']}" for q, r in rows.items()
            )
            print(f"  {name} {server}: {summary}")

    results["total_s"] = time.perf_counter() - began
    results["targets"] = targets(results)
    print()
    print(render_report(results))
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.output} in {results['total_s'] / 60:.1f} min")


if __name__ == "__main__":
    main()
