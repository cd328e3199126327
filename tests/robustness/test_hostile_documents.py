"""Catalogue cases 4 to 12: hostile RDF documents handed to ``validate FILE`` and its reader.

Each test also checks the invariants: nothing fetched, no file opened that the user did not name,
the process still answering (the CLI is run in a subprocess where a crash would kill pytest), and
no partial result.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from robustness_guards import watched

from nato_iraq_kg.check.inputs import load_inputs
from nato_iraq_kg.cli import cli
from nato_iraq_kg.curation.model import expand_curie
from nato_iraq_kg.errors import InputError
from nato_iraq_kg.guard.rdf_input import MAX_DOCUMENT_DEPTH, MAX_INPUT_BYTES, parse_rdf
from nato_iraq_kg.sparql.local import run


def refused(path: Path, budget_s: float = 1.0) -> str:
    """Return the error ``validate``'s reader gives for ``path``, checking nothing leaked."""
    start = time.perf_counter()
    with watched() as seen, pytest.raises(InputError) as error:
        load_inputs([path])
    assert time.perf_counter() - start < budget_s
    assert seen.network == []
    assert seen.files_outside(path.parent) == []
    message = str(error.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message


def jsonld(tmp_path: Path, context: object, name: str = "input.jsonld") -> Path:
    """Write a one-node JSON-LD document with ``context`` as its ``@context``."""
    path = tmp_path / name
    document = {"@context": context, "@id": "http://example.org/a", "name": "x"}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "context",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:7878/update",
        ["https://schema.org/", {"name": "http://schema.org/name"}],
    ],
)
def test_case_04_remote_context_is_refused_before_any_request(
    tmp_path: Path, context: object
) -> None:
    """Case 4: a context by URL (cloud metadata, a local update endpoint): refused, no request."""
    assert "remote context not allowed" in refused(jsonld(tmp_path, context))


@pytest.mark.parametrize("context", ["file:///etc/passwd", "../../secrets.jsonld"])
def test_case_05_file_context_is_refused_without_opening_it(tmp_path: Path, context: str) -> None:
    """Case 5: a ``file:`` or relative context is refused; the named file is never opened."""
    (tmp_path / "secrets.jsonld").write_text('{"@context": {}}', encoding="utf-8")
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    with watched() as seen:
        assert "remote context not allowed" in refused(jsonld(folder, context))
    assert not [p for p in seen.opened if "passwd" in p or "secrets" in p]


def test_case_05_validate_command_refuses_a_file_context(tmp_path: Path) -> None:
    """Case 5 end to end: ``validate`` exits 2 with one line, and prints no result."""
    path = jsonld(tmp_path, "file:///etc/passwd")
    with watched() as seen:
        result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert "remote context not allowed" in result.stderr
    assert result.stdout == ""
    assert not [p for p in seen.opened if "passwd" in p]


@pytest.mark.parametrize(
    "context",
    [
        {"@import": "b.jsonld", "name": "http://schema.org/name"},
        [{"name": "http://schema.org/name"}, "a.jsonld"],
        {"@version": 1.1, "name": {"@id": "http://schema.org/name", "@context": "b.jsonld"}},
    ],
    ids=["import", "recursion-a-b-a", "scoped-context"],
)
def test_case_06_context_chains_stop_at_the_first_link(tmp_path: Path, context: object) -> None:
    """Case 6: A→B→A recursion and @import chains cannot start: the first link is refused."""
    jsonld(tmp_path, "b.jsonld", "a.jsonld")
    jsonld(tmp_path, "a.jsonld", "b.jsonld")
    with watched() as seen:
        assert "remote context not allowed" in refused(jsonld(tmp_path, context))
    assert not [p for p in seen.opened if p.endswith(("a.jsonld", "b.jsonld"))]


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n <!ENTITY a "lol">\n'
    + "".join(f' <!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(9))
    + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
    '<rdf:Description rdf:about="http://example.org/a"><rdf:value>&j;</rdf:value>'
    "</rdf:Description></rdf:RDF>\n"
)
QUADRATIC = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x "' + "x" * 50_000 + '">]>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="http://example.org/a"><rdf:value>'
    + "&x;" * 50_000
    + "</rdf:value></rdf:Description></rdf:RDF>\n"
)


@pytest.mark.parametrize("text", [BILLION_LAUGHS, QUADRATIC], ids=["billion-laughs", "quadratic"])
def test_case_07_entity_bombs_are_refused_up_front(tmp_path: Path, text: str) -> None:
    """Case 7: entity expansion bombs never reach an XML parser: "DOCTYPE not allowed", < 0.5 s."""
    path = tmp_path / "bomb.rdf"
    path.write_text(text, encoding="utf-8")
    if text is BILLION_LAUGHS:
        assert len(text.encode()) <= 1024
    assert "DOCTYPE not allowed" in refused(path, budget_s=0.5)


@pytest.mark.parametrize(
    "declaration",
    [
        '<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:9/evil.dtd">',
        '<!doctype rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ],
    ids=["system-entity", "external-dtd", "lowercase"],
)
def test_case_08_external_entities_and_dtds_are_refused(tmp_path: Path, declaration: str) -> None:
    """Case 8: external entities and DTDs are refused; neither the file nor the URL is touched."""
    path = tmp_path / "xxe.rdf"
    path.write_text(
        f'<?xml version="1.0"?>\n{declaration}\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="http://example.org/a"><rdf:value>&x;</rdf:value>'
        "</rdf:Description></rdf:RDF>\n",
        encoding="utf-8",
    )
    with watched() as seen:
        assert "not allowed in RDF/XML" in refused(path)
    assert not [p for p in seen.opened if "passwd" in p]


def test_case_08_an_rdf_xml_file_in_another_encoding_cannot_hide_a_doctype(tmp_path: Path) -> None:
    """Case 8: UTF-16 would hide ``<!DOCTYPE`` from a byte search, so only UTF-8 is read."""
    path = tmp_path / "utf16.rdf"
    path.write_text('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x []><x/>', encoding="utf-16")
    assert "must be UTF-8" in refused(path)


def deep(kind: str, depth: int) -> tuple[str, str]:
    """Return (file suffix, text) of a document nested ``depth`` levels deep."""
    if kind == "turtle-bnodes":
        text = "@prefix : <http://example.org/> .\n:s :p " + "[ :p " * depth + ":o" + " ]" * depth
        return ".ttl", text + " .\n"
    if kind == "turtle-lists":
        text = "@prefix : <http://example.org/> .\n:s :p " + "( " * depth + ":o" + " )" * depth
        return ".ttl", text + " .\n"
    if kind == "json-arrays":
        inner = "[" * depth + "1" + "]" * depth
        return ".jsonld", '{"@id": "http://example.org/s", "http://example.org/p": ' + inner + "}"
    if kind == "json-objects":
        inner = '{"http://example.org/p": ' * depth + "1" + "}" * depth
        return ".jsonld", '{"@id": "http://example.org/s", "http://example.org/p": ' + inner + "}"
    assert kind == "rdf-xml"
    open_tags = "<e:p><rdf:Description>" * depth
    close_tags = "</rdf:Description></e:p>" * depth
    return ".rdf", (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
        f'<rdf:Description rdf:about="http://e/s">{open_tags}{close_tags}'
        "</rdf:Description></rdf:RDF>"
    )


@pytest.mark.parametrize("kind", ["json-arrays", "json-objects", "rdf-xml"])
def test_case_09_deep_nesting_is_refused_before_the_parser_recurses(
    tmp_path: Path, kind: str
) -> None:
    """Case 9: 100 000-deep JSON-LD or RDF/XML is refused quickly (Oxigraph would crash on it)."""
    suffix, text = deep(kind, 100_000)
    path = tmp_path / f"deep{suffix}"
    path.write_text(text, encoding="utf-8")
    assert "nested" in refused(path)


@pytest.mark.parametrize("kind", ["turtle-bnodes", "turtle-lists"])
def test_case_09_deep_turtle_parses_within_budget(tmp_path: Path, kind: str) -> None:
    """Case 9: 100 000-deep ``[ [ ... ] ]`` and ``( ( ... ) )`` Turtle parse, no RecursionError.

    The strict parser takes the 100 000 levels; the whole reader (which also builds the rdflib
    graph for SHACL) is run on 10 000 to keep the suite fast.
    """
    _, text = deep(kind, 100_000)
    start = time.perf_counter()
    parsed = parse_rdf(text.encode(), "TURTLE", "deep.ttl")
    assert time.perf_counter() - start < 5
    assert len(parsed.quads) >= 100_001
    suffix, text = deep(kind, 10_000)
    path = tmp_path / f"deep{suffix}"
    path.write_text(text, encoding="utf-8")
    assert len(load_inputs([path]).graph) >= 10_001


def test_case_09_nesting_at_the_limit_is_accepted(tmp_path: Path) -> None:
    """Case 9: the limit is not a refusal of everything nested: exactly the limit still parses."""
    suffix, text = deep("json-objects", MAX_DOCUMENT_DEPTH - 2)
    path = tmp_path / f"ok{suffix}"
    path.write_text(text, encoding="utf-8")
    assert len(load_inputs([path]).graph) == MAX_DOCUMENT_DEPTH - 1


@pytest.mark.parametrize("kind", ["json-objects", "rdf-xml"])
def test_case_09_the_command_survives_deep_nesting(tmp_path: Path, kind: str) -> None:
    """Case 9: the real process exits 2 with an error line; no native stack overflow kills it."""
    suffix, text = deep(kind, 20_000)
    path = tmp_path / f"deep{suffix}"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "nato_iraq_kg", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr[-500:]
    assert result.stderr.startswith(f"error: {path}: ")
    assert "nested" in result.stderr


def test_case_10_a_ten_thousand_item_list_parses_and_is_queried(tmp_path: Path) -> None:
    """Case 10: a 10 000-item RDF list parses, and ``rdf:rest*/rdf:first`` walks all of it."""
    items = " ".join(f'"{n}"' for n in range(10_000))
    path = tmp_path / "list.ttl"
    path.write_text(f"<http://example.org/s> <http://example.org/p> ( {items} ) .\n", "utf-8")
    loaded = load_inputs([path])
    assert len(loaded.graph) == 1 + 2 * 10_000
    outcome = run(
        loaded.store,
        "SELECT (COUNT(?item) AS ?n) WHERE { <http://example.org/s> <http://example.org/p> ?l . "
        "?l rdf:rest*/rdf:first ?item }",
    )
    assert outcome.rows[0][0].value == "10000"


def test_case_10_exports_of_a_long_list_fail_cleanly(tmp_path: Path) -> None:
    """Case 10: our exporters write no blank nodes: a list is refused at once, no RecursionError."""
    from nato_iraq_kg.errors import CheckFailure
    from nato_iraq_kg.formats import jsonld
    from nato_iraq_kg.formats import lines_and_xml as export
    from nato_iraq_kg.formats import turtle as serialize

    items = " ".join(f'"{n}"' for n in range(10_000))
    path = tmp_path / "list.ttl"
    path.write_text(f"<http://example.org/s> <http://example.org/p> ( {items} ) .\n", "utf-8")
    graph = load_inputs([path]).graph
    for writer in (serialize.turtle, export.ntriples, export.rdfxml, jsonld.to_jsonld):
        with pytest.raises((CheckFailure, ValueError), match="blank node"):
            writer(graph)


def test_case_11_an_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    """Case 11: a 2 GiB file is refused from its size alone: never opened, so never parsed."""
    path = tmp_path / "huge.nt"
    with path.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: takes no disk space
    assert path.stat().st_size > MAX_INPUT_BYTES
    with watched() as seen:
        message = refused(path)
    assert "over the limit" in message
    assert str(path) not in seen.opened


def test_case_11_a_gzip_bomb_stops_at_the_cap_after_decompression(tmp_path: Path) -> None:
    """Case 11: a small ``.gz`` that inflates past the cap is refused while it streams.

    The bomb is valid N-Triples, so only the cap on decompressed bytes can stop it: without it
    the file would parse and this test would fail.
    """
    import gzip

    path = tmp_path / "bomb.nt.gz"
    line = b'<http://example.org/s> <http://example.org/p> "' + b"x" * 200 + b'" .\n'
    with gzip.open(path, "wb", compresslevel=9) as handle:
        for _ in range(16 * 1024 * 1024 // len(line)):
            handle.write(line)
    assert path.stat().st_size < 1024 * 1024  # small on disk, 16 MiB inside
    with watched() as seen, pytest.raises(InputError) as error:
        load_inputs([path], limit=1024 * 1024)
    assert seen.network == []
    assert "decompressed, it is over the limit of 1048576 bytes" in str(error.value)


@pytest.mark.parametrize(
    "name",
    ["actor:a b", "actor:a>b", 'actor:a"b', "actor:{a}", "actor:a\nb", "actor:a|b", "actor:a\\b"],
)
def test_case_12_names_that_no_iri_may_carry_are_refused_when_minted(name: str) -> None:
    """Case 12: a curated name with a space, ``>``, ``"``, ``{}`` or a newline is refused."""
    with pytest.raises(InputError, match="malformed name"):
        expand_curie(name, "facts.yaml:3")


def test_case_12_a_javascript_name_stays_inside_our_namespace() -> None:
    """Case 12: ``javascript:`` in a name cannot become a scheme: the IRI stays https."""
    iri = expand_curie("actor:javascript:alert(1)", "facts.yaml:3")
    assert str(iri).startswith("https://w3id.org/nato-iraq-kg/id/actor/")
