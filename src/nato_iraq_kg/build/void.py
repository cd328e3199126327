"""Dataset metadata (VoID and DCAT), computed from the files the build writes.

Counts come from the facts graph itself and sizes and checksums from the exact bytes of each
distribution, so ``data/void.ttl`` can never disagree with the dumps it describes.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, XSD

from .. import __version__
from ..formats.registry import DUMPS
from ..namespaces import BASE, ID, WD
from ..source.release import Release, load_release
from ..source.revision import SourceRevision
from .store import new_graph
from .tables import PACKAGE_FILE, TABLES_FOLDER

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # open: DCAT 3 terms such as dcat:version
SPDX = Namespace("http://spdx.org/rdf/terms#")
DATASET = ID["dataset"]
DOWNLOAD_BASE = BASE + "data/"
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DATA_PACKAGE_SPEC = "https://specs.frictionlessdata.io/data-package/"
CSV_SPEC = "https://www.rfc-editor.org/rfc/rfc4180"


def distribution_of(name: str) -> tuple[str, str, str | None]:
    """Return (media type, what it holds, the spec it follows) of a built file, tables included.

    The RDF dumps come from the format registry; the tables of :mod:`.tables` are the only other
    files ``void.ttl`` describes.
    """
    for dump in DUMPS:
        if dump.file == name:
            return dump.media_type, dump.description, dump.conforms_to
    if name == PACKAGE_FILE:
        return "application/json", "the Frictionless Data Package of the tables", DATA_PACKAGE_SPEC
    if name.startswith(f"{TABLES_FOLDER}/") and name.endswith(".csv"):
        table = name.removeprefix(f"{TABLES_FOLDER}/").removesuffix(".csv").replace("_", " ")
        return "text/csv", f"the {table} table, CSV", CSV_SPEC
    raise KeyError(name)


VOCABULARIES = (
    "https://w3id.org/nato-iraq-kg/ontology#",
    "https://schema.org/",
    "http://www.w3.org/ns/org#",
    "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/2006/time#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://purl.org/dc/terms/",
    "http://www.w3.org/ns/oa#",
    "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
)


def _count(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def void_graph(
    files: Mapping[str, bytes],
    facts: Graph,
    revisions: Iterable[SourceRevision],
    release: Release | None = None,
) -> Graph:
    """Describe the dataset, its partitions, linksets and one distribution per file.

    ``release`` (by default read from ``data/release.toml``) gives the dataset's own version and
    release date; the code's version names the build activity only.
    """
    release = release or load_release()
    g = new_graph()  # rdflib's SimpleMemory: no graph per statement to keep (see .store)
    d = DATASET
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, RDF.type, DCAT.Dataset))
    g.add((d, DCTERMS.title, Literal("NATO–Iraq relations knowledge graph", lang="en")))
    g.add(
        (
            d,
            DCTERMS.description,
            Literal(
                "Every fact of NATO's topic page “Relations with Iraq”, each with the exact quote "
                "and character offsets it comes from.",
                lang="en",
            ),
        )
    )
    g.add((d, DCTERMS.publisher, Literal("nato-iraq-kg contributors")))
    g.add((d, DCTERMS.license, LICENSE))
    g.add((d, DCAT.version, Literal(release.version)))
    g.add((d, OWL.versionInfo, Literal(release.version)))
    g.add((d, DCTERMS.issued, Literal(release.issued.isoformat(), datatype=XSD.date)))
    g.add((d, FOAF.homepage, URIRef(BASE)))
    g.add((d, VOID.uriSpace, Literal(str(ID))))
    tool = ID["method/build"]
    g.add((d, PROV.wasGeneratedBy, tool))
    g.add((tool, RDF.type, PROV.Activity))
    g.add((tool, RDFS.label, Literal(f"nato-iraq-kg build {__version__}", lang="en")))
    for vocabulary in VOCABULARIES:
        g.add((d, VOID.vocabulary, URIRef(vocabulary)))
    for revision in revisions:
        g.add((d, DCTERMS.source, revision.iri))
        g.add((d, PROV.wasDerivedFrom, revision.iri))
        g.add((revision.iri, FOAF.page, URIRef(revision.url)))
        modified = Literal(revision.last_updated, datatype=XSD.dateTime)
        g.add((revision.iri, DCTERMS.modified, modified))
    counts = _FactCounts(facts)
    subjects, classes, properties = counts.subjects, counts.classes, counts.properties
    g.add((d, VOID.triples, _count(counts.triples)))
    g.add((d, VOID.entities, _count(len({s for s in subjects if str(s).startswith(str(ID))}))))
    g.add((d, VOID.distinctSubjects, _count(len(subjects))))
    g.add((d, VOID.distinctObjects, _count(len(counts.objects))))
    g.add((d, VOID.classes, _count(len(classes))))
    g.add((d, VOID.properties, _count(len(properties))))
    ordered = _longest_first()
    for cls, n in sorted(classes.items()):
        node = URIRef(f"{d}/class/{_local_in(cls, ordered)}")
        g.add((d, VOID.classPartition, node))
        g.add((node, VOID["class"], cls))
        g.add((node, VOID.entities, _count(n)))
    for prop, n in sorted(properties.items()):
        node = URIRef(f"{d}/property/{_local_in(prop, ordered)}")
        g.add((d, VOID.propertyPartition, node))
        g.add((node, VOID.property, prop))
        g.add((node, VOID.triples, _count(n)))
    for name, target, test in (
        ("wikidata", URIRef("http://www.wikidata.org/"), lambda o: str(o).startswith(str(WD))),
        ("dbpedia", URIRef("http://dbpedia.org/"), lambda o: "dbpedia.org/resource/" in str(o)),
    ):
        links = [o for o in counts.same_as if test(o)]
        node = URIRef(f"{d}/linkset/{name}")
        g.add((d, VOID.subset, node))
        g.add((node, RDF.type, VOID.Linkset))
        g.add((node, VOID.subjectsTarget, d))
        g.add((node, VOID.objectsTarget, target))
        g.add((node, VOID.linkPredicate, OWL.sameAs))
        g.add((node, VOID.triples, _count(len(links))))
    for name, data in sorted(files.items()):
        media, what, conforms_to = distribution_of(name)
        node = URIRef(f"{d}/distribution/{name}")
        checksum = URIRef(f"{node}#sha256")
        g.add((d, DCAT.distribution, node))
        g.add((node, RDF.type, DCAT.Distribution))
        g.add((node, DCTERMS.title, Literal(what, lang="en")))
        g.add((node, DCAT.downloadURL, URIRef(DOWNLOAD_BASE + name)))
        g.add(
            (node, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}"))
        )
        g.add((node, DCAT.byteSize, Literal(len(data), datatype=XSD.nonNegativeInteger)))
        g.add((node, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add(
            (
                checksum,
                SPDX.checksumValue,
                Literal(hashlib.sha256(data).hexdigest(), datatype=XSD.hexBinary),
            )
        )
        if conforms_to:
            g.add((node, DCTERMS.conformsTo, URIRef(conforms_to)))
    return g


class _FactCounts:
    """What VoID counts in the facts, read in one pass over them and two index lookups.

    ``subjects`` are the IRIs among the subjects; ``same_as`` the objects of ``owl:sameAs``, one
    per statement. (Five passes over every statement were a third of the VoID's time.)
    """

    def __init__(self, facts: Graph) -> None:
        subjects: set[object] = set()
        objects: set[object] = set()
        properties: Counter[object] = Counter()
        for s, p, o in facts:
            subjects.add(s)
            objects.add(o)
            properties[p] += 1
        self.triples = sum(properties.values())
        self.subjects = {s for s in subjects if isinstance(s, URIRef)}
        self.objects = objects
        self.classes = Counter(o for _, _, o in facts.triples((None, RDF.type, None)))
        self.properties = properties
        self.same_as = [o for _, _, o in facts.triples((None, OWL.sameAs, None))]


def _local(iri: URIRef) -> str:
    """Return a readable, path-safe name for a class or property: ``nik-Event``, ``org-holds``."""
    return _local_in(iri, _longest_first())


def _longest_first() -> list[tuple[str, str]]:
    """Return our prefixes, the longest namespace first (the order :func:`_local` tries them)."""
    from ..namespaces import prefixes

    return sorted(prefixes().items(), key=lambda kv: -len(kv[1]))


def _local_in(iri: URIRef, ordered: list[tuple[str, str]]) -> str:
    """Return :func:`_local` of ``iri`` with the prefixes already in order (one sort per VoID,
    not one per class and property)."""
    text = str(iri)
    for prefix, namespace in ordered:
        if text.startswith(namespace):
            return f"{prefix}-{text[len(namespace) :]}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]
