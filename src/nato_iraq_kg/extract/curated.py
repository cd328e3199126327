"""Turn one source revision and its curated file into assertions: quoted spans and their triples.

An :class:`Assertion` is the unit of evidence: the exact words of a source revision (start and end
offsets into its text) and the triples those words support. Four producers make them:

* curated facts (``facts``): the quote, its offset and its Turtle, all checked against the text;
* entity names (``entities``): each label and alias, quoted at its first occurrence;
* abbreviations written ``Name (ABBR)`` after a known name, which add ``skos:altLabel``;
* milestones and concept lists, whose regular shape a rule reads (see :mod:`.rules`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ..curation.model import Curation, EntityDecl, FactEntry
from ..errors import InputError
from ..namespaces import ID, NIK, prefixes
from ..source.quotes import first_occurrence, locate_quote
from ..source.revision import SourceRevision

Triple = tuple[URIRef, URIRef, URIRef | Literal]

CONCEPT_TYPES = frozenset({NIK.CooperationArea, NIK.Principle})

#: Why a curated SKOS link is an interpretation: the page names the concepts, never relates them.
CONCEPT_LINK_WHY = (
    "The page names this area but never says how it relates to the others; the curator links it "
    "to the broader or related areas whose words it shares, to make the scheme browsable."
)


@dataclass(frozen=True)
class Assertion:
    """Triples and the exact span of a source revision that states them."""

    key: str
    source: SourceRevision
    start: int
    end: int
    triples: tuple[Triple, ...]
    method: str
    where: str
    tier: str = "stated"
    why: str | None = None

    @property
    def quote(self) -> str:
        """The exact words at the assertion's offsets."""
        return self.source.text[self.start : self.end]

    @property
    def graph(self) -> URIRef:
        """The named graph that holds the assertion's triples."""
        return ID[f"assertion/{self.source.slug}/{self.key}"]

    @property
    def evidence(self) -> URIRef:
        """The Web Annotation that ties the graph to its quote."""
        return ID[f"evidence/{self.source.slug}/{self.key}"]


def entity_key(iri: URIRef) -> str:
    """Return a short key for an entity IRI: ``actor-nato`` for ``id/actor/nato``."""
    return str(iri).removeprefix(str(ID)).replace("/", "-")


def _label(words: str, source: SourceRevision) -> Literal:
    return Literal(words, lang=source.language)


def entity_assertions(source: SourceRevision, entities: Iterable[EntityDecl]) -> list[Assertion]:
    """Quote each entity's label (for its types and names) and each alias at first occurrence."""
    result: list[Assertion] = []
    for decl in entities:
        start = first_occurrence(source.text, decl.label, f"{decl.where}: label")
        triples: list[Triple] = [(decl.iri, RDF.type, t) for t in decl.types]
        triples.append((decl.iri, RDFS.label, _label(decl.label, source)))
        if CONCEPT_TYPES.intersection(decl.types):
            triples.append((decl.iri, SKOS.prefLabel, _label(decl.label, source)))
        key = entity_key(decl.iri)
        result.append(
            Assertion(
                f"name-{key}",
                source,
                start,
                start + len(decl.label),
                tuple(triples),
                "entity-name",
                decl.where,
            )
        )
        links: list[Triple] = [(decl.iri, SKOS.broader, b) for b in decl.broader]
        links += [(decl.iri, SKOS.related, r) for r in decl.related]
        if links:
            result.append(
                Assertion(
                    f"concept-links-{key}",
                    source,
                    start,
                    start + len(decl.label),
                    tuple(links),
                    "entity-name",
                    f"{decl.where}: broader/related",
                    tier="interpreted",
                    why=CONCEPT_LINK_WHY,
                )
            )
        for number, alias in enumerate(decl.aliases, start=1):
            at = first_occurrence(source.text, alias, f"{decl.where}: alias {alias!r}")
            result.append(
                Assertion(
                    f"alias-{key}-{number}",
                    source,
                    at,
                    at + len(alias),
                    ((decl.iri, SKOS.altLabel, _label(alias, source)),),
                    "entity-name",
                    decl.where,
                )
            )
    return result


ABBREVIATION = re.compile(r" \(([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)\)")


def abbreviation_assertions(
    source: SourceRevision, entities: Iterable[EntityDecl]
) -> list[Assertion]:
    """Add ``skos:altLabel ABBR`` where the text writes a known name followed by ``(ABBR)``.

    Each abbreviation is asserted once per entity, at its first introduction, and only where the
    curated file does not already list it as an alias.
    """
    names: list[tuple[str, EntityDecl]] = []
    for decl in entities:
        names += [(decl.label, decl)] + [(alias, decl) for alias in decl.aliases]
    names.sort(key=lambda pair: -len(pair[0]))
    done: set[tuple[URIRef, str]] = {(d.iri, a) for _, d in names for a in d.aliases}
    result: list[Assertion] = []
    for match in ABBREVIATION.finditer(source.text):
        abbreviation = match.group(1)
        before = source.text[: match.start()]
        for name, decl in names:
            if not before.endswith(name):
                continue
            if (decl.iri, abbreviation) not in done:
                done.add((decl.iri, abbreviation))
                start = match.start() - len(name)
                result.append(
                    Assertion(
                        f"abbreviation-{entity_key(decl.iri)}-{abbreviation.lower()}",
                        source,
                        start,
                        match.end(),
                        ((decl.iri, SKOS.altLabel, _label(abbreviation, source)),),
                        "abbreviation",
                        f"{decl.where}: abbreviation {abbreviation!r}",
                    )
                )
            break  # the longest name that ends here owns the abbreviation
    return result


def parse_turtle(entry: FactEntry) -> tuple[Triple, ...]:
    """Parse an entry's Turtle with the project's prefixes; refuse blank nodes."""
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes().items())
    graph = Graph()
    try:
        graph.parse(data=header + entry.turtle, format="turtle")
    except Exception as exc:  # rdflib raises several unrelated types for bad syntax
        message = str(exc).replace("\n", " ")
        line = re.search(r"line (\d+)", message)
        if line:
            snippet_line = int(line.group(1)) - len(prefixes())
            message = f"line {snippet_line} of its turtle: {message}"
        raise InputError(f"{entry.where}: malformed Turtle: {message}") from exc
    triples = tuple(sorted(graph))  # type: ignore[arg-type]
    if not triples:
        raise InputError(f"{entry.where}: its turtle states no triples")
    for triple in triples:
        if any(isinstance(term, BNode) for term in triple):
            raise InputError(f"{entry.where}: blank nodes are not allowed; give the thing an IRI")
    return triples  # type: ignore[return-value]


def fact_assertions(source: SourceRevision, curation: Curation) -> list[Assertion]:
    """Check each curated fact's quote at its offset and parse its triples."""
    result = []
    for entry in curation.facts:
        start = locate_quote(source.text, entry.quote, entry.at, entry.where)
        result.append(
            Assertion(
                f"fact-{entry.key}",
                source,
                start,
                start + len(entry.quote),
                parse_turtle(entry),
                "curated-fact",
                entry.where,
                tier=entry.tier,
                why=entry.why,
            )
        )
    return result
