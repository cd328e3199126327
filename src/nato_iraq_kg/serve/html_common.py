"""What every page of the site shares: escaping, the page frame, local paths and labels.

Kept apart from the pages themselves so that escaping happens in one place (every label from the
graph could hold any text) and so that the entity pages and the site pages build on the same
frame, the same mapping of the dataset's IRIs onto the server's paths and the same label lookup.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..namespaces import BASE
from ..sparql.local import compact

ID_BASE = BASE + "id/"
ONTOLOGY_BASE = BASE + "ontology#"
#: Where the server publishes the ontology; our classes and properties link to anchors in it.
ONTOLOGY_PATH = "/ontology"
STYLESHEET = "/static/style.css"
#: The site's icon, linked from every page so browsers need not guess /favicon.ico.
FAVICON = "/static/favicon.svg"

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def esc(value: object) -> str:
    """Escape any text for HTML content and attribute values, quotes included."""
    return html.escape(str(value), quote=True)


def local_path(iri: str) -> str | None:
    """Map one of the dataset's IRIs to the server's path for it, or None if it is not ours.

    The server answers for ``/id/...`` itself, so links must not leave the site for w3id.org
    (which may point elsewhere, or nowhere, while the site is tried locally).
    """
    if iri.startswith(ID_BASE) and len(iri) > len(ID_BASE):
        return "/id/" + iri[len(ID_BASE) :]
    if iri.startswith(ONTOLOGY_BASE) and len(iri) > len(ONTOLOGY_BASE):
        return f"{ONTOLOGY_PATH}#{iri[len(ONTOLOGY_BASE) :]}"
    return None


SEARCH_PATH = "/search"


def site_nav() -> str:
    """Return the header every page carries: home, timeline, query and the search box.

    The search box is a plain GET form, so it works without JavaScript on the server and in the
    static site alike.
    """
    return (
        '<header class="site"><nav aria-label="site"><a href="/">NATO–Iraq KG</a> '
        '<a href="/timeline">Timeline</a> <a href="/query">Query</a>'
        f'<form class="site-search" role="search" method="get" action="{SEARCH_PATH}">'
        '<label for="site-q">Search</label>'
        '<input id="site-q" type="search" name="q" maxlength="200" '
        'placeholder="Mosul, DCB, Stoltenberg…">'
        '<button type="submit">Go</button></form></nav></header>'
    )


def json_for_script(value: object) -> str:
    """Serialise JSON so that no text in it can close the ``<script>`` element it sits in."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_frame(title: str, body: str, scripts: Iterable[str] = (), head: str = "") -> str:
    """Wrap a page body in a complete HTML5 document with the shared stylesheet and nav."""
    tags = "".join(f'<script src="{esc(src)}" defer></script>' for src in scripts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n"
        f'<link rel="icon" href="{FAVICON}" type="image/svg+xml">\n'
        f'<link rel="stylesheet" href="{STYLESHEET}">\n{head}{tags}\n</head>\n<body>\n'
        f"{site_nav()}\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------- the graph, read


def named_node(iri: str) -> Any:
    """Make an IRI node, importing pyoxigraph only when a page is built (it raises ValueError)."""
    import pyoxigraph

    return pyoxigraph.NamedNode(iri)


def objects_of(store: Any, subject: Any, predicate: str) -> list[Any]:
    """Return the distinct objects of ``subject predicate ?o`` across all graphs, in order seen."""
    seen: dict[Any, None] = {}
    for quad in store.quads_for_pattern(subject, named_node(predicate), None, None):
        seen.setdefault(quad.object, None)
    return list(seen)


def subjects_of(store: Any, predicate: str, obj: Any) -> list[Any]:
    """Return the distinct subjects of ``?s predicate obj`` across all graphs."""
    seen: dict[Any, None] = {}
    for quad in store.quads_for_pattern(None, named_node(predicate), obj, None):
        seen.setdefault(quad.subject, None)
    return list(seen)


def literal_text(store: Any, subject: Any, predicate: str) -> str | None:
    """Return one literal value, preferring English, so labels read the same on every page."""
    import pyoxigraph

    rank = {"en": 0, None: 1}
    found = [
        (rank.get(term.language, 2), term.value)
        for term in objects_of(store, subject, predicate)
        if isinstance(term, pyoxigraph.Literal)
    ]
    return min(found)[1] if found else None


class Labels:
    """Look labels up once per page: the same actor or property appears many times.

    The data's own labels come first; ``vocabulary`` (term IRI -> label, from the ontology) names
    the classes and properties, whose labels live in the ontology rather than in the dataset.
    """

    def __init__(self, store: Any, vocabulary: Mapping[str, str] | None = None) -> None:
        self.store = store
        self.vocabulary = vocabulary or {}
        self.cache: dict[Any, str | None] = {}

    def get(self, term: Any) -> str | None:
        import pyoxigraph

        if isinstance(term, pyoxigraph.Literal):
            return term.value
        if term not in self.cache:
            label = literal_text(self.store, term, RDFS_LABEL)
            label = label or literal_text(self.store, term, SKOS + "prefLabel")
            if not label and isinstance(term, pyoxigraph.NamedNode):
                label = self.vocabulary.get(term.value)
            self.cache[term] = label
        return self.cache[term]

    def name(self, term: Any) -> str:
        """Return a label, else a readable name, so nothing shows blank.

        Our own unlabelled things (evidence, assertion graphs) read as their kind and last path
        segment ("evidence name-programme-ntm-i"); other terms as compact names (``nik:agent``).
        """
        label = self.get(term)
        if label:
            return label
        iri = getattr(term, "value", "")
        if iri.startswith(ID_BASE) and "/" in iri[len(ID_BASE) :]:
            kind, _, rest = iri[len(ID_BASE) :].partition("/")
            return f"{kind} {rest.rsplit('/', 1)[-1]}"
        return compact(term) or str(term)


def vocabulary_labels(path: Path) -> dict[str, str]:
    """Return the English (or untagged) ``rdfs:label`` of every term an ontology file names.

    Read into a plain mapping rather than the store, so the pages can name properties and
    classes without the ontology's triples showing up in the dataset's SPARQL answers.
    """
    import pyoxigraph

    labels: dict[str, str] = {}
    for quad in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE):
        if quad.predicate.value != RDFS_LABEL or not isinstance(quad.subject, pyoxigraph.NamedNode):
            continue
        literal = quad.object
        if isinstance(literal, pyoxigraph.Literal) and literal.language in (None, "en"):
            labels.setdefault(quad.subject.value, literal.value)
    return labels


def subclass_pairs(ontology_path: Path) -> tuple[tuple[str, str], ...]:
    """Return the ontology's ``rdfs:subClassOf`` statements between named classes."""
    import pyoxigraph

    sub = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
    return tuple(
        (quad.subject.value, quad.object.value)
        for quad in pyoxigraph.parse(path=str(ontology_path), format=pyoxigraph.RdfFormat.TURTLE)
        if quad.predicate.value == sub
        and isinstance(quad.subject, pyoxigraph.NamedNode)
        and isinstance(quad.object, pyoxigraph.NamedNode)
    )


def int_or_none(term: Any) -> int | None:
    """Read an integer literal, or None, so a missing or malformed offset or count is skipped."""
    try:
        return int(term.value) if term is not None else None
    except ValueError:
        return None


def first_of(values: list[Any]) -> Any:
    """Return the first value or None, for properties the graph states at most once."""
    return values[0] if values else None
