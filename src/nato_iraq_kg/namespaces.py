"""The IRIs of the project and the standard vocabularies it reuses.

One namespace, stable and readable: ``https://w3id.org/nato-iraq-kg/`` with ``ontology#Term`` for
the vocabulary and ``id/{kind}/{slug}`` for everything the graph describes.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef

BASE = "https://w3id.org/nato-iraq-kg/"
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
NIK = Namespace(BASE + "ontology#")
ONTOLOGY_IRI = URIRef(BASE + "ontology")

SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
TIME = Namespace("http://www.w3.org/2006/time#")
OA = Namespace("http://www.w3.org/ns/oa#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
WD = Namespace("http://www.wikidata.org/entity/")
DBR = Namespace("http://dbpedia.org/resource/")
VANN = Namespace("http://purl.org/vocab/vann/")

#: The kinds of entity IRI (``id/{kind}/{slug}``) and their prefixes in curated Turtle snippets.
ENTITY_KINDS = (
    "actor",
    "office",
    "programme",
    "event",
    "area",
    "principle",
    "theme",
    "place",
    "document",
    "quantity",
    "list",
    "scheme",
)

#: Named graphs other than the per-quote assertion graphs.
EVIDENCE_GRAPH = GRAPH["evidence"]
DERIVED_GRAPH = GRAPH["derived"]
LINKS_GRAPH = GRAPH["links"]
ENTAILED_GRAPH = GRAPH["entailed"]


def entity(kind: str, slug: str) -> URIRef:
    """Return the IRI of an entity of ``kind`` named ``slug``."""
    return ID[f"{kind}/{slug}"]


def date_iri(key: str) -> URIRef:
    """Return the IRI of a date value from its compact key (``2016-03-01``, ``early-2016``)."""
    return ID[f"date/{key}"]


def prefixes() -> dict[str, str]:
    """Return the prefix map used by curated snippets and by every serialisation."""
    result = {
        "nik": str(NIK),
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "owl": "http://www.w3.org/2002/07/owl#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "dcterms": "http://purl.org/dc/terms/",
        "prov": "http://www.w3.org/ns/prov#",
        "schema": str(SCHEMA),
        "org": str(ORG),
        "sem": str(SEM),
        "time": str(TIME),
        "oa": str(OA),
        "nif": str(NIF),
        "wd": str(WD),
        "dbr": str(DBR),
        "date": str(ID) + "date/",
        "graph": str(GRAPH),
        "source": str(ID) + "source/",
        "dcat": "http://www.w3.org/ns/dcat#",
        "void": "http://rdfs.org/ns/void#",
        "spdx": "http://spdx.org/rdf/terms#",
        "foaf": "http://xmlns.com/foaf/0.1/",
    }
    for kind in ENTITY_KINDS:
        result[kind] = f"{ID}{kind}/"
    return dict(sorted(result.items()))
