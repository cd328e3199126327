"""Stated, derived, interpreted: how each named graph of facts stands to the page.

Every assertion graph already names its tier (``nik:tier``, written with its evidence). The graphs
made without a quote are described here: the derived values and the entailed types follow from
stated facts by named rules, and the identity links are the curator's, checked against a list. The
entailed types are the RDFS closure of every ``rdf:type`` over the ontology's ``rdfs:subClassOf``
axioms (its alignments to schema.org, SEM, PROV-O ... included), shipped as DBpedia ships all
superclass types, so that ``?x a nik:Event`` or ``?x a schema:Event`` works in any store without
inference or property paths.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from ..namespaces import DERIVED_GRAPH, ENTAILED_GRAPH, EVIDENCE_GRAPH, ID, LINKS_GRAPH, NIK
from .graphs import new_graph

#: The three tiers, strongest first: a triple in graphs of several tiers counts in the first.
TIER_ORDER = (NIK.stated, NIK.derived, NIK.interpreted)

#: The graphs made without a quote: (tier, method, label of the method, why).
GRAPH_TIERS: dict[URIRef, tuple[URIRef, str, str, str]] = {
    DERIVED_GRAPH: (
        NIK.derived,
        "derivation-rules",
        "derivation rules: date values and their bounds, nik:refines, inverse SKOS links, schemes",
        "Derived by named rules from the stated facts: each date value's precision and its "
        "first and last day (a vague date's bounds follow the convention its note gives), "
        "nik:refines between two precisions of one date, the finest date of each dated thing, "
        "skos:narrower as the inverse of skos:broader, and the concept schemes.",
    ),
    ENTAILED_GRAPH: (
        NIK.derived,
        "rdfs-type-closure",
        "RDFS type closure: every superclass type of every typed resource, by the ontology",
        "Derived by the RDFS subclass rule (rdfs9) from the stated types and the ontology's "
        "rdfs:subClassOf axioms, including its alignments to standard vocabularies.",
    ),
    LINKS_GRAPH: (
        NIK.interpreted,
        "identity-links",
        "identity links: the curator's Wikidata and DBpedia identifiers, checked against a list",
        "The page names these entities but gives no identifiers: the curator matched each to a "
        "Wikidata item (and a DBpedia resource), and the build checks every link against the "
        "project's checked reference list.",
    ),
}


def superclasses(ontology: Graph) -> dict[URIRef, set[URIRef]]:
    """Return every named class's named superclasses, transitively (the class itself excluded)."""
    parents: dict[URIRef, set[URIRef]] = {}
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef) and sub != sup:
            parents.setdefault(sub, set()).add(sup)
    closure: dict[URIRef, set[URIRef]] = {}
    for cls in parents:
        found: set[URIRef] = set()
        frontier = set(parents[cls])
        while frontier:
            found |= frontier
            frontier = {p for c in frontier for p in parents.get(c, set())} - found
        found.discard(cls)
        closure[cls] = found
    return closure


def entailed_types(facts: Graph, ontology: Graph) -> Graph:
    """Return the superclass types of every typed resource that ``facts`` does not already state."""
    above = superclasses(ontology)
    g = new_graph()
    for thing, cls in facts.subject_objects(RDF.type):
        if not isinstance(thing, URIRef) or not isinstance(cls, URIRef):
            continue
        for sup in above.get(cls, ()):
            if (thing, RDF.type, sup) not in facts:
                g.add((thing, RDF.type, sup))
    return g


#: Each date property and the property that holds its finest value.
FINEST = {
    NIK.date: NIK.finestDate,
    NIK.startDate: NIK.finestStartDate,
    NIK.endDate: NIK.finestEndDate,
}


def finest_dates(facts: Graph) -> Graph:
    """Return, for each dated thing, the date no other of its dates (same property) refines.

    A thing the page dates at two precisions (2011 and December 2011) gets the finer one; a thing
    dated once gets that date, so one property answers "when" for every thing alike.
    """
    g = new_graph()
    for prop, finest in FINEST.items():
        for thing in set(facts.subjects(prop)):
            dates = set(facts.objects(thing, prop))
            for date in dates:
                if not any((other, NIK.refines, date) in facts for other in dates - {date}):
                    g.add((thing, finest, date))
    return g


def graph_tier_descriptions() -> Graph:
    """Describe the tier and the method of each graph made without a quote (for graph/evidence)."""
    g = new_graph()
    for graph, (tier, method, label, why) in GRAPH_TIERS.items():
        node = ID[f"method/{method}"]
        g.add((graph, NIK.tier, tier))
        g.add((graph, PROV.wasGeneratedBy, node))
        g.add((graph, SKOS.editorialNote, Literal(why, lang="en")))
        g.add((node, RDF.type, PROV.Activity))
        g.add((node, RDFS.label, Literal(label, lang="en")))
    return g


def tier_counts(graphs: Mapping[URIRef, Graph]) -> dict[URIRef, Counter[str]]:
    """Count the distinct triples of each tier, and the graphs of each tier.

    A triple counts once, in the strongest tier of the graphs it appears in (a type both stated
    and entailed is stated). Graphs without a tier (the document structure, the evidence) are not
    counted. Returns ``{tier: Counter(triples=n, graphs=m)}`` for the three tiers in order.
    """
    evidence = graphs.get(EVIDENCE_GRAPH, Graph())
    tiers: dict[URIRef, URIRef] = {}
    for name in graphs:
        tier = evidence.value(name, NIK.tier)
        if isinstance(tier, URIRef):
            tiers[name] = tier
    best: dict[tuple, int] = {}
    counts: dict[URIRef, Counter[str]] = {tier: Counter(triples=0, graphs=0) for tier in TIER_ORDER}
    for name, tier in tiers.items():
        rank = TIER_ORDER.index(tier)
        counts[tier]["graphs"] += 1
        for triple in graphs[name]:
            best[triple] = min(best.get(triple, rank), rank)
    for rank in best.values():
        counts[TIER_ORDER[rank]]["triples"] += 1
    return counts
