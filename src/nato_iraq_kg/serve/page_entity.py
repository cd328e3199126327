"""The page of one entity: its names, types and facts, each fact shown with its evidence.

The evidence is the quote a fact was read from, highlighted inside the paragraph of the source
page by its character offsets; reading it out of the graph and highlighting it live here with the
entity page because nothing else on the site shows it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..sparql.local import compact
from .html_common import (
    ID_BASE,
    ONTOLOGY_BASE,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS,
    Labels,
    esc,
    first_of,
    int_or_none,
    literal_text,
    local_path,
    named_node,
    objects_of,
    page_frame,
    subjects_of,
)

WIKIDATA = "http://www.wikidata.org/entity/"
DBPEDIA = "http://dbpedia.org/resource/"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
OA = "http://www.w3.org/ns/oa#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
NIK = ONTOLOGY_BASE
ASSERTION_BASE = ID_BASE + "assertion/"
#: Properties already summed up in a page's header; their sections come after the relations.
NAMING = frozenset({RDF_TYPE, RDFS_LABEL, SKOS + "altLabel", SKOS + "prefLabel", OWL_SAME_AS})


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: the quote, its offsets in the page, and the paragraph around it."""

    iri: str
    quote: str
    start: int | None
    end: int | None
    part: str | None
    part_label: str | None
    part_text: str | None
    part_begin: int | None


def evidence_of(store: Any, graph: Any) -> list[Evidence]:
    """Return the evidence whose body is the assertion graph ``graph`` (one per quote)."""
    found = []
    for ev in subjects_of(store, OA + "hasBody", graph):
        part = first_of(objects_of(store, ev, NIK + "inPart"))
        part_label = part_text = None
        part_begin = None
        if part is not None:
            part_label = literal_text(store, part, RDFS_LABEL) or literal_text(
                store, part, NIK + "partName"
            )
            part_text = literal_text(store, part, NIF + "anchorOf")
            part_begin = int_or_none(first_of(objects_of(store, part, NIF + "beginIndex")))
        quote, start, end = "", None, None
        for target in objects_of(store, ev, OA + "hasTarget"):
            for selector in objects_of(store, target, OA + "hasSelector"):
                quote = literal_text(store, selector, OA + "exact") or quote
                found_start = int_or_none(first_of(objects_of(store, selector, OA + "start")))
                found_end = int_or_none(first_of(objects_of(store, selector, OA + "end")))
                start = start if found_start is None else found_start
                end = end if found_end is None else found_end
        found.append(
            Evidence(
                ev.value if hasattr(ev, "value") else str(ev),
                quote,
                start,
                end,
                part.value if part is not None and hasattr(part, "value") else None,
                part_label,
                part_text,
                part_begin,
            )
        )
    return sorted(found, key=lambda e: (e.start is None, e.start or 0, e.iri))


def highlight(evidence: Evidence) -> str:
    """Return the paragraph as HTML with the quote in ``<mark>``, placed by its offsets.

    The offsets are the truth (a short quote such as "NATO" occurs many times in a paragraph),
    so the quote is only searched for when they do not fit the paragraph; without a paragraph
    the quote stands alone.
    """
    text, quote = evidence.part_text, evidence.quote
    if text is None:
        return f"<mark>{esc(quote)}</mark>"
    i = j = -1
    if None not in (evidence.start, evidence.end, evidence.part_begin):
        i = evidence.start - evidence.part_begin  # type: ignore[operator]
        j = evidence.end - evidence.part_begin  # type: ignore[operator]
    if not (0 <= i <= j <= len(text) and text[i:j] == quote):
        i = text.find(quote) if quote else -1
        j = i + len(quote)
    if i < 0:
        return f"{esc(text)} <mark>{esc(quote)}</mark>"
    return f"{esc(text[:i])}<mark>{esc(text[i:j])}</mark>{esc(text[j:])}"


def _term_html(term: Any, labels: Labels) -> str:
    """Render a term: ours as a local link, others as an external link, literals as text."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        path = local_path(term.value)
        if path is not None:
            return f'<a href="{esc(path)}">{esc(labels.name(term))}</a>'
        name = esc(labels.get(term) or compact(term))
        if not term.value.startswith(("http://", "https://")):
            return f'<span class="iri">{name}</span>'  # only http(s) IRIs become links
        return f'<a class="external" href="{esc(term.value)}" rel="external">{name}</a>'
    if isinstance(term, pyoxigraph.Literal):
        note = ""
        if term.language:
            note = f' <span class="lang">@{esc(term.language)}</span>'
        elif term.datatype and not term.datatype.value.endswith("#string"):
            note = f' <span class="datatype">{esc(compact(term.datatype))}</span>'
        return f'<span class="literal">{esc(term.value)}</span>{note}'
    return f'<span class="blank">{esc(term)}</span>'


def _tier_html(store: Any, graph: Any) -> str:
    """Render a graph's tier (stated, derived, interpreted), with the curator's reason as a tip."""
    tier = first_of(objects_of(store, graph, NIK + "tier"))
    if tier is None or not hasattr(tier, "value"):
        return ""
    name = tier.value.rsplit("#", 1)[-1]
    why = literal_text(store, graph, SKOS + "editorialNote")
    tip = f' title="{esc(why)}"' if why else ""
    return f'<span class="tier tier-{esc(name)}"{tip}>{esc(name)}</span> '


def _evidence_html(store: Any, graphs: Iterable[Any], cache: dict[Any, list[Evidence]]) -> str:
    """Render the evidence of one fact, from every graph that states it, with each one's tier."""
    items = []
    plain = []
    seen: set[str] = set()
    for graph in graphs:
        if graph not in cache:
            cache[graph] = evidence_of(store, graph)
        tier = _tier_html(store, graph)
        for ev in cache[graph]:
            if ev.iri in seen:
                continue
            seen.add(ev.iri)
            part = esc(ev.part_label or "the page")
            where = local_path(ev.part) if ev.part else None
            part_html = f'<a href="{esc(where)}">{part}</a>' if where else part
            ev_path = local_path(ev.iri)
            ev_link = (
                f' <a class="evidence-link" href="{esc(ev_path)}">evidence</a>' if ev_path else ""
            )
            items.append(
                f'<li><blockquote class="evidence">{highlight(ev)}</blockquote>'
                f'<p class="where">{tier}from {part_html}{ev_link}</p></li>'
            )
        if not cache[graph] and hasattr(graph, "value"):
            plain.append(f"{tier}in {esc(compact(graph))}")
    html_parts = []
    if items:
        html_parts.append(f'<ul class="evidence-list">{"".join(items)}</ul>')
    if plain:
        html_parts.append(f'<p class="graph-note">{", ".join(sorted(set(plain)))}</p>')
    return "".join(html_parts)


def _relations_html(
    store: Any,
    grouped: dict[Any, dict[Any, list[Any]]],
    labels: Labels,
    inverse: bool,
) -> str:
    """Render facts grouped by property, each value with its evidence."""
    cache: dict[Any, list[Evidence]] = {}
    sections = []
    for prop in sorted(grouped, key=lambda p: (p.value in NAMING, labels.name(p).lower())):
        values = grouped[prop]
        name = labels.name(prop)
        prop_path = local_path(prop.value)
        title = f'<a href="{esc(prop_path)}">{esc(name)}</a>' if prop_path else esc(name)
        if inverse:
            title = f"is {title} of"
        rows = []
        for value in sorted(values, key=lambda v: labels.name(v).lower()):
            rows.append(
                f"<li>{_term_html(value, labels)}{_evidence_html(store, values[value], cache)}</li>"
            )
        sections.append(
            f'<section class="property"><h3 title="{esc(compact(prop))}">{title}</h3>'
            f'<ul class="values">{"".join(rows)}</ul></section>'
        )
    return "".join(sections)


def has_entity(store: Any, iri: str) -> bool:
    """Tell whether the graph says anything about ``iri``, so the server can answer 404 if not."""
    try:
        node = named_node(iri)
    except ValueError:
        return False
    return any(True for _ in store.quads_for_pattern(node, None, None, None)) or any(
        True for _ in store.quads_for_pattern(None, None, node, None)
    )


def entity_page(store: Any, iri: str, vocabulary: Mapping[str, str] | None = None) -> str:
    """Return the HTML page of one entity: its names, types, links, facts and their evidence.

    ``vocabulary`` names the classes and properties (see :func:`vocabulary_labels`); without it
    they show as compact names such as ``nik:agent``. Raises ValueError if ``iri`` is not a
    valid IRI; an IRI the graph does not mention still gets a page saying so (check
    :func:`has_entity` first to answer 404 instead).
    """
    node = named_node(iri)
    labels = Labels(store, vocabulary)
    label = labels.get(node) or compact(node) or iri
    outgoing: dict[Any, dict[Any, list[Any]]] = defaultdict(lambda: defaultdict(list))
    incoming: dict[Any, dict[Any, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for quad in store.quads_for_pattern(node, None, None, None):
        outgoing[quad.predicate][quad.object].append(quad.graph_name)
    for quad in store.quads_for_pattern(None, None, node, None):
        incoming[quad.predicate][quad.subject].append(quad.graph_name)

    types = objects_of(store, node, RDF_TYPE)
    alt = sorted(
        {t.value for t in objects_of(store, node, SKOS + "altLabel") if hasattr(t, "value")}
    )
    same = [t.value for t in objects_of(store, node, OWL_SAME_AS) if hasattr(t, "value")]

    head = [f"<h1>{esc(label)}</h1>", f'<p class="iri"><code>{esc(iri)}</code></p>']
    if types:
        links = ", ".join(_term_html(t, labels) for t in types)
        head.append(f'<p class="types">Type: {links}</p>')
    if alt:
        head.append(f'<p class="alt">Also called: {"; ".join(esc(a) for a in alt)}</p>')
    if same:
        head.append(f'<ul class="same-as">{"".join(_same_as_html(s) for s in sorted(same))}</ul>')
    body = "\n".join(head)
    if outgoing:
        body += f"\n<h2>Facts about {esc(label)}</h2>\n" + _relations_html(
            store, outgoing, labels, inverse=False
        )
    if incoming:
        body += "\n<h2>Linked from</h2>\n" + _relations_html(store, incoming, labels, inverse=True)
    if not outgoing and not incoming:
        body += "\n<p>The dataset says nothing about this IRI.</p>"
    return page_frame(label, body)


def _same_as_html(iri: str) -> str:
    """Render an identity link, naming the well-known knowledge bases by name."""
    if iri.startswith(WIKIDATA):
        text = f"Wikidata {iri[len(WIKIDATA) :]}"
    elif iri.startswith(DBPEDIA):
        text = f"DBpedia {iri[len(DBPEDIA) :]}"
    else:
        text = iri
    return f'<li><a class="external" href="{esc(iri)}" rel="external">{esc(text)}</a></li>'
