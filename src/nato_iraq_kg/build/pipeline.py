"""The build: sources and curated files in, checked named graphs out.

Order matters: every check runs before anything is written, and the files are replaced atomically,
so a failed build leaves ``data/`` exactly as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from .. import paths
from ..curation.links import load_links
from ..curation.model import Curation, EntityDecl, load_curation
from ..errors import CheckFailure, InputError
from ..extract.assertion import Assertion
from ..extract.curated import entity_assertions, fact_assertions
from ..extract.rules import (
    abbreviation_assertions,
    concept_list_assertions,
    list_iris,
    milestone_assertions,
)
from ..formats.turtle import turtle, write_atomically
from ..namespaces import DERIVED_GRAPH, ENTAILED_GRAPH, EVIDENCE_GRAPH, ID, LINKS_GRAPH, NIK, OA
from ..paths import VOID_FILE
from ..source.dates import DateFormatError, parse_key
from ..source.document import DocumentModel, segment
from ..source.revision import SourceRevision, load_revisions
from .graphs import (
    SCHEME_OF_TYPE,
    derived_graph,
    document_graph,
    evidence_graph,
    links_graph,
    source_graph_iri,
)
from .tiers import entailed_types, finest_dates, graph_tier_descriptions

if TYPE_CHECKING:
    from ..check.shapes import ValidationReport


#: Predicates and classes that need no declaration in our ontology file.
BUILTIN_TERMS = frozenset(
    {RDF.type, RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.broader, SKOS.related, OWL.sameAs}
)


@dataclass
class BuildResult:
    """Everything a build produced, before or after it was written."""

    revisions: list[SourceRevision]
    models: dict[str, DocumentModel]
    assertions: list[Assertion]
    graphs: dict[URIRef, Graph]
    ontology: Graph

    def facts(self) -> Graph:
        """Return the union of every graph but the evidence: what ``nato-iraq.ttl`` holds."""
        union = Graph()
        for name, graph in self.graphs.items():
            if name != EVIDENCE_GRAPH:
                union += graph
        return union

    def dataset_graphs(self) -> dict[URIRef, Graph]:
        """Return the named graphs written to ``nato-iraq.trig``."""
        return self.graphs

    def class_counts(self, classes: Iterable[URIRef]) -> dict[URIRef, int]:
        """Count the instances of each class, subclasses included (by the ontology)."""
        facts = self.facts()
        counts: dict[URIRef, int] = {}
        for cls in classes:
            subclasses = set(self.ontology.transitive_subjects(RDFS.subClassOf, cls))
            members = {s for sub in subclasses for s in facts.subjects(RDF.type, sub)}
            counts[cls] = len(members)
        return counts


def load_ontology(path: Path) -> Graph:
    """Parse the ontology, naming the file on a syntax error."""
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: ontology file not found") from exc
    except Exception as exc:
        raise InputError(f"{path}: malformed Turtle: {exc}".replace("\n", " ")) from exc
    return graph


def declared_terms(ontology: Graph) -> tuple[set[URIRef], set[URIRef]]:
    """Return the (properties, classes) the ontology declares."""
    properties = {
        s
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for s in ontology.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    }
    classes = {s for s in ontology.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}
    return properties, classes


def merge_entities(curations: Iterable[Curation]) -> dict[URIRef, EntityDecl]:
    """Merge entity declarations across revisions; one IRI must mean one kind of thing."""
    merged: dict[URIRef, EntityDecl] = {}
    for curation in curations:
        for iri, decl in curation.entities.items():
            known = merged.get(iri)
            if known is not None and set(known.types) != set(decl.types):
                raise CheckFailure(
                    f"{decl.where}: typed {sorted(decl.types)} but {known.where} types it "
                    f"{sorted(known.types)}"
                )
            merged.setdefault(iri, decl)
    return merged


def check_references(
    assertions: Iterable[Assertion],
    entities: dict[URIRef, EntityDecl],
    lists: set[URIRef],
    ontology: Graph,
) -> None:
    """Refuse unknown entities, malformed dates, and terms the ontology does not declare."""
    properties, classes = declared_terms(ontology)
    properties |= BUILTIN_TERMS | {SKOS.member}
    classes |= {SKOS.Collection}
    id_prefix, date_prefix, nik_prefix = str(ID), str(ID) + "date/", str(NIK)
    for item in assertions:
        for s, p, o in item.triples:
            if p not in properties:
                raise CheckFailure(f"{item.where}: property {p} is not declared in the ontology")
            if p == RDF.type and o not in classes:
                raise CheckFailure(f"{item.where}: class {o} is not declared in the ontology")
            for term in (s, o):
                if not isinstance(term, URIRef):
                    continue
                text = str(term)
                if text.startswith(date_prefix):
                    try:
                        parse_key(text[len(date_prefix) :])
                    except DateFormatError as exc:
                        raise CheckFailure(f"{item.where}: malformed date {text}: {exc}") from exc
                elif text.startswith(id_prefix):
                    if term not in entities and term not in lists:
                        raise CheckFailure(
                            f"{item.where}: unknown entity {text.removeprefix(id_prefix)} "
                            "(declare it under 'entities')"
                        )
                elif text.startswith(nik_prefix) and term not in classes | properties:
                    raise CheckFailure(f"{item.where}: {term} is not defined in the ontology")


def check_unique_keys(assertions: Iterable[Assertion]) -> None:
    """Refuse two assertions with one graph IRI (they would merge silently)."""
    seen: dict[URIRef, str] = {}
    for item in assertions:
        if item.graph in seen:
            raise CheckFailure(
                f"{item.where}: duplicate assertion {item.graph} ({seen[item.graph]})"
            )
        seen[item.graph] = item.where


def check_evidence(evidence: Graph, revisions: Iterable[SourceRevision]) -> int:
    """Re-read every quote from the evidence graph and compare it with the text at its offsets.

    This check reads the graph as it will be written, not the objects that made it, so it also
    catches a bug anywhere between curation and serialisation. Returns the number checked.
    """
    texts = {rev.iri: rev.text for rev in revisions}
    checked = 0
    for annotation in sorted(evidence.subjects(RDF.type, OA.Annotation)):
        target = evidence.value(annotation, OA.hasTarget)
        source = evidence.value(target, OA.hasSource)
        selectors = list(evidence.objects(target, OA.hasSelector))
        exact = next(
            (evidence.value(s, OA.exact) for s in selectors if evidence.value(s, OA.exact)), None
        )
        start = next(
            (evidence.value(s, OA.start) for s in selectors if evidence.value(s, OA.start)), None
        )
        end = next(
            (evidence.value(s, OA.end) for s in selectors if evidence.value(s, OA.end)), None
        )
        if source not in texts or exact is None or start is None or end is None:
            raise CheckFailure(f"{annotation}: evidence lacks a source, quote or offsets")
        actual = texts[source][int(start) : int(end)]
        if actual != str(exact):
            raise CheckFailure(
                f"{annotation}: quote {str(exact)!r} does not match the text at "
                f"{int(start)}-{int(end)}, which reads {actual!r}"
            )
        checked += 1
    return checked


def revision_assertions(
    source: SourceRevision, model: DocumentModel, curation: Curation
) -> list[Assertion]:
    """Run every producer of assertions over one revision."""
    if curation.source != source.slug:
        raise InputError(
            f"{curation.path}: says it curates {curation.source!r}, but {source.metadata_path} "
            f"points to it for {source.slug!r}"
        )
    entities = list(curation.entities.values())
    return (
        entity_assertions(source, entities)
        + abbreviation_assertions(source, entities)
        + fact_assertions(source, curation)
        + milestone_assertions(source, model, curation)
        + concept_list_assertions(source, curation)
    )


def assemble(root: Path | None = None) -> BuildResult:
    """Load, extract and check everything, and return the named graphs (nothing is written)."""
    root = root or paths.project_root()
    ontology = load_ontology(paths.ontology_file(root))
    revisions = load_revisions(paths.source_dir(root))
    models: dict[str, DocumentModel] = {}
    curations: list[Curation] = []
    assertions: list[Assertion] = []
    for source in revisions:
        model = segment(source.text)
        curation = load_curation(source.curation_path)
        models[source.slug] = model
        curations.append(curation)
        assertions += revision_assertions(source, model, curation)
    entities = merge_entities(curations)
    lists = set().union(*(list_iris(c) for c in curations))
    check_unique_keys(assertions)
    check_references(assertions, entities, lists, ontology)
    links = load_links(
        paths.data_dir(root) / "curation" / "identity-links.tsv",
        paths.data_dir(root) / "reference" / "wikidata-links.tsv",
    )
    for link in links:
        if link.entity not in entities:
            raise CheckFailure(f"identity link for unknown entity {link.entity}")
    graphs: dict[URIRef, Graph] = {}
    for item in assertions:
        graph = Graph()
        for triple in item.triples:
            graph.add(triple)
        graphs[item.graph] = graph
    for source in revisions:
        graphs[source_graph_iri(source)] = document_graph(source, models[source.slug])
    graphs[EVIDENCE_GRAPH] = evidence_graph(assertions, models)
    concepts = {
        iri: SCHEME_OF_TYPE[t]
        for iri, decl in entities.items()
        for t in decl.types
        if t in SCHEME_OF_TYPE
    }
    graphs[DERIVED_GRAPH] = derived_graph(assertions, concepts)
    pairs = [(link.entity, link.wikidata) for link in links]
    pairs += [(link.entity, link.dbpedia) for link in links if link.dbpedia is not None]
    graphs[LINKS_GRAPH] = links_graph(pairs)
    stated = Graph()  # the facts, without the evidence and the document structure
    structure = {source_graph_iri(source) for source in revisions}
    for name, graph in graphs.items():
        if name != EVIDENCE_GRAPH and name not in structure:
            stated += graph
    graphs[DERIVED_GRAPH] += finest_dates(stated)
    graphs[ENTAILED_GRAPH] = entailed_types(stated, ontology)
    graphs[EVIDENCE_GRAPH] += graph_tier_descriptions()
    check_evidence(graphs[EVIDENCE_GRAPH], revisions)
    return BuildResult(revisions, models, assertions, graphs, ontology)


def render(result: BuildResult) -> dict[str, str]:
    """Return every file the build writes, by name, as text: the dumps, then ``void.ttl``.

    Every syntax is rendered (and so every literal and IRI checked) before any file is written.
    """
    from ..formats.registry import render_dumps
    from .void import void_graph

    facts = result.facts()
    files = render_dumps(facts, result.dataset_graphs())
    encoded = {name: text.encode("utf-8") for name, text in files.items()}
    files[VOID_FILE] = turtle(void_graph(encoded, facts, result.revisions))
    return files


def validate_outputs(
    result: BuildResult, files: dict[str, str], *, cache: Path | None = None, use_cache: bool = True
) -> ValidationReport:
    """Validate the facts, the evidence and the dataset metadata together, as written.

    Returns the SHACL report; the caller decides whether to write. The results of the last
    validation are reused when the rendered files, shapes, ontology and validation code are all
    byte-identical to then (see :mod:`.validation_cache`; ``cache`` is its folder, by default
    ``.cache/validation``); a reused report has the results but no pyshacl report graph.
    """
    from ..check import cache as validation_cache
    from ..check.shapes import validate_graph

    folder = cache or validation_cache.default_folder()
    key = validation_cache.cache_key(files) if use_cache else ""
    if use_cache:
        known = validation_cache.load(key, folder)
        if known is not None:
            return known
    everything = result.facts() + result.graphs[EVIDENCE_GRAPH]
    everything.parse(data=files[VOID_FILE], format="turtle")
    report = validate_graph(everything, ontology=result.ontology)
    if use_cache:
        validation_cache.store(key, report, folder)
    return report


def stale_files(files: dict[str, str], root: Path | None = None) -> list[Path]:
    """Return the files in ``data/`` that differ from (or are missing from) ``files``."""
    folder = paths.data_dir(root)
    stale = []
    for name, text in files.items():
        path = folder / name
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            stale.append(path)
    return stale


def write(files: dict[str, str], root: Path | None = None) -> list[Path]:
    """Write every rendered file atomically into ``data/``; return their paths."""
    folder = paths.data_dir(root)
    for name, content in files.items():
        write_atomically(folder / name, content)
    return [folder / name for name in files]


def assertion_counts(result: BuildResult) -> Counter[str]:
    """Count assertions by the method that produced them."""
    return Counter(item.method for item in result.assertions)
