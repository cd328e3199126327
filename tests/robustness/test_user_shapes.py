"""Catalogue cases 15 and 16: shapes a user hands to ``validate --shapes``.

The seven ``sht:Failure`` tests of the W3C SHACL suite are vendored (from pySHACL's sdist) in
``tests/fixtures/w3c/shacl/``; each holds its data and shapes in one file.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from robustness_guards import watched

from nato_iraq_kg.cli import cli

SHACL = Path(__file__).resolve().parent.parent / "fixtures" / "w3c" / "shacl"
HEADER = "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
DATA = HEADER + "ex:x a ex:C ; ex:next ex:y .\nex:y a ex:C ; ex:next ex:x .\n"


def write(folder: Path, name: str, text: str) -> Path:
    """Write a Turtle file and return its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_seven_shacl_failure_tests_are_vendored() -> None:
    """Every sht:Failure test of the SHACL suite is here (a glob that finds none cannot pass)."""
    failures = [p for p in sorted(SHACL.glob("*.ttl")) if "sht:Failure" in p.read_text()]
    assert len(failures) == 7


@pytest.mark.parametrize("path", sorted(SHACL.glob("*.ttl")), ids=lambda p: p.stem)
def test_case_16_shacl_failures_are_errors_not_crashes(path: Path) -> None:
    """Case 16: shapes pySHACL cannot apply end in one error line and exit 2, no traceback."""
    with watched() as seen:
        result = CliRunner().invoke(cli, ["validate", str(path), "--shapes", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert seen.network == []


@pytest.mark.parametrize(
    ("constraint", "word"),
    [
        ("SELECT $this WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT $this FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM"),
    ],
)
def test_case_15_shapes_reaching_out_are_refused(
    tmp_path: Path, constraint: str, word: str
) -> None:
    """Case 15: a SPARQL constraint with SERVICE or FROM <file:...> is refused, nothing read."""
    data = write(tmp_path, "data.ttl", DATA)
    shapes = write(
        tmp_path,
        "shapes.ttl",
        HEADER
        + f'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "{constraint}" ] .\n',
    )
    with watched() as seen:
        result = CliRunner().invoke(cli, ["validate", str(data), "--shapes", str(shapes)])
    assert result.exit_code == 2
    assert f"uses {word!r}" in result.stderr
    assert seen.network == []
    assert not [p for p in seen.opened if "passwd" in p]


def test_case_15_a_cartesian_constraint_is_stopped_at_the_time_budget(tmp_path: Path) -> None:
    """Case 15: a cross-product constraint ends with "validation timed out", exit 2, on time."""
    data = write(tmp_path, "data.ttl", DATA)
    # The filter needs every variable, so no engine (pyshacl's, or Oxigraph in the prefilter)
    # can skip the cross product of the data and the ontology with itself four times.
    select = (
        "SELECT $this WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l "
        "FILTER(STRLEN(CONCAT(STR(?a), STR(?d), STR(?g), STR(?j))) < 0) }"
    )
    shapes = write(
        tmp_path,
        "shapes.ttl",
        HEADER
        + f'ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:sparql [ sh:select "{select}" ] .\n',
    )
    command = [sys.executable, "-m", "nato_iraq_kg", "validate", str(data), "--shapes"]
    start = time.monotonic()
    result = subprocess.run(
        [*command, str(shapes), "--timeout", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "error: validation timed out after 2 s"
    assert time.monotonic() - start < 15


def test_case_16_imports_are_refused_unfetched(tmp_path: Path) -> None:
    """Case 16: ``owl:imports <http://internal/...>`` is refused and never fetched."""
    data = write(tmp_path, "data.ttl", DATA)
    shapes = write(
        tmp_path,
        "shapes.ttl",
        HEADER + "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "ex:S owl:imports <http://internal.example/shapes.ttl> .\n",
    )
    with watched() as seen:
        result = CliRunner().invoke(cli, ["validate", str(data), "--shapes", str(shapes)])
    assert result.exit_code == 2
    assert "owl:imports" in result.stderr
    assert seen.network == []


def test_case_16_recursive_node_shapes_end_in_a_report(tmp_path: Path) -> None:
    """Case 16: ``sh:node`` cycles over cyclic data end (recursion is bounded) with a verdict."""
    data = write(tmp_path, "data.ttl", DATA)
    shapes = write(
        tmp_path,
        "shapes.ttl",
        HEADER + "ex:A a sh:NodeShape ; sh:targetClass ex:C ; sh:node ex:B ;\n"
        "  sh:property [ sh:path ex:next ; sh:node ex:A ] .\n"
        "ex:B a sh:NodeShape ; sh:node ex:A .\n",
    )
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["validate", str(data), "--shapes", str(shapes)])
    assert result.exit_code in (0, 1)
    assert "onform" in result.output  # "Conforms" or "Does not conform"
    assert time.monotonic() - start < 30
