"""Every competency question runs and gives the answer written by hand from the document."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from answers import Answer, answer_from_csv, answer_from_file, answer_from_json
from nato_iraq_kg.sparql.local import load_graph, run_serialized

ROOT = Path(__file__).resolve().parents[1]
CQ = ROOT / "queries" / "cq"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
MINIMUM_QUESTIONS = 40


def manifest_entries() -> list[tuple[str, Path, Path]]:
    """Return (name, query file, expected answer file) for each test the manifest lists."""
    graph = Graph().parse(CQ / "manifest.ttl", publicID=CQ.as_uri() + "/manifest.ttl")
    entries = []
    for test in graph.subjects(RDF.type, MF.QueryEvaluationTest):
        action = graph.value(test, MF.action)
        query = graph.value(action, QT.query)
        result = graph.value(test, MF.result)
        assert isinstance(query, URIRef) and isinstance(result, URIRef), test
        entries.append(
            (
                str(graph.value(test, MF.name)),
                Path(query.removeprefix("file://")),
                Path(result.removeprefix("file://")),
            )
        )
    return sorted(entries, key=lambda e: e[1].name)


ENTRIES = manifest_entries()


def actual_answer(store, query: Path, expected: Answer) -> Answer:
    """Run ``query`` and read its answer in the form the expected answer is written in."""
    sparql = query.read_text(encoding="utf-8")
    if expected.kind == "graph":
        data = run_serialized(store, sparql, "nt").decode("utf-8")
        return Answer("graph", graph=Graph().parse(data=data, format="nt"))
    if expected.kind == "ask":
        return answer_from_json(run_serialized(store, sparql, "json"))
    return answer_from_csv(run_serialized(store, sparql, "csv"))


@pytest.fixture(scope="module")
def store():
    """The built dataset in the embedded store."""
    return load_graph()


def test_manifest_lists_every_question_and_nothing_else() -> None:
    """Each queries/cq/NN-*.rq is in the manifest with an answer beside it, and vice versa."""
    on_disk = sorted(CQ.glob("[0-9][0-9]-*.rq"))
    assert len(on_disk) >= MINIMUM_QUESTIONS
    assert sorted(e[1] for e in ENTRIES) == on_disk
    for _, query, result in ENTRIES:
        assert result.is_file(), result
        assert result.stem == query.stem
        assert query.read_text(encoding="utf-8").startswith("#"), f"{query}: no question comment"


@pytest.mark.parametrize(("name", "query", "result"), ENTRIES, ids=[e[1].stem for e in ENTRIES])
def test_question_gives_the_expected_answer(store, name: str, query: Path, result: Path) -> None:
    """The embedded store's answer equals the hand-written one (multiset, boolean or graph)."""
    expected = answer_from_file(result)
    actual = actual_answer(store, query, expected)
    assert expected.same_as(actual), answer_difference(name, query, result, expected, actual)


def answer_difference(
    name: str, query: Path, result: Path, expected: Answer, actual: Answer
) -> str:
    """Say which rows changed and how to review them (data/README.md, "When an answer changes").

    A new fact can rightly change an answer; the curator must see the rows that differ, not two
    whole answers, and know which file to update once the page confirms the new rows.
    """
    header = (
        f"{name}: the answer differs from {result.relative_to(ROOT)}; review it "
        f"(nato-iraq-kg query {query.stem} --format csv) against the page, then update the file "
        "by hand (data/README.md, 'When an answer changes')"
    )
    if (
        expected.kind != "select"
        or actual.kind != "select"
        or expected.variables != actual.variables
    ):
        return f"{header}\nexpected: {expected}\nactual:   {actual}"
    assert expected.rows is not None and actual.rows is not None
    lost = sorted((expected.rows - actual.rows).elements())
    new = sorted((actual.rows - expected.rows).elements())
    lines = [header, f"columns: {','.join(expected.variables)}"]
    lines += [f"- {','.join(row)}" for row in lost] + [f"+ {','.join(row)}" for row in new]
    return "\n".join(lines)


def test_a_changed_answer_names_the_rows_that_went_and_came() -> None:
    """A failing question used to print both whole answers; now the rows that differ and the fix."""
    name, query, result = ENTRIES[4]
    expected = answer_from_file(result)
    assert expected.kind == "select" and expected.rows
    gone = next(iter(expected.rows))
    actual = answer_from_csv(
        ",".join(expected.variables)
        + "\n"
        + "".join(",".join(r) + "\n" for r in expected.rows.elements() if r != gone)
        + ",".join(["x"] * len(expected.variables))
        + "\n"
    )
    message = answer_difference(name, query, result, expected, actual)
    lines = message.splitlines()
    assert lines[0].startswith(f"{name}: the answer differs from queries/cq/{result.name}")
    assert "data/README.md, 'When an answer changes'" in lines[0]
    assert lines[2:] == ["- " + ",".join(gone), "+ " + ",".join(["x"] * len(expected.variables))]
