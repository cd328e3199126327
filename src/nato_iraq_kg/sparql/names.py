"""Entity names as people type them: a label, a compact name (``actor:nato``) or a full IRI.

``evidence`` prints entities as compact names, so it must accept them back; and a name that
finds nothing should lead somewhere: the entities whose labels contain its words, then the
labels and compact names closest to it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from ..namespaces import prefixes

_FULL_IRI = re.compile(r"<?(https?://[^\s<>\"{}|\\^`]+)>?")
_COMPACT = re.compile(r"([A-Za-z][\w.\-]*):([^\s:/<>\"]+)")
_WORD = re.compile(r"\w+")
#: Every label and alias of the dataset's own entities (a fixed query: no user input).
_NAMES_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?name ?main WHERE {
  { ?entity rdfs:label ?name BIND(true AS ?main) }
  UNION { ?entity skos:altLabel ?name BIND(false AS ?main) }
  FILTER(STRSTARTS(STR(?entity), "https://w3id.org/nato-iraq-kg/id/"))
  FILTER(!CONTAINS(STR(?entity), "/source/") && !CONTAINS(STR(?entity), "/date/"))
}
"""


@dataclass(frozen=True)
class Candidate:
    """An entity a person may have meant: one of its names and its compact name."""

    name: str
    compact: str

    def __str__(self) -> str:
        return f'"{self.name}" ({self.compact})'


def entity_iri(name: str) -> str | None:
    """Return the IRI ``name`` spells (a full IRI, or prefix:local with a known prefix), or None.

    None means ``name`` is to be read as a label.
    """
    text = name.strip()
    full = _FULL_IRI.fullmatch(text)
    if full is not None:
        return full.group(1)
    short = _COMPACT.fullmatch(text)
    if short is not None and short.group(1) in prefixes():
        return prefixes()[short.group(1)] + short.group(2)
    return None


def candidates(store: Any, name: str, limit: int = 8) -> list[Candidate]:
    """Return the entities ``name`` may have meant, best first (at most ``limit``).

    First those with a label containing every word of ``name`` (case ignored), shortest label
    first; then the labels and compact names :mod:`difflib` finds close to it.
    """
    from .local import compact

    rows = store.query(_NAMES_QUERY, use_default_graph_as_union=True)
    ranked = sorted(rows, key=lambda row: (row["main"].value == "true", row["name"].value))
    names = [Candidate(row["name"].value, compact(row["entity"]) or "") for row in ranked]
    labels = {c.compact: c for c in names}  # the rdfs:label, sorted last, wins
    words = [word.lower() for word in _WORD.findall(name)]
    found: list[Candidate] = []
    if words:
        found = [c for c in names if all(word in c.name.lower() for word in words)]
        found.sort(key=lambda c: (len(c.name), c.name))
    by_text = {c.name.lower(): c for c in names} | {c.lower(): labels[c] for c in labels}
    close = difflib.get_close_matches(name.lower().strip(), list(by_text), n=limit, cutoff=0.6)
    chosen: list[Candidate] = []
    for candidate in [*found, *(by_text[text] for text in close)]:
        if all(candidate.compact != seen.compact for seen in chosen):
            chosen.append(candidate)
    return chosen[:limit]


def no_entity_message(store: Any, name: str) -> str:
    """Return the one line for a name that finds nothing: what it may have meant, what works."""
    near = candidates(store, name)
    hint = f"; did you mean {', '.join(map(str, near))}?" if near else ""
    return (
        f"no entity is named {name!r} in the graph{hint} (give a name as the page writes it, "
        "a compact name such as actor:nato, or a full IRI)"
    )
