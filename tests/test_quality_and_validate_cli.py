"""Quality checks (queries/qc/*-violation.rq) and the `validate` command's contract."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from nato_iraq_kg.cli import cli
from nato_iraq_kg.inputs import load_inputs
from nato_iraq_kg.quality import quality_checks, run_quality_checks
from nato_iraq_kg.query import compact, load_graph

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SH = Namespace("http://www.w3.org/ns/shacl#")
CHECKS = quality_checks(ROOT / "queries" / "qc")


def test_every_quality_check_passes_on_the_built_graph() -> None:
    """All quality checks return zero rows on the real dataset."""
    assert len(CHECKS) >= 7
    results = run_quality_checks(load_graph(), ROOT / "queries" / "qc")
    assert [r.name for r in results if not r.passed] == []


@pytest.mark.parametrize("check", CHECKS, ids=[c.stem for c in CHECKS])
def test_every_quality_check_fires_on_its_bad_fixture(check: Path) -> None:
    """Each check has a fixture it must flag, and it names the expected resource."""
    fixture = FIXTURES / "qc" / f"{check.stem}.trig"
    assert fixture.is_file(), f"no failing fixture for {check.name}"
    expected = re.search(r"# expect: (\S+)", fixture.read_text(encoding="utf-8"))
    assert expected, fixture
    store = load_inputs([fixture]).store
    results = {r.name: r for r in run_quality_checks(store, ROOT / "queries" / "qc")}
    rows = results[check.stem].rows.rows
    assert rows, f"{check.name} found nothing in {fixture.name}"
    flagged = {cell for row in rows for cell in row}
    assert compact(pyoxigraph.NamedNode(expected.group(1))) in flagged, flagged


def test_validate_the_built_graph_exits_zero() -> None:
    """`validate` with no files checks data/nato-iraq.trig and conforms."""
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 0, result.stdout
    assert "Conforms: 0 violation(s)" in result.stdout
    assert "quality checks: 7 passed, 0 failed" in result.stdout


def test_validate_a_bad_file_exits_one_with_a_line_per_result() -> None:
    """A file that violates the shapes: exit 1, a 'Violation:' line naming the focus node."""
    bad = FIXTURES / "shapes" / "invalid" / "missing-label.ttl"
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1, result.stdout
    assert re.search(r"^Violation: .*<https://w3id\.org/nato-iraq-kg/", result.stdout, re.M)
    assert "Does not conform" in result.stdout


def test_validate_an_unparseable_file_names_line_and_column(tmp_path: Path) -> None:
    """A syntax error: exit 2, one line with the file, line and column."""
    bad = tmp_path / "broken.ttl"
    bad.write_text('@prefix a: <http://e/> .\na:x a:p "open\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 2
    assert re.match(r"error: .*broken\.ttl: syntax error at line 2, column \d+", result.stderr)


def test_validate_refuses_an_unknown_file_type(tmp_path: Path) -> None:
    """A file of no RDF type: exit 2, saying which types are known."""
    odd = tmp_path / "facts.docx"
    odd.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(odd)])
    assert result.exit_code == 2
    assert "unknown RDF file type '.docx'" in result.stderr


@pytest.mark.parametrize("fmt", ["turtle", "json"])
def test_validate_prints_the_full_shacl_report(fmt: str) -> None:
    """--format turtle|json prints a parseable sh:ValidationReport."""
    bad = FIXTURES / "shapes" / "invalid" / "missing-label.ttl"
    result = CliRunner().invoke(cli, ["validate", str(bad), "--format", fmt])
    assert result.exit_code == 1
    if fmt == "json":
        json.loads(result.stdout)
    report = Graph().parse(data=result.stdout, format="json-ld" if fmt == "json" else "turtle")
    assert (None, RDF.type, SH.ValidationReport) in report
    assert (None, SH.conforms, None) in report
