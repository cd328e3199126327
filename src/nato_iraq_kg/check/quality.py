"""Quality checks as SPARQL: ``queries/qc/<what>-violation.rq``, each silent when all is well.

They say what SHACL shapes cannot say easily, across named graphs (a fact without evidence, an
entity no quote supports). They run on an embedded Oxigraph store, which answers them in
milliseconds (seconds at a million quads, so they run side by side on every core:
:mod:`.parallel`), and ``validate`` and the tests run every one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from .. import paths
from ..guard.sparql_text import blank_opaque
from ..namespaces import ONTOLOGY_IRI
from ..sparql.local import SelectResult, compact, run
from .parallel import run_jobs


@dataclass(frozen=True)
class QualityResult:
    """The rows a quality check returned (none when all is well)."""

    name: str
    question: str
    rows: SelectResult
    #: The same rows as RDF terms (pyoxigraph), for a report in RDF.
    terms: tuple[tuple[Any, ...], ...] = ()

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


#: The words that make a check read the evidence: named graphs or the Web Annotation terms.
_EVIDENCE_TERMS = re.compile(r"\bGRAPH\b|\boa:|<http://www\.w3\.org/ns/oa#", re.IGNORECASE)


def needs_evidence(check: Path) -> bool:
    """True when a check reads the evidence: assertion graphs (``GRAPH``) or annotations (``oa:``).

    The facts dumps (``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``) merge every assertion into one
    graph and leave the evidence out; on them such a check says nothing true (every entity
    would lack evidence), so ``validate`` skips it, by name. Deciding from the query text keeps
    a new check right without a list to update.
    """
    return bool(_EVIDENCE_TERMS.search(blank_opaque(_without_comments(check))))


def _without_comments(check: Path) -> str:
    """Return a check's query text without its leading ``#`` comment (the question in words)."""
    lines = check.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


def holds_facts_only(store: Any) -> bool:
    """True when ``store`` has no named graph and no ``oa:Annotation``: a facts dump."""
    return not store.query(
        "ASK { { GRAPH ?g { ?s ?p ?o } } UNION { ?a a <http://www.w3.org/ns/oa#Annotation> } }"
    )


def run_quality_checks(
    store: Any, folder: Path | None = None, *, skip: frozenset[str] = frozenset()
) -> list[QualityResult]:
    """Run every quality check on ``store`` (an Oxigraph store, default graph = union).

    Checks named in ``skip`` (file stems) are not run and not returned. Finding no check at all
    is an error, not a pass: a project root without ``queries/qc`` would otherwise report
    "0 passed, 0 failed" and let anything through.
    """
    from ..errors import InputError
    from ..sparql.local import question_of
    from .quality_routes import route_for

    checks = quality_checks(folder)
    if not checks:
        where = folder or paths.project_root() / "queries" / "qc"
        raise InputError(f"{where}: no quality checks (*-violation.rq) found")
    add_ontology(store)

    def result_of(path: Path) -> QualityResult:
        text = path.read_text(encoding="utf-8")
        route = route_for(path.stem, text)
        if route is not None:  # the query's answer, from Oxigraph's indexes (.quality_routes)
            found = tuple((term,) for term in route.answer(store))
            rows = SelectResult((route.variable,), tuple((compact(row[0]),) for row in found))
            return QualityResult(path.stem, question_of(path), rows, found)
        outcome = run(store, text)
        if outcome.kind != "select":
            raise InputError(f"{path}: a quality check must be a SELECT query")
        rows = SelectResult(
            outcome.variables, tuple(tuple(compact(t) for t in row) for row in outcome.rows)
        )
        return QualityResult(path.stem, question_of(path), rows, outcome.rows)

    # Independent queries on one store: on every core (see .parallel); results in name order.
    chosen = [path for path in checks if path.stem not in skip]
    return run_jobs([partial(result_of, path) for path in chosen])
