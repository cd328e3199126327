"""Linked data: our IRIs dereferenced (``/id/...``, the ontology) and the downloads.

Every entity IRI of the namespace resolves here to its description in the format the client
asks for (HTML page, Turtle, N-Triples, RDF/XML, compact JSON-LD, TriG, N-Quads; ``Vary:
Accept``; 406 otherwise), assertion graph IRIs to the statements in them, and the files
``void.ttl`` advertises are downloadable. Lookups use quad patterns, never SPARQL
built from the request, and files are served from an allow-list, never from a path in the URL.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from .. import paths
from ..formats.registry import SYNTAXES, syntax
from ..paths import VOID_FILE
from . import sparql_protocol as protocol
from .config import ServerConfig, text_response
from .descriptions import ENTITY_MEDIA, describe_quads, serialize_description, triples_of
from .negotiation import best_match
from .snapshot import Snapshot

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
IANA_MEDIA = "https://www.iana.org/assignments/media-types/"
FAVICON = Path(__file__).parent / "static" / "favicon.svg"
HTML = "text/html"


def describe(store: Any, iri: str) -> list[Any]:
    """Return every triple that describes ``iri`` (see :func:`.descriptions.describe_quads`)."""
    return triples_of(describe_quads(store, iri))


def _html_fallback(iri: str, triples: list[Any]) -> str:
    """Return a minimal HTML list of the triples, for when the HTML pages module is absent.

    Every term is escaped text and nothing becomes a link, so an IRI such as ``javascript:...``
    in the data can never turn into something a reader clicks.
    """
    items = "\n".join(
        f"<li>{html.escape(str(t.subject))} {html.escape(str(t.predicate))} "
        f"{html.escape(str(t.object))}</li>"
        for t in triples
    )
    title = html.escape(iri)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><h1>{title}</h1><ul>\n{items}\n</ul></body></html>\n"
    )


async def store_about(request: Request, iri: str) -> Any:
    """Return the store to describe ``iri`` from: the served store, or its neighbourhood.

    With ``serve --endpoint`` the app sets ``fetch_neighbourhood`` (see :mod:`.remote_app`),
    which reads what the description and page of ``iri`` need from the remote store into a
    scratch store, so both modes describe and render from the same code.
    """
    fetch = getattr(request.app.state, "fetch_neighbourhood", None)
    return request.app.state.snapshot.store if fetch is None else await fetch(iri)


async def entity(request: Request) -> Response:
    """Dereference ``/id/...``: the entity's (or assertion graph's) description, negotiated."""
    config: ServerConfig = request.app.state.config
    snapshot: Snapshot = request.app.state.snapshot
    iri = f"{config.base_url}id/{request.path_params['path']}"
    vary = {"Vary": "Accept"}
    offers = [*ENTITY_MEDIA.values(), HTML]
    chosen = best_match(request.headers.get("accept"), offers)
    if chosen is None:
        return text_response(
            f"not available in that format; we offer {', '.join(offers)}", 406, **vary
        )
    try:
        store = await store_about(request, iri)
        quads = describe_quads(store, iri)
    except ValueError:  # not a valid IRI
        quads = []
    if not quads:
        return text_response(f"nothing is known about {iri}", 404, **vary)
    if chosen == HTML:
        try:
            from .pages import entity_page
        except ImportError:
            page = _html_fallback(iri, triples_of(quads))
        else:
            page = entity_page(store, iri, snapshot.vocabulary)
        return Response(page, media_type=HTML, headers=vary)
    fmt = next(name for name, media in ENTITY_MEDIA.items() if media == chosen)
    return Response(serialize_description(quads, fmt), media_type=chosen, headers=vary)


async def ontology(request: Request) -> Response:
    """Dereference the ontology IRI: its Turtle source, another RDF syntax, or its HTML page."""
    vary = {"Vary": "Accept"}
    root = request.app.state.root
    offers = [*protocol.GRAPH_MEDIA.values(), HTML]
    chosen = best_match(request.headers.get("accept"), offers)
    if chosen is None:
        return text_response(
            f"not available in that format; we offer {', '.join(offers)}", 406, **vary
        )
    if chosen == HTML:
        page = root / "docs" / "ontology.html"
        if not page.is_file():
            return text_response("the ontology documentation has not been built", 404, **vary)
        return FileResponse(page, media_type=HTML, headers=vary)
    source = paths.ontology_file(root)
    if chosen == syntax("ttl").media_type:
        return FileResponse(source, media_type=chosen, headers=vary)
    import pyoxigraph

    triples = [
        q.triple for q in pyoxigraph.parse(path=str(source), format=syntax("ttl").rdf_format)
    ]
    fmt = next(name for name, media in protocol.GRAPH_MEDIA.items() if media == chosen)
    return Response(protocol.serialize_triples(triples, fmt), media_type=chosen, headers=vary)


def downloads(data_dir: Path, base_url: str) -> dict[str, str]:
    """Return the downloadable files (name -> media type) that ``data_dir/void.ttl`` lists."""
    void = data_dir / "void.ttl"
    return downloads_of(void.read_bytes(), base_url) if void.is_file() else {}


def downloads_of(void: bytes, base_url: str) -> dict[str, str]:
    """Return the downloadable files (name -> media type): void.ttl and its distributions.

    The allow-list comes from ``void.ttl`` itself, so the server serves exactly what the dataset
    description advertises, and a request can never name any other file.
    """
    import pyoxigraph

    files = {VOID_FILE: syntax("ttl").media_type}
    prefix = f"{base_url}data/"
    download = "http://www.w3.org/ns/dcat#downloadURL"
    media_type = "http://www.w3.org/ns/dcat#mediaType"
    quads = list(pyoxigraph.parse(void, format=syntax("ttl").rdf_format))
    media_of = {q.subject: q.object.value for q in quads if q.predicate.value == media_type}
    for quad in quads:
        if quad.predicate.value != download or not quad.object.value.startswith(prefix):
            continue
        name = quad.object.value[len(prefix) :]
        parts = name.split("/")  # a file of data/, or of one folder in it (tables/)
        if len(parts) > 2 or any(not part or part.startswith(".") for part in parts):
            continue
        suffix = Path(name).suffix
        media = media_of.get(quad.subject, "")
        media = media[len(IANA_MEDIA) :] if media.startswith(IANA_MEDIA) else None
        if media is None:
            known = [s for s in SYNTAXES if suffix in s.suffixes]
            media = known[0].media_type if known else "application/octet-stream"
        files[name] = media
    return files


async def data_file(request: Request) -> Response:
    """Serve one advertised download, as of the build being served; anything else is 404."""
    snapshot: Snapshot = request.app.state.snapshot
    name = request.path_params["name"]
    found = snapshot.downloads.get(name)
    if found is None:
        return text_response(f"no download named {name!r}; see /data/void.ttl", 404)
    return Response(found.content, media_type=found.media_type)


async def well_known_void(request: Request) -> Response:
    """Point to the dataset description, as RFC 5785 / VoID §6.2 suggest."""
    return RedirectResponse("/data/void.ttl", status_code=303)


async def favicon(request: Request) -> Response:
    """Answer the icon browsers ask every site for, from our own static file."""
    return FileResponse(FAVICON, media_type="image/svg+xml")
