"""Ontology documentation: one self-contained HTML page and a Graphviz diagram of the main classes.

``write_docs`` reads the hand-edited ontology and the generated facts and writes three files:

* ``ontology.html``: every class and property of the ontology with its label, definition,
  superclasses or superproperties (the alignments to schema.org, ORG, SEM, PROV-O, OWL-Time,
  SKOS...), domain and range, and an example taken from the data: one instance for a class, one
  triple for a property. Styles are inline; the page loads nothing from the network.
* ``ontology-diagram.dot``: the main classes, their subclass links and the object properties
  between them (domain to range where the ontology declares them, else the pairs the data uses).
* ``ontology-diagram.svg``: that diagram rendered by Graphviz ``dot`` (Debian package
  ``graphviz``).

Everything is sorted and nothing carries a timestamp or a local path, so two runs on the same
inputs write the same bytes. pyLODE was tried first and not used: the release on PyPI fails on
import (it reads a ``pyproject.toml`` that its wheel does not ship), and it has no way to show
examples from the data.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import warnings
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from .namespaces import ID, NIK, OA, ORG, VANN, prefixes

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

HTML_NAME = "ontology.html"
DOT_NAME = "ontology-diagram.dot"
SVG_NAME = "ontology-diagram.svg"

_LABELS = (RDFS.label, SKOS.prefLabel, DCTERMS.title)
_MAX_LITERAL = 160
_CAMEO_MATCHES = (SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.exactMatch)

_CSS = """
:root { --ink: #1d2433; --muted: #5b6475; --line: #d8dde6; --accent: #1f4e8c; --soft: #f4f6fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #fff; }
header, main, footer, nav { max-width: 62rem; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 2rem; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 .5rem; font-size: 1.9rem; }
h2 { margin-top: 2.5rem; padding-bottom: .3rem; border-bottom: 2px solid var(--accent); }
h3 { margin: 0 0 .25rem; font-size: 1.2rem; }
h3 .curie { font-weight: normal; color: var(--muted); font-size: .95rem; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code { font: .88rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.iri { color: var(--muted); word-break: break-all; margin: 0 0 .5rem; }
.term { border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.1rem;
  margin: 1rem 0; background: #fff; }
.term:target { border-color: var(--accent); box-shadow: 0 0 0 3px #d6e2f3; }
.definition { margin: .25rem 0 .75rem; }
dl.facts { display: grid; grid-template-columns: 11rem 1fr; gap: .3rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); font-size: .9rem; }
dl.facts dd { margin: 0; }
dl.meta { display: grid; grid-template-columns: 11rem 1fr; gap: .2rem 1rem; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; word-break: break-all; }
.example { background: var(--soft); border-left: 3px solid var(--accent); padding: .35rem .6rem;
  border-radius: 3px; }
.example q { quotes: "\\201C" "\\201D"; }
.none { color: var(--muted); font-style: italic; }
.kind { display: inline-block; font-size: .75rem; padding: 0 .45rem; border-radius: 9px;
  background: var(--soft); border: 1px solid var(--line); color: var(--muted);
  vertical-align: middle; }
nav ul.index { columns: 3 14rem; padding-left: 1.1rem; }
ul.tree, ul.tree ul { list-style: none; padding-left: 1.2rem; margin: 0; }
ul.tree { padding-left: 0; }
ul.tree li { margin: .1rem 0; }
figure { margin: 1rem 0; overflow-x: auto; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: .25rem .8rem .25rem 0; border-bottom: 1px solid var(--line); }
footer { color: var(--muted); font-size: .85rem; padding: 2rem 1.25rem; }
"""


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


def _default_mapping(ontology: Path) -> Path | None:
    candidate = ontology.parent / "cameo.ttl"
    return candidate if candidate.exists() else None


# ---------------------------------------------------------------------------------------------
# Names and labels
# ---------------------------------------------------------------------------------------------
def _prefix_map() -> dict[str, str]:
    result = prefixes()
    result.setdefault("foaf", "http://xmlns.com/foaf/0.1/")
    result.setdefault("vann", str(VANN))
    for kind in ("cameo", "evidence", "assertion", "method"):
        result.setdefault(kind, f"{ID}{kind}/")
    return dict(sorted(result.items()))


_PREFIXES = _prefix_map()
_BY_LENGTH = sorted(_PREFIXES.items(), key=lambda item: (-len(item[1]), item[0]))


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


def _label(graphs: Iterable[Graph], node: Node) -> str | None:
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
    if isinstance(node, Literal):
        return (node.language or "", str(node))
    return ("~", str(node))


def _first_literal(graph: Graph, subject: Node, prop: URIRef) -> str | None:
    values = sorted(graph.objects(subject, prop), key=_literal_key)
    return str(values[0]) if values else None


def _short(text: str, limit: int = _MAX_LITERAL) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


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


def _own(graph: Graph, kind: URIRef) -> list[URIRef]:
    return sorted(
        s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef) and s.startswith(NIK)
    )


def _sorted_iris(nodes: Iterable[Node]) -> list[URIRef]:
    return sorted({n for n in nodes if isinstance(n, URIRef)}, key=lambda n: (curie(n), str(n)))


def _disjoint_with(ontology: Graph, cls: URIRef) -> list[URIRef]:
    found: set[Node] = set(ontology.objects(cls, OWL.disjointWith))
    found.update(ontology.subjects(OWL.disjointWith, cls))
    for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        for members in ontology.objects(axiom, OWL.members):
            listed = list(ontology.items(members))
            if cls in listed:
                found.update(m for m in listed if m != cls)
    return _sorted_iris(found)


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
        for iri in sorted(_own(ontology, rdf_type), key=lambda i: (local_name(i).lower(), str(i))):
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
                    label=_label([ontology], iri) or local_name(iri),
                    definition=_first_literal(ontology, iri, SKOS.definition)
                    or _first_literal(ontology, iri, RDFS.comment),
                    supers=_sorted_iris(ontology.objects(iri, sub_of)),
                    subs=_sorted_iris(
                        s for s in ontology.subjects(sub_of, iri) if str(s).startswith(NIK)
                    ),
                    domains=_sorted_iris(ontology.objects(iri, RDFS.domain)),
                    ranges=_sorted_iris(ontology.objects(iri, RDFS.range)),
                    close_matches=_sorted_iris(ontology.objects(iri, SKOS.closeMatch)),
                    disjoint=_disjoint_with(ontology, iri) if kind == "class" else [],
                    characteristics=characteristics,
                )
            )
        result[kind] = terms
    return result


def _closure(ontology: Graph, start: URIRef, prop: URIRef, *, up: bool) -> list[URIRef]:
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
    classes = _closure(ontology, cls, RDFS.subClassOf, up=False)
    for index, graph in enumerate(data.graphs()):
        for candidate_class in classes:
            instances = [
                s for s in graph.subjects(RDF.type, candidate_class) if isinstance(s, URIRef)
            ]
            if not instances:
                continue
            labelled = sorted(instances, key=lambda s: (_label(data.graphs(), s) is None, str(s)))
            chosen = labelled[0]
            return ClassExample(
                chosen, _label(data.graphs(), chosen), candidate_class, from_dataset=index == 1
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
            object_named = isinstance(o, Literal) or _label(graphs, o) is not None
            return (_label(graphs, s) is None, not object_named, str(s), str(o))

        s, o = sorted(triples, key=rank)[0]
        object_label = None if isinstance(o, Literal) else _label(graphs, o)
        return PropertyExample(s, _label(graphs, s), o, object_label, from_dataset=index == 1)
    return None


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------
def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _link(iri: URIRef) -> str:
    """A link to a term: an anchor on this page for ``nik:`` terms, else the term's IRI."""
    name = curie(iri)
    if str(iri).startswith(str(NIK)):
        return f'<a href="#{_e(local_name(iri))}"><code>{_e(name)}</code></a>'
    if str(iri).startswith(("http://", "https://")):
        return f'<a href="{_e(iri)}"><code>{_e(name)}</code></a>'
    return f"<code>{_e(name)}</code>"


def _links(iris: Iterable[URIRef]) -> str:
    return ", ".join(_link(i) for i in iris)


def _node_html(node: Node, label: str | None) -> str:
    if isinstance(node, Literal):
        text = f"<q>{_e(_short(str(node)))}</q>"
        if node.language:
            text += f"<code>@{_e(node.language)}</code>"
        elif node.datatype is not None:
            text += f"<code>^^{_e(curie(node.datatype))}</code>"
        return text
    if isinstance(node, BNode):
        return "<code>[]</code>"
    named = f'<code title="{_e(node)}">{_e(curie(node))}</code>'
    if label:
        named += f" <q>{_e(_short(label, 100))}</q>"
    return named


def _source_note(from_dataset: bool, data_name: str, dataset_name: str) -> str:
    return f' <span class="kind">from {_e(dataset_name if from_dataset else data_name)}</span>'


def _class_example_html(example: ClassExample | None, cls: URIRef, names: tuple[str, str]) -> str:
    if example is None:
        return '<span class="none">No instance in the data.</span>'
    text = _node_html(example.instance, example.label)
    if example.asserted_class != cls:
        text += f" (a {_link(example.asserted_class)})"
    return f'<div class="example">{text}{_source_note(example.from_dataset, *names)}</div>'


def _property_example_html(example: PropertyExample | None, prop: URIRef, names: tuple[str, str]):
    if example is None:
        return '<span class="none">Not used in the data.</span>'
    text = (
        f"{_node_html(example.subject, example.subject_label)} "
        f"<code>{_e(curie(prop))}</code> "
        f"{_node_html(example.obj, example.object_label)}"
    )
    return f'<div class="example">{text}{_source_note(example.from_dataset, *names)}</div>'


def _fact(title: str, value: str | None) -> str:
    if not value:
        return ""
    return f"<dt>{_e(title)}</dt><dd>{value}</dd>"


def _cameo_rows(mapping: Graph | None, cls: URIRef) -> str:
    if mapping is None:
        return ""
    items = []
    for prop in _CAMEO_MATCHES:
        for code in sorted(mapping.objects(cls, prop), key=str):
            notation = _first_literal(mapping, code, SKOS.notation) or curie(code)
            label = _first_literal(mapping, code, SKOS.prefLabel) or ""
            items.append(
                f"<code>{_e(curie(prop))}</code> <code>{_e(notation)}</code> <q>{_e(label)}</q>"
            )
    notes = [_e(n) for n in sorted(str(n) for n in mapping.objects(cls, SKOS.editorialNote))]
    if not items and not notes:
        return ""
    lines = items + [f'<span class="none">{n}</span>' for n in notes]
    return _fact("CAMEO event code", "<br>".join(lines))


def _term_html(
    term: Term,
    ontology: Graph,
    data: ExampleData,
    mapping: Graph | None,
    names: tuple[str, str],
) -> str:
    is_class = term.kind == "class"
    facts = [
        _fact("Subclass of" if is_class else "Subproperty of", _links(term.supers)),
        _fact("Subclasses" if is_class else "Subproperties", _links(term.subs)),
        _fact("Characteristics", ", ".join(f"<code>{_e(c)}</code>" for c in term.characteristics)),
        _fact("Domain", _links(term.domains)),
        _fact("Range", _links(term.ranges)),
        _fact("Close match", _links(term.close_matches)),
        _fact("Disjoint with", _links(term.disjoint)),
    ]
    if is_class:
        in_domain = _sorted_iris(
            s for s in ontology.subjects(RDFS.domain, term.iri) if str(s).startswith(NIK)
        )
        in_range = _sorted_iris(
            s for s in ontology.subjects(RDFS.range, term.iri) if str(s).startswith(NIK)
        )
        facts.append(_fact("Domain of", _links(in_domain)))
        facts.append(_fact("Range of", _links(in_range)))
        facts.append(_cameo_rows(mapping, term.iri))
        example = _class_example_html(class_example(ontology, data, term.iri), term.iri, names)
    else:
        example = _property_example_html(property_example(data, term.iri), term.iri, names)
    facts.append(_fact("Example", example))
    definition = (
        f'<p class="definition">{_e(term.definition)}</p>'
        if term.definition
        else '<p class="definition none">No definition.</p>'
    )
    return (
        f'<section class="term" id="{_e(term.name)}">\n'
        f'<h3>{_e(term.label)} <span class="curie">{_e(curie(term.iri))}</span> '
        f'<span class="kind">{_e(term.kind)}</span></h3>\n'
        f'<p class="iri"><code>{_e(term.iri)}</code></p>\n'
        f"{definition}\n"
        f'<dl class="facts">{"".join(facts)}</dl>\n'
        "</section>"
    )


def _tree_html(ontology: Graph, classes: list[Term]) -> str:
    own = {t.iri for t in classes}
    children: dict[URIRef, list[URIRef]] = defaultdict(list)
    roots = []
    for term in classes:
        parents = [s for s in term.supers if s in own]
        if not parents:
            roots.append(term.iri)
        for parent in parents:
            children[parent].append(term.iri)

    def order(iris: Iterable[URIRef]) -> list[URIRef]:
        return sorted(iris, key=lambda i: (local_name(i).lower(), str(i)))

    def render(iri: URIRef, depth: int) -> str:
        kids = order(children.get(iri, []))
        inner = "".join(render(k, depth + 1) for k in kids) if depth < 12 else ""
        nested = f"<ul>{inner}</ul>" if inner else ""
        return f"<li>{_link(iri)}{nested}</li>"

    return '<ul class="tree">' + "".join(render(r, 0) for r in order(roots)) + "</ul>"


def _metadata_html(ontology: Graph) -> tuple[str, str, str]:
    onto = next(iter(sorted(ontology.subjects(RDF.type, OWL.Ontology), key=str)), None)
    if onto is None:
        return ("Ontology", "", "")
    title = _first_literal(ontology, onto, DCTERMS.title) or str(onto)
    description = _first_literal(ontology, onto, DCTERMS.description) or ""
    rows = [
        _fact("IRI", f"<code>{_e(onto)}</code>"),
        _fact(
            "Version IRI",
            _links(_sorted_iris(ontology.objects(onto, OWL.versionIRI))),
        ),
        _fact("Version", _e(_first_literal(ontology, onto, OWL.versionInfo) or "")),
        _fact("Creator", _e(_first_literal(ontology, onto, DCTERMS.creator) or "")),
        _fact("Created", _e(_first_literal(ontology, onto, DCTERMS.created) or "")),
        _fact("Modified", _e(_first_literal(ontology, onto, DCTERMS.modified) or "")),
        _fact("Licence", _links(_sorted_iris(ontology.objects(onto, DCTERMS.license)))),
        _fact(
            "Preferred prefix",
            _e(_first_literal(ontology, onto, VANN.preferredNamespacePrefix) or ""),
        ),
        _fact(
            "Namespace",
            f"<code>{_e(_first_literal(ontology, onto, VANN.preferredNamespaceUri) or NIK)}</code>",
        ),
        _fact("See also", _links(_sorted_iris(ontology.objects(onto, RDFS.seeAlso)))),
    ]
    return (title, description, f'<dl class="meta">{"".join(rows)}</dl>')


def _used_prefixes(ontology: Graph) -> list[tuple[str, str]]:
    used = set()
    for triple in ontology:
        for node in triple:
            if isinstance(node, URIRef):
                name = curie(node)
                if name != str(node):
                    used.add(name.split(":", 1)[0])
    return [(p, _PREFIXES[p]) for p in sorted(used)]


def render_html(
    ontology: Graph,
    data: ExampleData,
    mapping: Graph | None = None,
    *,
    ontology_name: str = "nato-iraq.ttl",
    data_name: str = "nato-iraq.ttl",
    dataset_name: str = "nato-iraq.trig",
) -> str:
    """Return the documentation page as a string: self-contained, sorted, with no timestamp."""
    terms = ontology_terms(ontology)
    title, description, metadata = _metadata_html(ontology)
    names = (data_name, dataset_name)
    sections = [
        ("classes", "Classes", terms["class"]),
        ("object-properties", "Object properties", terms["object property"]),
        ("datatype-properties", "Datatype properties", terms["datatype property"]),
    ]
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_e(title)}</h1>",
        f"<p>{_e(' '.join(description.split()))}</p>",
        metadata,
        "</header>",
        '<nav id="contents">',
        "<h2>Contents</h2>",
        "<ol>",
        '<li><a href="#diagram">Diagram of the main classes</a></li>',
        '<li><a href="#hierarchy">Class hierarchy</a></li>',
    ]
    for anchor, heading, items in sections:
        out.append(f'<li><a href="#{anchor}">{heading}</a> ({len(items)})</li>')
    out.append('<li><a href="#namespaces">Namespaces</a></li>')
    out.append("</ol>")
    for _anchor, heading, items in sections:
        out.append(f"<h3>{heading}</h3>")
        out.append('<ul class="index">')
        out.extend(f"<li>{_link(t.iri)}</li>" for t in items)
        out.append("</ul>")
    out.append("</nav>")
    out.append("<main>")
    out.append('<section id="diagram">')
    out.append("<h2>Diagram of the main classes</h2>")
    out.append(
        "<p>The main classes, their subclass links (hollow arrows) and the object properties "
        "between them (labelled arrows, from domain to range as declared, or as the data uses "
        "them). Generated with Graphviz from the ontology.</p>"
    )
    out.append(
        f'<figure><a href="{SVG_NAME}"><img src="{SVG_NAME}" '
        'alt="Diagram of the main classes of the ontology"></a>'
        f'<figcaption>Source: <a href="{DOT_NAME}"><code>{DOT_NAME}</code></a></figcaption>'
        "</figure>"
    )
    out.append("</section>")
    out.append('<section id="hierarchy">')
    out.append("<h2>Class hierarchy</h2>")
    out.append(_tree_html(ontology, terms["class"]))
    out.append("</section>")
    for anchor, heading, items in sections:
        out.append(f'<section id="{anchor}">')
        out.append(f"<h2>{heading}</h2>")
        out.extend(_term_html(t, ontology, data, mapping, names) for t in items)
        out.append("</section>")
    out.append('<section id="namespaces">')
    out.append("<h2>Namespaces</h2>")
    out.append("<table><thead><tr><th>Prefix</th><th>Namespace</th></tr></thead><tbody>")
    out.extend(
        f"<tr><td><code>{_e(p)}</code></td><td><code>{_e(ns)}</code></td></tr>"
        for p, ns in _used_prefixes(ontology)
    )
    out.append("</tbody></table>")
    out.append("</section>")
    out.append("</main>")
    out.append(
        f"<footer>Generated by <code>nato_iraq_kg.docs</code> from <code>{_e(ontology_name)}"
        f"</code>; examples from <code>{_e(data_name)}</code> (and, for evidence terms, "
        f"<code>{_e(dataset_name)}</code>).</footer>"
    )
    out.append("</body>")
    out.append("</html>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# The diagram
# ---------------------------------------------------------------------------------------------
def _main_iris() -> list[URIRef]:
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
    ancestors = _closure(ontology, cls, RDFS.subClassOf, up=True)
    if NIK.Place in ancestors:
        return cls
    for name in DIAGRAM_COLLAPSE:
        if NIK[name] in ancestors:
            return NIK[name]
    return cls


def _diagram_classes(ontology: Graph, types: Iterable[Node], main: set[URIRef]) -> set[URIRef]:
    result: set[URIRef] = set()
    for t in types:
        if isinstance(t, URIRef):
            result.update(_collapsed(ontology, m) for m in _nearest_main(ontology, t, main))
    return result


def _declared(ontology: Graph, prop: URIRef, which: URIRef) -> list[URIRef]:
    """Domain or range of ``prop``, inherited from its superproperties when not declared."""
    for ancestor in _closure(ontology, prop, RDFS.subPropertyOf, up=True):
        values = sorted(v for v in ontology.objects(ancestor, which) if isinstance(v, URIRef))
        if values:
            return values
    return []


def diagram_edges(ontology: Graph, data: Graph) -> dict[tuple[URIRef, URIRef], list[str]]:
    """Property edges between main classes: (from, to) -> sorted property names."""
    main = set(_main_iris())
    props = _own(ontology, OWL.ObjectProperty) + list(EXTRA_DIAGRAM_PROPERTIES)
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
    return local_name(iri)


def _dot_escape(text: str) -> str:
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
        label = _label([ontology], iri) or local_name(iri)
        aligned = [curie(s) for s in _sorted_iris(ontology.objects(iri, RDFS.subClassOf))]
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


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------
def _write(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != content:
        path.write_bytes(content)
    return path


def write_docs(
    ontology: Path, data: Path, out_dir: Path, *, mapping: Path | None = None
) -> list[Path]:
    """Write the documentation page, the diagram source and the SVG diagram; return their paths.

    ``mapping`` is the CAMEO mapping shown on event classes; by default ``cameo.ttl`` beside the
    ontology, when it exists. Raises ``RuntimeError`` naming the Debian package ``graphviz`` when
    the ``dot`` program is missing (the HTML and ``.dot`` files are written first).
    """
    onto = Graph().parse(ontology)
    examples = load_example_data(data)
    mapping_path = mapping if mapping is not None else _default_mapping(ontology)
    mapping_graph = Graph().parse(mapping_path) if mapping_path is not None else None
    page = render_html(
        onto,
        examples,
        mapping_graph,
        ontology_name=ontology.name,
        data_name=data.name,
        dataset_name=data.with_suffix(".trig").name,
    )
    diagram_data = examples.primary + examples.secondary
    dot_source = render_dot(onto, diagram_data)
    written = [
        _write(out_dir / HTML_NAME, page.encode("utf-8")),
        _write(out_dir / DOT_NAME, dot_source.encode("utf-8")),
    ]
    written.append(_write(out_dir / SVG_NAME, render_svg(dot_source)))
    return written


def main(argv: list[str] | None = None) -> int:
    """Regenerate ``docs/`` from the project's files: ``python -m nato_iraq_kg.docs``."""
    from .paths import project_root

    del argv
    root = project_root()
    paths = (root / "ontology" / "nato-iraq.ttl", root / "data" / "nato-iraq.ttl", root / "docs")
    for path in write_docs(*paths):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
