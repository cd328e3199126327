"""Quality checks (queries/qc/*-violation.rq) and the `validate` command's contract."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from nato_iraq_kg.check.inputs import load_inputs
from nato_iraq_kg.check.quality import quality_checks, run_quality_checks
from nato_iraq_kg.cli import cli
from nato_iraq_kg.errors import InputError
from nato_iraq_kg.sparql.local import compact, load_graph

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
    assert "Conforms: 0 SHACL violation(s), 0 warning(s)" in result.stdout
    assert result.stdout.rstrip().endswith("quality checks: 7 passed, 0 failed")
    assert "skipped" not in result.stdout + result.stderr


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


def test_thousands_of_violations_are_summarised(tmp_path: Path) -> None:
    """2,000 broken entities: at most --max-results lines, then a count of the rest."""
    data = tmp_path / "many.ttl"
    lines = ["@prefix nik: <https://w3id.org/nato-iraq-kg/ontology#> ."]
    lines += [f"<https://w3id.org/nato-iraq-kg/id/actor/p{n}> a nik:Person ." for n in range(2000)]
    data.write_text("\n".join(lines), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(data), "--max-results", "20"])
    assert result.exit_code == 1
    shown = [line for line in result.stdout.splitlines() if line.startswith("Violation:")]
    assert len(shown) == 20
    assert re.search(r"… and \d{4} more result\(s\); --max-results \d{4} shows them", result.stdout)


@pytest.mark.parametrize(
    ("shapes_text", "message"),
    [
        (
            "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            "<http://e/s> owl:imports <http://example.org/remote-shapes.ttl> .\n",
            "owl:imports",
        ),
        (
            "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
            "<http://e/s> a sh:NodeShape ; sh:targetClass <http://e/C> ; sh:sparql [ sh:select "
            '"SELECT $this WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }" ] .\n',
            "uses 'SERVICE'",
        ),
        ("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<http://e/s> a sh:NodeShape ;", "malformed"),
    ],
    ids=["owl-imports", "service", "unparseable"],
)
def test_shapes_that_would_reach_out_or_do_not_parse_are_refused(
    tmp_path: Path, shapes_text: str, message: str
) -> None:
    """Custom shapes with owl:imports or SERVICE, or broken syntax: exit 2, nothing fetched."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(shapes_text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--shapes", str(shapes)])
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_folder_without_quality_checks_is_an_error_not_a_pass(tmp_path: Path) -> None:
    """No ``*-violation.rq`` found used to report "0 passed, 0 failed" and let anything through."""
    with pytest.raises(InputError, match="no quality checks"):
        run_quality_checks(load_graph(), tmp_path)


USER_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix nik: <https://w3id.org/nato-iraq-kg/ontology#> .
<https://example.org/shapes#LabelledActor> a sh:NodeShape ;
    sh:targetClass nik:Actor ;
    sh:sparql [ sh:message "An actor without a label" ; sh:select \"\"\"
        SELECT $this WHERE {   # every actor
          FILTER NOT EXISTS { $this <http://www.w3.org/2000/01/rdf-schema#label> ?l }  # named?
          FILTER(?this != "# not a comment")
        }\"\"\" ] .
"""


def test_shapes_with_comments_after_code_in_a_query_are_applied_as_written(
    tmp_path: Path,
) -> None:
    """A ``# comment`` after code inside sh:select used to swallow the rest of the query.

    ``load_shapes`` joined the query's lines, so the comment ran to its end: pySHACL accepts the
    file, we crashed with a pyparsing traceback and exit 1 (issue 22, item 2).
    """
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(USER_SHAPES, encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text(
        "<https://example.org/unnamed> a <https://w3id.org/nato-iraq-kg/ontology#Actor> .\n"
        "<https://example.org/named> a <https://w3id.org/nato-iraq-kg/ontology#Actor> ;\n"
        '    <http://www.w3.org/2000/01/rdf-schema#label> "Named"@en .\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", "--shapes", str(shapes), str(data)])
    assert result.exit_code == 1, result.stderr
    violations = [line for line in result.stdout.splitlines() if line.startswith("Violation: <")]
    assert violations == ["Violation: <https://example.org/unnamed>: An actor without a label"]


def test_a_sparql_constraint_that_does_not_parse_is_bad_input_not_a_crash(
    tmp_path: Path,
) -> None:
    """A malformed sh:select: one line naming the spot, exit 2 (never 1, "a check failed")."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(USER_SHAPES.replace("NOT EXISTS", "NOT EXISTZ"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--shapes", str(shapes)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: a SPARQL constraint does not parse: ")
    assert "'FILTER NOT EXISTZ {" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("name", "text"), [("empty.ttl", ""), ("empty.jsonld", "{}")])
def test_an_empty_file_is_not_reported_as_conforming(tmp_path: Path, name: str, text: str) -> None:
    """An empty Turtle file or ``{}`` JSON-LD said "Conforms", exit 0; now "0 triples", exit 2."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert "0 triples; nothing to validate" in result.stderr
    assert "Conforms" not in result.stdout


EVIDENCE_CHECKS = [
    "entity-without-evidence-violation",
    "fact-without-evidence-violation",
    "quote-offset-mismatch-violation",
]


@pytest.mark.parametrize("suffix", ["ttl", "nt", "jsonld"])
def test_a_facts_dump_is_validated_as_facts(suffix: str) -> None:
    """Our own facts dump conforms: the checks that read the evidence are skipped, by name.

    It used to exit 1 with 131 entity-without-evidence results under a summary saying
    "0 violation(s)" (issue 20, item 1).
    """
    result = CliRunner().invoke(cli, ["validate", str(ROOT / "data" / f"nato-iraq.{suffix}")])
    assert result.exit_code == 0, result.stdout
    assert "holds facts only" in result.stderr
    for name in EVIDENCE_CHECKS:
        assert name in result.stderr
    assert "Violation" not in result.stdout
    assert result.stdout.strip().splitlines()[-1] == (
        "Conforms: 0 SHACL violation(s), 0 warning(s); "
        "quality checks: 4 passed, 0 failed, 3 skipped"
    )


def facts_with_a_dangling_reference(tmp_path: Path) -> Path:
    """Return our facts dump plus one reference to an entity that has no type."""
    path = tmp_path / "facts.ttl"
    path.write_text(
        (ROOT / "data" / "nato-iraq.ttl").read_text(encoding="utf-8")
        + "\n<https://w3id.org/nato-iraq-kg/id/actor/nato> "
        "<http://www.w3.org/2000/01/rdf-schema#seeAlso> "
        "<https://w3id.org/nato-iraq-kg/id/actor/nobody> .\n",
        encoding="utf-8",
    )
    return path


def test_a_facts_file_with_a_real_defect_still_fails(tmp_path: Path) -> None:
    """Skipping the evidence checks skips nothing else: a dangling reference exits 1.

    The summary counts the failed quality check with its rows, so it never says "0 violations"
    alone while a check failed.
    """
    result = CliRunner().invoke(cli, ["validate", str(facts_with_a_dangling_reference(tmp_path))])
    assert result.exit_code == 1
    assert "Violation: quality check untyped-entity-violation: actor:nobody" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == (
        "Does not conform: 0 SHACL violation(s), 0 warning(s); quality checks: 3 passed, "
        "1 failed (untyped-entity-violation: 1 row), 3 skipped"
    )


@pytest.mark.parametrize("fmt", ["turtle", "json"])
def test_the_full_report_includes_the_quality_checks(tmp_path: Path, fmt: str) -> None:
    """--format turtle|json (what the text output's hint points to) has the quality-check rows."""
    path = facts_with_a_dangling_reference(tmp_path)
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", fmt])
    assert result.exit_code == 1
    report = Graph().parse(data=result.stdout, format="json-ld" if fmt == "json" else "turtle")
    nobody = URIRef("https://w3id.org/nato-iraq-kg/id/actor/nobody")
    results = list(report.subjects(SH.focusNode, nobody))
    assert len(results) == 1
    assert (None, SH.result, results[0]) in report
    shape = report.value(results[0], SH.sourceShape)
    assert str(shape).endswith("/queries/qc/untyped-entity-violation")
    assert (None, SH.conforms, Literal(False)) in report


def test_an_ill_typed_literal_the_shapes_compute_with_is_bad_input_named_not_a_crash(
    tmp_path: Path,
) -> None:
    """An offset written "about 1942"^^xsd:nonNegativeInteger crashed pySHACL (rdflib's SPARQL
    arithmetic): the user gets exit 2 naming the literal and where it is, not an internal error."""
    dataset = (ROOT / "data" / "nato-iraq.trig").read_text(encoding="utf-8")
    good = 'nif:beginIndex "1942"^^xsd:nonNegativeInteger'
    assert good in dataset
    bad = tmp_path / "ill-typed.trig"
    bad.write_text(
        dataset.replace(good, 'nif:beginIndex "about 1942"^^xsd:nonNegativeInteger'),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.stderr
    assert "ill-typed literals" in result.stderr
    assert '"about 1942"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>' in result.stderr
    assert "nif-core#beginIndex> of <https://w3id.org/nato-iraq-kg/id/source/" in result.stderr


def test_ill_typed_literals_are_listed_up_to_five_then_counted() -> None:
    """The error names a few ill-typed literals and counts the rest; well-typed ones never."""
    from nato_iraq_kg.check.shapes import ill_typed_literals

    ex = Namespace("http://example.org/")
    graph = Graph()
    graph.add((ex.a, ex.n, Literal("5", datatype=XSD.integer)))
    assert ill_typed_literals(graph) == []
    for number in range(7):
        graph.add((ex[f"s{number}"], ex.n, Literal(f"n{number}", datatype=XSD.integer)))
    listed = ill_typed_literals(graph)
    assert len(listed) == 6 and listed[-1] == "and 2 more"
    assert listed[0] == (
        '"n0"^^<http://www.w3.org/2001/XMLSchema#integer> '
        "(<http://example.org/n> of <http://example.org/s0>)"
    )


def test_an_ill_typed_literal_prints_no_rdflib_traceback(tmp_path: Path) -> None:
    """rdflib logs a traceback per ill-typed literal it reads; the program keeps stderr clean.

    Run as a real process: under pytest a log-capturing handler would hide the traceback anyway.
    """
    import subprocess
    import sys

    data = tmp_path / "ill.nt"
    data.write_text(
        '<http://example.org/a> <http://example.org/p> "y"^^'
        "<http://www.w3.org/2001/XMLSchema#integer> .\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "nato_iraq_kg", "validate", str(data)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Conforms: 0 SHACL violation(s)")
    assert "Traceback" not in run.stderr
    assert "Failed to convert Literal" not in run.stderr
