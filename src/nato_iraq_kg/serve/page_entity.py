"""The page of one entity: a summary first, then what the source page says of it, quote by quote.

A reader wants what the thing is before the evidence for it, so the page leads with a summary
(type, dates, place, who, what it is part of, identity links). Then come the passages of the
source page that mention it, in the page's order: each paragraph once, every quote read from it
marked, and under each quote the facts it supports. The facts use the ontology's labels (and
readable names for the standard terms); a fact read from its object's side has its own wording
("depicted in"). Statements the page does not state itself (derived by the build, identity
links, the document's structure) follow, grouped by property.

The renderers are functions of the store, so the static site can call them without a server.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..sparql.local import compact
from .evidence import NIF, NIK, OA, Evidence, evidence_of, highlight, highlight_spans, quote_span
from .fact_standing import Fact, fact_badges, with_standing
from .html_common import (
    ID_BASE,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS,
    Labels,
    esc,
    local_path,
    named_node,
    page_frame,
)
from .wording import inverse_label, term_labels

WIKIDATA = "http://www.wikidata.org/entity/"
DBPEDIA = "http://dbpedia.org/resource/"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
ORG = "http://www.w3.org/ns/org#"
ASSERTION_BASE = ID_BASE + "assertion/"
GRAPH_BASE = "https://w3id.org/nato-iraq-kg/graph/"
#: Properties already summed up in a page's header; their sections come after the relations.
NAMING = frozenset({RDF_TYPE, RDFS_LABEL, SKOS + "altLabel", SKOS + "prefLabel", OWL_SAME_AS})
#: The summary's rows: (heading, properties whose values it shows), in this order.
SUMMARY_ROWS = (
    ("type", (RDF_TYPE,)),
    ("also called", (SKOS + "altLabel",)),
    ("when", (NIK + "date", NIK + "startDate", NIK + "endDate")),
    ("where", (NIK + "place", NIK + "locatedIn", ORG + "hasSite", NIK + "destination")),
    (
        "who",
        (
            NIK + "agent",
            NIK + "participant",
            NIK + "counterpart",
            NIK + "provider",
            NIK + "beneficiary",
            NIK + "partner",
            NIK + "addressee",
            NIK + "host",
            NIK + "issuedBy",
            ORG + "hasMember",
            "http://xmlns.com/foaf/0.1/member",
        ),
    ),
    (
        "part of",
        (
            "http://semanticweb.cs.vu.nl/2009/11/sem/subEventOf",
            NIK + "partOfProgramme",
            NIK + "staffOf",
            ORG + "memberOf",
            "http://purl.org/dc/terms/isPartOf",
        ),
    ),
    ("post", (ORG + "holds", ORG + "postIn")),
    ("same as", (OWL_SAME_AS,)),
)
#: Where statements without a quote of their own come from, by graph.
GRAPH_NOTES = {
    GRAPH_BASE + "derived": "derived by the build from the stated facts",
    GRAPH_BASE + "links": "identity links, curated",
    GRAPH_BASE + "evidence": "the evidence: where each fact was read",
}
#: Beyond this many values, a property's list in "Other statements" starts folded.
FOLD_AFTER = 8


@dataclass
class Passage:
    """One paragraph of the source page and the quotes read from it, each with its facts."""

    part: str | None
    label: str
    text: str | None
    begin: int
    quotes: dict[str, tuple[Evidence, list[Fact]]] = field(default_factory=dict)


def has_entity(store: Any, iri: str) -> bool:
    """Tell whether the graph says anything about ``iri``, so the server can answer 404 if not."""
    try:
        node = named_node(iri)
    except ValueError:
        return False
    return any(True for _ in store.quads_for_pattern(node, None, None, None)) or any(
        True for _ in store.quads_for_pattern(None, None, node, None)
    )


def facts_about(store: Any, node: Any) -> list[Fact]:
    """Return every statement with ``node`` as subject or object, merged across graphs."""
    graphs: dict[tuple[Any, Any, Any, bool], list[Any]] = defaultdict(list)
    for quad in store.quads_for_pattern(node, None, None, None):
        graphs[(quad.subject, quad.predicate, quad.object, False)].append(quad.graph_name)
    for quad in store.quads_for_pattern(None, None, node, None):
        if quad.subject != node:
            graphs[(quad.subject, quad.predicate, quad.object, True)].append(quad.graph_name)
    return [Fact(s, p, o, tuple(gs), inverse) for (s, p, o, inverse), gs in graphs.items()]


def passages_of(store: Any, facts: Iterable[Fact]) -> tuple[list[Passage], list[Fact]]:
    """Group facts by the quote each was read from, and quotes by their paragraph.

    Returns the passages in the source page's order and the facts no quote supports.
    """
    cache: dict[Any, list[Evidence]] = {}
    passages: dict[str, Passage] = {}
    unquoted = []
    for fact in facts:
        found = False
        for graph in fact.graphs:
            if graph not in cache:
                cache[graph] = evidence_of(store, graph) if hasattr(graph, "value") else []
            for ev in cache[graph]:
                found = True
                key = ev.part or ev.iri
                if key not in passages:
                    passages[key] = Passage(
                        ev.part, ev.part_label or "the page", ev.part_text, ev.part_begin or 0
                    )
                quotes = passages[key].quotes
                if ev.iri not in quotes:
                    quotes[ev.iri] = (ev, [])
                if fact not in quotes[ev.iri][1]:
                    quotes[ev.iri][1].append(fact)
        if not found:
            unquoted.append(fact)
    ordered = sorted(passages.values(), key=lambda p: (p.text is None, p.begin, p.label))
    return ordered, unquoted


# --------------------------------------------------------------------------- rendering


def _term_html(term: Any, labels: Labels) -> str:
    """Render a term: ours as a local link, others as an external link, literals as text."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        path = local_path(term.value)
        if path is not None:
            return f'<a href="{esc(path)}">{esc(labels.name(term))}</a>'
        name = esc(labels.get(term) or _known_name(term.value) or compact(term))
        if not term.value.startswith(("http://", "https://")):
            return f'<span class="iri">{name}</span>'  # only http(s) IRIs become links
        return f'<a class="external" href="{esc(term.value)}" rel="external">{name}</a>'
    if isinstance(term, pyoxigraph.Literal):
        note = ""
        if term.language:
            if term.language != "en":  # the site is in English: only other languages are noted
                note = f' <span class="lang">@{esc(term.language)}</span>'
        elif term.datatype and not term.datatype.value.endswith("#string"):
            note = f' <span class="datatype">{esc(compact(term.datatype))}</span>'
        return f'<span class="literal">{esc(term.value)}</span>{note}'
    return f'<span class="blank">{esc(term)}</span>'


def _known_name(iri: str) -> str | None:
    """Name an identity link by its knowledge base: "Wikidata Q57665", "DBpedia NATO"."""
    if iri.startswith(WIKIDATA):
        return f"Wikidata {iri[len(WIKIDATA) :]}"
    if iri.startswith(DBPEDIA):
        return f"DBpedia {iri[len(DBPEDIA) :]}"
    return None


def _property_html(fact: Fact, labels: Labels, names: Mapping[str, str]) -> str:
    """Name a fact's property the way this page reads it, linking our own to the ontology."""
    iri = fact.predicate.value
    text = inverse_label(iri, names) if fact.inverse else labels.name(fact.predicate)
    path = local_path(iri)
    title = f' title="{esc(compact(fact.predicate))}"'
    if path:
        return f'<a class="fact-property" href="{esc(path)}"{title}>{esc(text)}</a>'
    return f'<span class="fact-property"{title}>{esc(text)}</span>'


def _fact_html(fact: Fact, labels: Labels, names: Mapping[str, str], node: Any) -> str:
    """Render one fact as "property value" (or "subject property object" if not about us)."""
    other = fact.subject if fact.inverse else fact.object
    about = node in (fact.subject, fact.object)
    head = "" if about else f"{_term_html(fact.subject, labels)} "
    return (
        f'<li class="fact">{head}{_property_html(fact, labels, names)} '
        f'<span class="fact-value">{_term_html(other, labels)}</span>'
        f'<span class="fact-badges">{fact_badges(fact)}</span></li>'
    )


def _fact_order(fact: Fact, labels: Labels) -> tuple[bool, bool, str, str]:
    return (
        fact.inverse,
        fact.predicate.value not in (RDF_TYPE, RDFS_LABEL),
        labels.name(fact.predicate).lower(),
        labels.name(fact.subject if fact.inverse else fact.object).lower(),
    )


def _passage_html(passage: Passage, labels: Labels, names: Mapping[str, str], node: Any) -> str:
    """Render a paragraph once with its quotes marked, then each quote and its facts."""
    quotes = sorted(
        passage.quotes.values(), key=lambda q: (q[0].start is None, q[0].start or 0, q[0].iri)
    )
    spans = [span for ev, _ in quotes if (span := quote_span(ev)) is not None]
    if passage.text is not None and len(spans) == len(quotes):
        paragraph = highlight_spans(passage.text, spans)
    elif passage.text is not None:
        paragraph = highlight(quotes[0][0])
    else:
        paragraph = ""
    where = local_path(passage.part) if passage.part else None
    part = f'<a href="{esc(where)}">{esc(passage.label)}</a>' if where else esc(passage.label)
    items = []
    for ev, facts in quotes:
        ev_path = local_path(ev.iri)
        link = f' <a class="evidence-link" href="{esc(ev_path)}">evidence</a>' if ev_path else ""
        rows = "".join(
            _fact_html(f, labels, names, node)
            for f in sorted(facts, key=lambda f: _fact_order(f, labels))
        )
        one = " one" if len(facts) == 1 else ""
        items.append(
            f'<li class="quote{one}"><p class="quote-text"><q>{esc(ev.quote)}</q>{link}</p>'
            f'<ul class="facts">{rows}</ul></li>'
        )
    body = f'<blockquote class="evidence">{paragraph}</blockquote>' if paragraph else ""
    return (
        f'<section class="passage"><p class="where">from {part}</p>{body}'
        f'<ul class="quotes">{"".join(items)}</ul></section>'
    )


def _summary_html(facts: list[Fact], labels: Labels, names: Mapping[str, str]) -> str:
    """Render the summary rows (type, when, where, who, part of ...) from the outgoing facts."""
    values: dict[str, list[Any]] = defaultdict(list)
    entailed = GRAPH_BASE + "entailed"
    for fact in facts:
        if all(getattr(g, "value", "") == entailed for g in fact.graphs):
            continue  # a superclass type the graph adds: the summary names the thing's own
        if not fact.inverse and fact.object not in values[fact.predicate.value]:
            values[fact.predicate.value].append(fact.object)
    rows = []
    for heading, properties in SUMMARY_ROWS:
        cells = []
        for prop in properties:
            found = sorted(values.get(prop, []), key=lambda v: labels.name(v).lower())
            if not found:
                continue
            if prop == OWL_SAME_AS:
                text = ", ".join(
                    f'<a class="external" href="{esc(v.value)}" rel="external">'
                    f"{esc(_known_name(v.value) or v.value)}</a>"
                    for v in found
                )
            else:
                text = ", ".join(_term_html(v, labels) for v in found)
            named = prop != properties[0] or (len(properties) > 1 and heading != "type")
            label = names.get(prop) or labels.name(named_node(prop))
            cells.append(f'<span class="role">{esc(label)}:</span> {text}' if named else text)
        if cells:
            rows.append(f"<div><dt>{esc(heading)}</dt><dd>{'; '.join(cells)}</dd></div>")
    return f'<dl class="summary">{"".join(rows)}</dl>' if rows else ""


def _others_html(facts: list[Fact], labels: Labels, names: Mapping[str, str]) -> str:
    """Render the statements no quote supports, grouped by property, long lists folded."""
    groups: dict[tuple[bool, str], list[Fact]] = defaultdict(list)
    for fact in facts:
        groups[(fact.inverse, fact.predicate.value)].append(fact)
    sections = []
    ordered = sorted(groups.values(), key=lambda g: (g[0].inverse, labels.name(g[0].predicate)))
    for group in ordered:
        title = _property_html(group[0], labels, names)
        rows = "".join(
            f"<li>{_term_html(f.subject if f.inverse else f.object, labels)}"
            f'{_graph_note(f)}<span class="fact-badges">{fact_badges(f)}</span></li>'
            for f in sorted(group, key=lambda f: _fact_order(f, labels))
        )
        values = f'<ul class="values">{rows}</ul>'
        if len(group) > FOLD_AFTER:
            values = f"<details><summary>{len(group)} values</summary>{values}</details>"
        sections.append(f'<section class="property"><h3>{title}</h3>{values}</section>')
    return "".join(sections)


def _graph_note(fact: Fact) -> str:
    """Say where an unquoted statement comes from, if the graph says something a reader needs."""
    named = {getattr(g, "value", "") for g in fact.graphs}
    notes = sorted(GRAPH_NOTES[g] for g in named if g in GRAPH_NOTES)
    return f' <span class="graph-note">({esc("; ".join(notes))})</span>' if notes else ""


def entity_page(store: Any, iri: str, vocabulary: Mapping[str, str] | None = None) -> str:
    """Return the HTML page of one entity: summary, quoted passages with facts, other statements.

    ``vocabulary`` names our classes and properties (see :func:`vocabulary_labels`); without it
    they show as compact names such as ``nik:agent``. Raises ValueError if ``iri`` is not a
    valid IRI; an IRI the graph does not mention still gets a page saying so (check
    :func:`has_entity` first to answer 404 instead).
    """
    node = named_node(iri)
    names = term_labels(vocabulary)
    labels = Labels(store, names)
    label = labels.name(node)
    facts = with_standing(store, facts_about(store, node))
    in_graph = with_standing(store, _statements_in_graph(store, node))
    passages, unquoted = passages_of(store, [*in_graph, *facts])

    head = [
        f"<h1>{esc(label)}</h1>",
        f'<p class="iri"><code>{esc(iri)}</code></p>',
        _summary_html(facts, labels, names),
    ]
    quoted = sum(len(q[1]) for p in passages for q in p.quotes.values())
    n_quotes = sum(len(p.quotes) for p in passages)
    body = "\n".join(h for h in head if h)
    if in_graph:
        count = f"{len(in_graph)} statement{'s' if len(in_graph) != 1 else ''}"
        body += (
            f'\n<p class="graph-intro">This IRI names a graph of {count}, shown below with '
            "the quote it was read from.</p>"
        )
    if passages:
        body += (
            f'\n<h2>What the page says</h2>\n<p class="count">{quoted} '
            f"fact{'s' if quoted != 1 else ''} from {n_quotes} "
            f"quote{'s' if n_quotes != 1 else ''}, in the page's order.</p>\n"
            + "\n".join(_passage_html(p, labels, names, node) for p in passages)
        )
    if unquoted:
        body += "\n<h2>Other statements</h2>\n" + _others_html(unquoted, labels, names)
    if not facts and not in_graph:
        body += "\n<p>The dataset says nothing about this IRI.</p>"
    return page_frame(label, body)


def _statements_in_graph(store: Any, node: Any) -> list[Fact]:
    """Return the statements of the graph ``node`` names (for an assertion graph's page)."""
    if not store.contains_named_graph(node):
        return []
    return [
        Fact(q.subject, q.predicate, q.object, (node,), False)
        for q in store.quads_for_pattern(None, None, None, node)
    ]


__all__ = [
    "ASSERTION_BASE",
    "DBPEDIA",
    "NAMING",
    "NIF",
    "NIK",
    "OA",
    "OWL_SAME_AS",
    "WIKIDATA",
    "Evidence",
    "Fact",
    "Passage",
    "entity_page",
    "evidence_of",
    "fact_badges",
    "facts_about",
    "has_entity",
    "highlight",
    "passages_of",
]
