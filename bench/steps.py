"""One benchmark step, run in its own process: ``python bench/steps.py STEP DATASET [options]``.

Each step runs in a child process so that the parent can measure its peak memory (the child's
``ru_maxrss``) and stop it when it overruns its time budget. A step prints one JSON object per line
as soon as each measurement is done, so a step that is stopped still reports what it finished
(how many competency questions rdflib answered before the budget ran out, say).

Steps:
    cq-ours / cq-rdflib          every competency question on Oxigraph / rdflib's Dataset
    validate-ours / validate-reference / validate-pyshacl
                                 ours / ours without the prefilter / pySHACL's defaults
    export-ours / export-rdflib  every format: ours from the file / rdflib's serializers
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

#: Formats as (our name, rdflib's serializer name, whether it holds named graphs).
FORMATS = [
    ("nt", "nt", False),
    ("nq", "nquads", True),
    ("ttl", "turtle", False),
    ("trig", "trig", True),
    ("xml", "xml", False),
    ("jsonld", "json-ld", False),
]


def emit(**fields: Any) -> None:
    """Print one measurement as a JSON line, at once (the step may be stopped any moment)."""
    print(json.dumps(fields), flush=True)


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``action`` once; return the seconds it took and its result."""
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def timed_cpu(action: Callable[[], Any]) -> tuple[float, float, Any]:
    """Run ``action`` once; return its wall seconds, its CPU seconds and its result.

    CPU time is reported beside wall time: on a shared machine the wall time of the same step
    moves from run to run, the CPU time much less. It is the CPU of every thread of this process
    and of every child it waited for (the export parses a large file in forked pieces), so work
    spread over both cores is counted in full, not only the part the parent did.
    """
    start, cpu = time.perf_counter(), _cpu_with_children()
    result = action()
    return time.perf_counter() - start, _cpu_with_children() - cpu, result


def _cpu_with_children() -> float:
    """CPU seconds (user + system) of this process's threads and of its reaped children."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def median_ms(action: Callable[[], Any], repeat: int) -> float:
    """Run ``action`` ``repeat`` times; return the median in milliseconds."""
    return statistics.median(timed(action)[0] * 1000 for _ in range(repeat))


def rdflib_dataset(path: Path) -> Any:
    """Load N-Quads (or TriG) into rdflib's Dataset, the default graph the union of all."""
    from rdflib import Dataset

    dataset = Dataset(default_union=True)
    dataset.parse(path, format={".nq": "nquads", ".nt": "nt"}.get(path.suffix, "trig"))
    return dataset


def union_graph(dataset: Any) -> Any:
    """Return every statement of a dataset in one plain rdflib Graph."""
    from rdflib import Graph

    graph = Graph()
    for s, p, o, _ in dataset.quads():
        graph.add((s, p, o))
    return graph


def cq_ours(path: Path, repeat: int) -> None:
    """Load into Oxigraph, then time every competency question."""
    import pyoxigraph

    from nato_iraq_kg.sparql.local import competency_questions, run

    store = pyoxigraph.Store()
    fmt = pyoxigraph.RdfFormat.N_QUADS if path.suffix == ".nq" else pyoxigraph.RdfFormat.TRIG
    seconds, _ = timed(lambda: store.bulk_load(path=str(path), format=fmt))
    emit(load_s=seconds, triples=len(store))
    for query in competency_questions(ROOT / "queries" / "cq"):
        text = query.read_text(encoding="utf-8")
        rows = run(store, text).rows
        emit(query=query.stem, ms=median_ms(lambda t=text: run(store, t), repeat), rows=len(rows))


def cq_rdflib(path: Path, repeat: int) -> None:
    """Load into rdflib's in-memory Dataset, then time every competency question."""
    from nato_iraq_kg.namespaces import prefixes
    from nato_iraq_kg.sparql.local import competency_questions

    seconds, dataset = timed(lambda: rdflib_dataset(path))
    emit(load_s=seconds)
    namespaces = prefixes()
    for query in competency_questions(ROOT / "queries" / "cq"):
        text = query.read_text(encoding="utf-8")

        def answer(t: str = text) -> list[Any]:
            return list(dataset.query(t, initNs=namespaces))

        first, rows = timed(answer)
        ms = first * 1000 if repeat <= 1 else median_ms(answer, repeat)
        emit(query=query.stem, ms=ms, rows=len(rows))


def results_digest(results: Any) -> str:
    """Return a short digest of a validation's results, to compare two engines' reports."""
    text = "\n".join(repr(r) for r in results)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def validate(path: Path, mode: str) -> None:
    """Validate a dataset: ``ours``, ``reference`` (pyshacl alone) or ``pyshacl`` (its defaults).

    ``ours`` is what ``nato-iraq-kg validate FILE`` does: the file straight into Oxigraph (no
    rdflib graph), the screen, and pyshacl only for the nodes it leaves; ``validate_s`` includes
    the parsing. ``reference`` is pyshacl evaluating every constraint for every focus node itself
    (no screen, no SPARQL prefilter), with only the parsed queries cached: the same results as
    pySHACL's defaults, which re-parse each query for each node and so finish on nothing bigger
    than a few triples within the budget.
    """
    from rdflib import Graph

    from nato_iraq_kg.check.shapes import _results, load_shapes, validate_graph

    ontology = Graph().parse(ROOT / "ontology" / "nato-iraq.ttl", format="turtle")
    if mode == "ours":
        from nato_iraq_kg.check.inputs import load_inputs
        from nato_iraq_kg.check.screened import validate_screened

        shapes = load_shapes()

        def run() -> tuple[Any, ...]:
            loaded = load_inputs([path], None)
            emit(load_s=time.perf_counter() - began, triples=len(loaded.store))
            return validate_screened(
                loaded.store,
                loaded.ledger,
                lambda: loaded.graph,
                shapes=shapes,
                ontology=ontology,
            ).results

        began = time.perf_counter()
        seconds, cpu, results = timed_cpu(run)
        emit(validate_cpu_s=cpu)  # wall time is noisy on a shared machine
    else:
        seconds, data = timed(lambda: union_graph(rdflib_dataset(path)))
        emit(load_s=seconds, triples=len(data))
        if mode == "pyshacl":
            import pyshacl

            shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl", format="turtle")
            merged = data + ontology

            def check() -> tuple[Any, ...]:
                _, report, _ = pyshacl.validate(merged, shacl_graph=shapes)
                return _results(report)
        else:
            shapes = load_shapes()

            def check() -> tuple[Any, ...]:
                return validate_graph(
                    data, shapes=shapes, ontology=ontology, prefilter=False, screen=False
                ).results

        seconds, results = timed(check)
    violations = sum(1 for r in results if r.severity == "Violation")
    emit(
        validate_s=seconds,
        results=len(results),
        violations=violations,
        digest=results_digest(results),
    )


def export(path: Path, ours: bool) -> None:
    """Write every format: ours from the file (parsing included), rdflib's from its memory.

    Ours is what ``nato-iraq-kg export FILE --output OUT`` does: Oxigraph parses the file and
    writes sorted canonical lines (N-Triples and N-Quads straight to the file, never held
    whole), our writers the other syntaxes from them, and the file is replaced whole; bytes
    and sha256 are those of the file written, read back after the clock stops. rdflib first
    loads the file into a Dataset (``load_s``, reported apart and not counted in its per-format
    seconds), then serialises (unsorted). N-Triples is written twice by ours, to check that
    the bytes are the same from run to run.
    """
    import tempfile

    if ours:
        from nato_iraq_kg.formats.file_export import export_file_to

        def digest_of(written: Path) -> str:
            return hashlib.sha256(written.read_bytes()).hexdigest()

        with tempfile.TemporaryDirectory() as folder:
            for name, _, _ in FORMATS:
                target = Path(folder) / f"out.{name}"
                seconds, cpu, _ = timed_cpu(
                    lambda key=name, out=target: export_file_to(path, key, out, None)
                )
                digest = digest_of(target)
                size = target.stat().st_size
                fields = {"format": name, "s": seconds, "cpu_s": cpu, "bytes": size}
                if name == "nt":
                    again = Path(folder) / "again.nt"
                    export_file_to(path, name, again, None)
                    fields["same_bytes_twice"] = digest_of(again) == digest
                    again.unlink()
                target.unlink()
                emit(**fields, sha256=digest)
        return

    seconds, dataset = timed(lambda: rdflib_dataset(path))
    facts = union_graph(dataset)
    emit(load_s=seconds, triples=len(facts))
    for name, rdflib_name, named in FORMATS:
        target = dataset if named else facts
        seconds, cpu, text = timed_cpu(lambda t=target, f=rdflib_name: t.serialize(format=f))
        emit(format=name, s=seconds, cpu_s=cpu, bytes=len(text.encode("utf-8")))


def main() -> None:
    """Run one step."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step")
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    steps: dict[str, Callable[[], None]] = {
        "cq-ours": lambda: cq_ours(args.dataset, args.repeat),
        "cq-rdflib": lambda: cq_rdflib(args.dataset, args.repeat),
        "validate-ours": lambda: validate(args.dataset, "ours"),
        "validate-reference": lambda: validate(args.dataset, "reference"),
        "validate-pyshacl": lambda: validate(args.dataset, "pyshacl"),
        "export-ours": lambda: export(args.dataset, ours=True),
        "export-rdflib": lambda: export(args.dataset, ours=False),
    }
    steps[args.step]()


if __name__ == "__main__":
    main()
