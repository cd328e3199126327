"""The site's own pages: the landing page and the SPARQL query editor (the timeline is apart).

Unlike the entity pages these read the dataset as a whole (its VoID description, its entities by
kind, its competency questions) rather than one entity's facts, so they are kept together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import paths
from ..build.class_counts import SUMMARY_CLASSES, members_by_class
from ..guard.sparql_text import blank_opaque
from ..namespaces import EVIDENCE_GRAPH, prefixes
from ..sparql.local import competency_questions, question_of
from .html_common import (
    ONTOLOGY_BASE,
    RDF_TYPE,
    Labels,
    esc,
    int_or_none,
    json_for_script,
    local_path,
    named_node,
    page_frame,
    subclass_pairs,
)

NIK = ONTOLOGY_BASE

#: The editor's query when no question is chosen (its PREFIX lines are added on the page).
DEFAULT_QUERY = "SELECT ?s ?label WHERE {\n  ?s rdfs:label ?label .\n} LIMIT 20\n"
#: YASGUI, vendored from npm by scripts/vendor-yasgui.sh and served from our own files.
YASGUI_SCRIPT = "/static/vendor/yasgui/yasgui.min.js"
YASGUI_STYLESHEET = "/static/vendor/yasgui/yasgui.min.css"
#: How the landing page names the classes the build counts (its SUMMARY_CLASSES), by IRI.
BROWSE_HEADINGS = {
    NIK + "Actor": "Actors",
    NIK + "Office": "Offices",
    NIK + "Programme": "Programmes",
    NIK + "Event": "Events",
    NIK + "CooperationArea": "Cooperation areas",
    NIK + "Principle": "Principles",
    NIK + "Theme": "Themes of talks",
    NIK + "Place": "Places",
    NIK + "Document": "Documents",
    NIK + "Quantity": "Quantities",
    NIK + "DateValue": "Dates",
}
#: The kinds listed for browsing: (class IRI, heading), in the build summary's order.
BROWSE = tuple((str(cls), BROWSE_HEADINGS[str(cls)]) for cls in SUMMARY_CLASSES)

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"


@dataclass(frozen=True)
class Distribution:
    """One downloadable file of the dataset, as void.ttl describes it."""

    file: str
    title: str
    media_type: str
    byte_size: int | None


def _void_store(void: Path | bytes) -> Any:
    """Load the dataset description, given as its file or its bytes."""
    import pyoxigraph

    store = pyoxigraph.Store()
    if isinstance(void, bytes):
        if void:
            store.load(void, format=pyoxigraph.RdfFormat.TURTLE)
    else:
        store.load(path=str(void), format=pyoxigraph.RdfFormat.TURTLE)
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
                url.split("/data/", 1)[-1] if "/data/" in url else url.rsplit("/", 1)[-1],
                row["title"].value if row["title"] else "",
                media,
                int_or_none(row["size"]),
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
        if rows and int_or_none(rows[0]["n"]) is not None:
            counts[name] = int_or_none(rows[0]["n"])  # type: ignore[assignment]
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


def landing_page(
    store: Any,
    void: Path | bytes,
    queries_dir: Path | None = None,
    *,
    subclass_of: Iterable[tuple[str, str]] | None = None,
) -> str:
    """Return the home page: what the dataset is, its size, downloads and where to go next.

    ``void`` is the dataset description (``void.ttl``, its path or its bytes) and
    ``subclass_of`` the ontology's ``(subclass, superclass)`` pairs (read from the project's
    ontology if not given), so the entities listed under each kind are those the build counts.
    A function of its data only: the static site generator calls it without a server.
    """
    void_store = _void_store(void)
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

    if subclass_of is None:
        subclass_of = subclass_pairs(paths.ontology_file(paths.project_root()))
    parts.append(_browse_html(store, subclass_of))
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
    return page_frame(title, "\n".join(parts))


def browse_lists(store: Any, subclass_of: Iterable[tuple[str, str]]) -> dict[str, dict[str, str]]:
    """Return the entities of each kind in :data:`BROWSE` (class -> IRI -> label).

    Counted as the build counts them (:func:`members_by_class`: the facts' types, subclasses
    included, the evidence graph left out), so "Places (9)" here is "Place 9" in the summary.
    """
    import pyoxigraph

    evidence = named_node(str(EVIDENCE_GRAPH))
    typed = [
        (quad.subject.value, quad.object.value)
        for quad in store.quads_for_pattern(None, named_node(RDF_TYPE), None, None)
        if quad.graph_name != evidence
        and isinstance(quad.subject, pyoxigraph.NamedNode)
        and isinstance(quad.object, pyoxigraph.NamedNode)
    ]
    members = members_by_class(typed, subclass_of, [cls for cls, _ in BROWSE])
    labels = Labels(store)
    return {cls: {iri: labels.name(named_node(iri)) for iri in members[cls]} for cls, _ in BROWSE}


def _browse_html(store: Any, subclass_of: Iterable[tuple[str, str]]) -> str:
    """List every entity by kind, so each entity page can be reached from the home page."""
    sections = []
    lists = browse_lists(store, subclass_of)
    for cls, heading in BROWSE:
        found = lists[cls]
        if not found:
            continue
        items = "".join(
            f'<li><a href="{esc(local_path(iri) or iri)}">{esc(label)}</a></li>'
            for iri, label in sorted(found.items(), key=lambda kv: (kv[1].lower(), kv[0]))
        )
        sections.append(
            f'<details data-class="{esc(cls)}"><summary>{esc(heading)} '
            f'(<span class="count">{len(found)}</span>)</summary>'
            f'<ul class="browse">{items}</ul></details>'
        )
    return "<h2>Browse</h2>" + "".join(sections) if sections else ""


# --------------------------------------------------------------------------- query


def with_prologue(query: str) -> str:
    """Prefix ``query`` with a ``PREFIX`` line for each predeclared prefix it uses.

    Our endpoint predeclares the usual prefixes, but a query copied from the editor should also
    run on any other store (Virtuoso, Fuseki, Oxigraph) that has loaded the dumps, so the editor
    shows it complete. Prefixes already declared in the query are left alone.
    """
    opaque = blank_opaque(query)
    declared = {m.group(1) for m in re.finditer(r"(?i)\bPREFIX\s+([\w.-]*):", opaque)}
    used = [
        (name, iri)
        for name, iri in sorted(prefixes().items())
        if name not in declared and re.search(rf"(?<![\w.:-]){re.escape(name)}:", opaque)
    ]
    lines = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in used)
    if not lines:
        return query
    # After the leading comment (the question in words), before the query itself.
    header = re.match(r"(?:[ \t]*#[^\n]*\n)*", query)
    cut = header.end() if header else 0
    return query[:cut] + lines + "\n" + query[cut:].lstrip("\n")


def query_page(cq: str | None = None, queries_dir: Path | None = None) -> str:
    """Return the SPARQL editor, preloaded with competency question ``cq`` (``7`` or ``07``).

    ``static/query.js`` turns ``#yasgui`` into the YASGUI editor and result table; the questions
    are embedded in the page so choosing one needs no other request. Without JavaScript the
    ``<noscript>`` form still posts the chosen query to ``/sparql``.
    """
    cqs = [(n, q, with_prologue(text)) for n, q, text in questions(queries_dir)]
    chosen, initial, asked = "", with_prologue(DEFAULT_QUERY), ""
    for number, question, text in cqs:
        if cq is not None and cq.strip().isdigit() and int(cq) == int(number):
            chosen, initial, asked = number, text, question
            break
    options = "".join(
        f'<option value="{esc(n)}"{" selected" if n == chosen else ""}>{esc(n)}. {esc(q)}</option>'
        for n, q, _ in cqs
    )
    data = {n: {"question": q, "query": text} for n, q, text in cqs}
    # The editor checks prefixes as you type: it must know the ones the endpoint predeclares.
    editor = {"prefixes": prefixes(), "defaultQuery": with_prologue(DEFAULT_QUERY)}
    body = (
        "<h1>Ask the graph (SPARQL)</h1>\n"
        "<p>Write a query, or pick one of the competency questions, then press the run button "
        "(or Ctrl+Enter). The default graph is the union of all named graphs; the usual "
        "prefixes (<code>nik:</code>, <code>actor:</code>, <code>rdfs:</code>, …) are "
        "predeclared, and the questions show theirs so they run on any store.</p>\n"
        '<p class="cq-pick"><label for="cq-select">Competency question</label>'
        f'<select id="cq-select"><option value="">(your own query)</option>{options}</select></p>\n'
        f'<p id="cq-question" class="cq-question">{esc(asked)}</p>\n'
        '<div id="yasgui"></div>\n'
        '<noscript><form id="sparql-form" method="post" action="/sparql">\n'
        '<label for="query">Query</label>\n'
        f'<textarea id="query" name="query" rows="18" spellcheck="false">{esc(initial)}'
        "</textarea>\n"
        '<p><button type="submit">Run</button></p>\n'
        "</form></noscript>\n"
        f'<script type="application/json" id="cq-data">{json_for_script(data)}</script>\n'
        f'<script type="application/json" id="editor-config">{json_for_script(editor)}</script>'
    )
    return page_frame(
        "Query — NATO–Iraq KG",
        body,
        scripts=[YASGUI_SCRIPT, "/static/query.js"],
        head=f'<link rel="stylesheet" href="{YASGUI_STYLESHEET}">\n',
    )
