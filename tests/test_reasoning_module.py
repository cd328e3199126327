"""Tests for nato_iraq_kg.check.reasoning: HermiT run over small inline Turtle fixtures."""

from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path

import pytest

from nato_iraq_kg.check.reasoning import (
    ReasonerReport,
    ReasonerUnavailable,
    check_ontology,
)

owlready2 = pytest.importorskip("owlready2")

needs_java = pytest.mark.skipif(
    shutil.which(owlready2.JAVA_EXE) is None, reason="HermiT needs a Java runtime"
)

EX = "http://example.org/test#"

PREFIXES = """\
@prefix : <http://example.org/test#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
"""

ONTOLOGY = (
    PREFIXES
    + """\
<http://example.org/test> a owl:Ontology ; dcterms:title "Test ontology"@en .
schema:Organization a owl:Class .
prov:Activity a owl:Class .
prov:wasAssociatedWith a owl:ObjectProperty .
:Organisation a owl:Class ; rdfs:subClassOf schema:Organization ;
    rdfs:label "Organisation"@en ; skos:definition "A body of people."@en .
:Mission a owl:Class ; rdfs:subClassOf prov:Activity ; rdfs:label "Mission"@en .
:Organisation owl:disjointWith :Mission .
:ledBy a owl:ObjectProperty ; rdfs:subPropertyOf prov:wasAssociatedWith ;
    rdfs:domain :Mission ; rdfs:range :Organisation .
:name a owl:DatatypeProperty ; rdfs:range xsd:string .
"""
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@needs_java
def test_consistent_ontology_has_no_unsatisfiable_classes(tmp_path: Path) -> None:
    """A consistent ontology is reported consistent with no unsatisfiable classes."""
    report = check_ontology(write(tmp_path, "onto.ttl", ONTOLOGY))
    assert isinstance(report, ReasonerReport)
    assert report.consistent
    assert report.unsatisfiable_classes == ()
    assert report.message == ""
    assert report.reasoner.startswith("HermiT")
    assert f"owlready2 {owlready2.VERSION}" in report.reasoner


@needs_java
def test_subclass_of_two_disjoint_classes_is_unsatisfiable(tmp_path: Path) -> None:
    """A class below two disjoint classes is listed, by full IRI, as unsatisfiable."""
    text = ONTOLOGY + ":TrainingMission a owl:Class ; rdfs:subClassOf :Mission, :Organisation .\n"
    report = check_ontology(write(tmp_path, "onto.ttl", text))
    assert report.consistent
    assert report.unsatisfiable_classes == (f"{EX}TrainingMission",)


@needs_java
def test_individual_typed_with_disjoint_classes_is_inconsistent(tmp_path: Path) -> None:
    """Data typing one individual with two disjoint classes makes the ontology inconsistent."""
    onto = write(tmp_path, "onto.ttl", ONTOLOGY)
    data = write(
        tmp_path, "data.ttl", PREFIXES + ':ntmi a :Mission, :Organisation ; :name "NTM-I" .\n'
    )
    report = check_ontology(onto, [data])
    assert not report.consistent
    assert report.unsatisfiable_classes == ()
    assert "Inconsistent ontology" in report.message
    # Calls share no state: the ontology alone is consistent again afterwards.
    assert check_ontology(onto).consistent


@needs_java
def test_owl_imports_are_not_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """owl:imports of an unreachable http IRI is stripped, so no network access is attempted."""

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    text = ONTOLOGY.replace(
        'dcterms:title "Test ontology"@en .',
        'dcterms:title "Test ontology"@en ;\n'
        "    owl:imports <http://unreachable.invalid/ontology>, <http://www.w3.org/ns/prov-o> .",
    )
    assert "owl:imports" in text
    report = check_ontology(write(tmp_path, "onto.ttl", text))
    assert report.consistent
    assert report.unsatisfiable_classes == ()


def test_turtle_syntax_error_names_the_file(tmp_path: Path) -> None:
    """A Turtle syntax error raises ValueError whose message names the offending file."""
    onto = write(tmp_path, "onto.ttl", ONTOLOGY)
    broken = write(tmp_path, "broken-data.ttl", PREFIXES + ":x a :Mission ;;; :name\n")
    with pytest.raises(ValueError, match=re.escape("broken-data.ttl")):
        check_ontology(onto, [broken])


@needs_java
def test_dates_outside_owl2_datatype_map_are_opaque(tmp_path: Path) -> None:
    """xsd:gYear / gYearMonth / date ranges and values do not crash HermiT and are listed."""
    text = ONTOLOGY + (
        ":year a owl:DatatypeProperty ; rdfs:domain :Mission ; rdfs:range xsd:gYear .\n"
        ":month a owl:DatatypeProperty ; rdfs:range xsd:gYearMonth .\n"
        ":day a owl:DatatypeProperty ; rdfs:range xsd:date .\n"
        ':Mission dcterms:created "2004-08-14"^^xsd:date .\n'
    )
    data = PREFIXES + (
        ':ntmi a :Mission ; :year "2004"^^xsd:gYear ; :month "2004-08"^^xsd:gYearMonth ;\n'
        '    :day "2004-08-14"^^xsd:date .\n'
    )
    report = check_ontology(write(tmp_path, "onto.ttl", text), [write(tmp_path, "d.ttl", data)])
    assert report.consistent
    assert report.unchecked_datatypes == tuple(
        f"http://www.w3.org/2001/XMLSchema#{name}" for name in ("date", "gYear", "gYearMonth")
    )


@needs_java
def test_langstring_range_is_checked_as_plain_literal(tmp_path: Path) -> None:
    """An rdf:langString range accepts tagged strings and rejects non-string values."""
    onto = write(
        tmp_path,
        "onto.ttl",
        ONTOLOGY + ":title a owl:DatatypeProperty ; rdfs:range rdf:langString .\n",
    )
    good = write(tmp_path, "good.nt", f'<{EX}ntmi> <{EX}title> "NATO Training Mission"@en .\n')
    bad = write(tmp_path, "bad.ttl", PREFIXES + ":ntmi :title 42 .\n")
    ok = check_ontology(onto, [good])
    assert ok.consistent
    assert "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString" in ok.unchecked_datatypes
    assert not check_ontology(onto, [bad]).consistent


@needs_java
def test_timeout_raises_timeout_error(tmp_path: Path) -> None:
    """A run that exceeds timeout_s is killed and reported as TimeoutError."""
    # Starting the JVM alone takes longer than this budget.
    with pytest.raises(TimeoutError):
        check_ontology(write(tmp_path, "onto.ttl", ONTOLOGY), timeout_s=0.2)


def test_missing_java_raises_reasoner_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a Java runtime the error says so and how to install one."""
    monkeypatch.setattr(owlready2, "JAVA_EXE", str(tmp_path / "no-such-java"))
    with pytest.raises(ReasonerUnavailable, match="Java"):
        check_ontology(write(tmp_path, "onto.ttl", ONTOLOGY))
