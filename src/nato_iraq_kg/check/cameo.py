"""CAMEO event codes for the events of the graph, from the hand-written ``ontology/cameo.ttl``.

The mapping file links our event classes to CAMEO codes (SKOS concepts with a string
``skos:notation`` such as ``"042"``) by ``skos:closeMatch``, ``skos:broadMatch`` or
``skos:narrowMatch``. An event gets the codes of its most specific mapped class: its own class
when that is mapped, else the nearest mapped superclass (so a future subclass of nik:Statement
inherits nik:Statement's code). Subclass links are read from both graphs, so pass the facts
merged with the ontology, or the mapping merged with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ..namespaces import ID

#: The concept scheme of the CAMEO codes, and the namespace of their IRIs.
CAMEO_SCHEME = URIRef(f"{ID}scheme/cameo")
CAMEO = f"{ID}cameo/"

#: The SKOS mapping properties a class may use, from the most to the least precise.
MATCH_PROPERTIES: tuple[URIRef, ...] = (
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.narrowMatch,
    SKOS.broadMatch,
)

#: One result: (event IRI, mapped class IRI, CAMEO code string, SKOS match property).
CodeRow = tuple[URIRef, URIRef, str, URIRef]


def mapping_file(root: Path | None = None) -> Path:
    """Return the hand-written CAMEO mapping, ``ontology/cameo.ttl``."""
    from ..paths import project_root

    return (root or project_root()) / "ontology" / "cameo.ttl"


def load_mapping(path: Path | None = None) -> Graph:
    """Parse the CAMEO mapping (by default the project's ``ontology/cameo.ttl``)."""
    return Graph().parse(path or mapping_file())


def class_mappings(mapping: Graph) -> dict[URIRef, list[tuple[URIRef, str, URIRef]]]:
    """Return each mapped class's codes: class -> sorted [(code IRI, notation, match property)]."""
    result: dict[URIRef, list[tuple[URIRef, str, URIRef]]] = {}
    for prop in MATCH_PROPERTIES:
        for cls, code in mapping.subject_objects(prop):
            if not (isinstance(cls, URIRef) and isinstance(code, URIRef)):
                continue
            notation = mapping.value(code, SKOS.notation)
            if notation is None or not str(code).startswith(CAMEO):
                continue
            result.setdefault(cls, []).append((code, str(notation), prop))
    return {cls: sorted(set(rows)) for cls, rows in sorted(result.items())}


def code_labels(mapping: Graph) -> dict[str, str]:
    """Return every code's notation and English preferred label, sorted by notation."""
    labels = {}
    for code, notation in mapping.subject_objects(SKOS.notation):
        label = next(
            (
                str(v)
                for v in sorted(mapping.objects(code, SKOS.prefLabel))
                if getattr(v, "language", None) in (None, "en")
            ),
            "",
        )
        labels[str(notation)] = label
    return dict(sorted(labels.items()))


def _superclasses(graphs: Iterable[Graph]) -> dict[URIRef, set[URIRef]]:
    parents: dict[URIRef, set[URIRef]] = {}
    for graph in graphs:
        for sub, sup in graph.subject_objects(RDFS.subClassOf):
            if isinstance(sub, URIRef) and isinstance(sup, URIRef):
                parents.setdefault(sub, set()).add(sup)
    return parents


def _nearest_mapped(
    cls: URIRef, parents: dict[URIRef, set[URIRef]], mapped: set[URIRef]
) -> set[URIRef]:
    """The mapped classes closest above ``cls`` (``cls`` itself when it is mapped)."""
    frontier = {cls}
    seen = {cls}
    while frontier:
        hits = frontier & mapped
        if hits:
            return hits
        step = set()
        for node in frontier:
            step.update(parents.get(node, set()) - seen)
        seen.update(step)
        frontier = step
    return set()


def _ancestors(cls: URIRef, parents: dict[URIRef, set[URIRef]]) -> set[URIRef]:
    found: set[URIRef] = set()
    frontier = {cls}
    while frontier:
        step = set()
        for node in frontier:
            step.update(parents.get(node, set()) - found)
        found.update(step)
        frontier = step
    found.discard(cls)
    return found


def cameo_codes_for_events(facts: Graph, mapping: Graph) -> list[CodeRow]:
    """Return (event, class, code, match property) for every typed resource of a mapped class.

    Each event gets the codes of its most specific mapped classes: a mapped class that is a
    superclass of another mapped class of the same event is dropped. Rows are sorted.
    """
    by_class = class_mappings(mapping)
    mapped = set(by_class)
    parents = _superclasses((facts, mapping))
    rows: set[CodeRow] = set()
    events: dict[URIRef, set[URIRef]] = {}
    for event, cls in facts.subject_objects(RDF.type):
        if isinstance(event, URIRef) and isinstance(cls, URIRef):
            hits = _nearest_mapped(cls, parents, mapped)
            if hits:
                events.setdefault(event, set()).update(hits)
    for event, classes in events.items():
        specific = {c for c in classes if not any(c in _ancestors(o, parents) for o in classes)}
        for cls in specific:
            for _code, notation, prop in by_class[cls]:
                rows.add((event, cls, notation, prop))
    return sorted(rows)
