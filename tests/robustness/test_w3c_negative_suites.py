"""Catalogue cases 1, 2, 3 and 17: every W3C negative test is refused by every reader we expose.

The cases are the vendored copies in ``tests/fixtures/w3c/`` (see its README for provenance),
enumerated from their own manifests. Each reader must refuse each file with one clear error, give
no partial result, and take under a second; counts are asserted so that a manifest that stops
being read cannot pass silently.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, Namespace
from robustness_guards import watched
from starlette.testclient import TestClient

from nato_iraq_kg.check.inputs import load_inputs
from nato_iraq_kg.cli import cli
from nato_iraq_kg.errors import InputError
from nato_iraq_kg.guard.rdf_input import read_rdf_file
from nato_iraq_kg.serve.app import create_app
from nato_iraq_kg.sparql.local import run

W3C = Path(__file__).resolve().parent.parent / "fixtures" / "w3c"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
#: A bound that catches a hang (a parser that loops or a worker that never answers), not a speed
#: target: the first request also starts the endpoint's worker, which takes over a second on a
#: loaded machine.
BUDGET_S = 10.0

#: suite folder -> number of negative tests its manifest lists (rdflib 7.6.0's copy of rdf-tests)
RDF_SUITES = {"turtle": 82, "ntriples": 27, "nquads": 32, "trig": 103, "rdf-xml": 40}
SPARQL_SUITES = {
    "sparql11/syntax-query": 26,
    "sparql11/syntax-update-1": 13,
    "sparql10/syntax-sparql3": 42,
    "sparql10/syntax-sparql4": 8,
}


@dataclass(frozen=True)
class Case:
    """One negative test: its manifest name and the file that must be refused."""

    name: str
    path: Path

    def __str__(self) -> str:
        return self.name


def negative_cases(folder: str) -> list[Case]:
    """Return the negative tests (syntax or evaluation) that a W3C manifest lists."""
    manifest = W3C / folder / "manifest.ttl"
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.parent.as_uri() + "/")
    cases = []
    for test, kind in graph.subject_objects(RDF.type):
        if "Negative" in str(kind):
            action = str(graph.value(test, MF.action))
            relative = action.removeprefix(manifest.parent.as_uri() + "/")
            cases.append(Case(f"{folder}/{relative}", W3C / folder / relative))
    return sorted(cases, key=str)


def json_ld_cases() -> list[Case]:
    """Return the negative toRdf and expand tests that apply to a JSON-LD 1.1 RDF reader.

    Left out: the tests of JSON-LD 1.0 processing mode, since we are a 1.1 processor.
    """
    cases = []
    for suite in ("toRdf", "expand"):
        manifest = json.loads((W3C / "json-ld" / f"{suite}-manifest.jsonld").read_text())
        for test in manifest["sequence"]:
            if "jld:NegativeEvaluationTest" not in test["@type"]:
                continue
            option = test.get("option", {})
            if "json-ld-1.0" in (option.get("processingMode"), option.get("specVersion")):
                continue
            cases.append(Case(f"json-ld/{test['input']}", W3C / "json-ld" / test["input"]))
    return cases


ALL_RDF = [case for suite in RDF_SUITES for case in negative_cases(suite)]
ALL_SPARQL = [case for suite in SPARQL_SUITES for case in negative_cases(suite)]
ALL_JSON_LD = json_ld_cases()


def test_every_vendored_manifest_is_read_whole() -> None:
    """Each suite yields exactly the number of negative tests its manifest lists, all present."""
    for suite, expected in {**RDF_SUITES, **SPARQL_SUITES}.items():
        cases = negative_cases(suite)
        assert len(cases) == expected, suite
        assert all(case.path.is_file() for case in cases), suite
    # 106 toRdf + 109 expand negatives, less the 27 that test JSON-LD 1.0 processing mode
    assert len(ALL_JSON_LD) == 188
    assert all(case.path.is_file() for case in ALL_JSON_LD)
    assert (W3C / "LICENSE").is_file()


@pytest.mark.parametrize("case", ALL_RDF, ids=str)
def test_case_01_rdf_negative_syntax_is_refused_by_validate_reader(case: Case) -> None:
    """Case 1: ``validate FILE``'s reader refuses the file, with its name and a position."""
    start = time.perf_counter()
    with watched() as seen, pytest.raises(InputError) as refused:
        load_inputs([case.path])
    assert time.perf_counter() - start < BUDGET_S
    message = str(refused.value)
    assert message.startswith(f"{case.path}: ")
    assert "malformed" in message or "not allowed" in message
    assert "\n" not in message
    assert not seen.network


@pytest.mark.parametrize("case", ALL_JSON_LD, ids=str)
def test_case_02_json_ld_negative_tests_are_refused_without_fetching(case: Case) -> None:
    """Case 2: the JSON-LD error tests are refused, quickly, with nothing fetched or opened."""
    start = time.perf_counter()
    with watched() as seen, pytest.raises(InputError) as refused:
        load_inputs([case.path])
    assert time.perf_counter() - start < BUDGET_S
    assert str(refused.value).startswith(f"{case.path}: ")
    assert not seen.network
    assert seen.files_outside(case.path.parent) == []


RDFLIB_ACCEPTS = [
    *(f"turtle/turtle-syntax-bad-uri-0{n}.ttl" for n in range(1, 6)),
    *(f"turtle/turtle-syntax-bad-esc-0{n}.ttl" for n in range(2, 5)),
    "turtle/turtle-syntax-bad-LITERAL2_with_langtag_and_datatype.ttl",
    *(f"ntriples/nt-syntax-bad-esc-0{n}.nt" for n in range(1, 4)),
]


@pytest.mark.parametrize("name", RDFLIB_ACCEPTS)
def test_case_03_what_rdflib_accepts_is_refused_by_every_reader(name: str) -> None:
    """Case 3: the cases rdflib alone accepts are refused by ``validate FILE``, ``--shapes``."""
    path = W3C / name
    fmt = "N_TRIPLES" if path.suffix == ".nt" else "TURTLE"
    with pytest.raises(InputError):
        read_rdf_file(path, fmt)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}: ")
    assert result.stdout == ""
    if fmt == "TURTLE":
        result = CliRunner().invoke(cli, ["validate", "--shapes", str(path)])
        assert result.exit_code == 2
        assert "malformed Turtle" in result.stderr


def test_case_03_bad_struct_cases_are_among_those_refused() -> None:
    """Case 3: every ``bad-struct`` Turtle case is in the suite run above (none left out)."""
    names = {case.path.name for case in ALL_RDF}
    bad_struct = {name for name in names if name.startswith("turtle-syntax-bad-struct")}
    assert len(bad_struct) == 17
    assert all(name.split("/")[-1] in names for name in RDFLIB_ACCEPTS)


def test_case_01_a_bad_file_after_a_good_one_leaves_no_partial_result(tmp_path: Path) -> None:
    """Case 1: two files, the second bad: an error and no graph, never the first file's triples."""
    good = tmp_path / "good.ttl"
    good.write_text("<http://example.org/a> <http://example.org/p> 1 .\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(good), str(W3C / RDFLIB_ACCEPTS[0])])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "turtle-syntax-bad-uri-01.ttl" in result.stderr


@pytest.fixture(scope="module")
def store() -> pyoxigraph.Store:
    """A small store holding one triple: a negative query must not reach it anyway."""
    store = pyoxigraph.Store()
    store.add(
        pyoxigraph.Quad(
            pyoxigraph.NamedNode("http://example.org/a"),
            pyoxigraph.NamedNode("http://example.org/p"),
            pyoxigraph.Literal("x"),
        )
    )
    return store


@pytest.fixture(scope="module")
def client(store: pyoxigraph.Store) -> TestClient:
    """The endpoint app, in process, over the small store."""
    return TestClient(create_app(store=store))


@pytest.mark.parametrize("case", ALL_SPARQL, ids=str)
def test_case_17_bad_queries_are_refused_by_query_and_endpoint(
    case: Case, store: pyoxigraph.Store, client: TestClient
) -> None:
    """Case 17: ``query`` raises a clear error; the endpoint answers 400 (403 for updates)."""
    text = case.path.read_text(encoding="utf-8")
    before = len(store)
    start = time.perf_counter()
    with pytest.raises(InputError) as refused:
        run(store, text)
    assert "\n" not in str(refused.value)
    response = client.post(
        "/sparql", content=text.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert time.perf_counter() - start < BUDGET_S
    assert response.status_code in (400, 403), response.text
    assert response.text.strip()
    assert len(store) == before
