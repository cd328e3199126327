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
from ..errors import CheckFailure, InputError
from ..namespaces import ID, NIK, prefixes
from ..source.quotes import first_occurrence, locate_quote
from ..source.revision import SourceRevision

Triple = tuple[URIRef, URIRef, URIRef | Literal]

CONCEPT_TYPES = frozenset({NIK.CooperationArea, NIK.Principle})


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
        triples += [(decl.iri, SKOS.broader, b) for b in decl.broader]
        triples += [(decl.iri, SKOS.related, r) for r in decl.related]
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
    known = prefixes()
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in known.items())
    graph = Graph()
    try:
        graph.parse(data=header + entry.turtle, format="turtle")
    except Exception as exc:  # rdflib raises several unrelated types for bad syntax
        raise _turtle_error(entry, str(exc), len(known), known) from exc
    triples = tuple(sorted(graph))  # type: ignore[arg-type]
    if not triples:
        raise InputError(f"{entry.where}: its turtle states no triples")
    for triple in triples:
        if any(isinstance(term, BNode) for term in triple):
            raise InputError(f"{entry.where}: blank nodes are not allowed; give the thing an IRI")
    return triples  # type: ignore[return-value]


def _turtle_error(
    entry: FactEntry, message: str, header_lines: int, known: dict[str, str]
) -> InputError | CheckFailure:
    """Return one readable line for rdflib's syntax error, without the bytes it quotes.

    rdflib's message carries the whole parsed text as a bytes literal (1.5 KB with our prefix
    header); a curator needs the line of their Turtle, what is wrong, and that line's text. An
    undeclared prefix is an unknown term (exit 1, with the prefixes that are close), not
    malformed syntax.
    """
    import difflib

    unbound = re.search(r'Prefix "([^"]*):" not bound', message)
    if unbound:
        name = unbound.group(1)
        near = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(f'{n}:' for n in near)}?" if near else ""
        return CheckFailure(
            f"{entry.where}: unknown prefix '{name}:' in its turtle{hint} "
            "(the predefined prefixes are listed in data/README.md)"
        )
    reason = re.search(r"Bad syntax \((.*?)\) at \^", message, re.DOTALL)
    line = re.search(r"at line (\d+)", message)
    what = reason.group(1) if reason else " ".join(message.split())[:200]
    if line is None:
        return InputError(f"{entry.where}: malformed Turtle: {what}")
    lines = entry.turtle.splitlines() or [""]
    number = min(max(int(line.group(1)) - header_lines, 1), len(lines))
    shown = lines[number - 1].strip()
    return InputError(
        f"{entry.where}: malformed Turtle, line {number} of its turtle: {what}: {shown!r}"
    )


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
            )
        )
    return result
