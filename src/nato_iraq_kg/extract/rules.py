"""Rules for what the text states in a regular shape: abbreviations, dated milestones, lists.

Rules read the words themselves, so a curator only says *which* events a milestone is about or
*which* concepts a list names; the dates and the exact span of every list item come from the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ..curation.model import ConceptListEntry, Curation, EntityDecl
from ..errors import CheckFailure
from ..namespaces import NIK, date_iri, entity
from ..source.dates import DateFormatError, parse_phrase
from ..source.document import DocumentModel
from ..source.revision import SourceRevision
from .assertion import Assertion, Triple, entity_key, label_literal
from .quoted_at import quote_start

#: What may stand between the items of a list: commas, semicolons, "and", spaces.
LIST_SEPARATOR = re.compile(r"(?:[\s,;]|\band\b)*")


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
                        ((decl.iri, SKOS.altLabel, label_literal(abbreviation, source)),),
                        "abbreviation",
                        f"{decl.where}: abbreviation {abbreviation!r}",
                    )
                )
            break  # the longest name that ends here owns the abbreviation
    return result


#: Why a milestone link is derived: the page's structure, not a sentence, says it.
MILESTONE_WHY = (
    "Derived from the page's structure: the paragraph that names this event is listed under "
    "“Milestones in relations”, and the milestone rule reads every such paragraph as a milestone "
    "of the relations the page describes."
)


def _event_words_end(
    source: SourceRevision, curation: Curation, event: URIRef, start: int, end: int, where: str
) -> int:
    """Return where the first of the event's names in the paragraph ends.

    The quote of a milestone's date then runs from the date to the words naming the event, so it
    shows both; a paragraph that names none of the event's names is refused.
    """
    decl = curation.entities.get(event)
    names = (decl.label, *decl.aliases) if decl is not None else ()
    ends = [
        found + len(name) for name in names if (found := source.text.find(name, start, end)) >= 0
    ]
    if not ends:
        raise CheckFailure(
            f"{where}: the milestone paragraph does not name {event} by its label or an alias"
        )
    return min(ends)


def milestone_assertions(
    source: SourceRevision, model: DocumentModel, curation: Curation
) -> list[Assertion]:
    """Date each milestone's events from the paragraph's own date phrase.

    Each event's date is quoted from the date phrase to the words that name the event, and its
    membership of the milestones (``nik:milestone``) is a separate, derived assertion. Every
    milestone paragraph must have an entry and every entry a paragraph, so a milestone added to a
    later revision of the page cannot be silently left out of the graph.
    """
    entries = {entry.date_words: entry for entry in curation.milestones}
    paragraphs = [part for part in model.parts if part.kind == "milestone"]
    result: list[Assertion] = []
    used: set[str] = set()
    for part in paragraphs:
        if part.date_phrase is None:
            raise CheckFailure(f"{source.text_path}: milestone {part.name} has no date phrase")
        start, end = part.date_phrase
        words = source.text[start:end]
        entry = entries.get(words)
        if entry is None:
            raise CheckFailure(
                f"{curation.path}: milestone {words!r} ({part.name}) has no entry in 'milestones'"
            )
        used.add(words)
        if not entry.events:
            raise CheckFailure(f"{entry.where}: no events")
        try:
            value = parse_phrase(words)
        except DateFormatError as exc:
            raise CheckFailure(f"{entry.where}: {exc}") from exc
        for number, event in enumerate(entry.events, start=1):
            quote_end = _event_words_end(source, curation, event, start, part.end, entry.where)
            result.append(
                Assertion(
                    f"milestone-{value.key}-{number}",
                    source,
                    start,
                    quote_end,
                    ((event, NIK.date, date_iri(value.key)),),
                    "milestone-date",
                    entry.where,
                )
            )
            if curation.milestones_of is not None:
                result.append(
                    Assertion(
                        f"milestone-member-{value.key}-{number}",
                        source,
                        start,
                        quote_end,
                        ((curation.milestones_of, NIK.milestone, event),),
                        "milestone-date",
                        entry.where,
                        tier="derived",
                        why=MILESTONE_WHY,
                    )
                )
    for words, entry in entries.items():
        if words not in used:
            raise CheckFailure(f"{entry.where}: no milestone paragraph is dated {words!r}")
    return result


def _words_of(gap: str) -> str:
    """Return what a gap between list items says, without its separators."""
    return re.sub(r"^(?:[\s,;]|\band\b)+|(?:[\s,;]|\band\b)+$", "", gap)


def _item_spans(source: SourceRevision, entry: ConceptListEntry, start: int) -> list[int]:
    """Locate each item's words in order inside the list, checking only separators lie between."""
    end = start + len(entry.quote)
    position = start
    starts = []
    for words, _ in entry.items:
        found = source.text.find(words, position, end)
        if found < 0:
            raise CheckFailure(
                f"{entry.where}: item {words!r} not found, in order, inside the list's quote"
            )
        gap = source.text[position:found]
        if not LIST_SEPARATOR.fullmatch(gap):
            raise CheckFailure(
                f"{entry.where}: the list names {_words_of(gap)!r} before {words!r}, "
                "which no item covers"
            )
        starts.append(found)
        position = found + len(words)
    rest = source.text[position:end]
    if not LIST_SEPARATOR.fullmatch(rest):
        raise CheckFailure(
            f"{entry.where}: the list ends with {_words_of(rest)!r}, which no item covers"
        )
    return starts


#: What may stand between a list's qualifier and its first item: spaces, a colon.
QUALIFIER_GAP = re.compile(r"[\s:]*")


def _qualifier_start(source: SourceRevision, entry: ConceptListEntry, start: int) -> int:
    """Return where the list's qualifier starts; it must end just before the list's words."""
    assert entry.qualifier is not None
    found = source.text.rfind(entry.qualifier, 0, start)
    if found < 0 or not QUALIFIER_GAP.fullmatch(source.text[found + len(entry.qualifier) : start]):
        raise CheckFailure(
            f"{entry.where}: qualifier {entry.qualifier!r} does not stand just before the list"
        )
    return found


def concept_list_assertions(source: SourceRevision, curation: Curation) -> list[Assertion]:
    """Relate each list's subject to every concept it names, each item quoted on its own.

    The list as a whole becomes a ``skos:Collection`` labelled with its exact wording, so that two
    differently worded lists of one programme are both kept and both reachable from it.
    """
    result: list[Assertion] = []
    for entry in curation.concept_lists:
        start = quote_start(source.text, entry.quote, entry.at, entry.where)
        collection = entity("list", entry.key)
        members: list[Triple] = [
            (collection, RDF.type, SKOS.Collection),
            (collection, RDFS.label, Literal(entry.quote, lang=source.language)),
            (entry.subject, NIK.conceptList, collection),
        ]
        members += [(collection, SKOS.member, concept) for _, concept in entry.items]
        result.append(
            Assertion(
                f"list-{entry.key}",
                source,
                start,
                start + len(entry.quote),
                tuple(members),
                "concept-list",
                entry.where,
            )
        )
        if entry.qualifier is not None:
            # its own assertion, quoted from the qualifier, so the list keeps its offset
            qualifier = Literal(entry.qualifier, lang=source.language)
            result.append(
                Assertion(
                    f"list-{entry.key}-qualifier",
                    source,
                    _qualifier_start(source, entry, start),
                    start + len(entry.quote),
                    ((collection, NIK.listQualifier, qualifier),),
                    "concept-list",
                    f"{entry.where}: qualifier",
                )
            )
        for number, (item_start, (words, concept)) in enumerate(
            zip(_item_spans(source, entry, start), entry.items, strict=True), start=1
        ):
            result.append(
                Assertion(
                    f"list-{entry.key}-{number}",
                    source,
                    item_start,
                    item_start + len(words),
                    ((entry.subject, entry.prop, concept),),
                    "concept-list",
                    f"{entry.where}: item {words!r}",
                )
            )
    return result


def list_iris(curation: Curation) -> set[URIRef]:
    """Return the IRIs of the collections the lists create."""
    return {entity("list", entry.key) for entry in curation.concept_lists}
