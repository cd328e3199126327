"""``diff``: what changed between two revisions' graphs, for release notes and as RDF.

Both revisions are built together (see :mod:`.history`), so a fact that both state is one
assertion with one piece of evidence in each. The changeset sorts the assertions of the two
revisions into added (only the new one states them), lapsed (only the old one) and unchanged, and,
among the unchanged, the quotes that moved (other offsets) or were reworded (other words).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from ..errors import InputError
from ..extract.assertion import Assertion
from ..formats.turtle import trig
from ..namespaces import GRAPH, OA
from ..source.revision import SourceRevision
from .pipeline import BuildResult


@dataclass(frozen=True)
class Change:
    """One assertion's fate between the two revisions, with its quote in each (if stated)."""

    graph: URIRef
    old: Assertion | None
    new: Assertion | None

    @property
    def kind(self) -> str:
        """``added``, ``lapsed``, ``moved``, ``reworded`` or ``unchanged``."""
        if self.old is None:
            return "added"
        if self.new is None:
            return "lapsed"
        if self.old.quote != self.new.quote:
            return "reworded"
        return "moved" if self.old.start != self.new.start else "unchanged"

    @property
    def name(self) -> str:
        """The assertion's key, as in the curated file (``fact-lead-partners``)."""
        return str(self.graph).rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Changeset:
    """Every assertion of either revision, sorted into what happened to it."""

    old: SourceRevision
    new: SourceRevision
    changes: tuple[Change, ...]

    def of_kind(self, kind: str) -> list[Change]:
        """Return the changes of one kind, in the order of the graph IRIs."""
        return [c for c in self.changes if c.kind == kind]


def _revision(result: BuildResult, name: str) -> SourceRevision:
    for revision in result.revisions:
        if name in (revision.slug, str(revision.iri)):
            return revision
    known = ", ".join(r.slug for r in result.revisions)
    raise InputError(f"{name}: not a registered revision (known: {known})")


def changeset(result: BuildResult, old_name: str, new_name: str) -> Changeset:
    """Compare two registered revisions of one page in a built result."""
    old, new = _revision(result, old_name), _revision(result, new_name)
    if old.page != new.page:
        raise InputError(f"{old.slug} and {new.slug} are revisions of different pages")
    by_revision: dict[str, dict[URIRef, Assertion]] = {old.slug: {}, new.slug: {}}
    for item in result.assertions:
        if item.source.slug in by_revision:
            by_revision[item.source.slug][item.graph] = item
    graphs = sorted(set(by_revision[old.slug]) | set(by_revision[new.slug]))
    changes = tuple(
        Change(g, by_revision[old.slug].get(g), by_revision[new.slug].get(g)) for g in graphs
    )
    return Changeset(old, new, changes)


def _line(change: Change) -> str:
    if change.kind == "added" and change.new:
        return f"  + {change.name}: {change.new.quote!r} at {change.new.start}"
    if change.kind == "lapsed" and change.old:
        return f"  - {change.name}: {change.old.quote!r} (was at {change.old.start})"
    assert change.old and change.new
    if change.kind == "reworded":
        return f"  ~ {change.name}: {change.old.quote!r} now reads {change.new.quote!r}"
    return f"  > {change.name}: {change.old.start} -> {change.new.start}"


def render_text(cs: Changeset) -> str:
    """Return release notes: counts, then the facts added, lapsed, reworded (moves counted)."""
    kinds = ("added", "lapsed", "reworded", "moved", "unchanged")
    tally = {k: len(cs.of_kind(k)) for k in kinds}
    lines = [
        f"Changes from {cs.old.slug} ({cs.old.last_updated_text}) "
        f"to {cs.new.slug} ({cs.new.last_updated_text})",
        f"Facts: {tally['added']} added, {tally['lapsed']} lapsed, "
        f"{tally['moved'] + tally['unchanged'] + tally['reworded']} unchanged "
        f"(of which {tally['reworded']} quoted in new words and {tally['moved']} at new offsets)",
    ]
    for kind, title in (("added", "Added"), ("lapsed", "Lapsed"), ("reworded", "Reworded")):
        if cs.of_kind(kind):
            lines.append(f"{title}:")
            lines += [_line(c) for c in cs.of_kind(kind)]
    return "\n".join(lines)


def _span(item: Assertion | None) -> dict[str, object] | None:
    if item is None:
        return None
    return {"quote": item.quote, "start": item.start, "end": item.end}


def render_json(cs: Changeset) -> str:
    """Return every change as JSON: one entry per assertion with its quote in each revision."""
    document = {
        "from": str(cs.old.iri),
        "to": str(cs.new.iri),
        "changes": [
            {"assertion": str(c.graph), "change": c.kind, "old": _span(c.old), "new": _span(c.new)}
            for c in cs.changes
            if c.kind != "unchanged"
        ],
        "unchanged": len(cs.of_kind("unchanged")),
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def changeset_graphs(cs: Changeset, result: BuildResult) -> dict[URIRef, Graph]:
    """Return the changeset as named graphs: the facts added, the facts lapsed, and a description.

    The description names each added and lapsed assertion (``dcterms:hasPart`` of the two graphs)
    and states, for every quote that moved or was reworded, that the new revision's evidence
    ``prov:wasRevisionOf`` the old one's, with both quotes and offsets.
    """
    base = f"{GRAPH}changeset/{cs.old.slug}/{cs.new.slug}"
    added, lapsed, about = URIRef(f"{base}/added"), URIRef(f"{base}/lapsed"), URIRef(base)
    graphs = {added: Graph(), lapsed: Graph(), about: Graph()}
    meta = graphs[about]
    meta.add((about, RDF.type, PROV.Entity))
    meta.add(
        (about, RDFS.label, Literal(f"changes from {cs.old.slug} to {cs.new.slug}", lang="en"))
    )
    meta.add((about, PROV.wasDerivedFrom, cs.old.iri))
    meta.add((about, PROV.wasDerivedFrom, cs.new.iri))
    for graph, label in ((added, "facts added"), (lapsed, "facts lapsed")):
        meta.add((about, DCTERMS.hasPart, graph))
        meta.add((graph, RDFS.label, Literal(label, lang="en")))
    for change in cs.changes:
        if change.kind in ("added", "lapsed"):
            target = added if change.kind == "added" else lapsed
            graphs[target] += result.graphs[change.graph]
            meta.add((target, DCTERMS.hasPart, change.graph))
        elif change.kind in ("moved", "reworded") and change.old and change.new:
            meta.add((change.new.evidence, PROV.wasRevisionOf, change.old.evidence))
            for item in (change.old, change.new):
                quote, position = (URIRef(f"{item.evidence}#{n}") for n in ("quote", "position"))
                meta.add((item.evidence, OA.hasBody, change.graph))
                meta.add((item.evidence, PROV.wasDerivedFrom, item.source.iri))
                meta.add((quote, OA.exact, Literal(item.quote)))
                meta.add((position, OA.start, Literal(item.start, datatype=XSD.nonNegativeInteger)))
                meta.add((position, OA.end, Literal(item.end, datatype=XSD.nonNegativeInteger)))
    return graphs


def render_trig(cs: Changeset, result: BuildResult) -> str:
    """Return the changeset as TriG (byte-stable, like the dumps)."""
    return trig(changeset_graphs(cs, result))
