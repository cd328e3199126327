"""Build the named graphs other than the assertions: the document, the evidence, derived values.

* ``graph/source/{slug}``: the revision's metadata and its parts and sentences (NIF offsets);
* ``graph/evidence``: one Web Annotation per assertion, with quote and position selectors;
* ``graph/derived``: what follows from the facts without being stated: date values with their
  precision and plain ``xsd:date`` bounds, ``nik:refines`` between two precisions of one date,
  and the SKOS concept schemes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import permutations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from ..extract.assertion import Assertion
from ..namespaces import DBR, GRAPH, ID, NIF, NIK, OA, SCHEMA, TIME, WD, entity
from ..source.dates import DateValue, Precision, parse_key
from ..source.document import DocumentModel, Part
from ..source.revision import SourceRevision
from .store import CountingMemory, new_graph

PART_TYPES: dict[str, tuple[URIRef, ...]] = {
    "title": (NIF.Title,),
    "last-updated": (NIK.LastUpdatedLine,),
    "lead": (NIK.LeadParagraph,),
    "caption": (NIK.PhotoCaption,),
    "section": (NIF.Section,),
    "key-point": (NIK.KeyPoint,),
    "paragraph": (NIF.Paragraph,),
    "milestone": (NIK.Milestone,),
}

__all__ = ["CountingMemory", "new_graph"]  # re-exported: the build's modules import them here

DATE_PROPERTIES = (NIK.date, NIK.startDate, NIK.endDate)
QUOTE_CONTEXT = 32


def part_iri(source: SourceRevision, name: str) -> URIRef:
    """Return the IRI of a document part of a revision."""
    return ID[f"source/{source.slug}/part/{name}"]


def sentence_iri(source: SourceRevision, number: int) -> URIRef:
    """Return the IRI of a numbered sentence of a revision."""
    return ID[f"source/{source.slug}/sentence/{number}"]


def source_graph_iri(source: SourceRevision) -> URIRef:
    """Return the named graph that describes a revision and its structure."""
    return GRAPH[f"source/{source.slug}"]


def _offsets(graph: Graph, node: URIRef, source: SourceRevision, start: int, end: int) -> None:
    graph.add((node, NIF.beginIndex, Literal(start, datatype=XSD.nonNegativeInteger)))
    graph.add((node, NIF.endIndex, Literal(end, datatype=XSD.nonNegativeInteger)))
    graph.add((node, NIF.anchorOf, Literal(source.text[start:end])))
    graph.add((node, NIF.referenceContext, source.iri))


def _part_label(part: Part) -> str:
    return part.name.replace("-", " ")


def document_graph(source: SourceRevision, model: DocumentModel) -> Graph:
    """Describe the revision, the page it belongs to, and every part and sentence with offsets."""
    g = new_graph()
    lang = source.language
    g.add((source.page_iri, RDF.type, NIK.SourcePage))
    g.add((source.page_iri, RDFS.label, Literal(source.title, lang=lang)))
    g.add((source.page_iri, SCHEMA.url, Literal(source.url, datatype=XSD.anyURI)))
    g.add((source.page_iri, DCTERMS.hasVersion, source.iri))
    rev = source.iri
    g.add((rev, RDF.type, NIK.SourceRevision))
    g.add((rev, RDF.type, NIF.Context))
    g.add((rev, RDFS.label, Literal(f"{source.title} ({source.last_updated_text})", lang=lang)))
    g.add((rev, DCTERMS.title, Literal(source.title, lang=lang)))
    g.add((rev, DCTERMS.publisher, Literal(source.publisher)))
    g.add((rev, DCTERMS.language, Literal(lang, datatype=XSD.language)))
    g.add((rev, DCTERMS.isVersionOf, source.page_iri))
    g.add((rev, NIK.revisionOf, source.page_iri))
    g.add((rev, SCHEMA.url, Literal(source.url, datatype=XSD.anyURI)))
    g.add((rev, NIK.lastUpdated, Literal(source.last_updated, datatype=XSD.dateTime)))
    g.add((rev, NIK.sha256, Literal(source.sha256)))
    g.add((rev, NIF.isString, Literal(source.text)))
    g.add((rev, NIF.beginIndex, Literal(0, datatype=XSD.nonNegativeInteger)))
    g.add((rev, NIF.endIndex, Literal(len(source.text), datatype=XSD.nonNegativeInteger)))
    for part in model.parts:
        node = part_iri(source, part.name)
        for type_ in PART_TYPES.get(part.kind, ()):
            g.add((node, RDF.type, type_))
        g.add((node, RDF.type, NIK.DocumentPart))
        g.add((node, RDFS.label, Literal(_part_label(part), lang="en")))
        g.add((node, NIK.partName, Literal(part.name)))
        parent = part_iri(source, part.parent) if part.parent else rev
        g.add((node, DCTERMS.isPartOf, parent))
        g.add((parent, NIK.hasPart, node))
        _offsets(g, node, source, part.start, part.end)
    previous: URIRef | None = None
    for sentence in model.sentences:
        node = sentence_iri(source, sentence.number)
        g.add((node, RDF.type, NIF.Sentence))
        g.add((node, RDFS.label, Literal(f"sentence {sentence.number}", lang="en")))
        g.add((node, NIK.sentenceNumber, Literal(sentence.number, datatype=XSD.positiveInteger)))
        g.add((node, DCTERMS.isPartOf, part_iri(source, sentence.part)))
        _offsets(g, node, source, sentence.start, sentence.end)
        if previous is not None:
            g.add((previous, NIF.nextSentence, node))
            g.add((node, NIF.previousSentence, previous))
        previous = node
    return g


def evidence_graph(assertions: Sequence[Assertion], models: dict[str, DocumentModel]) -> Graph:
    """Describe each assertion's evidence as a Web Annotation with PROV-O provenance.

    The annotation's body is the assertion's named graph; its target is the revision, selected by
    both a TextQuoteSelector (exact, prefix, suffix) and a TextPositionSelector (start, end).
    The terms are looked up once, before the loop: a closed namespace's attribute is a Python
    call that checks the name, and 21 of them for each of 326 assertions were a third of this.
    """
    g = new_graph()
    add = g.add
    is_a, derived_from, nni = RDF.type, PROV.wasDerivedFrom, XSD.nonNegativeInteger
    assertion_class, tier, evidence_class, in_part, in_sentence = (
        NIK.Assertion,
        NIK.tier,
        NIK.Evidence,
        NIK.inPart,
        NIK.inSentence,
    )
    annotation, motivated_by, describing, has_body, has_target = (
        OA.Annotation,
        OA.motivatedBy,
        OA.describing,
        OA.hasBody,
        OA.hasTarget,
    )
    specific, has_source, has_selector = OA.SpecificResource, OA.hasSource, OA.hasSelector
    quote_selector, exact, prefix_, suffix_ = OA.TextQuoteSelector, OA.exact, OA.prefix, OA.suffix
    position_selector, start_, end_ = OA.TextPositionSelector, OA.start, OA.end
    note, generated_by = SKOS.editorialNote, PROV.wasGeneratedBy
    # Terms that recur (a tier, a method, a part, a sentence, an offset) are made once each:
    # making an rdflib term is a Python call that checks it, and one object is found faster in
    # the graph's indexes than an equal copy.
    tiers = {t: NIK[t] for t in {item.tier for item in assertions}}
    methods = {m: ID[f"method/{m}"] for m in {item.method for item in assertions}}
    parts: dict[tuple[str, str], URIRef] = {}
    sentences: dict[tuple[str, int], URIRef] = {}
    offsets: dict[int, Literal] = {}

    def offset(value: int) -> Literal:
        found = offsets.get(value)
        if found is None:
            found = offsets[value] = Literal(value, datatype=nni)
        return found

    for item in assertions:
        source, ev = item.source, item.evidence
        model = models[source.slug]
        target, quote, position = (URIRef(f"{ev}#{n}") for n in ("target", "quote", "position"))
        add((item.graph, is_a, assertion_class))
        add((item.graph, derived_from, source.iri))
        add((item.graph, tier, tiers[item.tier]))
        if item.why:
            add((item.graph, note, Literal(item.why, lang="en")))
        add((ev, is_a, evidence_class))
        add((ev, is_a, annotation))
        add((ev, motivated_by, describing))
        add((ev, has_body, item.graph))
        add((ev, has_target, target))
        add((ev, derived_from, source.iri))
        add((ev, generated_by, methods[item.method]))
        add((target, is_a, specific))
        add((target, has_source, source.iri))
        add((target, has_selector, quote))
        add((target, has_selector, position))
        add((quote, is_a, quote_selector))
        add((quote, exact, Literal(item.quote)))
        prefix = source.text[max(0, item.start - QUOTE_CONTEXT) : item.start]
        suffix = source.text[item.end : item.end + QUOTE_CONTEXT]
        add((quote, prefix_, Literal(prefix)))
        add((quote, suffix_, Literal(suffix)))
        add((position, is_a, position_selector))
        add((position, start_, offset(item.start)))
        add((position, end_, offset(item.end)))
        try:
            part = model.leaf_part_at(item.start, item.end)
        except ValueError:
            part = None
        if part is not None:
            key = (source.slug, part.name)
            if key not in parts:
                parts[key] = part_iri(source, part.name)
            add((ev, in_part, parts[key]))
        for sentence in model.sentences_overlapping(item.start, item.end):
            number = (source.slug, sentence.number)
            if number not in sentences:
                sentences[number] = sentence_iri(source, sentence.number)
            add((ev, in_sentence, sentences[number]))
    for method in sorted({a.method for a in assertions}):
        node = ID[f"method/{method}"]
        g.add((node, RDF.type, PROV.Activity))
        g.add((node, RDFS.label, Literal(METHODS[method], lang="en")))
    return g


METHODS = {
    "curated-fact": "curated fact: a quote and the triples it supports, checked at its offset",
    "entity-name": "entity name: a label or alias quoted at its first occurrence",
    "abbreviation": "abbreviation rule: a known name followed by (ABBR)",
    "milestone-date": "milestone rule: the date phrase that opens a milestone paragraph",
    "concept-list": "list rule: each item of a worded list, located inside the list",
}

_DATE_CLASS = {
    Precision.YEAR: (NIK.YearDate, TIME.inXSDgYear, XSD.gYear, TIME.unitYear),
    Precision.MONTH: (NIK.MonthDate, TIME.inXSDgYearMonth, XSD.gYearMonth, TIME.unitMonth),
    Precision.DAY: (NIK.DayDate, TIME.inXSDDate, XSD.date, TIME.unitDay),
}


def date_values(triples: Iterable[tuple]) -> dict[URIRef, DateValue]:
    """Return the date values that ``triples`` refer to, keyed by IRI."""
    prefix = str(ID) + "date/"
    found: dict[URIRef, DateValue] = {}
    for triple in triples:
        for term in triple:
            if isinstance(term, URIRef) and str(term).startswith(prefix):
                found[term] = parse_key(str(term)[len(prefix) :])
    return found


def _vague_note(value: DateValue) -> str:
    """Say that a vague date's bounds are this graph's convention, not the source's words."""
    return (
        f"The page says only “{value.label}”; the bounds {value.earliest.isoformat()} to "
        f"{value.latest.isoformat()} are this graph's convention (early, mid and late each cover "
        "four months), not the page's."
    )


def derived_graph(assertions: Sequence[Assertion], concepts: dict[URIRef, URIRef]) -> Graph:
    """Describe the date values and concept schemes that the assertions use.

    ``concepts`` maps each concept to the scheme it belongs to.
    """
    g = new_graph()
    triples = [t for a in assertions for t in a.triples]
    values = date_values(triples)
    for iri, value in sorted(values.items()):
        g.add((iri, RDFS.label, Literal(value.label, lang="en")))
        g.add((iri, NIK.earliestDate, Literal(value.earliest.isoformat(), datatype=XSD.date)))
        g.add((iri, NIK.latestDate, Literal(value.latest.isoformat(), datatype=XSD.date)))
        if value.precision is Precision.VAGUE:
            g.add((iri, RDF.type, NIK.VagueDate))
            g.add((iri, NIK.datePhrase, Literal(value.label, lang="en")))
            g.add((iri, SKOS.editorialNote, Literal(_vague_note(value), lang="en")))
        else:
            cls, prop, datatype, unit = _DATE_CLASS[value.precision]
            g.add((iri, RDF.type, cls))
            g.add((iri, RDF.type, TIME.Instant))
            g.add((iri, prop, Literal(value.lexical, datatype=datatype)))
            g.add((iri, TIME.unitType, unit))
    dated: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, p, o in triples:
        if p in DATE_PROPERTIES:
            dated[s].add(o)
    for dates in dated.values():
        for finer, coarser in permutations(sorted(dates), 2):
            if values[finer].refines(values[coarser]):
                g.add((finer, NIK.refines, coarser))
    broader = [(s, o) for s, p, o in triples if p == SKOS.broader]
    for narrow, broad in broader:
        g.add((broad, SKOS.narrower, narrow))
    has_broader = {narrow for narrow, _ in broader}
    for concept, scheme in concepts.items():
        g.add((concept, SKOS.inScheme, scheme))
        if concept not in has_broader:
            g.add((concept, SKOS.topConceptOf, scheme))
            g.add((scheme, SKOS.hasTopConcept, concept))
    for scheme, label in SCHEMES.items():
        if scheme in concepts.values():
            g.add((scheme, RDF.type, SKOS.ConceptScheme))
            g.add((scheme, RDFS.label, Literal(label, lang="en")))
            g.add((scheme, DCTERMS.title, Literal(label, lang="en")))
    return g


SCHEMES = {
    entity("scheme", "cooperation-areas"): "NATO–Iraq cooperation areas",
    entity("scheme", "principles"): "principles of NATO–Iraq cooperation",
    entity("scheme", "themes"): "themes of NATO–Iraq talks",
}

SCHEME_OF_TYPE = {
    NIK.CooperationArea: entity("scheme", "cooperation-areas"),
    NIK.Principle: entity("scheme", "principles"),
    NIK.Theme: entity("scheme", "themes"),
}


def links_graph(links: Iterable[tuple[URIRef, URIRef]]) -> Graph:
    """State each checked identity link as ``owl:sameAs``, and name which dataset it points into.

    ``nik:wikidataItem`` and ``nik:dbpediaResource`` repeat the link with a property that says
    where it points, so that a query asks for Wikidata links without testing IRI prefixes.
    """
    g = new_graph()
    for ours, theirs in links:
        g.add((ours, OWL.sameAs, theirs))
        if str(theirs).startswith(str(WD)):
            g.add((ours, NIK.wikidataItem, theirs))
        elif str(theirs).startswith(str(DBR)):
            g.add((ours, NIK.dbpediaResource, theirs))
    return g
