"""The one format registry: every table of syntaxes, suffixes and media types reads it."""

from __future__ import annotations

import ast
from pathlib import Path

import pyoxigraph
import pytest

from nato_iraq_kg.errors import InputError
from nato_iraq_kg.formats.registry import (
    DUMPS,
    SYNTAXES,
    export_dumps,
    syntax,
    syntax_of_file,
    syntax_of_media_type,
)

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "nato_iraq_kg"
DATA = Path(__file__).resolve().parents[1] / "data"


def test_each_syntax_matches_oxigraph() -> None:
    """Names, media types and suffixes are Oxigraph's own, so parser and table cannot disagree."""
    assert [s.key for s in SYNTAXES] == ["ttl", "nt", "xml", "jsonld", "trig", "nq"]
    for entry in SYNTAXES:
        fmt = entry.rdf_format
        assert pyoxigraph.RdfFormat.from_media_type(entry.media_type) == fmt
        assert pyoxigraph.RdfFormat.from_extension(entry.suffix[1:]) == fmt
        assert entry.name == fmt.name


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("turtle", "ttl"),
        ("TTL", "ttl"),
        ("text/turtle", "ttl"),
        ("application/x-turtle", "ttl"),
        ("n-triples", "nt"),
        ("text/plain", "nt"),
        ("rdfxml", "xml"),
        ("application/rdf+xml", "xml"),
        ("json-ld", "jsonld"),
        ("application/trig", "trig"),
        ("nquads", "nq"),
    ],
)
def test_names_users_and_clients_send_resolve(name: str, key: str) -> None:
    """Short names, aliases and media types all lead to one syntax."""
    assert syntax(name).key == key


def test_unknown_names_and_suffixes_are_input_errors() -> None:
    """An unknown syntax or suffix is a clear exit-2 error listing what is known."""
    with pytest.raises(InputError, match=r"unknown RDF syntax 'n3'.*ttl, nt, xml"):
        syntax("n3")
    with pytest.raises(InputError, match=r"unknown RDF file type '\.csv'.*\.ttl"):
        syntax_of_file(Path("x.csv"))
    with pytest.raises(InputError, match=r"use \.ttl, \.nt, \.trig, \.nq\)"):
        syntax_of_file(Path("facts.jsonld"), ("trig", "nq", "nt", "ttl"))
    assert syntax_of_file(Path("ONTOLOGY.OWL")).key == "xml"
    assert syntax_of_media_type("application/n-quads; charset=utf-8").key == "nq"
    assert syntax_of_media_type("text/csv") is None


def test_the_dumps_are_the_files_the_build_writes() -> None:
    """Every dump in the registry is in data/ and in void.ttl; export offers one per syntax."""
    assert len(DUMPS) == 7
    for dump in DUMPS:
        assert (DATA / dump.file).is_file(), dump.file
        assert (
            f"<https://w3id.org/nato-iraq-kg/data/{dump.file}>" in (DATA / "void.ttl").read_text()
        )
        assert dump.file.endswith(dump.syntax.suffix)
    assert sorted(export_dumps()) == sorted(s.key for s in SYNTAXES)


#: Literal values that mean a format table; outside the registry, only these modules may hold
#: one (the SPARQL results formats of the protocol and the client are not RDF syntaxes).
MEDIA_TYPES = {s.media_type for s in SYNTAXES}


def test_no_module_repeats_a_media_type_table() -> None:
    """Regression: about twelve tables repeated names and media types; now only the registry does.

    A dict or tuple literal holding two or more RDF media types outside the registry is a
    second table that would drift from it.
    """
    checked = 0
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "registry.py":
            continue
        checked += 1
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Dict, ast.Tuple, ast.List, ast.Set)):
                values = node.values if isinstance(node, ast.Dict) else node.elts
                strings = {v.value for v in values if isinstance(v, ast.Constant)}
                if len(strings & MEDIA_TYPES) >= 2:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert checked > 50
    assert not offenders, offenders
