"""HTML pages of the dataset's web site: one page per entity, a landing page, a timeline, a query.

Pages are plain strings built with :func:`html.escape`, so the site needs no template engine and
every label from the graph (which could hold any text) is escaped in one place. Links to the
graph's own things are relative paths (``/id/actor/nato``), because the server maps the dataset's
IRIs onto its own address; the IRIs themselves only appear as text. Every fact shown comes with
its evidence: the quote highlighted inside the paragraph of the source page it was read from.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..namespaces import BASE, prefixes
from ..sparql import compact, competency_questions, question_of

ID_BASE = BASE + "id/"
ONTOLOGY_BASE = BASE + "ontology#"
#: Where the server publishes the ontology; our classes and properties link to anchors in it.
ONTOLOGY_PATH = "/ontology"
STYLESHEET = "/static/style.css"
TIMELINE_DATA = "/data/timeline.jsonld"

WIKIDATA = "http://www.wikidata.org/entity/"
DBPEDIA = "http://dbpedia.org/resource/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
OA = "http://www.w3.org/ns/oa#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
NIK = ONTOLOGY_BASE
ASSERTION_BASE = ID_BASE + "assertion/"
#: Properties already summed up in a page's header; their sections come after the relations.
NAMING = frozenset({RDF_TYPE, RDFS_LABEL, SKOS + "altLabel", SKOS + "prefLabel", OWL_SAME_AS})
#: The kinds of entity listed for browsing on the landing page, with their headings.
BROWSE = (
    ("actor", "Actors"),
    ("programme", "Programmes"),
    ("event", "Events"),
    ("office", "Offices"),
    ("place", "Places"),
    ("document", "Documents"),
    ("principle", "Principles"),
    ("quantity", "Quantities"),
    ("area", "Cooperation areas"),
)

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"


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


def _nav() -> str:
    return (
        '<header class="site"><nav aria-label="site"><a href="/">NATO–Iraq KG</a> '
        '<a href="/timeline">Timeline</a> <a href="/query">Query</a></nav></header>'
    )


def _page(title: str, body: str, scripts: Iterable[str] = (), head: str = "") -> str:
    """Wrap a page body in a complete HTML5 document with the shared stylesheet and nav."""
    tags = "".join(f'<script src="{esc(src)}" defer></script>' for src in scripts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n"
        f'<link rel="stylesheet" href="{STYLESHEET}">\n{head}{tags}\n</head>\n<body>\n'
        f"{_nav()}\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------- the graph, read


def _node(iri: str) -> Any:
    import pyoxigraph

    return pyoxigraph.NamedNode(iri)


def _objects(store: Any, subject: Any, predicate: str) -> list[Any]:
    """Return the distinct objects of ``subject predicate ?o`` across all graphs, in order seen."""
    seen: dict[Any, None] = {}
    for quad in store.quads_for_pattern(subject, _node(predicate), None, None):
        seen.setdefault(quad.object, None)
    return list(seen)


def _subjects(store: Any, predicate: str, obj: Any) -> list[Any]:
    """Return the distinct subjects of ``?s predicate obj`` across all graphs."""
    seen: dict[Any, None] = {}
    for quad in store.quads_for_pattern(None, _node(predicate), obj, None):
        seen.setdefault(quad.subject, None)
    return list(seen)


def _literal_text(store: Any, subject: Any, predicate: str) -> str | None:
    """Return one literal value, preferring English, so labels read the same on every page."""
    import pyoxigraph

    rank = {"en": 0, None: 1}
    found = [
        (rank.get(term.language, 2), term.value)
        for term in _objects(store, subject, predicate)
        if isinstance(term, pyoxigraph.Literal)
    ]
    return min(found)[1] if found else None


class _Labels:
    """Look labels up once per page: the same actor or property appears many times."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.cache: dict[Any, str | None] = {}

    def get(self, term: Any) -> str | None:
        import pyoxigraph

        if isinstance(term, pyoxigraph.Literal):
            return term.value
        if term not in self.cache:
            label = _literal_text(self.store, term, RDFS_LABEL)
            self.cache[term] = label or _literal_text(self.store, term, SKOS + "prefLabel")
        return self.cache[term]

    def name(self, term: Any) -> str:
        """Return a label, else the compact name (``nik:agent``), so nothing shows blank."""
        return self.get(term) or compact(term) or str(term)


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


def _int(term: Any) -> int | None:
    try:
        return int(term.value) if term is not None else None
    except ValueError:
        return None


def _first(values: list[Any]) -> Any:
    return values[0] if values else None


def evidence_of(store: Any, graph: Any) -> list[Evidence]:
    """Return the evidence whose body is the assertion graph ``graph`` (one per quote)."""
    found = []
    for ev in _subjects(store, OA + "hasBody", graph):
        part = _first(_objects(store, ev, NIK + "inPart"))
        part_label = part_text = None
        part_begin = None
        if part is not None:
            part_label = _literal_text(store, part, RDFS_LABEL) or _literal_text(
                store, part, NIK + "partName"
            )
            part_text = _literal_text(store, part, NIF + "anchorOf")
            part_begin = _int(_first(_objects(store, part, NIF + "beginIndex")))
        quote, start, end = "", None, None
        for target in _objects(store, ev, OA + "hasTarget"):
            for selector in _objects(store, target, OA + "hasSelector"):
                quote = _literal_text(store, selector, OA + "exact") or quote
                found_start = _int(_first(_objects(store, selector, OA + "start")))
                found_end = _int(_first(_objects(store, selector, OA + "end")))
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


# --------------------------------------------------------------------------- entity pages


def _term_html(term: Any, labels: _Labels) -> str:
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


def _evidence_html(store: Any, graphs: Iterable[Any], cache: dict[Any, list[Evidence]]) -> str:
    """Render the evidence of one fact, from every graph that states it."""
    items = []
    plain = []
    seen: set[str] = set()
    for graph in graphs:
        if graph not in cache:
            cache[graph] = evidence_of(store, graph)
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
                f'<p class="where">from {part_html}{ev_link}</p></li>'
            )
        if not cache[graph] and hasattr(graph, "value"):
            plain.append(esc(compact(graph)))
    html_parts = []
    if items:
        html_parts.append(f'<ul class="evidence-list">{"".join(items)}</ul>')
    if plain:
        html_parts.append(f'<p class="graph-note">stated in {", ".join(sorted(set(plain)))}</p>')
    return "".join(html_parts)


def _relations_html(
    store: Any,
    grouped: dict[Any, dict[Any, list[Any]]],
    labels: _Labels,
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
        node = _node(iri)
    except ValueError:
        return False
    return any(True for _ in store.quads_for_pattern(node, None, None, None)) or any(
        True for _ in store.quads_for_pattern(None, None, node, None)
    )


def entity_page(store: Any, iri: str) -> str:
    """Return the HTML page of one entity: its names, types, links, facts and their evidence.

    Raises ValueError if ``iri`` is not a valid IRI; an IRI the graph does not mention still
    gets a page saying so (check :func:`has_entity` first to answer 404 instead).
    """
    node = _node(iri)
    labels = _Labels(store)
    label = labels.get(node) or compact(node) or iri
    outgoing: dict[Any, dict[Any, list[Any]]] = defaultdict(lambda: defaultdict(list))
    incoming: dict[Any, dict[Any, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for quad in store.quads_for_pattern(node, None, None, None):
        outgoing[quad.predicate][quad.object].append(quad.graph_name)
    for quad in store.quads_for_pattern(None, None, node, None):
        incoming[quad.predicate][quad.subject].append(quad.graph_name)

    types = _objects(store, node, RDF_TYPE)
    alt = sorted({t.value for t in _objects(store, node, SKOS + "altLabel") if hasattr(t, "value")})
    same = [t.value for t in _objects(store, node, OWL_SAME_AS) if hasattr(t, "value")]

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
    return _page(label, body)


def _same_as_html(iri: str) -> str:
    """Render an identity link, naming the well-known knowledge bases by name."""
    if iri.startswith(WIKIDATA):
        text = f"Wikidata {iri[len(WIKIDATA) :]}"
    elif iri.startswith(DBPEDIA):
        text = f"DBpedia {iri[len(DBPEDIA) :]}"
    else:
        text = iri
    return f'<li><a class="external" href="{esc(iri)}" rel="external">{esc(text)}</a></li>'


# --------------------------------------------------------------------------- landing page


@dataclass(frozen=True)
class Distribution:
    """One downloadable file of the dataset, as void.ttl describes it."""

    file: str
    title: str
    media_type: str
    byte_size: int | None


def _void_store(void_path: Path) -> Any:
    import pyoxigraph

    store = pyoxigraph.Store()
    store.load(path=str(void_path), format=pyoxigraph.RdfFormat.TURTLE)
    return store


def _rows(store: Any, sparql: str) -> list[dict[str, Any]]:
    answer = store.query(sparql)
    names = [v.value for v in answer.variables]
    return [{n: row[n] for n in names} for row in answer]


def distributions(void_store: Any) -> list[Distribution]:
    """Return the dataset's distributions, named by the file a download gives."""
    rows = _rows(
        void_store,
        f"""SELECT ?url ?title ?type ?size WHERE {{
          ?d a <{DCAT}Distribution> ; <{DCAT}downloadURL> ?url .
          OPTIONAL {{ ?d <{DCTERMS}title> ?title }}
          OPTIONAL {{ ?d <{DCAT}mediaType> ?type }}
          OPTIONAL {{ ?d <{DCAT}byteSize> ?size }}
        }} ORDER BY ?url""",
    )
    result = []
    for row in rows:
        url = row["url"].value
        media = row["type"].value.rsplit("media-types/", 1)[-1] if row["type"] else ""
        result.append(
            Distribution(
                url.rstrip("/").rsplit("/", 1)[-1],
                row["title"].value if row["title"] else "",
                media,
                _int(row["size"]),
            )
        )
    return result


#: The dataset-level VoID counts shown on the landing page, in this order.
COUNTS = (
    ("triples", "facts (triples)"),
    ("entities", "entities"),
    ("classes", "classes"),
    ("properties", "properties"),
    ("distinctSubjects", "distinct subjects"),
    ("distinctObjects", "distinct objects"),
)


def dataset_counts(void_store: Any) -> dict[str, int]:
    """Return the dataset's VoID counts by local name (``triples``, ``entities``, ...)."""
    counts: dict[str, int] = {}
    for name, _ in COUNTS:
        rows = _rows(void_store, f"SELECT ?n WHERE {{ ?d a <{VOID}Dataset> ; <{VOID}{name}> ?n }}")
        if rows and _int(rows[0]["n"]) is not None:
            counts[name] = _int(rows[0]["n"])  # type: ignore[assignment]
    return counts


def _size(size: int | None) -> str:
    if size is None:
        return ""
    return f"{size / 1024:,.0f} KiB" if size >= 1024 else f"{size} bytes"


def questions(folder: Path | None = None) -> list[tuple[str, str, str]]:
    """Return each competency question as (number ``NN``, plain-words question, query text)."""
    result = []
    for path in competency_questions(folder):
        number = path.stem.partition("-")[0]
        result.append((number, question_of(path), path.read_text(encoding="utf-8")))
    return result


def landing_page(store: Any, void_path: Path, queries_dir: Path | None = None) -> str:
    """Return the home page: what the dataset is, its size, downloads and where to go next."""
    void_store = _void_store(void_path)
    meta = _rows(
        void_store,
        f"""SELECT ?title ?description ?license ?version WHERE {{
          ?d a <{VOID}Dataset> .
          OPTIONAL {{ ?d <{DCTERMS}title> ?title }}
          OPTIONAL {{ ?d <{DCTERMS}description> ?description }}
          OPTIONAL {{ ?d <{DCTERMS}license> ?license }}
          OPTIONAL {{ ?d <http://www.w3.org/2002/07/owl#versionInfo> ?version }}
        }} LIMIT 1""",
    )
    row = meta[0] if meta else {}
    title = row["title"].value if row.get("title") else "NATO–Iraq relations knowledge graph"
    parts = [f"<h1>{esc(title)}</h1>"]
    if row.get("description"):
        parts.append(f'<p class="lead">{esc(row["description"].value)}</p>')
    parts.append(
        "<p>It is a linked-data graph of NATO's page “Relations with Iraq”: the actors, "
        "programmes, events and dates the page names, each fact kept in its own named graph "
        "with the quote and character offsets it was read from. Start at "
        '<a href="/id/actor/nato">NATO</a>, <a href="/id/programme/ntm-i">NTM-I</a> or '
        '<a href="/id/actor/jens-stoltenberg">Jens Stoltenberg</a>, browse the '
        '<a href="/timeline">timeline</a>, or ask your own question in the '
        '<a href="/query">SPARQL editor</a>.</p>'
    )
    if row.get("version") or row.get("license"):
        bits = []
        if row.get("version"):
            bits.append(f"version {esc(row['version'].value)}")
        if row.get("license"):
            lic = row["license"].value
            bits.append(
                f'licence <a class="external" href="{esc(lic)}" rel="external">{esc(lic)}</a>'
            )
        parts.append(f'<p class="meta">{", ".join(bits)}</p>')

    counts = dataset_counts(void_store)
    if counts:
        items = "".join(
            f"<div><dt>{esc(text)}</dt><dd>{counts[name]:,}</dd></div>"
            for name, text in COUNTS
            if name in counts
        )
        parts.append(f'<h2>Size</h2><dl class="counts">{items}</dl>')

    dists = distributions(void_store)
    if dists:
        rows = "".join(
            f'<tr><td><a href="/data/{esc(d.file)}" download>{esc(d.file)}</a></td>'
            f"<td>{esc(d.title)}</td><td><code>{esc(d.media_type)}</code></td>"
            f'<td class="num">{esc(_size(d.byte_size))}</td></tr>'
            for d in dists
        )
        parts.append(
            "<h2>Downloads</h2><table><thead><tr><th>file</th><th>content</th>"
            f"<th>media type</th><th>size</th></tr></thead><tbody>{rows}</tbody></table>"
            '<p>The dataset description itself: <a href="/data/void.ttl">void.ttl</a>.</p>'
        )

    parts.append(_browse_html(store))
    cqs = questions(queries_dir)
    if cqs:
        items = "".join(
            f'<li><a href="/query?cq={esc(n)}">{esc(q)}</a></li>' for n, q, _ in cqs[:8]
        )
        parts.append(
            f'<h2>Example questions</h2><ol class="questions">{items}</ol>'
            f'<p>All {len(cqs)} questions are in the <a href="/query">query editor</a>; see also '
            'the <a href="/timeline">timeline</a>.</p>'
        )
    return _page(title, "\n".join(parts))


def _browse_html(store: Any) -> str:
    """List every entity by kind, so each entity page can be reached from the home page."""
    sections = []
    for kind, heading in BROWSE:
        prefix = f"{ID_BASE}{kind}/"
        found: dict[str, str] = {}
        for quad in store.quads_for_pattern(None, _node(RDFS_LABEL), None, None):
            subject = quad.subject
            if getattr(subject, "value", "").startswith(prefix) and subject.value not in found:
                found[subject.value] = quad.object.value
        if not found:
            continue
        items = "".join(
            f'<li><a href="{esc(local_path(iri))}">{esc(label)}</a></li>'
            for iri, label in sorted(found.items(), key=lambda kv: kv[1].lower())
        )
        sections.append(
            f"<details><summary>{esc(heading)} ({len(found)})</summary>"
            f'<ul class="browse">{items}</ul></details>'
        )
    return "<h2>Browse</h2>" + "".join(sections) if sections else ""


# --------------------------------------------------------------------------- timeline and query


def timeline_page() -> str:
    """Return the timeline page; ``static/timeline.js`` draws it from the timeline JSON-LD."""
    body = (
        "<h1>Timeline of NATO–Iraq relations</h1>\n"
        "<p>Every dated event on a time axis, drawn at the precision the page gives it. "
        "Choose an event (click, or Tab then Enter; arrow keys move between events) to see "
        "what it is, when, where and who took part.</p>\n"
        '<ul class="legend" aria-label="legend">'
        '<li><span class="ev ev-day"></span> a day</li>'
        '<li><span class="ev ev-month"></span> a month</li>'
        '<li><span class="ev ev-year"></span> a year</li>'
        '<li><span class="ev ev-vague"></span> vague (between bounds)</li></ul>\n'
        '<div class="zoom"><button type="button" id="zoom-out" aria-label="zoom out">−</button>'
        '<button type="button" id="zoom-in" aria-label="zoom in">+</button></div>\n'
        f'<div id="timeline" class="timeline" data-src="{TIMELINE_DATA}" role="group" '
        'aria-label="events on a time axis"><p class="loading">Loading the timeline…</p></div>\n'
        '<section id="event-detail" class="event-detail" aria-live="polite" tabindex="-1">'
        "<p>No event chosen yet.</p></section>\n"
        "<noscript><p>The timeline needs JavaScript; the events are in "
        f'<a href="{TIMELINE_DATA}">timeline.jsonld</a> and in '
        '<a href="/query?cq=01">question 01</a>.</p></noscript>'
    )
    return _page("Timeline — NATO–Iraq KG", body, scripts=["/static/timeline.js"])


def _json_for_script(value: object) -> str:
    """Serialise JSON so that no text in it can close the ``<script>`` element it sits in."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def query_page(cq: str | None = None, queries_dir: Path | None = None) -> str:
    """Return the SPARQL editor, preloaded with competency question ``cq`` (``7`` or ``07``).

    The queries are embedded in the page so the choice works without another request; the
    chosen one is also put in the text area here, so the page is useful before any script runs.
    """
    cqs = questions(queries_dir)
    chosen = ""
    for number, _, text in cqs:
        if cq is not None and cq.strip().isdigit() and int(cq) == int(number):
            chosen = number
            initial = text
            break
    else:
        initial = "SELECT ?s ?label WHERE {\n  ?s rdfs:label ?label .\n} LIMIT 20\n"
    options = "".join(
        f'<option value="{esc(n)}"{" selected" if n == chosen else ""}>{esc(n)}. {esc(q)}</option>'
        for n, q, _ in cqs
    )
    data = {n: {"question": q, "query": text} for n, q, text in cqs}
    body = (
        "<h1>Ask the graph (SPARQL)</h1>\n"
        "<p>Write a query, or pick one of the competency questions. The usual prefixes "
        "(<code>nik:</code>, <code>actor:</code>, <code>rdfs:</code>, …) are predeclared; the "
        "default graph is the union of all named graphs.</p>\n"
        '<form id="sparql-form" method="post" action="/sparql">\n'
        '<label for="cq-select">Competency question</label>\n'
        f'<select id="cq-select"><option value="">(your own query)</option>{options}</select>\n'
        '<label for="query">Query</label>\n'
        f'<textarea id="query" name="query" rows="18" spellcheck="false">{esc(initial)}'
        "</textarea>\n"
        '<p><button type="submit">Run</button> <span id="status" role="status"></span></p>\n'
        "</form>\n"
        '<section id="results" aria-live="polite"></section>\n'
        f'<script type="application/json" id="cq-data">{_json_for_script(data)}</script>\n'
        f'<script type="application/json" id="prefix-data">{_json_for_script(prefixes())}'
        "</script>"
    )
    return _page("Query — NATO–Iraq KG", body, scripts=["/static/query.js"])
