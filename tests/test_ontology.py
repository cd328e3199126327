"""The ontology: described like a published vocabulary, and consistent under a real OWL reasoner."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from nato_iraq_kg.check.reasoning import check_ontology
from nato_iraq_kg.namespaces import NIK, ONTOLOGY_IRI

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "nato-iraq.ttl"
FACTS = ROOT / "data" / "nato-iraq.ttl"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    """The parsed ontology."""
    return Graph().parse(ONTOLOGY)


def own_terms(ontology: Graph) -> list[URIRef]:
    """Every class and property the ontology mints in its own namespace."""
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return sorted(
        s
        for kind in kinds
        for s in ontology.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(str(NIK))
    )


def test_ontology_has_its_metadata(ontology: Graph) -> None:
    """Title, description, version IRI, licence, creator and dates are stated."""
    for prop in (
        DCTERMS.title,
        DCTERMS.description,
        OWL.versionIRI,
        DCTERMS.license,
        DCTERMS.creator,
        DCTERMS.created,
        DCTERMS.modified,
    ):
        assert ontology.value(ONTOLOGY_IRI, prop) is not None, prop


def test_every_own_term_has_an_english_label_and_definition(ontology: Graph) -> None:
    """Each nik: class and property has rdfs:label@en and skos:definition@en."""
    terms = own_terms(ontology)
    assert len(terms) > 100
    for term in terms:
        labels = [o for o in ontology.objects(term, RDFS.label) if o.language == "en"]
        definitions = [o for o in ontology.objects(term, SKOS.definition) if o.language == "en"]
        assert len(labels) == 1, term
        assert len(definitions) == 1, term


def test_own_classes_align_to_a_standard_vocabulary(ontology: Graph) -> None:
    """Every top-level nik: class has a superclass from a standard vocabulary."""
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if not str(cls).startswith(str(NIK)):
            continue
        parents = set(ontology.transitive_objects(cls, RDFS.subClassOf)) - {cls}
        assert any(not str(p).startswith(str(NIK)) for p in parents), cls


def test_data_uses_only_terms_the_ontology_defines(ontology: Graph) -> None:
    """No nik: term in the built data is missing from the ontology."""
    defined = set(ontology.subjects())
    data = Graph().parse(FACTS)
    used = {t for triple in data for t in triple if str(t).startswith(str(NIK))}
    assert used, "no nik: terms found in the data"
    assert used <= defined, sorted(used - defined)


def test_hermit_finds_the_ontology_consistent_with_no_unsatisfiable_class() -> None:
    """HermiT: the ontology alone is consistent and every class is satisfiable."""
    report = check_ontology(ONTOLOGY)
    assert report.consistent, report.message
    assert report.unsatisfiable_classes == ()
    assert "HermiT" in report.reasoner


def test_hermit_finds_the_ontology_and_all_facts_consistent() -> None:
    """HermiT: the ontology with every fact of the built graph is still consistent."""
    report = check_ontology(ONTOLOGY, [FACTS])
    assert report.consistent, report.message
    assert report.unsatisfiable_classes == ()


def test_hermit_catches_an_actor_that_is_also_an_event(tmp_path: Path) -> None:
    """The disjointness axioms bite: typing NATO as an event makes the graph inconsistent."""
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "<https://w3id.org/nato-iraq-kg/id/actor/nato> a "
        "<https://w3id.org/nato-iraq-kg/ontology#Summit> .\n",
        encoding="utf-8",
    )
    report = check_ontology(ONTOLOGY, [FACTS, bad])
    assert not report.consistent
