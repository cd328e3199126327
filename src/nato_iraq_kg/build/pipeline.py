"""The build: sources and curated files in, checked named graphs out.

Order matters: every check runs before anything is written, and the files are replaced atomically,
so a failed build leaves ``data/`` exactly as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from .. import paths
from ..check.shapes import load_ontology_graph
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
from ..extract.support import check_quotes_state_their_values
from ..formats.turtle import turtle, write_atomically
from ..namespaces import (
    DERIVED_GRAPH,
    ENTAILED_GRAPH,
    EVIDENCE_GRAPH,
    ID,
    LINKS_GRAPH,
    NIK,
    OA,
    prefixes,
)
from ..paths import VOID_FILE
from ..source.dates import DateFormatError, parse_key
from ..source.document import DocumentModel, segment
from ..source.release import Release, load_release
from ..source.revision import SourceRevision, load_revisions
from .dataset_checks import run_quality_checks_on
from .graphs import (
    SCHEME_OF_TYPE,
    derived_graph,
    document_graph,
    evidence_graph,
    links_graph,
    new_graph,
    source_graph_iri,
)
from .history import History, merge_history
from .store import add_graph
from .tiers import entailed_types, finest_dates, graph_tier_descriptions

if TYPE_CHECKING:
    from ..check.shapes import ValidationReport

__all__ = ["run_quality_checks_on"]  # re-exported: the build's callers find it here


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
    history: History | None = None
    release: Release | None = None
    _facts: tuple[object, Graph] | None = field(default=None, init=False, repr=False, compare=False)
    _stated: tuple[object, Graph] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def facts(self) -> Graph:
        """Return the union of every graph but the evidence: what ``nato-iraq.ttl`` holds.

        That is the default view, the latest revision: assertions that lapsed are left out.
        """
        lapsed = self.history.lapsed if self.history else {}
        union = new_graph()
        for name, graph in self.graphs.items():
            if name != EVIDENCE_GRAPH and name not in lapsed:
                add_graph(union, graph)
        return union

    def facts_view(self) -> Graph:
        """Return :meth:`facts`, made once and shared: for reading only, never to be changed.

        A build asks for the union four times (the checks, the summary, the class counts, the
        writers), which took a tenth of its time on rdflib's default store. The shared union is
        made again when ``graphs`` (a graph replaced, added or removed, or its size changed) or
        the lapsed assertions change. The evidence graph, never in the union, is not counted (its
        size was half the cost of each check).
        """
        lapsed = self.history.lapsed if self.history else {}
        key = (
            tuple(
                (n, id(g), len(g) if n != EVIDENCE_GRAPH else -1) for n, g in self.graphs.items()
            ),
            tuple(lapsed),
        )
        if self._facts is None or self._facts[0] != key:
            self._facts = (key, self.facts())
        return self._facts[1]

    def stated_view(self) -> Graph:
        """Return :meth:`facts_view` without the entailed types, made once and shared (read only).

        The last checks (errors name the types a curator stated) and the tables (each thing's
        own class) both read this; each made its own copy, ten thousand statements copied twice.
        Made again whenever :meth:`facts_view` is, or the entailed graph changes.
        """
        facts = self.facts_view()
        entailed = self.graphs.get(ENTAILED_GRAPH)
        key = (id(facts), id(entailed), len(entailed) if entailed is not None else 0)
        if self._stated is None or self._stated[0] != key:
            stated = add_graph(new_graph(), facts)
            if entailed is not None:
                stated -= entailed
            self._stated = (key, stated)
        return self._stated[1]

    def dataset_graphs(self) -> dict[URIRef, Graph]:
        """Return the named graphs written to ``nato-iraq.trig``."""
        return self.graphs

    def class_counts(self, classes: Iterable[URIRef]) -> dict[URIRef, int]:
        """Count the instances of each class, subclasses included (by the ontology)."""
        from .class_counts import members_by_class

        typed = ((str(s), str(o)) for s, o in self.facts_view().subject_objects(RDF.type))
        subclass_of = ((str(s), str(o)) for s, o in self.ontology.subject_objects(RDFS.subClassOf))
        classes = list(classes)
        members = members_by_class(typed, subclass_of, classes)
        return {cls: len(members[str(cls)]) for cls in classes}


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


def curie(term: URIRef) -> str:
    """Return ``term`` as a prefixed name when one of our prefixes fits, else as the IRI."""
    text = str(term)
    for prefix, namespace in sorted(prefixes().items(), key=lambda kv: -len(kv[1])):
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """Return "; did you mean X?" for the closest candidates to a misspelt name, or ""."""
    import difflib

    near = difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.75)
    return f"; did you mean {' or '.join(near)}?" if near else ""


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
    defined = classes | properties
    id_prefix, date_prefix, nik_prefix = str(ID), str(ID) + "date/", str(NIK)
    known_entities = [str(iri).removeprefix(id_prefix) for iri in [*entities, *lists]]
    for item in assertions:
        for s, p, o in item.triples:
            if p not in properties:
                raise CheckFailure(
                    f"{item.where}: property {curie(p)} is not declared in the ontology"
                    + did_you_mean(curie(p), [curie(t) for t in properties])
                )
            if p == RDF.type and o not in classes:
                raise CheckFailure(
                    f"{item.where}: class {curie(o)} is not declared in the ontology"
                    + did_you_mean(curie(o), [curie(t) for t in classes])
                )
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
                        name = text.removeprefix(id_prefix)
                        raise CheckFailure(
                            f"{item.where}: unknown entity {name} (declare it under 'entities')"
                            + did_you_mean(name, known_entities)
                        )
                elif text.startswith(nik_prefix) and term not in defined:
                    raise CheckFailure(
                        f"{item.where}: {curie(term)} is not defined in the ontology"
                        + did_you_mean(curie(term), [curie(t) for t in defined])
                    )


def _class_set(ontology: Graph, node: object) -> frozenset[URIRef]:
    """Return the classes an ``rdfs:domain``/``rdfs:range`` value names: one, or a union's."""
    from rdflib.collection import Collection

    if isinstance(node, URIRef):
        return frozenset({node})
    members = ontology.value(node, OWL.unionOf)  # type: ignore[arg-type]
    if members is None:
        return frozenset()
    return frozenset(m for m in Collection(ontology, members) if isinstance(m, URIRef))


def check_domains_and_ranges(
    assertions: Iterable[Assertion], typed: Graph, ontology: Graph
) -> None:
    """Refuse a fact whose subject or object is not of the kind its property is declared for.

    OWL reads ``rdfs:domain``/``rdfs:range`` as inferences (the reasoner would conclude the staff
    are an event); a curator means them as a contract, and only ``reason --with-data`` would
    notice a clash. The build checks them as constraints: an IRI with a type must have one of
    the declared classes (subclasses included, super-properties' declarations too). Untyped IRIs
    and literals are left to the shapes and quality checks.
    """
    superclasses: dict[URIRef, set[URIRef]] = {}

    def kinds(node: URIRef) -> set[URIRef]:
        found: set[URIRef] = set()
        for cls in typed.objects(node, RDF.type):
            if cls not in superclasses:
                closure = ontology.transitive_objects(cls, RDFS.subClassOf)  # type: ignore[arg-type]
                superclasses[cls] = {c for c in closure if isinstance(c, URIRef)}
            found |= superclasses[cls]
        return found

    declared: dict[URIRef, tuple[frozenset[URIRef], frozenset[URIRef]]] = {}

    def declaration(prop: URIRef) -> tuple[frozenset[URIRef], frozenset[URIRef]]:
        if prop not in declared:
            domain: frozenset[URIRef] = frozenset()
            range_: frozenset[URIRef] = frozenset()
            for each in ontology.transitive_objects(prop, RDFS.subPropertyOf):
                for value in ontology.objects(each, RDFS.domain):
                    domain |= _class_set(ontology, value)
                for value in ontology.objects(each, RDFS.range):
                    range_ |= _class_set(ontology, value)
            declared[prop] = (domain, range_)
        return declared[prop]

    for item in assertions:
        for s, p, o in item.triples:
            if p == RDF.type:
                continue
            domain, range_ = declaration(p)
            for role, node, wanted in (("subject", s, domain), ("object", o, range_)):
                if not wanted or not isinstance(node, URIRef):
                    continue
                have = kinds(node)
                if have and not have & wanted:
                    needed = " or ".join(sorted(map(curie, wanted)))
                    actual = ", ".join(sorted(curie(t) for t in typed.objects(node, RDF.type)))
                    raise CheckFailure(
                        f"{item.where}: {curie(s)} {curie(p)} {curie(o)}: the {role} of "
                        f"{curie(p)} must be a {needed}, but {curie(node)} is a {actual}"
                    )


def check_unique_keys(assertions: Iterable[Assertion]) -> None:
    """Refuse two assertions of one revision with one graph IRI (they would merge silently)."""
    seen: dict[tuple[URIRef, str], str] = {}
    for item in assertions:
        key = (item.graph, item.source.slug)
        if key in seen:
            raise CheckFailure(f"{item.where}: duplicate assertion {item.graph} ({seen[key]})")
        seen[key] = item.where


def check_evidence(evidence: Graph, revisions: Iterable[SourceRevision]) -> int:
    """Re-read every quote from the evidence graph and compare it with the text at its offsets.

    This check reads the graph as it will be written, not the objects that made it, so it also
    catches a bug anywhere between curation and serialisation. Returns the number checked.

    Each annotation's values are read from one index per predicate (:class:`_QuoteIndex`), not
    by five to fifteen lookups each (a sixth of extraction); an annotation whose values the
    index cannot pick as the lookups would (a value given twice) is read by the lookups.
    """
    texts = {rev.iri: rev.text for rev in revisions}
    index = _QuoteIndex(evidence)
    checked = 0
    for annotation in sorted(evidence.subjects(RDF.type, OA.Annotation)):
        fields = index.fields(annotation)
        source, exact, start, end = fields or _quote_fields_by_lookups(evidence, annotation)
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


QuoteFields = tuple[object, object, object, object]


def _quote_fields_by_lookups(evidence: Graph, annotation: object) -> QuoteFields:
    """Return an annotation's (source, exact, start, end) by graph lookups, as always read.

    A value is the first selector's that is true as a Python value (so ``"0"^^xsd:integer``
    counts as missing), each through ``Graph.value``, which picks one of several at will.
    """
    target = evidence.value(annotation, OA.hasTarget)  # type: ignore[arg-type]
    source = evidence.value(target, OA.hasSource)
    selectors = list(evidence.objects(target, OA.hasSelector))
    exact = next(
        (evidence.value(s, OA.exact) for s in selectors if evidence.value(s, OA.exact)), None
    )
    start = next(
        (evidence.value(s, OA.start) for s in selectors if evidence.value(s, OA.start)), None
    )
    end = next((evidence.value(s, OA.end) for s in selectors if evidence.value(s, OA.end)), None)
    return source, exact, start, end


class _QuoteIndex:
    """The evidence graph's targets, sources, selectors, quotes and offsets, by subject."""

    def __init__(self, evidence: Graph) -> None:
        self._by = {
            predicate: _values_by_subject(evidence, predicate)
            for predicate in (
                OA.hasTarget,
                OA.hasSource,
                OA.hasSelector,
                OA.exact,
                OA.start,
                OA.end,
            )
        }

    def fields(self, annotation: object) -> QuoteFields | None:
        """Return what :func:`_quote_fields_by_lookups` returns, or None when it might differ:
        a subject with two values of one of these predicates, where ``Graph.value`` picks one,
        or two selectors with a true quote (or start, or end), where the first one listed wins.
        """
        targets = self._by[OA.hasTarget].get(annotation, ())
        if len(targets) > 1:
            return None
        if not targets:  # no target: no source either, the check refuses it
            return None, None, None, None
        target = targets[0]
        sources = self._by[OA.hasSource].get(target, ())
        if len(sources) > 1:
            return None
        picked: list[object] = []
        for predicate in (OA.exact, OA.start, OA.end):
            values = self._by[predicate]
            true = []
            for selector in self._by[OA.hasSelector].get(target, ()):
                given = values.get(selector, ())
                if len(given) > 1:
                    return None
                if given and given[0]:
                    true.append(given[0])
            if len(true) > 1:
                return None
            picked.append(true[0] if true else None)
        return (sources[0] if sources else None, *picked)


def _values_by_subject(graph: Graph, predicate: URIRef) -> dict[object, list[object]]:
    """Return each subject's values of ``predicate`` in ``graph``."""
    found: dict[object, list[object]] = {}
    for subject, value in graph.subject_objects(predicate):
        found.setdefault(subject, []).append(value)
    return found


def revision_assertions(
    source: SourceRevision, model: DocumentModel, curation: Curation
) -> list[Assertion]:
    """Run every producer of assertions over one revision."""
    if curation.source != source.slug:
        raise InputError(
            f"{curation.path}: says it curates {curation.source!r}, but {source.metadata_path} "
            f"points to it for {source.slug!r}"
        )
    if curation.review:
        raise CheckFailure(
            f"{curation.path}: {len(curation.review)} quote(s) carried over from an earlier "
            f"revision still need review: {', '.join(curation.review)}; resolve each (edit or "
            "remove the fact, then its entry under 'review:')"
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
    result = assemble_graphs(root)
    check_assembled(result)
    return result


def assemble_graphs(root: Path | None = None, ontology: Graph | None = None) -> BuildResult:
    """Return :func:`assemble`'s result before its last checks (:func:`check_assembled`).

    Those checks only read the graphs, so the build starts writing beside them
    (:func:`.forked_render.start_render`); a result used before they pass is provisional.
    ``ontology`` is the project's, read already (:func:`.store.load_build_ontology`).
    """
    root = root or paths.project_root()
    if ontology is None:
        ontology = load_ontology_graph(paths.ontology_file(root), new_graph())
    revisions = load_revisions(paths.source_dir(root))
    models: dict[str, DocumentModel] = {}
    curations: list[Curation] = []
    assertions: list[Assertion] = []
    for source in revisions:
        model = segment(source.text)
        if not source.curation_path.is_file():
            raise InputError(
                f"{source.metadata_path}: no curated file {source.curation_path.name} yet; "
                f"run 'nato-iraq-kg reanchor {source.slug} --write' to carry the facts over"
            )
        curation = load_curation(source.curation_path)
        models[source.slug] = model
        curations.append(curation)
        assertions += revision_assertions(source, model, curation)
    history = merge_history(revisions, assertions)
    assertions = history.assertions
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
        graph = new_graph()
        for triple in item.triples:
            graph.add(triple)
        graphs[item.graph] = graph
    for source in revisions:
        graphs[source_graph_iri(source)] = document_graph(source, models[source.slug])
        graphs[source_graph_iri(source)] += history.revision_statements(source)
    evidence = evidence_graph(assertions, models)
    evidence += history.statements()
    graphs[EVIDENCE_GRAPH] = evidence
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
    stated = new_graph()  # the latest facts, without the evidence and the document structure
    left_out = {source_graph_iri(source) for source in revisions} | set(history.lapsed)
    for name, graph in graphs.items():
        if name != EVIDENCE_GRAPH and name not in left_out:
            add_graph(stated, graph)
    graphs[DERIVED_GRAPH] += finest_dates(stated)
    graphs[ENTAILED_GRAPH] = entailed_types(stated, ontology)
    graphs[EVIDENCE_GRAPH] += graph_tier_descriptions()
    check_evidence(graphs[EVIDENCE_GRAPH], revisions)
    return BuildResult(revisions, models, assertions, graphs, ontology, history, load_release(root))


def check_assembled(result: BuildResult) -> None:
    """Refuse facts whose subject or object is of the wrong kind, and quotes that do not state
    the values their facts give (the last checks of :func:`assemble`)."""
    as_stated = result.stated_view()  # errors name the stated types
    check_domains_and_ranges(result.assertions, as_stated, result.ontology)
    check_quotes_state_their_values(result.assertions, result.models)


def render(result: BuildResult) -> dict[str, str]:
    """Return every file the build writes, by name, as text: the dumps, then ``void.ttl``.

    Every syntax is rendered (and so every literal and IRI checked) before any file is written.
    """
    from ..formats.registry import render_dumps

    facts = result.facts_view()
    return render_rest(result, facts, render_dumps(facts, result.dataset_graphs()))


def render_rest(
    result: BuildResult,
    facts: Graph,
    dumps: dict[str, str],
    tables: dict[str, str] | None = None,
) -> dict[str, str]:
    """Return :func:`render`'s files from the RDF dumps: the tables (unless given, from
    :func:`render_tables_of`), ``void.ttl`` and the crate."""
    from .void import void_graph

    files = dict(dumps)
    release = result.release or load_release()
    files.update(tables if tables is not None else _release_files(result, facts, release))
    encoded = {name: text.encode("utf-8") for name, text in files.items()}
    files[VOID_FILE] = turtle(void_graph(encoded, facts, result.revisions, release))
    return _with_crate(files, result, release)


def render_tables_of(result: BuildResult, facts: Graph) -> dict[str, str]:
    """Return the tables :func:`render` writes (see :mod:`.tables`)."""
    return _release_files(result, facts, result.release or load_release())


def _release_files(result: BuildResult, facts: Graph, release: Release) -> dict[str, str]:
    """Return the tables for people without RDF tools (see :mod:`.tables`)."""
    from .tables import render_tables

    # the tables name each thing's own class, not those entailed: from the shared view when
    # ``facts`` is the shared union, still current (the union of the graphs as they are now)
    stated = None
    if result._facts is not None and facts is result._facts[1]:
        stated = result.stated_view()
        if result._facts[1] is not facts:
            stated = None
    if stated is None:
        stated = new_graph()
        stated += facts
        stated -= result.graphs.get(ENTAILED_GRAPH, Graph())
    return render_tables(stated, result.graphs, result.ontology, release, result.revisions)


def _with_crate(files: dict[str, str], result: BuildResult, release: Release) -> dict[str, str]:
    """Add the RO-Crate that describes every other file (see :mod:`.crate`)."""
    from .crate import CRATE_FILE, crate_json

    built = {name: text.encode("utf-8") for name, text in files.items()}
    files[CRATE_FILE] = crate_json(built, release, result.revisions)
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
    report = validate_graph(_validated_graph(result, files), ontology=result.ontology)
    if use_cache:
        validation_cache.store(key, report, folder)
    return report


def _validated_graph(result: BuildResult, files: dict[str, str]) -> Graph:
    """Return what the build validates as one rdflib graph: facts, evidence and ``void.ttl``."""
    everything = result.facts() + result.graphs[EVIDENCE_GRAPH]
    everything.parse(data=files[VOID_FILE], format="turtle")
    return everything


def stale_files(files: dict[str, str], root: Path | None = None) -> list[Path]:
    """Return the files in ``data/`` that differ from (or are missing from) ``files``."""
    folder = paths.data_dir(root)
    stale = []
    for name, text in files.items():
        path = folder / name
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            stale.append(path)
    return stale


def write(
    files: dict[str, str], root: Path | None = None, *, folder: Path | None = None
) -> list[Path]:
    """Write every rendered file atomically into ``data/`` (or ``folder``); return their paths."""
    folder = folder or paths.data_dir(root)
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / name, content)
    return [folder / name for name in files]


def assertion_counts(result: BuildResult) -> Counter[str]:
    """Count assertions by the method that produced them."""
    return Counter(item.method for item in result.assertions)
