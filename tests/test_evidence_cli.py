"""`evidence NAME`: by label, by the compact name it prints, by IRI; candidates; --format.

Issue 20, item 5: `evidence` printed `actor:nato` but rejected `evidence actor:nato` and the full
IRI, a partial name ("Iraqi") listed no candidates, and there was no `--format`.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from nato_iraq_kg.cli import cli
from nato_iraq_kg.sparql.local import evidence_for, load_graph

NATO = "https://w3id.org/nato-iraq-kg/id/actor/nato"


def invoke(*args: str):
    """Run the CLI in-process."""
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("name", ["NATO", "actor:nato", NATO, f"<{NATO}>"])
def test_an_entity_is_found_by_label_compact_name_or_iri(name: str) -> None:
    """The label, the compact name the table prints, and the IRI all give NATO's facts."""
    result = invoke("evidence", name, "--width", "200")
    assert result.exit_code == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("actor:nato ")]
    assert len(rows) > 20
    assert "NATO Secretary General Jens Stoltenberg" in result.stdout


def test_the_compact_name_the_table_prints_is_accepted_back() -> None:
    """Every entity in the first column of `evidence NTM-I` answers `evidence <that name>`."""
    printed = {row[0] for row in evidence_for(load_graph(), "NTM-I").rows}
    assert printed == {"programme:ntm-i"}
    assert invoke("evidence", "programme:ntm-i").exit_code == 0


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Iraqi", ['"Iraqi government" (actor:iraqi-government)', "actor:iraqi-forces"]),
        ("NTM-1", ['"NTM-I" (programme:ntm-i)']),
        ("Stoltenbreg", ['"Jens Stoltenberg" (actor:jens-stoltenberg)']),
        ("actor:natoo", ['"NATO" (actor:nato)']),
    ],
    ids=["partial", "typo", "misspelt", "compact-typo"],
)
def test_no_match_suggests_candidates_and_exits_one(name: str, expected: list[str]) -> None:
    """No entity of that name: exit 1, one line with the entities it may have meant."""
    result = invoke("evidence", name)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: no entity is named {name!r}")
    assert "did you mean" in result.stderr
    for text in expected:
        assert text in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_prefix_we_do_not_know_is_read_as_a_name() -> None:
    """``foo:nato`` is no compact name of ours: it finds nothing and says what works."""
    result = invoke("evidence", "foo:nato")
    assert result.exit_code == 1
    assert "a compact name such as actor:nato, or a full IRI" in result.stderr


def test_formats_like_query() -> None:
    """--format csv|tsv|json: W3C results formats, IRIs in full, the same rows as the table."""
    table = evidence_for(load_graph(), "actor:nato")
    as_csv = invoke("evidence", "actor:nato", "--format", "csv")
    assert as_csv.exit_code == 0
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert (
        rows[0]
        == list(table.variables)
        == [
            "entity",
            "subject",
            "property",
            "object",
            "part",
            "quote",
        ]
    )
    assert len(rows) - 1 == len(table.rows)
    assert rows[1][0] == NATO
    as_tsv = invoke("evidence", "actor:nato", "--format", "tsv")
    assert as_tsv.stdout.splitlines()[0] == "?entity\t?subject\t?property\t?object\t?part\t?quote"
    assert len(as_tsv.stdout.splitlines()) - 1 == len(table.rows)
    as_json = json.loads(invoke("evidence", "NATO", "--format", "json").stdout)
    assert as_json["head"]["vars"] == list(table.variables)
    assert len(as_json["results"]["bindings"]) == len(table.rows)
    assert as_json["results"]["bindings"][0]["entity"] == {"type": "uri", "value": NATO}


@pytest.mark.parametrize(
    "hostile",
    [
        "actor:nato> } ; DROP ALL ; #",
        "<https://w3id.org/nato-iraq-kg/id/actor/nato> } UNION { ?s ?p ?o",
        "https://w3id.org/nato-iraq-kg/id/actor/nato>{?s ?p ?o}",
    ],
)
def test_iri_like_hostile_names_stay_bound_terms(hostile: str) -> None:
    """Names that look like IRIs are bound as an IRI or a literal, never pasted: nothing found."""
    store = load_graph()
    before = len(store)
    assert evidence_for(store, hostile).rows == ()
    assert len(store) == before
