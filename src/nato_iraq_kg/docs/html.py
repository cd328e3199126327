"""The ontology's documentation page: one self-contained HTML file, sorted and byte-stable.

Kept apart from the diagram (:mod:`nato_iraq_kg.docs.diagram`) because the page is all markup and
styling, while what it says about each term comes from :mod:`nato_iraq_kg.docs.model`. Styles are
inline and nothing is loaded from the network, so the page opens from a checkout or an archive.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from ..namespaces import NIK, VANN
from .model import (
    DOT_NAME,
    PREFIXES,
    SVG_NAME,
    ClassExample,
    ExampleData,
    PropertyExample,
    Term,
    class_example,
    curie,
    first_literal,
    local_name,
    ontology_terms,
    property_example,
    sorted_iris,
)

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


def _short(text: str, limit: int = _MAX_LITERAL) -> str:
    """Flatten whitespace and cut long text, so one example cannot swamp a term."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _e(text: object) -> str:
    """Escape text for HTML content and attribute values alike."""
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
    """Links to several terms, comma-separated, in the order given."""
    return ", ".join(_link(i) for i in iris)


def _node_html(node: Node, label: str | None) -> str:
    """A node of an example: a quoted literal with its tag, or a name and its label."""
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
    """Say which file an example came from, since evidence terms use the dataset."""
    return f' <span class="kind">from {_e(dataset_name if from_dataset else data_name)}</span>'


def _class_example_html(example: ClassExample | None, cls: URIRef, names: tuple[str, str]) -> str:
    """The example of a class, naming the subclass when the instance is of one."""
    if example is None:
        return '<span class="none">No instance in the data.</span>'
    text = _node_html(example.instance, example.label)
    if example.asserted_class != cls:
        text += f" (a {_link(example.asserted_class)})"
    return f'<div class="example">{text}{_source_note(example.from_dataset, *names)}</div>'


def _property_example_html(
    example: PropertyExample | None, prop: URIRef, names: tuple[str, str]
) -> str:
    """The example of a property: one triple from the data."""
    if example is None:
        return '<span class="none">Not used in the data.</span>'
    text = (
        f"{_node_html(example.subject, example.subject_label)} "
        f"<code>{_e(curie(prop))}</code> "
        f"{_node_html(example.obj, example.object_label)}"
    )
    return f'<div class="example">{text}{_source_note(example.from_dataset, *names)}</div>'


def _fact(title: str, value: str | None) -> str:
    """One row of a definition list, or nothing when there is no value to show."""
    if not value:
        return ""
    return f"<dt>{_e(title)}</dt><dd>{value}</dd>"


def _cameo_rows(mapping: Graph | None, cls: URIRef) -> str:
    """The CAMEO codes (and editorial notes) that the mapping gives an event class."""
    if mapping is None:
        return ""
    items = []
    for prop in _CAMEO_MATCHES:
        for code in sorted(mapping.objects(cls, prop), key=str):
            notation = first_literal(mapping, code, SKOS.notation) or curie(code)
            label = first_literal(mapping, code, SKOS.prefLabel) or ""
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
    """The section of one term: label, IRI, definition, facts and an example."""
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
        in_domain = sorted_iris(
            s for s in ontology.subjects(RDFS.domain, term.iri) if str(s).startswith(NIK)
        )
        in_range = sorted_iris(
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
    """The ontology's own classes as a nested list under their own superclasses."""
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
    """The title, description and metadata list of the header, from the owl:Ontology."""
    onto = next(iter(sorted(ontology.subjects(RDF.type, OWL.Ontology), key=str)), None)
    if onto is None:
        return ("Ontology", "", "")
    title = first_literal(ontology, onto, DCTERMS.title) or str(onto)
    description = first_literal(ontology, onto, DCTERMS.description) or ""
    rows = [
        _fact("IRI", f"<code>{_e(onto)}</code>"),
        _fact(
            "Version IRI",
            _links(sorted_iris(ontology.objects(onto, OWL.versionIRI))),
        ),
        _fact("Version", _e(first_literal(ontology, onto, OWL.versionInfo) or "")),
        _fact("Creator", _e(first_literal(ontology, onto, DCTERMS.creator) or "")),
        _fact("Created", _e(first_literal(ontology, onto, DCTERMS.created) or "")),
        _fact("Modified", _e(first_literal(ontology, onto, DCTERMS.modified) or "")),
        _fact("Licence", _links(sorted_iris(ontology.objects(onto, DCTERMS.license)))),
        _fact(
            "Preferred prefix",
            _e(first_literal(ontology, onto, VANN.preferredNamespacePrefix) or ""),
        ),
        _fact(
            "Namespace",
            f"<code>{_e(first_literal(ontology, onto, VANN.preferredNamespaceUri) or NIK)}</code>",
        ),
        _fact("See also", _links(sorted_iris(ontology.objects(onto, RDFS.seeAlso)))),
    ]
    return (title, description, f'<dl class="meta">{"".join(rows)}</dl>')


def _used_prefixes(ontology: Graph) -> list[tuple[str, str]]:
    """The prefixes the ontology's compact names use, so the table lists no others."""
    used = set()
    for triple in ontology:
        for node in triple:
            if isinstance(node, URIRef):
                name = curie(node)
                if name != str(node):
                    used.add(name.split(":", 1)[0])
    return [(p, PREFIXES[p]) for p in sorted(used)]


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
