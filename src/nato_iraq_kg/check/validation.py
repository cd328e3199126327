"""What ``validate`` finds in RDF files: SHACL results and quality checks, told as one outcome.

The two kinds of check used to be reported apart: a summary that counted only SHACL results
("0 violation(s)") while a quality check failed, and a ``--format turtle`` report that left the
quality checks out. Here both feed one summary, one list of lines and one SHACL report graph.
A facts dump (no named graphs, no annotations) is validated as facts: the quality checks that
read the evidence are skipped, by name, instead of failing on every entity.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from .. import paths
from ..namespaces import BASE
from .quality import QualityResult
from .shapes import SH, ValidationReport

#: Where a quality check's results point as their ``sh:sourceShape``: the check's query file.
QUALITY_CHECK_BASE = f"{BASE}queries/qc/"


@dataclass(frozen=True)
class Validation:
    """SHACL's report, the quality checks that ran and those skipped (facts-only input)."""

    report: ValidationReport
    quality: list[QualityResult]
    skipped: list[str] = field(default_factory=list)

    @property
    def failed_checks(self) -> list[QualityResult]:
        """Return the quality checks that found something."""
        return [check for check in self.quality if not check.passed]

    @property
    def conforms(self) -> bool:
        """True when no shape is violated and no quality check found anything."""
        return self.report.conforms and not self.failed_checks


def validate_files(
    files: list[Path],
    shapes: Path | None,
    timeout: float,
    limit: int | None,
    ontology: Graph,
    *,
    ontology_file: Path | None = None,
) -> tuple[Validation, Any]:
    """Validate ``files`` with the shapes and the quality checks; return it and the loaded input.

    ``ontology`` (its class hierarchy is merged into the data) comes from the caller: loading it
    is the build stage's job, and checks import nothing from the build. ``ontology_file``, when
    given, is the file ``ontology`` was read from; if the quality checks read that file too
    (:func:`.quality.add_ontology`: the project's ontology), the store holds one copy of it for
    both, and the quality checks run while the shapes are checked (a quarter of the work at a
    million quads, on the other core) rather than after.

    The loaded input (:class:`.inputs.LoadedInput`) builds its rdflib graph only when asked,
    so valid data never gets one.

    Raises:
        InputError: a file or the shapes cannot be used (or exceed ``limit`` bytes), the files
            hold no triple, or the validation overruns ``timeout`` seconds.
    """
    from ..errors import InputError
    from ..guard.time_budget import within_time_budget
    from .inputs import load_inputs
    from .quality import holds_facts_only, needs_evidence, quality_checks, run_quality_checks
    from .screened import validate_screened
    from .shapes import load_shapes

    shapes_graph = load_shapes(shapes, limit)
    loaded = load_inputs(files, limit)
    if len(loaded.store) == 0:  # the store, not .graph: that would build rdflib's copy
        raise InputError(
            f"{', '.join(map(str, files))}: 0 triples; nothing to validate (an empty file "
            "conforms to any shapes, which says nothing)"
        )
    skipped = []
    if holds_facts_only(loaded.store):  # (before the ontology's named graph goes in)
        skipped = [check.stem for check in quality_checks() if needs_evidence(check)]
    quality_run: _Background | None = None
    if ontology_file is not None and ontology_file.resolve() == paths.ontology_file().resolve():
        from ..namespaces import ONTOLOGY_IRI
        from .screened import add_ontology_file

        add_ontology_file(loaded.store, loaded.ledger, ontology_file, str(ONTOLOGY_IRI))
        quality_run = _Background(lambda: run_quality_checks(loaded.store, skip=frozenset(skipped)))
    try:
        report = within_time_budget(
            lambda: validate_screened(
                loaded.store,
                loaded.ledger,
                lambda: loaded.graph,
                shapes=shapes_graph,
                ontology=ontology,
                ontology_in_store=quality_run is not None,
            ),
            timeout,
            "validation",
        )
    except ValueError as error:  # shapes that are not valid SHACL (pyshacl's Failure)
        raise InputError(" ".join(str(error).split())) from error
    if quality_run is not None:
        quality = quality_run.result()
    else:
        quality = run_quality_checks(loaded.store, skip=frozenset(skipped))
    return Validation(report, quality, skipped), loaded


class _Background:
    """A function run in a daemon thread; :meth:`result` waits for its value or raises its error.

    A daemon thread, so that an error of the validation (a timeout, bad shapes) ends the
    command at once, as before, without waiting for the quality checks.
    """

    def __init__(self, work: Callable[[], Any]) -> None:
        self._outcome: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], Any]) -> None:
        try:
            self._outcome["value"] = work()
        except BaseException as error:  # handed to the caller by result()
            self._outcome["error"] = error

    def result(self) -> Any:
        """Return the function's value once it has one (raise its error)."""
        self._thread.join()
        if "error" in self._outcome:
            raise self._outcome["error"]
        return self._outcome["value"]


def skipped_note(validation: Validation, files: list[Path]) -> str | None:
    """Return the one line that says which checks were skipped and why (None: none were)."""
    if not validation.skipped:
        return None
    return (
        f"note: {', '.join(map(str, files))} holds facts only (no named graphs, no "
        f"oa:Annotation), so the {len(validation.skipped)} quality checks that read the evidence "
        f"were skipped: {', '.join(validation.skipped)} (validate a dataset with its evidence, "
        "such as data/nato-iraq.trig, to run them)"
    )


def result_lines(validation: Validation, graph: Callable[[], Graph]) -> list[str]:
    """Return one line per SHACL result, then one per row of each failed quality check.

    ``graph`` gives the data (for the focus nodes' labels); it is called only if SHACL found
    something, since building it is what valid data is spared.
    """
    lines = []
    for item in validation.report.results:
        label = graph().value(URIRef(item.focus), RDFS.label) if item.focus else None
        name = f'"{label}" ' if label is not None else ""
        path = f" {item.path}" if item.path else ""
        lines.append(f"{item.severity}: {name}<{item.focus}>{path}: {item.message}")
    for check in validation.failed_checks:
        for row in check.rows.rows:
            cells = ", ".join(c or "" for c in row)
            lines.append(f"Violation: quality check {check.name}: {cells}: {check.question}")
    return lines


def summary_line(validation: Validation) -> str:
    """Return the last line: the verdict and every count behind it, failed checks by name."""
    report = validation.report
    failed = validation.failed_checks
    named = ", ".join(
        f"{check.name}: {len(check.rows.rows)} row{'s' if len(check.rows.rows) != 1 else ''}"
        for check in failed
    )
    passed = len(validation.quality) - len(failed)
    skipped = f", {len(validation.skipped)} skipped" if validation.skipped else ""
    return (
        f"{'Conforms' if validation.conforms else 'Does not conform'}: "
        f"{len(report.violations)} SHACL violation(s), {len(report.warnings)} warning(s); "
        f"quality checks: {passed} passed, {len(failed)} failed{f' ({named})' if named else ''}"
        f"{skipped}"
    )


def full_report(validation: Validation) -> Graph:
    """Return SHACL's report graph with a ``sh:ValidationResult`` for each quality-check row.

    Each row's first cell is the focus node, its second (if any) the value; the source shape is
    the check's name under :data:`QUALITY_CHECK_BASE`; ``sh:conforms`` is the overall verdict.
    """
    from ..guard.rdf_input import rdflib_term

    graph = Graph()
    for triple in validation.report.report_graph:
        graph.add(triple)
    for prefix, namespace in validation.report.report_graph.namespaces():
        graph.bind(prefix, namespace, override=False)
    graph.bind("sh", SH)
    reports = list(graph.subjects(RDF.type, SH.ValidationReport)) or [BNode()]
    report = reports[0]
    graph.set((report, SH.conforms, Literal(validation.conforms)))
    graph.add((report, RDF.type, SH.ValidationReport))
    for check in validation.failed_checks:
        for terms in check.terms:
            cells = [rdflib_term(term) for term in terms if term is not None]
            result: Any = BNode()
            graph.add((report, SH.result, result))
            graph.add((result, RDF.type, SH.ValidationResult))
            graph.add((result, SH.resultSeverity, SH.Violation))
            graph.add((result, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
            graph.add((result, SH.sourceShape, URIRef(QUALITY_CHECK_BASE + check.name)))
            graph.add((result, SH.resultMessage, Literal(check.question)))
            if cells:
                graph.add((result, SH.focusNode, cells[0]))
            if len(cells) > 1:
                graph.add((result, SH.value, cells[1]))
    return graph
