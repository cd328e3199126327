"""The Graphviz diagram of the ontology's main classes, as ``dot`` source and rendered SVG.

Kept apart from the page (:mod:`nato_iraq_kg.docs.html`) because choosing what to draw (the main
classes, their nearest main superclasses, property edges from declarations or from the data) is
its own logic, and rendering needs the external ``dot`` program that the page does not.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS
from rdflib.term import Node

from ..namespaces import NIK, OA, ORG
from .model import closure, curie, label_of, local_name, own_iris, sorted_iris

#: The classes the diagram shows, in the order the brief lists them.
MAIN_CLASSES: tuple[str, ...] = (
    "Actor",
    "Organization",
    "State",
    "Person",
    "CollectiveBody",
    "Office",
    "Programme",
    "Event",
    "CooperationArea",
    "Principle",
    "Place",
    "Document",
    "Quantity",
    "DateValue",
    "Evidence",
    "Assertion",
    "SourceRevision",
)

#: Properties of standard vocabularies that the diagram also draws: offices held and the evidence
#: pattern.
EXTRA_DIAGRAM_PROPERTIES: tuple[URIRef, ...] = (
    ORG.holds,
    ORG.postIn,
    OA.hasBody,
    PROV.wasDerivedFrom,
)

#: In edges drawn from the data, instances of these classes' subclasses are drawn at the class
#: (a person, an organisation or a collective body as an actor), so the diagram stays readable.
DIAGRAM_COLLAPSE: tuple[str, ...] = ("Actor",)


def _main_iris() -> list[URIRef]:
    """The IRIs of ``MAIN_CLASSES``, in the order listed."""
    return [NIK[name] for name in MAIN_CLASSES]


def _nearest_main(ontology: Graph, cls: URIRef, main: set[URIRef]) -> list[URIRef]:
    """The main classes closest above ``cls`` (``cls`` itself if it is one)."""
    if cls in main:
        return [cls]
    found: list[URIRef] = []
    frontier = [cls]
    seen = {cls}
    while frontier and not found:
        step = []
        for node in frontier:
            for parent in sorted(ontology.objects(node, RDFS.subClassOf), key=str):
                if isinstance(parent, URIRef) and parent not in seen:
                    seen.add(parent)
                    step.append(parent)
        found = [p for p in step if p in main]
        frontier = step
    return sorted(set(found), key=str)


def _collapsed(ontology: Graph, cls: URIRef) -> URIRef:
    """Draw a subclass of a ``DIAGRAM_COLLAPSE`` class at that class, unless it is also a place."""
    ancestors = closure(ontology, cls, RDFS.subClassOf, up=True)
    if NIK.Place in ancestors:
        return cls
    for name in DIAGRAM_COLLAPSE:
        if NIK[name] in ancestors:
            return NIK[name]
    return cls


def _diagram_classes(ontology: Graph, types: Iterable[Node], main: set[URIRef]) -> set[URIRef]:
    """The boxes an instance with these ``rdf:type`` values is drawn at."""
    result: set[URIRef] = set()
    for t in types:
        if isinstance(t, URIRef):
            result.update(_collapsed(ontology, m) for m in _nearest_main(ontology, t, main))
    return result


def _declared(ontology: Graph, prop: URIRef, which: URIRef) -> list[URIRef]:
    """Domain or range of ``prop``, inherited from its superproperties when not declared."""
    for ancestor in closure(ontology, prop, RDFS.subPropertyOf, up=True):
        values = sorted(v for v in ontology.objects(ancestor, which) if isinstance(v, URIRef))
        if values:
            return values
    return []


def diagram_edges(ontology: Graph, data: Graph) -> dict[tuple[URIRef, URIRef], list[str]]:
    """Property edges between main classes: (from, to) -> sorted property names."""
    main = set(_main_iris())
    props = own_iris(ontology, OWL.ObjectProperty) + list(EXTRA_DIAGRAM_PROPERTIES)
    edges: dict[tuple[URIRef, URIRef], set[str]] = defaultdict(set)
    for prop in props:
        name = local_name(prop) if str(prop).startswith(str(NIK)) else curie(prop)
        domain = _declared(ontology, prop, RDFS.domain)
        range_ = _declared(ontology, prop, RDFS.range)
        declared_from = {m for d in domain for m in _nearest_main(ontology, d, main)}
        declared_to = {m for r in range_ for m in _nearest_main(ontology, r, main)}
        if domain and range_:
            pairs = {(a, b) for a in declared_from for b in declared_to}
        else:
            pairs = set()
            for s, o in data.subject_objects(prop):
                if not isinstance(o, URIRef):
                    continue
                froms = (
                    declared_from
                    if domain
                    else _diagram_classes(ontology, data.objects(s, RDF.type), main)
                )
                tos = (
                    declared_to
                    if range_
                    else _diagram_classes(ontology, data.objects(o, RDF.type), main)
                )
                pairs.update((a, b) for a in froms for b in tos)
        for pair in pairs:
            edges[pair].add(name)
    return {pair: sorted(names) for pair, names in sorted(edges.items())}


def _dot_id(iri: URIRef) -> str:
    """The node id of a main class: its local name, valid in dot without quotes."""
    return local_name(iri)


def _dot_escape(text: str) -> str:
    """Escape text for dot's HTML-like labels and quoted attributes."""
    return html.escape(text, quote=True)


def render_dot(ontology: Graph, data: Graph) -> str:
    """Return the Graphviz source of the diagram of the main classes (sorted, byte-stable)."""
    main_list = _main_iris()
    main = set(main_list)
    lines = [
        "// Main classes of the NATO–Iraq relations ontology, generated by nato_iraq_kg.docs.",
        "digraph ontology {",
        '  graph [rankdir=BT, fontname="Helvetica", nodesep=0.5, ranksep=0.7, splines=true,'
        ' bgcolor="white", pad=0.3];',
        '  node [shape=plain, fontname="Helvetica", fontsize=12];',
        '  edge [fontname="Helvetica", fontsize=9, color="#1f4e8c", fontcolor="#1d2433"];',
    ]
    for iri in sorted(main_list, key=str):
        label = label_of([ontology], iri) or local_name(iri)
        aligned = [curie(s) for s in sorted_iris(ontology.objects(iri, RDFS.subClassOf))]
        aligned = [a for a in aligned if not a.startswith("nik:")]
        rows = [
            f'<TR><TD BGCOLOR="#dfe8f5"><B>nik:{_dot_escape(local_name(iri))}</B></TD></TR>',
            f'<TR><TD><FONT POINT-SIZE="9">{_dot_escape(label)}</FONT></TD></TR>',
        ]
        if aligned:
            rows.append(
                '<TR><TD><FONT POINT-SIZE="8" COLOR="#5b6475">'
                + _dot_escape(", ".join(aligned))
                + "</FONT></TD></TR>"
            )
        table = (
            '<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" COLOR="#1f4e8c">'
            + "".join(rows)
            + "</TABLE>"
        )
        lines.append(f'  {_dot_id(iri)} [label=<{table}>, tooltip="{_dot_escape(str(iri))}"];')
    lines.append("  // subclass links")
    for iri in sorted(main_list, key=str):
        for parent in _nearest_main(ontology, iri, main - {iri}):
            lines.append(
                f'  {_dot_id(iri)} -> {_dot_id(parent)} [arrowhead=empty, color="#5b6475"];'
            )
    lines.append("  // object properties")
    for (source, target), names in diagram_edges(ontology, data).items():
        label = "\\n".join(names)
        lines.append(f'  {_dot_id(source)} -> {_dot_id(target)} [label="{label}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(dot_source: str) -> bytes:
    """Render Graphviz source to SVG with the ``dot`` program."""
    program = shutil.which("dot")
    if program is None:
        raise RuntimeError(
            "Graphviz 'dot' was not found on PATH: install the Debian package 'graphviz' "
            "(apt-get install -y graphviz)"
        )
    completed = subprocess.run(
        [program, "-Tsvg"], input=dot_source.encode("utf-8"), capture_output=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"dot failed: {completed.stderr.decode('utf-8', 'replace').strip()}")
    return completed.stdout
