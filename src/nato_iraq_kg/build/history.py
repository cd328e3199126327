"""Revisions over time: one assertion per fact across revisions, and the facts that lapsed.

Every revision of a page is built from its own curated file, so a fact stated by three revisions
comes out three times. Here they become one assertion: the named graph of the first revision that
stated it (its IRI never changes when a new revision arrives), with one piece of evidence per
revision, each quoting that revision at its own offsets. So the assertion's ``prov:wasDerivedFrom``
lists exactly the revisions that support it.

A fact that the latest revision of its page no longer states stays in the dataset, marked with the
revision in which it lapsed (``nik:lapsedIn``) and that revision's date (``prov:invalidatedAtTime``,
PROV-O's "the entity is no longer available for use" from then on); it leaves the default view, the
facts file. Each revision is ``prov:wasRevisionOf`` the one before it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, XSD

from ..extract.assertion import Assertion
from ..namespaces import NIK
from ..source.revision import SourceRevision
from .graphs import new_graph


@dataclass(frozen=True)
class History:
    """The assertions with their graphs merged across revisions, and what that implies."""

    assertions: list[Assertion]
    #: Assertion graph -> the slugs of the revisions that state it, oldest first.
    support: dict[URIRef, tuple[str, ...]]
    #: Assertion graph -> the revision in which it lapsed (absent: current).
    lapsed: dict[URIRef, SourceRevision]
    #: Revision -> the revision of the same page before it.
    previous: dict[str, SourceRevision]

    def statements(self) -> Graph:
        """Return what the history adds to the evidence graph: lapses and revision order."""
        g = new_graph()
        for graph, revision in sorted(self.lapsed.items()):
            g.add((graph, NIK.lapsedIn, revision.iri))
            g.add(
                (
                    graph,
                    PROV.invalidatedAtTime,
                    Literal(revision.last_updated, datatype=XSD.dateTime),
                )
            )
        return g

    def revision_statements(self, revision: SourceRevision) -> Graph:
        """Return what the history adds to a revision's own graph: the revision it revises."""
        g = new_graph()
        before = self.previous.get(revision.slug)
        if before is not None:
            g.add((revision.iri, PROV.wasRevisionOf, before.iri))
        return g


def _order(revisions: Sequence[SourceRevision]) -> dict[str, list[SourceRevision]]:
    pages: dict[str, list[SourceRevision]] = defaultdict(list)
    for revision in revisions:
        pages[revision.page].append(revision)
    for members in pages.values():
        members.sort(key=lambda r: (r.last_updated, r.slug))
    return pages


def merge_history(revisions: Sequence[SourceRevision], assertions: Sequence[Assertion]) -> History:
    """Give every restatement of a fact the graph of its first statement; find the lapsed ones.

    A fact is the same when its key (``fact-lead-partners``) and its triples are; a reworded fact
    whose triples changed is a new assertion, and the old one lapses.
    """
    pages = _order(revisions)
    rank = {r.slug: (r.page, i) for members in pages.values() for i, r in enumerate(members)}
    first: dict[tuple[str, str, frozenset], Assertion] = {}
    for item in sorted(assertions, key=lambda a: rank[a.source.slug]):
        first.setdefault((item.source.page, item.key, frozenset(item.triples)), item)
    merged: list[Assertion] = []
    support: dict[URIRef, list[str]] = defaultdict(list)
    for item in assertions:
        origin = first[(item.source.page, item.key, frozenset(item.triples))]
        if origin.source.slug != item.source.slug:
            item = replace(item, graph_slug=origin.source.slug)
        merged.append(item)
        support[item.graph].append(item.source.slug)
    lapsed: dict[URIRef, SourceRevision] = {}
    page_of = {r.slug: r.page for r in revisions}
    for graph, slugs in support.items():
        members = pages[page_of[slugs[0]]]
        stated = {rank[s][1] for s in slugs}
        last = max(stated)
        if last < len(members) - 1:
            lapsed[graph] = members[last + 1]
    previous = {
        later.slug: earlier
        for members in pages.values()
        for earlier, later in itertools.pairwise(members)
    }
    ordered = {g: tuple(sorted(s, key=lambda x: rank[x][1])) for g, s in support.items()}
    return History(merged, ordered, lapsed, previous)
