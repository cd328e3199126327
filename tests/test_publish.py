"""Publish into real stores (Oxigraph server, Virtuoso), then ask them every competency question."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from answers import Answer, answer_from_file
from nato_iraq_kg.cli import cli
from nato_iraq_kg.remote.publish_plan import read_publication
from publishing import (
    DATASET_GRAPHS,
    DATASET_NQ,
    DATASET_QUADS,
    DROPPED_GRAPH,
    changed_dataset,
    publish_cli,
    store_state,
)
from test_competency_questions import ENTRIES, actual_answer
from test_endpoint import remote_answer
from triplestores import DBA_PASSWORD, OxigraphServer, VirtuosoServer

XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
FACTS_NT = DATASET_NQ.with_suffix(".nt")
#: Virtuoso answers a BIND(EXISTS {...}) as xsd:integer 1/0, not as a boolean: the one column of
#: the competency questions where that shows, read as the boolean it stands for (README).
VIRTUOSO_EXISTS_AS_INTEGER = {("32-cooperation-area-scheme.rq", "top")}


@pytest.fixture(scope="module")
def embedded():
    """The built dataset in the embedded store."""
    from nato_iraq_kg.sparql.local import load_graph

    return load_graph()


def publish_to_oxigraph(server: OxigraphServer, *args: str):
    return publish_cli(
        "--endpoint", server.query_url, "--update-endpoint", server.update_url, *args
    )


def publish_to_virtuoso(server: VirtuosoServer, *args: str):
    return publish_cli("--endpoint", server.auth_url, "--user", "dba", *args, password=DBA_PASSWORD)


def virtuoso_answer(url: str, query: Path, expected: Answer) -> Answer:
    """Ask Virtuoso in SPARQL JSON and read booleans by value.

    Virtuoso stores xsd:boolean as an integer and answers "1"/"0" (openlink/virtuoso-opensource
    #251); XSD gives "1" and "true" the same value, so a boolean is compared as its value. It
    also answers EXISTS as xsd:integer 1/0: only the columns listed in
    ``VIRTUOSO_EXISTS_AS_INTEGER`` are read that way.
    """
    if expected.kind != "select":
        return remote_answer(url, query, expected)
    result = CliRunner().invoke(cli, ["query", str(query), "--endpoint", url, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    variables = tuple(document["head"]["vars"])

    def text(variable: str, term: dict[str, str] | None) -> str:
        if term is None:
            return ""
        exists = (query.name, variable) in VIRTUOSO_EXISTS_AS_INTEGER
        if term.get("datatype") == XSD_BOOLEAN or (exists and term["datatype"] == XSD_INTEGER):
            return {"1": "true", "0": "false"}.get(term["value"], term["value"])
        return term["value"]

    rows = Counter(
        tuple(text(v, b.get(v)) for v in variables) for b in document["results"]["bindings"]
    )
    return Answer("select", variables, rows)


def test_publish_to_oxigraph_then_every_question_answers_as_embedded(
    oxigraph: OxigraphServer, embedded
) -> None:
    """Publish into Oxigraph; each competency question through --endpoint gives the same answer."""
    result = publish_to_oxigraph(oxigraph)
    assert result.exit_code == 0, result.stderr
    assert f"Published {DATASET_QUADS} triples in {DATASET_GRAPHS} graph(s)" in result.stdout
    assert len(ENTRIES) >= 40
    for _, query, expected_file in ENTRIES:
        expected = answer_from_file(expected_file)
        local = actual_answer(embedded, query, expected)
        assert remote_answer(oxigraph.query_url, query, expected).same_as(local), query.name


def test_publish_to_virtuoso_then_every_question_answers_as_embedded(
    virtuoso: VirtuosoServer, embedded
) -> None:
    """Publish into Virtuoso through its digest-protected endpoint; the answers are the same."""
    result = publish_to_virtuoso(virtuoso)
    assert result.exit_code == 0, result.stderr
    assert f"Published {DATASET_QUADS} triples in {DATASET_GRAPHS} graph(s)" in result.stdout
    assert len(ENTRIES) >= 40
    for _, query, expected_file in ENTRIES:
        expected = answer_from_file(expected_file)
        local = actual_answer(embedded, query, expected)
        answer = virtuoso_answer(virtuoso.query_url, query, expected)
        if answer.kind == "select" and local.kind == "select":
            # Virtuoso 7.2 may repeat a row (README, "Scaling out"): compared as sets of rows.
            assert answer.variables == local.variables, query.name
            assert set(answer.rows or ()) == set(local.rows or ()), f"{query.name}\n{answer}"
        else:
            assert answer.same_as(local), f"{query.name}\n{answer}\n{local}"


@pytest.mark.parametrize("store", ["oxigraph", "virtuoso"])
def test_publishing_twice_gives_the_same_graph(store: str, request: pytest.FixtureRequest) -> None:
    """Idempotent: a second publish leaves the same count and hash, with no duplicates."""
    server = request.getfixturevalue(store)
    send = publish_to_oxigraph if store == "oxigraph" else publish_to_virtuoso
    assert send(server).exit_code == 0
    first = store_state(server.query_url)
    again = send(server)
    assert again.exit_code == 0, again.stderr
    second = store_state(server.query_url)
    assert first[:2] == second[:2]
    assert second[0] == DATASET_QUADS
    assert second[1] == read_publication(DATASET_NQ, None).digest


@pytest.mark.parametrize("store", ["oxigraph", "virtuoso"])
def test_publishing_a_changed_graph_replaces_it(
    store: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """A changed dataset replaces the old one: the removed graph and the old label are gone."""
    server = request.getfixturevalue(store)
    send = publish_to_oxigraph if store == "oxigraph" else publish_to_virtuoso
    assert send(server).exit_code == 0
    changed = changed_dataset(tmp_path)
    result = send(server, "--file", str(changed))
    assert result.exit_code == 0, result.stderr
    assert "1 stale graph(s) dropped" in result.stdout
    count, digest, graphs = store_state(server.query_url)
    assert DROPPED_GRAPH not in graphs
    assert count == DATASET_QUADS - 2
    assert digest == read_publication(changed, None).digest
    labels = [
        t for g in graphs.values() for t in g if "id/actor/nato> <http://www.w3.org/2000/01" in t
    ]
    assert labels == [
        "<https://w3id.org/nato-iraq-kg/id/actor/nato> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "North Atlantic Treaty Organization"@en'
    ]
    assert send(server).exit_code == 0  # back to the built dataset for the other tests


@pytest.mark.parametrize("store", ["oxigraph", "virtuoso"])
def test_publish_into_one_named_graph(store: str, request: pytest.FixtureRequest) -> None:
    """--graph merges the file into that one graph; publishing it twice changes nothing."""
    server = request.getfixturevalue(store)
    send = publish_to_oxigraph if store == "oxigraph" else publish_to_virtuoso
    target = "https://example.org/graphs/nato-iraq-facts"
    for _ in range(2):
        result = send(server, "--graph", target, "--file", str(FACTS_NT))
        assert result.exit_code == 0, result.stderr
        assert "Published 2343 triples in 1 graph(s)" in result.stdout
    before = store_state(server.query_url)
    assert before[0] == DATASET_QUADS  # the dataset's own graphs are left alone


def test_wrong_virtuoso_password_is_refused_and_changes_nothing(virtuoso: VirtuosoServer) -> None:
    """Wrong credentials: exit 2, one line naming the refused user, the store unchanged."""
    before = store_state(virtuoso.query_url)
    result = publish_cli(
        "--endpoint", virtuoso.auth_url, "--user", "dba", "--file", str(FACTS_NT),
        "--graph", "https://example.org/g", password="not-the-password",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "401 Unauthorized: the credentials of 'dba' were refused" in result.stderr
    assert store_state(virtuoso.query_url) == before


def test_publish_needs_the_password_in_the_environment_when_not_interactive() -> None:
    """--user without $NATO_IRAQ_KG_PASSWORD and no terminal: exit 2 before any request."""
    result = CliRunner().invoke(
        cli, ["publish", "--endpoint", "http://127.0.0.1:9/sparql", "--user", "dba"]
    )
    assert result.exit_code == 2
    assert "set the password in $NATO_IRAQ_KG_PASSWORD" in result.stderr


@pytest.mark.parametrize("iri", ["graph/facts", "facts", "http://exa mple.org/g", "<http://e/g>"])
def test_a_graph_that_is_not_an_absolute_iri_is_refused(oxigraph: OxigraphServer, iri: str) -> None:
    """A relative or malformed --graph: exit 2, the store unchanged."""
    before = store_state(oxigraph.query_url)
    result = publish_to_oxigraph(oxigraph, "--graph", iri)
    assert result.exit_code == 2
    assert f"--graph {iri!r}: not" in result.stderr
    assert store_state(oxigraph.query_url) == before


def test_blank_nodes_are_refused_before_anything_is_sent(tmp_path: Path) -> None:
    """A file with a blank node would duplicate on every publish: refused, exit 2, nothing sent."""
    data = tmp_path / "blank.nq"
    data.write_text('_:b <http://e/p> "x" <https://w3id.org/nato-iraq-kg/graph/x> .\n')
    result = publish_cli("--endpoint", "http://127.0.0.1:9/sparql", "--file", str(data))
    assert result.exit_code == 2
    assert "blank node" in result.stderr


def test_the_hash_reads_values_the_way_stores_keep_them() -> None:
    """Integer subtypes hash as xsd:integer (Oxigraph) and "1" booleans as "true" (Virtuoso)."""
    from nato_iraq_kg.remote.publish_plan import term_from_binding

    xsd = "http://www.w3.org/2001/XMLSchema#"
    oxigraph_offset = {"type": "literal", "datatype": xsd + "integer", "value": "4205"}
    sent_offset = {"type": "literal", "datatype": xsd + "nonNegativeInteger", "value": "4205"}
    assert term_from_binding(oxigraph_offset) == term_from_binding(sent_offset)
    virtuoso_true = {"type": "typed-literal", "datatype": xsd + "boolean", "value": "1"}
    sent_true = {"type": "literal", "datatype": xsd + "boolean", "value": "true"}
    assert term_from_binding(virtuoso_true) == term_from_binding(sent_true)
    other_date = {"type": "literal", "datatype": xsd + "date", "value": "2004-01-01"}
    assert term_from_binding(other_date) != term_from_binding(
        {"type": "literal", "datatype": xsd + "date", "value": "2004-01-02"}
    )


def test_a_web_page_answering_200_is_not_taken_for_a_store(tmp_path: Path) -> None:
    """A non-SPARQL URL that answers every request with an HTML page: exit 2 before any write."""
    from fault_proxies import FaultyHTTPProxy, Reply
    from loopback import free_port

    page = FaultyHTTPProxy(free_port())
    page.rule = lambda index, seen: Reply(200, {"Content-Type": "text/html"}, b"<html>hi</html>")
    try:
        result = publish_cli("--endpoint", page.url("/sparql"), "--file", str(FACTS_NT),
                             "--graph", "https://example.org/g")  # fmt: skip
    finally:
        page.close()
    assert result.exit_code == 2
    assert "answered with an HTML page (text/html), not a SPARQL result" in result.stderr
    assert all(b"INSERT" not in seen.body for seen in page.seen)


def test_virtuoso_ask_rows_are_read_as_a_boolean() -> None:
    """Regression: Virtuoso's ASK answered as rows of __ASK_RETVAL becomes a SPARQL boolean."""
    from nato_iraq_kg.remote.query import RemoteAnswer, ask_as_boolean

    def rows(*values: str) -> RemoteAnswer:
        bindings = [{"__ASK_RETVAL": {"type": "typed-literal", "value": v}} for v in values]
        body = {"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": bindings}}
        return RemoteAnswer(json.dumps(body).encode(), "application/sparql-results+json")

    assert json.loads(ask_as_boolean(rows("1")).body) == {"head": {}, "boolean": True}
    assert json.loads(ask_as_boolean(rows()).body) == {"head": {}, "boolean": False}
    standard = RemoteAnswer(b'{"head": {}, "boolean": false}', "application/sparql-results+json")
    assert ask_as_boolean(standard) is standard
