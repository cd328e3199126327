"""What the ontology documentation reads and shows, shared by the page and the diagram.

The HTML page (:mod:`nato_iraq_kg.docs.html`) and the Graphviz diagram
(:mod:`nato_iraq_kg.docs.diagram`) need the same reading of the inputs: the example data, compact
names and labels of terms, the class hierarchy and the examples taken from the data. Keeping that
here means both outputs name and label a term the same way, and neither renderer imports the
other.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from ..namespaces import ID, NIK, OA, VANN, prefixes

#: File names in the output directory; the page links to the two diagram files by these names.
HTML_NAME = "ontology.html"
DOT_NAME = "ontology-diagram.dot"
SVG_NAME = "ontology-diagram.svg"

_LABELS = (RDFS.label, SKOS.prefLabel, DCTERMS.title)


# ---------------------------------------------------------------------------------------------
# Reading the inputs
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExampleData:
    """Where examples come from: the facts first, then (for evidence terms) the full dataset."""

    primary: Graph
    secondary: Graph

    def graphs(self) -> tuple[Graph, Graph]:
        """Return both graphs, the preferred one first."""
        return (self.primary, self.secondary)


def _union_of(path: Path) -> Graph:
    """Parse a Turtle or TriG file into one graph (the union of a dataset's graphs)."""
    if path.suffix in {".trig", ".nq"}:
        dataset = Dataset()
        with warnings.catch_warnings():
            # rdflib 7's TriG parser uses its own deprecated ConjunctiveGraph API internally.
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset.parse(path)
        union = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    return Graph().parse(path)


def load_example_data(data: Path) -> ExampleData:
    """Load the data that examples are taken from.

    ``data`` is the facts file (``data/nato-iraq.ttl``) or a TriG dataset. Evidence, assertion
    graphs and derived statements are only in the TriG dataset, so when ``data`` is Turtle and a
    ``.trig`` file of the same name lies beside it, that file is read too and used for the terms
    the facts do not use.
    """
    primary = _union_of(data)
    companion = data.with_suffix(".trig")
    has_companion = data.suffix == ".ttl" and companion.exists()
    return ExampleData(primary, _union_of(companion) if has_companion else Graph())


# ---------------------------------------------------------------------------------------------
# Names and labels
# ---------------------------------------------------------------------------------------------
def _prefix_map() -> dict[str, str]:
    """Prefixes for compact names: the project's, plus the ones only the docs print.

    Sorted so that the namespace table and any tie between prefixes are stable.
    """
    result = prefixes()
    result.setdefault("foaf", "http://xmlns.com/foaf/0.1/")
    result.setdefault("vann", str(VANN))
    for kind in ("cameo", "evidence", "assertion", "method"):
        result.setdefault(kind, f"{ID}{kind}/")
    return dict(sorted(result.items()))


PREFIXES = _prefix_map()
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: (-len(item[1]), item[0]))


def curie(node: Node) -> str:
    """Return a compact name for an IRI (``nik:Actor``), or the IRI itself when none fits."""
    text = str(node)
    for prefix, namespace in _BY_LENGTH:
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text


def local_name(iri: URIRef) -> str:
    """Return the part of a ``nik:`` IRI after the namespace."""
    return str(iri)[len(str(NIK)) :]


def label_of(graphs: Iterable[Graph], node: Node) -> str | None:
    """The English label of a node; for an evidence annotation, the exact quote it targets."""
    graphs = tuple(graphs)
    for graph in graphs:
        for prop in _LABELS:
            values = sorted(graph.objects(node, prop), key=_literal_key)
            english = [v for v in values if isinstance(v, Literal) and v.language in (None, "en")]
            if english:
                return str(english[0])
    for graph in graphs:
        quotes = sorted(
            str(quote)
            for target in graph.objects(node, OA.hasTarget)
            for selector in graph.objects(target, OA.hasSelector)
            for quote in graph.objects(selector, OA.exact)
        )
        if quotes:
            return quotes[0]
    return None


def _literal_key(node: Node) -> tuple[str, str]:
    """Sort key that puts untagged and English literals before IRIs, for stable picks."""
    if isinstance(node, Literal):
        return (node.language or "", str(node))
    return ("~", str(node))


def first_literal(graph: Graph, subject: Node, prop: URIRef) -> str | None:
    """Return one value of ``prop``, the same one on every run (the sorted first).

    Args:
        graph: The graph to read.
        subject: The node whose value is wanted.
        prop: The property, e.g. ``skos:definition``.

    Returns:
        The value as text, or ``None`` when ``subject`` has none.
    """
    values = sorted(graph.objects(subject, prop), key=_literal_key)
    return str(values[0]) if values else None


# ---------------------------------------------------------------------------------------------
# The ontology as a model
# ---------------------------------------------------------------------------------------------
@dataclass
class Term:
    """One class or property of the ontology, with what the page says about it."""

    iri: URIRef
    kind: str  # "class", "object property" or "datatype property"
    label: str
    definition: str | None
    supers: list[URIRef]
    subs: list[URIRef]
    domains: list[URIRef]
    ranges: list[URIRef]
    close_matches: list[URIRef]
    disjoint: list[URIRef]
    characteristics: list[str]

    @property
    def name(self) -> str:
        """The local name, used as the anchor on the page."""
        return local_name(self.iri)


def own_iris(graph: Graph, kind: URIRef) -> list[URIRef]:
    """Return the ``nik:`` IRIs typed ``kind``: the terms this ontology defines itself."""
    return sorted(
        s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef) and s.startswith(NIK)
    )


def sorted_iris(nodes: Iterable[Node]) -> list[URIRef]:
    """Return the distinct IRIs in ``nodes`` by compact name, dropping blank nodes.

    Blank nodes (class expressions, lists) have no name a reader could follow, and the
    order by compact name is what the page and the diagram print.
    """
    return sorted({n for n in nodes if isinstance(n, URIRef)}, key=lambda n: (curie(n), str(n)))


def _disjoint_with(ontology: Graph, cls: URIRef) -> list[URIRef]:
    """Classes disjoint with ``cls``, whether stated pairwise, either way, or in a list."""
    found: set[Node] = set(ontology.objects(cls, OWL.disjointWith))
    found.update(ontology.subjects(OWL.disjointWith, cls))
    for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        for members in ontology.objects(axiom, OWL.members):
            listed = list(ontology.items(members))
            if cls in listed:
                found.update(m for m in listed if m != cls)
    return sorted_iris(found)


def ontology_terms(ontology: Graph) -> dict[str, list[Term]]:
    """Return the ontology's own classes, object and datatype properties, each sorted."""
    result: dict[str, list[Term]] = {}
    kinds = (
        ("class", OWL.Class, RDFS.subClassOf),
        ("object property", OWL.ObjectProperty, RDFS.subPropertyOf),
        ("datatype property", OWL.DatatypeProperty, RDFS.subPropertyOf),
    )
    for kind, rdf_type, sub_of in kinds:
        terms = []
        for iri in sorted(
            own_iris(ontology, rdf_type), key=lambda i: (local_name(i).lower(), str(i))
        ):
            characteristics = []
            if kind != "class":
                for extra in (
                    OWL.TransitiveProperty,
                    OWL.SymmetricProperty,
                    OWL.FunctionalProperty,
                    OWL.InverseFunctionalProperty,
                ):
                    if (iri, RDF.type, extra) in ontology:
                        characteristics.append(curie(extra))
            terms.append(
                Term(
                    iri=iri,
                    kind=kind,
                    label=label_of([ontology], iri) or local_name(iri),
                    definition=first_literal(ontology, iri, SKOS.definition)
                    or first_literal(ontology, iri, RDFS.comment),
                    supers=sorted_iris(ontology.objects(iri, sub_of)),
                    subs=sorted_iris(
                        s for s in ontology.subjects(sub_of, iri) if str(s).startswith(NIK)
                    ),
                    domains=sorted_iris(ontology.objects(iri, RDFS.domain)),
                    ranges=sorted_iris(ontology.objects(iri, RDFS.range)),
                    close_matches=sorted_iris(ontology.objects(iri, SKOS.closeMatch)),
                    disjoint=_disjoint_with(ontology, iri) if kind == "class" else [],
                    characteristics=characteristics,
                )
            )
        result[kind] = terms
    return result


def closure(ontology: Graph, start: URIRef, prop: URIRef, *, up: bool) -> list[URIRef]:
    """Every class reachable from ``start`` along ``prop`` (up or down), ``start`` included."""
    seen = [start]
    queue = [start]
    while queue:
        node = queue.pop(0)
        step = ontology.objects(node, prop) if up else ontology.subjects(prop, node)
        for nxt in sorted(n for n in step if isinstance(n, URIRef)):
            if nxt not in seen:
                seen.append(nxt)
                queue.append(nxt)
    return seen


# ---------------------------------------------------------------------------------------------
# Examples from the data
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClassExample:
    """One instance of a class (or of one of its subclasses) in the data."""

    instance: URIRef
    label: str | None
    asserted_class: URIRef
    from_dataset: bool


@dataclass(frozen=True)
class PropertyExample:
    """One triple that uses a property in the data."""

    subject: URIRef
    subject_label: str | None
    obj: Node
    object_label: str | None
    from_dataset: bool


def class_example(ontology: Graph, data: ExampleData, cls: URIRef) -> ClassExample | None:
    """Return an instance of ``cls``: a direct one if the data has it, else one of a subclass."""
    classes = closure(ontology, cls, RDFS.subClassOf, up=False)
    for index, graph in enumerate(data.graphs()):
        for candidate_class in classes:
            instances = [
                s for s in graph.subjects(RDF.type, candidate_class) if isinstance(s, URIRef)
            ]
            if not instances:
                continue
            labelled = sorted(instances, key=lambda s: (label_of(data.graphs(), s) is None, str(s)))
            chosen = labelled[0]
            return ClassExample(
                chosen, label_of(data.graphs(), chosen), candidate_class, from_dataset=index == 1
            )
    return None


def property_example(data: ExampleData, prop: URIRef) -> PropertyExample | None:
    """Return a triple using ``prop``, preferring one whose subject and object have labels."""
    graphs = data.graphs()
    for index, graph in enumerate(graphs):
        triples = [
            (s, o)
            for s, o in graph.subject_objects(prop)
            if isinstance(s, URIRef) and o is not None
        ]
        if not triples:
            continue

        def rank(pair: tuple[Node, Node]) -> tuple[bool, bool, str, str]:
            s, o = pair
            object_named = isinstance(o, Literal) or label_of(graphs, o) is not None
            return (label_of(graphs, s) is None, not object_named, str(s), str(o))

        s, o = sorted(triples, key=rank)[0]
        object_label = None if isinstance(o, Literal) else label_of(graphs, o)
        return PropertyExample(s, label_of(graphs, s), o, object_label, from_dataset=index == 1)
    return None
