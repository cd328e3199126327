"""``GET /search?q=...``: the search results as an HTML page or as JSON.

The ranking is :mod:`nato_iraq_kg.sparql.search`; this module only reads the request, builds the
index once per server (from the embedded store, or through SPARQL from a remote one), and renders
the hits, each linking to its entity page with the quote that matched, highlighted. Every piece
of ``q`` that reaches the page is escaped, and ``q`` is cut to a fixed length before any work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..sparql.search import Hit, Results, SearchIndex, results_json
from .config import ServerConfig, text_response
from .html_common import esc, local_path, page_frame
from .negotiation import best_match

HTML = "text/html"
JSON = "application/json"
#: Hits shown on one page (the JSON answer has the same cap).
PAGE_SIZE = 50


def marked(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """Return ``text`` as HTML with the character ranges ``spans`` in ``<mark>``, all escaped."""
    out, at = [], 0
    for start, end in spans:
        if start < at or end > len(text):
            continue
        out.append(esc(text[at:start]))
        out.append(f"<mark>{esc(text[start:end])}</mark>")
        at = end
    out.append(esc(text[at:]))
    return "".join(out)


def _hit_html(hit: Hit) -> str:
    """Render one hit: the entity's link and kind, what matched, and the quote with the match."""
    entry = hit.entry
    path = local_path(entry.iri) or entry.path
    parts = [
        f'<a class="hit" href="{esc(path)}">{esc(entry.label)}</a> '
        f'<span class="kind">{esc(entry.kind)}</span>'
    ]
    if hit.matched == "alt" and entry.alt:
        parts.append(f' <span class="matched">also called {esc("; ".join(entry.alt))}</span>')
    if hit.quote is not None:
        where = esc(hit.quote.part or "the page")
        evidence = local_path(hit.quote.evidence)
        link = f' <a class="evidence-link" href="{esc(evidence)}">evidence</a>' if evidence else ""
        parts.append(
            f'<blockquote class="evidence">{marked(hit.quote.text, hit.spans)}</blockquote>'
            f'<p class="where">from {where}{link}</p>'
        )
    return f"<li>{''.join(parts)}</li>"


def search_page(results: Results) -> str:
    """Return the results page: the query (escaped), a note if it was cut, and the ranked hits."""
    title = f"Search: {results.query}" if results.query else "Search"
    body = [f"<h1>{esc(title)}</h1>"]
    body.append(
        '<form class="search-again" role="search" method="get" action="/search">'
        '<label for="search-q">Words</label> '
        f'<input id="search-q" type="search" name="q" maxlength="200" value="{esc(results.query)}">'
        ' <button type="submit">Search</button></form>'
    )
    if results.truncated:
        body.append(
            f'<p class="note">Only the first {len(results.query)} characters were used.</p>'
        )
    if not results.query:
        body.append(
            "<p>Search the names of the entities and the quotes of the page about them; case, "
            "accents and hyphens do not matter.</p>"
        )
    elif not results.hits:
        body.append(f'<p class="none">Nothing matches “{esc(results.query)}”.</p>')
    else:
        count = len(results.hits)
        body.append(f'<p class="count">{count} result{"s" if count != 1 else ""}</p>')
        items = "".join(_hit_html(hit) for hit in results.hits)
        body.append(f'<ol class="search-results">{items}</ol>')
    return page_frame(f"{title} — NATO–Iraq KG", "\n".join(body))


async def search_index(request: Request) -> SearchIndex:
    """Return the server's index, building it on first use (once, even under concurrent calls)."""
    state = request.app.state
    if getattr(state, "search_index", None) is None:
        async with state.search_lock:
            if getattr(state, "search_index", None) is None:
                build: Callable[[], SearchIndex] = state.search_index_factory
                state.search_index = await asyncio.to_thread(build)
    return state.search_index


def wants_json(request: Request) -> bool:
    """Tell whether to answer JSON: ``format=json``, or an ``Accept`` preferring it to HTML."""
    fmt = request.query_params.get("format")
    if fmt is not None:
        return fmt.lower() == "json"
    return best_match(request.headers.get("accept"), [HTML, JSON]) == JSON


async def search(request: Request) -> Response:
    """Answer ``GET /search?q=...`` in HTML or JSON (``format=json`` or ``Accept``)."""
    config: ServerConfig = request.app.state.config
    if len(request.url.query) > config.max_body_bytes:
        return text_response(f"query string longer than {config.max_body_bytes} bytes", 414)
    index = await search_index(request)
    results = index.search(request.query_params.get("q", ""), limit=PAGE_SIZE)
    headers = {"Vary": "Accept"}
    if wants_json(request):
        return JSONResponse(results_json(results), headers=headers)
    return HTMLResponse(search_page(results), headers=headers)


def index_factory_of_store(store: Any) -> Callable[[], SearchIndex]:
    """Return a builder of the index over an embedded store (run once, in a thread)."""
    from ..sparql.search import index_of_store

    return lambda: index_of_store(store)
