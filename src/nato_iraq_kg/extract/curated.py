"""Turn one source revision and its curated file into assertions: quoted spans and their triples.

Two of the producers of :class:`~.assertion.Assertion` live here, the ones a curator writes:

* curated facts (``facts``): the quote, its offset and its Turtle, all checked against the text;
* entity names (``entities``): each label and alias, quoted at its first occurrence.

The others read a regular shape of the text by rule (:mod:`.rules`): abbreviations, milestones and
concept lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import BNode, Graph
from rdflib.namespace import RDF, RDFS, SKOS

from ..curation.model import Curation, EntityDecl, FactEntry
from ..errors import CheckFailure, InputError
from ..guard.rdf_input import rdflib_term
from ..namespaces import NIK, prefixes
from ..source.quotes import first_occurrence
from ..source.revision import SourceRevision
from .assertion import Assertion, Triple, entity_key, label_literal
from .quoted_at import quote_start

CONCEPT_TYPES = frozenset({NIK.CooperationArea, NIK.Principle, NIK.Theme})

#: Why a curated SKOS link is an interpretation: the page names the concepts, never relates them.
CONCEPT_LINK_WHY = (
    "The page names this area but never says how it relates to the others; the curator links it "
    "to the broader or related areas whose words it shares, to make the scheme browsable."
)


def entity_assertions(source: SourceRevision, entities: Iterable[EntityDecl]) -> list[Assertion]:
    """Quote each entity's label (for its types and names) and each alias at first occurrence."""
    result: list[Assertion] = []
    for decl in entities:
        start = first_occurrence(source.text, decl.label, f"{decl.where}: label")
        triples: list[Triple] = [(decl.iri, RDF.type, t) for t in decl.types]
        triples.append((decl.iri, RDFS.label, label_literal(decl.label, source)))
        if CONCEPT_TYPES.intersection(decl.types):
            triples.append((decl.iri, SKOS.prefLabel, label_literal(decl.label, source)))
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
                    ((decl.iri, SKOS.altLabel, label_literal(alias, source)),),
                    "entity-name",
                    decl.where,
                )
            )
    return result


def parse_turtle(entry: FactEntry) -> tuple[Triple, ...]:
    """Parse an entry's Turtle with the project's prefixes; refuse blank nodes."""
    known = prefixes()
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in known.items())
    triples = _parsed_by_oxigraph(header + entry.turtle)
    if triples is None:  # malformed, or a literal only rdflib reads exactly: rdflib decides
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


#: Turtle whose terms Oxigraph would read differently from rdflib: a datatype written out
#: (Oxigraph makes ``"x"^^xsd:string`` a plain literal, rdflib keeps the datatype) or a language
#: tag with a capital (Oxigraph lowercases it, rdflib keeps it).
_READ_BY_RDFLIB_ONLY = re.compile(r"\^\^|@[A-Za-z0-9-]*[A-Z]")


def _parsed_by_oxigraph(text: str) -> tuple[Triple, ...] | None:
    """Return the sorted distinct triples of ``text`` read by Oxigraph, or None to ask rdflib.

    rdflib's Turtle parser took a quarter of the build (99 small parses, each binding some
    seventy prefixes); Oxigraph's reads them about fifty times faster. rdflib stays the judge:
    anything Oxigraph refuses (rdflib then gives the error the curator sees, or reads what the
    stricter parser would not), and anything where the two could make different terms
    (:data:`_READ_BY_RDFLIB_ONLY`, RDF 1.2 triple terms), goes to rdflib as before, so each
    entry gives the same triples or the same error either way.
    """
    import pyoxigraph

    if _READ_BY_RDFLIB_ONLY.search(text):
        return None
    try:
        quads = list(pyoxigraph.parse(text.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE))
    except (SyntaxError, ValueError):
        return None
    try:
        found = {
            tuple(rdflib_term(term) for term in (quad.subject, quad.predicate, quad.object))
            for quad in quads
        }
    except InputError:  # an RDF 1.2 triple term: rdflib reads the entry
        return None
    return tuple(sorted(found))  # type: ignore[arg-type,return-value]


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
        start = quote_start(source.text, entry.quote, entry.at, entry.where)
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
