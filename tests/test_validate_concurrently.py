"""`validate FILE` runs the quality checks while the shapes are checked: same answers as in turn.

For that the store holds one copy of the ontology, parsed by Oxigraph (as the quality checks
always had it) where the screen had rdflib's parse. The two parses must be the same graph, and
validating with one shared copy (``ontology_file``) must give what validating in turn gives:
every SHACL result, every quality-check row, the same checks skipped, on conforming data, on
each quality check's failing fixture, on shapes violations and on a facts dump.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from nato_iraq_kg import paths
from nato_iraq_kg.check.literal_ledger import LedgerBuilder
from nato_iraq_kg.check.quality import add_ontology
from nato_iraq_kg.check.screened import add_ontology_file
from nato_iraq_kg.check.shapes import load_ontology_graph
from nato_iraq_kg.check.validation import validate_files
from nato_iraq_kg.guard.rdf_input import to_rdflib
from nato_iraq_kg.namespaces import ONTOLOGY_IRI

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def _graph_of(store: pyoxigraph.Store) -> Graph:
    """Return the ontology graph of a store as rdflib triples."""
    return to_rdflib(
        list(store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(str(ONTOLOGY_IRI))))
    )


def test_the_shared_copy_is_the_graph_each_side_had() -> None:
    """Oxigraph's parse of the ontology is rdflib's, and what the quality checks load."""
    shared = pyoxigraph.Store()
    add_ontology_file(shared, LedgerBuilder(), paths.ontology_file(), str(ONTOLOGY_IRI))
    checks = pyoxigraph.Store()
    add_ontology(checks)
    rdflib_parse = load_ontology_graph(paths.ontology_file())
    assert len(rdflib_parse) > 500
    assert isomorphic(_graph_of(shared), rdflib_parse)
    assert isomorphic(_graph_of(shared), _graph_of(checks))


CASES = [
    pytest.param([paths.data_dir() / "nato-iraq.trig"], id="the built dataset"),
    pytest.param([paths.data_dir() / "nato-iraq.nt"], id="a facts dump: evidence checks skipped"),
    pytest.param([FIXTURES / "shapes" / "invalid" / "missing-label.ttl"], id="a shapes violation"),
    *(
        pytest.param([fixture], id=fixture.stem)
        for fixture in sorted((FIXTURES / "qc").glob("*-violation.trig"))
    ),
]


@pytest.mark.parametrize("files", CASES)
def test_validating_side_by_side_gives_what_validating_in_turn_gives(files: list[Path]) -> None:
    """Same SHACL results, same quality-check rows, same checks skipped."""
    ontology = load_ontology_graph(paths.ontology_file())
    in_turn, _ = validate_files(files, None, 600, None, ontology)
    side_by_side, _ = validate_files(
        files, None, 600, None, ontology, ontology_file=paths.ontology_file()
    )
    assert side_by_side.report.results == in_turn.report.results
    assert side_by_side.report.conforms == in_turn.report.conforms
    assert [(q.name, q.rows) for q in side_by_side.quality] == [
        (q.name, q.rows) for q in in_turn.quality
    ]
    assert side_by_side.skipped == in_turn.skipped
    assert side_by_side.conforms == in_turn.conforms


def test_every_quality_check_fixture_is_compared() -> None:
    """The loop above found the fixtures, and side by side each fails its check (or skips it)."""
    fixtures = sorted((FIXTURES / "qc").glob("*-violation.trig"))
    assert len(fixtures) >= 7
    ontology = load_ontology_graph(paths.ontology_file())
    fired = 0
    for fixture in fixtures:
        validation, _ = validate_files(
            [fixture], None, 600, None, ontology, ontology_file=paths.ontology_file()
        )
        failed = {check.name for check in validation.failed_checks}
        assert fixture.stem in failed | set(validation.skipped), fixture
        fired += fixture.stem in failed
    assert fired >= len(fixtures) - 1  # (one fixture is a facts file: its check is skipped)
