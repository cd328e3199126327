"""The CAMEO mapping: well-formed codes, sound mappings, and codes for the graph's events."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from nato_iraq_kg.check.cameo import (
    CAMEO,
    CAMEO_SCHEME,
    MATCH_PROPERTIES,
    cameo_codes_for_events,
    class_mappings,
    code_labels,
    load_mapping,
    mapping_file,
)
from nato_iraq_kg.namespaces import NIK, date_iri

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "nato-iraq.ttl"
FACTS = ROOT / "data" / "nato-iraq.ttl"
MAPPING = ROOT / "ontology" / "cameo.ttl"
EX = Namespace("https://example.org/")
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


@pytest.fixture(scope="module")
def mapping() -> Graph:
    """The parsed CAMEO mapping."""
    return Graph().parse(MAPPING)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    """The parsed ontology."""
    return Graph().parse(ONTOLOGY)


def codes(mapping: Graph) -> list[URIRef]:
    """Every CAMEO code concept in the mapping."""
    return sorted(c for c in mapping.subjects(RDF.type, SKOS.Concept) if isinstance(c, URIRef))


def event_classes(ontology: Graph) -> set[URIRef]:
    """nik:Event and all its subclasses."""
    found = {NIK.Event}
    frontier = [NIK.Event]
    while frontier:
        node = frontier.pop()
        for sub in ontology.subjects(RDFS.subClassOf, node):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                frontier.append(sub)
    return found


def test_mapping_parses_and_is_the_project_file(mapping: Graph) -> None:
    """The mapping parses, and load_mapping reads the same file by default."""
    assert len(mapping) > 50
    assert mapping_file() == MAPPING
    assert len(load_mapping()) == len(mapping)


def test_notations_are_strings_of_two_to_four_digits(mapping: Graph) -> None:
    """Every notation is a plain string of 2-4 digits, leading zeros kept, matching the IRI."""
    assert codes(mapping)
    for code in codes(mapping):
        notations = list(mapping.objects(code, SKOS.notation))
        assert len(notations) == 1, code
        notation = notations[0]
        assert isinstance(notation, Literal)
        assert notation.datatype in (None, XSD_STRING) and notation.language is None
        assert re.fullmatch(r"\d{2,4}", str(notation)), notation
        assert str(code) == CAMEO + str(notation)
    assert "042" in code_labels(mapping) and "42" not in code_labels(mapping)


def test_every_code_has_a_label_and_its_root(mapping: Graph) -> None:
    """Every code has an English prefLabel, is in the scheme, and a 3-4 digit code has its root."""
    for code in codes(mapping):
        labels = [v for v in mapping.objects(code, SKOS.prefLabel) if isinstance(v, Literal)]
        assert [v for v in labels if v.language == "en" and str(v).strip()], code
        assert (code, SKOS.inScheme, CAMEO_SCHEME) in mapping
        notation = str(mapping.value(code, SKOS.notation))
        if len(notation) == 2:
            assert (code, SKOS.topConceptOf, CAMEO_SCHEME) in mapping
        else:
            root = URIRef(CAMEO + notation[:2])
            assert (code, SKOS.broader, root) in mapping
            assert (root, SKOS.notation, Literal(notation[:2])) in mapping


def test_mapped_classes_are_event_classes_of_the_ontology(mapping: Graph, ontology: Graph) -> None:
    """Every mapped class is a class of the ontology and a subclass of nik:Event."""
    events = event_classes(ontology)
    mapped = class_mappings(mapping)
    assert mapped
    for cls in mapped:
        assert (cls, RDF.type, OWL.Class) in ontology, cls
        assert cls in events and cls != NIK.Event, cls


def test_every_mapping_has_a_reason(mapping: Graph) -> None:
    """Each mapping triple is annotated (owl:Axiom) with an rdfs:comment saying why."""
    for prop in MATCH_PROPERTIES:
        for cls, code in mapping.subject_objects(prop):
            reasons = [
                comment
                for axiom in mapping.subjects(OWL.annotatedSource, cls)
                if (axiom, OWL.annotatedProperty, prop) in mapping
                and (axiom, OWL.annotatedTarget, code) in mapping
                for comment in mapping.objects(axiom, RDFS.comment)
            ]
            assert reasons and all(len(str(r)) > 40 for r in reasons), (cls, code)


def test_every_event_class_is_mapped_or_says_why_not(mapping: Graph, ontology: Graph) -> None:
    """An event class without a code carries an editorial note explaining why."""
    mapped = set(class_mappings(mapping))
    for cls in event_classes(ontology) - {NIK.Event}:
        assert cls in mapped or mapping.value(cls, SKOS.editorialNote) is not None, cls


def test_key_mappings(mapping: Graph) -> None:
    """An official visit is 042 "Make a visit" and a signing is 057 "Sign formal agreement"."""
    mapped = class_mappings(mapping)
    assert ("042", SKOS.closeMatch) in {(n, p) for _, n, p in mapped[NIK.OfficialVisit]}
    assert ("057", SKOS.closeMatch) in {(n, p) for _, n, p in mapped[NIK.Signing]}
    labels = code_labels(mapping)
    assert labels["042"] == "Make a visit"
    assert labels["057"] == "Sign formal agreement"


def test_codes_for_the_graph_events(mapping: Graph, ontology: Graph) -> None:
    """The 24 September 2012 signing gets 057, and every row names a mapped class and code."""
    facts = Graph().parse(FACTS) + ontology
    rows = cameo_codes_for_events(facts, mapping)
    assert rows == sorted(rows)
    signings = set(facts.subjects(NIK.date, date_iri("2012-09-24")))
    assert signings
    found = [row for row in rows if row[0] in signings]
    assert found
    assert (NIK.Signing, "057", SKOS.closeMatch) in {row[1:] for row in found}
    mapped = class_mappings(mapping)
    for _event, cls, code, prop in rows:
        assert (code, prop) in {(n, p) for _, n, p in mapped[cls]}


def test_most_specific_mapped_class_wins(mapping: Graph, ontology: Graph) -> None:
    """An event typed Talks and Meeting gets Talks' code only; an unmapped subclass inherits."""
    facts = Graph()
    facts.add((EX.talks, RDF.type, NIK.Talks))
    facts.add((EX.talks, RDF.type, NIK.Meeting))
    facts.add((EX.Commendation, RDFS.subClassOf, NIK.Statement))
    facts.add((EX.praise, RDF.type, EX.Commendation))
    facts.add((EX.launch, RDF.type, NIK.Launch))
    rows = cameo_codes_for_events(facts + ontology, mapping)
    assert [row for row in rows if row[0] == EX.talks] == [
        (EX.talks, NIK.Talks, "040", SKOS.closeMatch)
    ]
    assert [row for row in rows if row[0] == EX.praise] == [
        (EX.praise, NIK.Statement, "010", SKOS.closeMatch)
    ]
    assert not [row for row in rows if row[0] == EX.launch]


#: The CAMEO code each event's own words fit, written by hand from the page and the codebook
#: (Schrodt 2012); events whose class no code fits (launches, establishments, closures) get none.
CODES_BY_EVENT = {
    "ntm-i-request": "0232",  # "at the request of the Iraqi interim government"
    "dcb-package-request": "0232",  # "request of the Iraqi government for assistance"
    "in-country-training-request": "0232",  # "a request ... to provide in-country NATO training"
    "2015-07-31-dcb-package-agreement": "0332",  # "NATO Allies agree on a DCB package"
    "2016-07-09-in-country-training-agreement": "0332",  # "Allies agree ... to provide"
    "2014-09-dcb-initiative-agreement": "030",  # "the DCB Initiative agreed at the NATO Summit"
    "2016-05-19-foreign-ministers-agreement": "030",  # "agree that NATO should do more"
    "2014-wales-summit-reaffirmation": "030",  # "reaffirmed their commitment"
    "2016-07-09-warsaw-summit-reaffirmation": "030",  # "reaffirm their commitment"
    "2014-wales-summit-readiness": "03",  # "expressed readiness to consider measures"
    "2016-03-01-commendation": "051",  # "He commends the success of Iraqi forces"
    "2016-03-01-welcome": "051",  # "welcomed the government's ongoing efforts"
    "2012-09-24-ipcp-signing": "057",  # "is signed"
    "2016-03-01-stoltenberg-visit-to-iraq": "042",  # "an official visit to Iraq"
    "2016-10-18-al-jaafari-visit-to-nato-hq": "042",  # "visits NATO HQ"
    "2016-02-mobile-team-visits": "042",  # "mobile team visits to Iraq"
    "2016-03-01-stoltenberg-meets-massoum-and-al-abadi": "040",  # "meets"
    "2016-10-18-al-jaafari-stoltenberg-talks": "040",  # "for talks with"
    "2014-wales-summit": "04",  # "the NATO Summit in Wales"
    "2016-07-warsaw-summit": "04",  # "the NATO Summit in Warsaw"
    "2016-03-photo-stoltenberg-massoum": "04",  # a caption: "Stoltenberg with ... Fouad Massoum"
    "2017-01-core-team-deployment": "072",  # "deployed to Baghdad to coordinate ... training"
    "fight-to-liberate-mosul": "190",  # "the ongoing fight to liberate Mosul"
}


def test_every_event_gets_the_code_its_own_words_fit(mapping: Graph, ontology: Graph) -> None:
    """Each event of the graph gets exactly the code its sentence fits, not only its class's."""
    facts = Graph().parse(FACTS) + ontology
    rows = cameo_codes_for_events(facts, mapping)
    event_prefix = "https://w3id.org/nato-iraq-kg/id/event/"
    found: dict[str, set[str]] = {}
    for event, _cls, code, _prop in rows:
        if str(event).startswith(event_prefix):
            found.setdefault(str(event).removeprefix(event_prefix), set()).add(code)
    assert len(found) == len(CODES_BY_EVENT) == 23
    assert found == {event: {code} for event, code in CODES_BY_EVENT.items()}
