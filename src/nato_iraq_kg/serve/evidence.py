"""Evidence: the quote a fact was read from, found in the graph and marked in its paragraph.

A fact's assertion graph is the body of an evidence annotation whose target selects the quote
by its character offsets in the source page and names the paragraph (document part) it is in.
Kept apart from the entity page so that any page (and the static site) can show a quote the
same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .html_common import (
    ONTOLOGY_BASE,
    RDFS_LABEL,
    esc,
    first_of,
    int_or_none,
    literal_text,
    objects_of,
    subjects_of,
)

OA = "http://www.w3.org/ns/oa#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
NIK = ONTOLOGY_BASE


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

    Without a paragraph the quote stands alone; a quote not found in it follows it.
    """
    text, quote = evidence.part_text, evidence.quote
    if text is None:
        return f"<mark>{esc(quote)}</mark>"
    span = quote_span(evidence)
    if span is None:
        return f"{esc(text)} <mark>{esc(quote)}</mark>"
    return highlight_spans(text, [span])


def quote_span(evidence: Evidence) -> tuple[int, int] | None:
    """Return where the quote sits in its paragraph text, by its offsets, else by search.

    The offsets are the truth (a short quote such as "NATO" occurs many times in a paragraph),
    so the quote is only searched for when they do not fit the paragraph.
    """
    text, quote = evidence.part_text, evidence.quote
    if text is None:
        return None
    if None not in (evidence.start, evidence.end, evidence.part_begin):
        i = evidence.start - evidence.part_begin  # type: ignore[operator]
        j = evidence.end - evidence.part_begin  # type: ignore[operator]
        if 0 <= i <= j <= len(text) and text[i:j] == quote:
            return i, j
    i = text.find(quote) if quote else -1
    return (i, i + len(quote)) if i >= 0 else None


def highlight_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Return ``text`` as HTML with each span in ``<mark>``; overlapping spans are merged."""
    merged: list[list[int]] = []
    for i, j in sorted(spans):
        if merged and i <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], j)
        else:
            merged.append([i, j])
    out, at = [], 0
    for i, j in merged:
        out.append(f"{esc(text[at:i])}<mark>{esc(text[i:j])}</mark>")
        at = j
    return "".join(out) + esc(text[at:])
