"""The timeline page: every dated event on a time axis, and the quotes each was read from.

``static/timeline.js`` draws the chart from ``data/timeline.jsonld``; the quotes are read from
the store here and embedded in the page, so choosing an event shows what the source page says
of it without another request (and the page works as a static file too).
"""

from __future__ import annotations

from typing import Any

from .evidence import Evidence, evidence_of
from .html_common import ID_BASE, json_for_script, page_frame

TIMELINE_DATA = "/data/timeline.jsonld"
EVENT_BASE = ID_BASE + "event/"
#: The kinds of date the chart draws, in the legend's order: (precision, legend text).
PRECISIONS = (
    ("day", "a day"),
    ("month", "a month"),
    ("year", "a year"),
    ("vague", "vague (between bounds)"),
)


def event_quotes(store: Any) -> dict[str, list[str]]:
    """Return, for each event, the quotes its statements were read from, in the page's order.

    A quote inside a longer quote of the same event is left out: the longer one says it all.
    """
    cache: dict[Any, list[Evidence]] = {}
    found: dict[str, dict[str, tuple[int, str]]] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        subject = getattr(quad.subject, "value", "")
        graph = quad.graph_name
        if not subject.startswith(EVENT_BASE) or not hasattr(graph, "value"):
            continue
        if graph not in cache:
            cache[graph] = evidence_of(store, graph)
        for ev in cache[graph]:
            if ev.quote:
                found.setdefault(subject, {})[ev.iri] = (ev.start or 0, ev.quote)
    result = {}
    for event, quotes in found.items():
        texts = [quote for _, quote in sorted(quotes.values())]
        kept = [q for q in dict.fromkeys(texts) if not any(q != o and q in o for o in texts)]
        result[event] = kept
    return result


def timeline_page(store: Any = None) -> str:
    """Return the timeline page; with ``store``, each event's quotes are embedded for the panel.

    A function of its data only: the static site generator calls it without a server.
    """
    legend = "".join(
        f'<li data-precision="{kind}"><span class="ev ev-{kind}"></span> {text}</li>'
        for kind, text in PRECISIONS
    )
    quotes = event_quotes(store) if store is not None else {}
    body = (
        "<h1>Timeline of NATO–Iraq relations</h1>\n"
        "<p>Every dated event on a time axis, one row each, drawn at the precision the page "
        "gives it. Choose an event (click, or Tab then Enter; arrow keys move between events) "
        "to see what it is, when, where, who took part and what the page says of it; − and + "
        "zoom about the chosen event.</p>\n"
        f'<ul class="legend" id="timeline-legend" aria-label="legend">{legend}</ul>\n'
        '<div class="zoom"><button type="button" id="zoom-out" aria-label="zoom out">−</button>'
        '<button type="button" id="zoom-in" aria-label="zoom in">+</button></div>\n'
        f'<div id="timeline" class="timeline" data-src="{TIMELINE_DATA}" role="group" '
        'aria-label="events on a time axis"><p class="loading">Loading the timeline…</p></div>\n'
        '<section id="event-detail" class="event-detail" aria-live="polite" tabindex="-1">'
        "<p>No event chosen yet.</p></section>\n"
        f'<script type="application/json" id="timeline-quotes">{json_for_script(quotes)}'
        "</script>\n"
        "<noscript><p>The timeline needs JavaScript; the events are in "
        f'<a href="{TIMELINE_DATA}">timeline.jsonld</a> and in '
        '<a href="/query?cq=01">question 01</a>.</p></noscript>'
    )
    return page_frame("Timeline — NATO–Iraq KG", body, scripts=["/static/timeline.js"])
