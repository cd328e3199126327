"""The static site: IRIs have their files, links resolve, Apache negotiates, w3id redirects."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pyoxigraph
import pytest
from click.testing import CliRunner

from apache import apache_serving
from conftest import SITE_URL
from nato_iraq_kg import paths
from nato_iraq_kg.cli import cli
from nato_iraq_kg.serve.negotiation import best_match
from nato_iraq_kg.site.links import iri_file

ID = "https://w3id.org/nato-iraq-kg/id/"
EXTENSIONS = ("html", "ttl", "jsonld", "nt", "rdf")
RDF_FORMATS = {
    "ttl": pyoxigraph.RdfFormat.TURTLE,
    "nt": pyoxigraph.RdfFormat.N_TRIPLES,
    "rdf": pyoxigraph.RdfFormat.RDF_XML,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
}
MEDIA = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
    "application/ld+json": "jsonld",
    "text/html": "html",
}


def data_iris() -> set[str]:
    """Return every IRI under id/ in the N-Quads dump, read with a plain pattern (not our code)."""
    text = (paths.data_dir() / "nato-iraq.nq").read_text(encoding="utf-8")
    return {
        m.split("#")[0] for m in re.findall(r"<(https://w3id\.org/nato-iraq-kg/id/[^>]+)>", text)
    }


def test_every_iri_of_the_data_has_its_five_files(static_site: Path) -> None:
    """Each IRI (hash IRIs with their document) has .html, .ttl, .jsonld, .nt and .rdf."""
    iris = data_iris()
    assert len(iris) > 700
    missing = [
        f"{iri_file(iri)}.{ext}"
        for iri in sorted(iris)
        for ext in EXTENSIONS
        if not (static_site / f"{iri_file(iri)}.{ext}").is_file()
    ]
    assert missing == []
    for name in ("index.html", "timeline.html", "query.html", "search.html", "ontology.html"):
        assert (static_site / name).is_file(), name
    for ext in ("ttl", "nt", "rdf", "jsonld"):
        assert (static_site / f"ontology.{ext}").is_file()
    for dump in ("nato-iraq.trig", "nato-iraq.nq", "nato-iraq.ttl", "void.ttl", "timeline.jsonld"):
        assert (static_site / "data" / dump).read_bytes() == (paths.data_dir() / dump).read_bytes()


def _triples(path: Path, fmt: Any) -> set[Any]:
    return set(pyoxigraph.parse(path=str(path), format=fmt, base_iri=ID))


def test_the_four_rdf_files_of_an_iri_hold_one_graph_about_it(static_site: Path) -> None:
    """Turtle, N-Triples, RDF/XML and JSON-LD of each IRI parse to the same triples, about it."""
    checked = 0
    for iri in sorted(data_iris()):
        stem = static_site / iri_file(iri)
        graphs = {ext: _triples(Path(f"{stem}.{ext}"), fmt) for ext, fmt in RDF_FORMATS.items()}
        assert graphs["ttl"], iri
        for ext, graph in graphs.items():
            assert graph == graphs["ttl"], (iri, ext)
        node = pyoxigraph.NamedNode(iri)
        assert any(t.subject.value.split("#")[0] == iri or t.object == node for t in graphs["ttl"])
        checked += 1
    assert checked > 700


class Links(HTMLParser):
    """Collect the URLs a page loads or links to."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = ("href", "src", "action", "data-src")
        self.urls += [v for k, v in attrs if k in wanted and v is not None]


def test_every_internal_link_resolves(static_site: Path) -> None:
    """Every relative link of every page leads to a file of the site; none is absolute."""
    broken, checked = [], 0
    pages = sorted(static_site.rglob("*.html"))
    assert len(pages) > 780
    for page in pages:
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for url in parser.urls:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "mailto", "data") or url.startswith("#"):
                continue
            assert not url.startswith("/"), f"{page}: absolute path {url}"
            target = (page.parent / unquote(parts.path)).resolve()
            checked += 1
            if not target.is_file() or not target.is_relative_to(static_site):
                broken.append(f"{page.relative_to(static_site)} -> {url}")
    assert broken == []
    assert checked > 10_000


def test_sitemap_lists_every_page_at_the_published_address(static_site: Path) -> None:
    """sitemap.xml names every HTML page of the site, under --site-url."""
    text = (static_site / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", text)
    assert all(loc.startswith(SITE_URL) for loc in locs)
    listed = {loc[len(SITE_URL) :] for loc in locs}
    pages = {p.relative_to(static_site).as_posix() for p in static_site.rglob("*.html")}
    assert listed == pages


def test_site_command_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    """A non-empty folder that is not an earlier site is never replaced (exit 2)."""
    (tmp_path / "precious.txt").write_text("keep me")
    result = CliRunner().invoke(cli, ["site", "-o", str(tmp_path), "--site-url", SITE_URL])
    assert result.exit_code == 2
    assert "not empty" in result.output
    assert (tmp_path / "precious.txt").read_text() == "keep me"


# --------------------------------------------------------------------------- real Apache


@pytest.fixture(scope="module")
def apache(static_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Apache serving the site folder with its .htaccess."""
    with apache_serving(static_site, tmp_path_factory.mktemp("apache")) as url:
        yield url


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch(url: str, accept: str | None) -> tuple[int, Any, bytes]:
    """GET ``url`` with an Accept header (or none), without following redirects."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Accept": accept} if accept is not None else {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


ACCEPTS = [
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "text/html",
    "application/xhtml+xml",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8",
    "*/*",
    "text/turtle;q=0.1, application/ld+json;q=0.9",
    'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"',
    "application/rdf+xml;q=0.5, text/turtle;q=0.4, text/html;q=0.3",
    "text/turtle;q=0, */*",
    "text/*",
    "application/*;q=0.5, text/plain",
    "TEXT/TURTLE",
]


#: What the server offers, in its order of preference; XHTML is answered with the HTML file.
OFFERS = [*MEDIA, "application/xhtml+xml"]


def server_choice(accept: str | None) -> str:
    """Return the extension our server's negotiation picks for ``accept``."""
    chosen = best_match(accept, OFFERS)
    assert chosen is not None
    return MEDIA.get(chosen, "html")


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize(
    "path", ["id/actor/nato", "id/source/nato-relations-with-iraq-2017-02-03", "ontology"]
)
def test_apache_answers_the_format_the_server_would(
    apache: str, static_site: Path, path: str, accept: str
) -> None:
    """For each Accept, Apache serves the variant our server's negotiation picks, Vary: Accept."""
    expected = server_choice(accept)
    status, headers, body = fetch(apache + path, accept)
    assert status == 200, (status, body[:200])
    assert "Accept" in headers.get("Vary", "")
    media = {extension: media for media, extension in MEDIA.items()}[expected]
    assert headers["Content-Type"].split(";")[0] == media
    assert body == (static_site / f"{path}.{expected}").read_bytes()


def test_apache_without_accept_serves_turtle(apache: str, static_site: Path) -> None:
    """No Accept header counts as */*: Turtle, as the server answers."""
    status, headers, body = fetch(apache + "id/actor/nato", None)
    assert status == 200
    assert headers["Content-Type"].startswith("text/turtle")
    assert body == (static_site / "id/actor/nato.ttl").read_bytes()


def test_apache_refuses_an_unknown_format_with_406(apache: str) -> None:
    """A client that accepts none of our formats gets 406, with Vary: Accept."""
    status, headers, _ = fetch(apache + "id/actor/nato", "application/x-unknown")
    assert status == 406
    assert "Accept" in headers.get("Vary", "")


def test_apache_serves_files_and_dumps_as_they_are(apache: str) -> None:
    """A file named with its extension, a dump and the home page are served directly."""
    status, headers, _ = fetch(apache + "id/actor/nato.ttl", "text/html")
    assert (status, headers["Content-Type"].split(";")[0]) == (200, "text/turtle")
    status, headers, _ = fetch(apache + "data/nato-iraq.trig", None)
    assert (status, headers["Content-Type"].split(";")[0]) == (200, "application/trig")
    status, headers, _ = fetch(apache, "text/html")
    assert (status, headers["Content-Type"].split(";")[0]) == (200, "text/html")
    status, headers, _ = fetch(apache + "static", "text/html")
    assert (status, headers["Location"]) == (301, apache + "static/")
    assert fetch(apache + "id/actor/no-such-actor", "text/html")[0] == 404


@pytest.mark.parametrize(
    ("path", "accept", "location"),
    [
        ("w3id/id/actor/nato", "text/turtle", "id/actor/nato.ttl"),
        ("w3id/id/actor/nato", "application/ld+json", "id/actor/nato.jsonld"),
        ("w3id/id/actor/nato", "text/html,*/*;q=0.8", "id/actor/nato.html"),
        ("w3id/id/actor/nato", "application/x-unknown", "id/actor/nato.html"),
        ("w3id/ontology", "application/rdf+xml", "ontology.rdf"),
        ("w3id/data/nato-iraq.trig", None, "data/nato-iraq.trig"),
        ("w3id/", "text/html", "index.html"),
    ],
)
def test_w3id_rules_redirect_to_the_file_of_the_format(
    apache: str, static_site: Path, path: str, accept: str | None, location: str
) -> None:
    """The w3id.org file answers 303 (IRIs) or 302 (files) to the site's file for the format."""
    status, headers, _ = fetch(apache + path, accept)
    assert status in (302, 303)
    assert status == 303 or not path.startswith(("w3id/id/", "w3id/ontology"))
    assert headers["Location"] == SITE_URL + location
    assert (static_site / location).is_file()


def test_w3id_folder_follows_the_repository_conventions(static_site: Path) -> None:
    """An .htaccess with a contact section and RewriteEngine on, and a README.md beside it."""
    htaccess = (static_site / "w3id" / ".htaccess").read_text(encoding="utf-8")
    assert "# ## Contact" in htaccess
    assert "\nRewriteEngine on\n" in htaccess
    assert "[R=303,NE,L]" in htaccess
    readme = (static_site / "w3id" / "README.md").read_text(encoding="utf-8")
    assert "## Contact" in readme and SITE_URL in readme
