"""The unit of evidence: the exact words of a source revision and the triples they support.

An :class:`Assertion` holds a span of one revision's text (start and end offsets) and the triples
those words state. Every producer (:mod:`.curated`: facts and names; :mod:`.rules`: abbreviations,
milestones, lists) makes them; the build turns each into a named graph with its Web Annotation.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Literal, URIRef

from ..namespaces import ID
from ..source.revision import SourceRevision

Triple = tuple[URIRef, URIRef, URIRef | Literal]


@dataclass(frozen=True)
class Assertion:
    """Triples and the exact span of a source revision that states them.

    ``tier`` says how the triples stand to the quote: ``stated`` (it says them), ``derived`` (a
    named rule made them) or ``interpreted`` (a curator reads them into it); ``why`` is the
    reason for the last two, which the graph keeps.
    """

    key: str
    source: SourceRevision
    start: int
    end: int
    triples: tuple[Triple, ...]
    method: str
    where: str
    tier: str = "stated"
    why: str | None = None
    #: The revision whose assertion graph this one restates (set by the build's history step).
    graph_slug: str | None = None

    @property
    def quote(self) -> str:
        """The exact words at the assertion's offsets."""
        return self.source.text[self.start : self.end]

    @property
    def graph(self) -> URIRef:
        """The named graph that holds the assertion's triples."""
        return ID[f"assertion/{self.graph_slug or self.source.slug}/{self.key}"]

    @property
    def evidence(self) -> URIRef:
        """The Web Annotation that ties the graph to its quote."""
        return ID[f"evidence/{self.source.slug}/{self.key}"]


def entity_key(iri: URIRef) -> str:
    """Return a short key for an entity IRI: ``actor-nato`` for ``id/actor/nato``."""
    return str(iri).removeprefix(str(ID)).replace("/", "-")


def label_literal(words: str, source: SourceRevision) -> Literal:
    return Literal(words, lang=source.language)
