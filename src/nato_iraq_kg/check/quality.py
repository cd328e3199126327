"""Quality checks as SPARQL: ``queries/qc/<what>-violation.rq``, each silent when all is well.

They say what SHACL shapes cannot say easily, across named graphs (a fact without evidence, an
entity no quote supports). They run on an embedded Oxigraph store, which answers them in
milliseconds, and ``validate`` and the tests run every one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import paths
from ..namespaces import ONTOLOGY_IRI
from ..sparql.local import SelectResult, select


@dataclass(frozen=True)
class QualityResult:
    """The rows a quality check returned (none when all is well)."""

    name: str
    question: str
    rows: SelectResult

    @property
    def passed(self) -> bool:
        """True when the check found nothing."""
        return not self.rows.rows


def quality_checks(folder: Path | None = None) -> list[Path]:
    """Return the quality-check queries, in name order."""
    folder = folder or paths.project_root() / "queries" / "qc"
    return sorted(folder.glob("*-violation.rq"))


def add_ontology(store: Any, ontology: Path | None = None) -> None:
    """Load the ontology into ``store`` as its own named graph, once.

    Checks follow ``rdfs:subClassOf`` (an event is anything typed with a subclass of nik:Event),
    so without the ontology they would silently find nothing.
    """
    import pyoxigraph

    graph = pyoxigraph.NamedNode(str(ONTOLOGY_IRI))
    if any(True for _ in store.quads_for_pattern(None, None, None, graph)):
        return
    store.load(
        path=str(ontology or paths.ontology_file()),
        format=pyoxigraph.RdfFormat.TURTLE,
        to_graph=graph,
    )


def run_quality_checks(store: Any, folder: Path | None = None) -> list[QualityResult]:
    """Run every quality check on ``store`` (an Oxigraph store, default graph = union).

    Finding no check at all is an error, not a pass: a project root without ``queries/qc``
    would otherwise report "0 passed, 0 failed" and let anything through.
    """
    from ..errors import InputError
    from ..sparql.local import question_of

    checks = quality_checks(folder)
    if not checks:
        where = folder or paths.project_root() / "queries" / "qc"
        raise InputError(f"{where}: no quality checks (*-violation.rq) found")
    add_ontology(store)
    results = []
    for path in checks:
        rows = select(store, path.read_text(encoding="utf-8"))
        results.append(QualityResult(path.stem, question_of(path), rows))
    return results
