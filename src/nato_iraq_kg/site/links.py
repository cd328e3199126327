"""Where each thing goes in the static folder, and the server's links rewritten to point there.

The server's pages link by absolute path (``/id/actor/nato``, ``/static/style.css``), because the
server answers those paths itself. A folder of files has no such paths: it may sit at any
address (``https://example.org/kg/``), and a plain static server has no content negotiation. So
every link becomes relative to the page and names the file (``../actor/nato.html``); the Apache
``.htaccess`` of the folder still answers the extension-less IRIs for clients that ask for them.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote

from ..namespaces import BASE

ID_BASE = BASE + "id/"
ONTOLOGY_IRI = BASE + "ontology"
#: The server's own pages and the file each one is in the static folder.
PAGES = {
    "/": "index.html",
    "/timeline": "timeline.html",
    "/query": "query.html",
    "/search": "search.html",
    "/ontology": "ontology.html",
    "/.well-known/void": "data/void.ttl",
}
#: The extension of each RDF syntax a resource is written in, with its media type.
RDF_FILES = {
    "ttl": ("turtle", "text/turtle"),
    "jsonld": ("jsonld", "application/ld+json"),
    "nt": ("nt", "application/n-triples"),
    "rdf": ("rdfxml", "application/rdf+xml"),
}
_ATTRIBUTE = re.compile(r'(\s(?:href|src|action|data-src)=")(/[^"/][^"]*|/)(")')


def iri_file(iri: str) -> str | None:
    """Return the folder path (without extension) that holds ``iri``, or None if it is not ours.

    ``https://w3id.org/nato-iraq-kg/id/actor/nato`` and its hash IRIs (``...#quote``) are all in
    ``id/actor/nato``. Characters outside the safe set are percent-encoded, and a path that
    could leave the folder (``..``) is refused.
    """
    iri = iri.split("#", 1)[0]
    if not iri.startswith(ID_BASE) or len(iri) == len(ID_BASE):
        return None
    rest = iri[len(ID_BASE) :]
    segments = rest.split("/")
    if any(s in ("", ".", "..") for s in segments):
        return None
    return "id/" + "/".join(quote(s, safe="-._~!$&'()*+,;=:@%") for s in segments)


def site_file(path: str) -> str | None:
    """Return the file a server path maps to (``/id/actor/nato?x#y`` → ``id/actor/nato.html#y``).

    The query of ``/query?cq=05`` is kept (the query page reads it in the browser); any other
    query is dropped, since a file cannot answer it. Returns None for a path the site lacks.
    """
    path, hash_mark, fragment = path.partition("#")
    path, question, query = path.partition("?")
    if path.startswith("/id/"):
        target = iri_file(ID_BASE + path[len("/id/") :])
        target = target + ".html" if target else None
    elif path in PAGES:
        target = PAGES[path]
    elif path.startswith(("/data/", "/static/")) and ".." not in path.split("/"):
        target = path[1:]
    else:
        return None
    if question and path == "/query":
        target += "?" + query
    return target + (hash_mark + fragment if hash_mark else "")


def relative(target: str, page: str) -> str:
    """Return ``target`` (a folder path) as a link from the file ``page`` (a folder path)."""
    here = posixpath.dirname(page) or "."
    path, sep, rest = target.partition("?") if "?" in target else target.partition("#")
    link = posixpath.relpath(path, here)
    return link + (sep + rest if sep else "")


def relativize(html: str, page: str) -> tuple[str, list[str]]:
    """Rewrite the absolute links of a server page for the static file ``page``.

    Returns the page and the paths it linked to that the site has no file for (a test keeps
    that list empty).
    """
    missing: list[str] = []

    def swap(match: re.Match[str]) -> str:
        target = site_file(match.group(2).replace("&amp;", "&"))
        if target is None:
            missing.append(match.group(2))
            return match.group(0)
        return match.group(1) + relative(target, page).replace("&", "&amp;") + match.group(3)

    return _ATTRIBUTE.sub(swap, html), missing


def root_of(page: str) -> str:
    """Return the relative path from the file ``page`` to the folder's root (``../../``)."""
    depth = page.count("/")
    return "../" * depth or "./"
