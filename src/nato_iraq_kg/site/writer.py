"""Write the static site: each IRI's files, the ontology, the dumps, the pages, search, sitemap.

The pages come from the server's renderers (:mod:`nato_iraq_kg.serve.pages`), the RDF from the
same description the server negotiates (:func:`nato_iraq_kg.serve.linked_data.describe`), so a
file of the folder says what the server would answer for its IRI. Everything is written into a
fresh folder that then takes the place of the old one, so a reader never sees half a site, and
a folder that is not an earlier site is never deleted.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from .. import paths
from ..errors import InputError
from ..namespaces import BASE
from ..serve import pages
from ..serve.html_common import esc, page_frame, vocabulary_labels
from ..serve.linked_data import describe, downloads
from ..serve.sparql_protocol import serialize_triples
from ..sparql.search import index_of_store
from .answers import answers_page
from .htaccess import site_htaccess, w3id_htaccess, w3id_readme
from .links import ID_BASE, RDF_FILES, iri_file, relativize, root_of

#: A file that marks a folder as written by this command, so it may be replaced.
MARKER = ".nato-iraq-kg-site"
SITE_STATIC = Path(__file__).parent / "static"
SERVE_STATIC = Path(pages.__file__).parent / "static"
SEARCH_INDEX = "static/search-index.json"
DEFAULT_CONTACT = "The maintainers of the nato-iraq-kg project (see its repository)."


@dataclass
class SiteReport:
    """What was written: counts, and the links of pages that point to no file (kept empty)."""

    folder: Path
    iris: int = 0
    files: int = 0
    pages: int = 0
    unresolved: dict[str, list[str]] = field(default_factory=dict)


def site_iris(store: Any) -> dict[str, set[str]]:
    """Return every IRI of the data under ``id/``, grouped by file (hash IRIs with their base)."""
    groups: dict[str, set[str]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, None, None, None):
        for term in (quad.subject, quad.object, quad.graph_name):
            value = getattr(term, "value", None)
            if isinstance(value, str) and value.startswith(ID_BASE) and iri_file(value):
                groups[value.split("#", 1)[0]].add(value)
    return groups


def _description(store: Any, iris: set[str]) -> list[Any]:
    """Return the triples about a document's IRI and its hash IRIs, once each, in order."""
    seen: dict[Any, None] = {}
    for iri in sorted(iris):
        for triple in describe(store, iri):
            seen.setdefault(triple, None)
    return list(seen)


class _Writer:
    """Writes files under one folder and keeps the report."""

    def __init__(self, folder: Path, report: SiteReport) -> None:
        self.folder = folder
        self.report = report

    def bytes(self, relative: str, data: bytes) -> None:
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.report.files += 1

    def page(self, relative: str, html: str, endpoint: str | None) -> None:
        """Write a server page with its links made relative and the site's link script added."""
        root = root_of(relative)
        html, missing = relativize(html, relative)
        if endpoint is None:
            html = html.replace("query.html?cq=", "query.html#cq-")
        head = (
            f'<meta name="nik-site-root" content="{esc(root)}">\n'
            f'<script src="{esc(root)}static/site-links.js" defer></script>\n</head>'
        )
        html = html.replace("</head>", head, 1)
        if missing:
            self.report.unresolved[relative] = missing
        self.bytes(relative, html.encode("utf-8"))
        self.report.pages += 1


def _query_page(endpoint: str | None, store: Any) -> str:
    """Return the query page: YASGUI on ``endpoint``, or the questions with their answers."""
    if endpoint is None:
        return answers_page(store)
    html = pages.query_page()
    return html.replace(
        '<div id="yasgui"></div>', f'<div id="yasgui" data-endpoint="{esc(endpoint)}"></div>', 1
    )


def _search_page() -> str:
    """Return the search page; ``search.js`` fills it from the prebuilt index."""
    body = (
        '<h1 id="search-heading">Search</h1>\n'
        '<form class="search-again" role="search" method="get" action="/search">'
        '<label for="search-q">Words</label> '
        '<input id="search-q" type="search" name="q" maxlength="200"> '
        '<button type="submit">Search</button></form>\n'
        f'<div id="search-results" data-src="/{SEARCH_INDEX}" aria-live="polite">'
        "<p>Searching…</p></div>\n"
        "<noscript><p>The search of the static site needs JavaScript.</p></noscript>"
    )
    return page_frame("Search — NATO–Iraq KG", body, scripts=["/static/search.js"])


def _sitemap(site_url: str, files: list[str]) -> bytes:
    """Return ``sitemap.xml`` listing every page of the site at its published address."""
    urls = "".join(f"<url><loc>{escape(site_url + f)}</loc></url>\n" for f in sorted(files))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    ).encode()


def write_site(
    output: Path,
    site_url: str,
    *,
    store: Any = None,
    data_dir: Path | None = None,
    endpoint: str | None = None,
    contact: str = DEFAULT_CONTACT,
) -> SiteReport:
    """Write the whole static site to ``output`` and return what was written.

    ``site_url`` is where the folder will be published (for the sitemap and the w3id redirects);
    ``endpoint``, if given, is the SPARQL endpoint the query page sends queries to (it must allow
    this site's origin); without it the query page shows each question with its answer as built.
    """
    from ..sparql.local import load_graph

    if not site_url.startswith(("http://", "https://")):
        raise InputError(f"--site-url {site_url!r}: give the absolute http(s) address of the site")
    site_url = site_url if site_url.endswith("/") else site_url + "/"
    data_dir = data_dir or paths.data_dir()
    store = store if store is not None else load_graph(data_dir / paths.DATASET_FILE)
    output = output.resolve()
    if output.exists() and not (output / MARKER).exists() and any(output.iterdir()):
        raise InputError(
            f"{output}: not empty and not a site written by this command; choose another"
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-", dir=output.parent))
    report = SiteReport(output)
    try:
        _write_all(_Writer(staging, report), store, data_dir, site_url, endpoint, contact)
        (staging / MARKER).write_text("written by nato-iraq-kg site\n", encoding="utf-8")
        if output.exists():
            old = output.with_name(output.name + ".old")
            output.rename(old)
            staging.rename(output)
            shutil.rmtree(old)
        else:
            staging.rename(output)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return report


def _write_all(
    out: _Writer, store: Any, data_dir: Path, site_url: str, endpoint: str | None, contact: str
) -> None:
    """Write every file of the site into the writer's (staging) folder."""
    root = paths.project_root()
    vocabulary = vocabulary_labels(paths.ontology_file(root))
    html_files: list[str] = []
    groups = site_iris(store)
    out.report.iris = len(groups)
    for base, iris in sorted(groups.items()):
        stem = iri_file(base)
        assert stem is not None
        triples = _description(store, iris)
        for extension, (fmt, _) in RDF_FILES.items():
            out.bytes(f"{stem}.{extension}", serialize_triples(triples, fmt))
        out.page(f"{stem}.html", pages.entity_page(store, base, vocabulary), endpoint)
        html_files.append(f"{stem}.html")

    import pyoxigraph

    ontology = paths.ontology_file(root)
    terms = [
        q.triple for q in pyoxigraph.parse(path=str(ontology), format=pyoxigraph.RdfFormat.TURTLE)
    ]
    out.bytes("ontology.ttl", ontology.read_bytes())
    for extension, (fmt, _) in RDF_FILES.items():
        if extension != "ttl":
            out.bytes(f"ontology.{extension}", serialize_triples(terms, fmt))
    for name in ("ontology.html", "ontology-diagram.svg", "ontology-diagram.dot"):
        source = root / "docs" / name
        if source.is_file():
            out.bytes(name, source.read_bytes())
    html_files.append("ontology.html")

    for name in sorted(downloads(data_dir, BASE)):
        out.bytes(f"data/{name}", (data_dir / name).read_bytes())
    for source in sorted(SERVE_STATIC.rglob("*")) + sorted(SITE_STATIC.rglob("*")):
        if source.is_file():
            base_dir = SERVE_STATIC if source.is_relative_to(SERVE_STATIC) else SITE_STATIC
            out.bytes(f"static/{source.relative_to(base_dir).as_posix()}", source.read_bytes())
    index = index_of_store(store).to_json()
    out.bytes(SEARCH_INDEX, json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode())

    site_pages = {
        "index.html": pages.landing_page(store, data_dir / "void.ttl"),
        "timeline.html": pages.timeline_page(store),
        "query.html": _query_page(endpoint, store),
        "search.html": _search_page(),
    }
    for name, html in site_pages.items():
        out.page(name, html, endpoint)
    html_files += list(site_pages)

    out.bytes("sitemap.xml", _sitemap(site_url, html_files))
    out.bytes(".htaccess", site_htaccess().encode())
    out.bytes("w3id/.htaccess", w3id_htaccess(site_url, contact).encode())
    out.bytes("w3id/README.md", w3id_readme(site_url, contact).encode())
