"""The graph as plain tables: a Frictionless Data Package under ``data/tables/``.

For people who use spreadsheets, pandas or R rather than RDF tools. Each CSV is computed from the
built graph (never written by hand), with one Table Schema per file in ``datapackage.json`` that
says what each column holds, and ``facts.csv`` keeps the evidence: each fact with the quote and
code-point offsets it comes from. Rows are sorted and the CSV dialect fixed (UTF-8, ``\\n``), so
the files are byte-stable like every other build output.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ..namespaces import BASE, EVIDENCE_GRAPH, NIK, OA, SCHEMA, WD
from ..source.release import Release
from ..source.revision import SourceRevision

TABLES_FOLDER = "tables"
PACKAGE_FILE = f"{TABLES_FOLDER}/datapackage.json"
DATA_LICENSE = ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/")

#: A column: (name, Table Schema type, description); IRI columns are strings in format "uri".
Column = tuple[str, str, str]
IRI = "iri"


@dataclass(frozen=True)
class Table:
    """One CSV file: its name, what a row is, its columns and its rows (already sorted)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rows: list[tuple[str, ...]]


def members(facts: Graph, ontology: Graph, cls: URIRef) -> list[URIRef]:
    """Return the instances of ``cls`` or any of its subclasses, sorted."""
    classes = set(ontology.transitive_subjects(RDFS.subClassOf, cls))
    found = {s for c in classes for s in facts.subjects(RDF.type, c) if isinstance(s, URIRef)}
    return sorted(found)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _most_specific_type(facts: Graph, node: URIRef) -> str:
    """Return the local name of the node's own ``nik:`` class (``Signing``, ``Mission``...)."""
    nik = str(NIK)
    names = sorted(str(t)[len(nik) :] for t in facts.objects(node, RDF.type) if t.startswith(nik))
    return " ".join(names)


def _finest(facts: Graph, dates: Iterable[URIRef]) -> URIRef | None:
    """Return the most precise of a node's dates (``December 2011`` over ``2011``)."""

    def span(date: URIRef) -> tuple[int, str, str]:
        earliest = _text(facts.value(date, NIK.earliestDate))
        latest = _text(facts.value(date, NIK.latestDate))
        days = _days(earliest, latest) if earliest and latest else 10**6
        return days, earliest, str(date)

    ordered = sorted(dates, key=span)
    return ordered[0] if ordered else None


def _days(earliest: str, latest: str) -> int:
    from datetime import date

    return (date.fromisoformat(latest) - date.fromisoformat(earliest)).days


def _label(facts: Graph, node: object) -> str:
    return _text(facts.value(node, RDFS.label)) if isinstance(node, URIRef) else ""


def events_table(facts: Graph, ontology: Graph) -> Table:
    """One row per event and date it is given (two rows for a date given at two precisions)."""
    rows = []
    for event in members(facts, ontology, NIK.Event):
        label, kind = _label(facts, event), _most_specific_type(facts, event)
        dates = sorted(d for d in facts.objects(event, NIK.date) if isinstance(d, URIRef))
        for date in dates or [None]:
            rows.append(
                (
                    str(event),
                    label,
                    kind,
                    _text(date),
                    _label(facts, date),
                    _most_specific_type(facts, date) if date else "",
                    _text(facts.value(date, NIK.earliestDate)) if date else "",
                    _text(facts.value(date, NIK.latestDate)) if date else "",
                )
            )
    rows.sort(key=lambda r: (r[6] or "9999", r[7], r[0], r[3]))
    columns = (
        ("event", IRI, "The event's IRI."),
        ("label", "string", "What happened, in the page's words."),
        ("type", "string", "The event's class in the ontology (nik:), e.g. Visit, Signing."),
        ("date", IRI, "The IRI of a date the page gives for it (empty if none)."),
        ("date_label", "string", "That date as the page writes it."),
        ("precision", "string", "DayDate, MonthDate, YearDate or VagueDate."),
        ("earliest", "date", "The first day the date can mean."),
        ("latest", "date", "The last day the date can mean."),
    )
    return Table("events", "Events and their dates", columns, ("event", "date"), rows)


def actors_table(facts: Graph, ontology: Graph) -> Table:
    """One row per actor, with its identity links."""
    rows = []
    for actor in members(facts, ontology, NIK.Actor):
        same = sorted(str(o) for o in facts.objects(actor, OWL.sameAs))
        rows.append(
            (
                str(actor),
                _label(facts, actor),
                _most_specific_type(facts, actor),
                " ".join(s for s in same if s.startswith(str(WD))),
                " ".join(s for s in same if "dbpedia.org/resource/" in s),
            )
        )
    columns = (
        ("actor", IRI, "The actor's IRI."),
        ("label", "string", "Its name as the page writes it."),
        ("type", "string", "Its class in the ontology (nik:), e.g. State, Person."),
        ("wikidata", "string", "The same thing in Wikidata (checked list only), if linked."),
        ("dbpedia", "string", "The same thing in DBpedia (checked list only), if linked."),
    )
    return Table(
        "actors", "Actors: organisations, states, people, groups", columns, ("actor",), rows
    )


def programmes_table(facts: Graph, ontology: Graph) -> Table:
    """One row per programme, with its start and end at the finest precision the page gives."""
    rows = []
    for programme in members(facts, ontology, NIK.Programme):
        start = _finest(facts, [d for d in facts.objects(programme, NIK.startDate)])
        end = _finest(facts, [d for d in facts.objects(programme, NIK.endDate)])
        rows.append(
            (
                str(programme),
                _label(facts, programme),
                _most_specific_type(facts, programme),
                _label(facts, start),
                _text(facts.value(start, NIK.earliestDate)) if start else "",
                _label(facts, end),
                _text(facts.value(end, NIK.latestDate)) if end else "",
            )
        )
    columns = (
        ("programme", IRI, "The programme's IRI."),
        ("label", "string", "Its name as the page writes it."),
        ("type", "string", "Its class in the ontology (nik:), e.g. Mission, Initiative."),
        ("start", "string", "When it started, as the page writes it (finest precision given)."),
        ("start_earliest", "date", "The first day that start can mean."),
        ("end", "string", "When it ended, as the page writes it (finest precision given)."),
        ("end_latest", "date", "The last day that end can mean."),
    )
    return Table("programmes", "Programmes and missions", columns, ("programme",), rows)


def areas_table(facts: Graph, ontology: Graph) -> Table:
    """One row per cooperation area and broader area (none for a top concept)."""
    rows = []
    for area in members(facts, ontology, NIK.CooperationArea):
        broader = sorted(b for b in facts.objects(area, SKOS.broader) if isinstance(b, URIRef))
        for parent in broader or [None]:
            rows.append((str(area), _label(facts, area), _text(parent), _label(facts, parent)))
    columns = (
        ("area", IRI, "The cooperation area's IRI (a SKOS concept)."),
        ("label", "string", "Its name as the page writes it."),
        ("broader", IRI, "The broader area it narrows (empty for a top concept)."),
        ("broader_label", "string", "That broader area's name."),
    )
    return Table("cooperation_areas", "Cooperation areas", columns, ("area", "broader"), rows)


def quantities_table(facts: Graph, ontology: Graph) -> Table:
    """One row per quantity the page states, with what it counts and whose it is."""
    rows = []
    for quantity in members(facts, ontology, NIK.Quantity):
        owners = sorted(s for s in facts.subjects(NIK.quantity, quantity) if isinstance(s, URIRef))
        approximate = facts.value(quantity, NIK.isApproximate)
        period = facts.value(quantity, NIK.perPeriod)
        rows.append(
            (
                str(quantity),
                _label(facts, quantity),
                _text(facts.value(quantity, SCHEMA.value)),
                _text(facts.value(quantity, SCHEMA.unitText)),
                "true" if isinstance(approximate, Literal) and approximate.toPython() else "false",
                str(period).rsplit("#unit", 1)[-1].lower() if period else "",
                " ".join(map(str, owners)),
                " | ".join(_label(facts, owner) for owner in owners),
            )
        )
    columns = (
        ("quantity", IRI, "The quantity's IRI."),
        ("label", "string", "The words of the page that state it."),
        ("value", "integer", "The number."),
        ("unit", "string", "What is counted."),
        ("approximate", "boolean", "True when the page says 'some' or 'about'."),
        ("per", "string", "The period it is counted per (e.g. year), if any."),
        ("of", "string", "The IRI(s) of the programme(s) it belongs to, space-separated."),
        ("of_label", "string", "Their names."),
    )
    return Table("quantities", "Quantities the page states", columns, ("quantity",), rows)


def facts_table(graphs: dict[URIRef, Graph]) -> Table:
    """One row per fact and quote: each triple of an assertion graph with the quote stating it."""
    evidence = graphs[EVIDENCE_GRAPH]
    rows = []
    for annotation in evidence.subjects(RDF.type, OA.Annotation):
        body = evidence.value(annotation, OA.hasBody)
        target = evidence.value(annotation, OA.hasTarget)
        selectors = list(evidence.objects(target, OA.hasSelector))

        def pick(prop: URIRef, chosen: list[URIRef] = selectors) -> str:
            values = (evidence.value(s, prop) for s in chosen)  # each looked up once
            return next(_text(value) for value in values if value)

        quote, start, end = pick(OA.exact), pick(OA.start), pick(OA.end)
        source = _text(evidence.value(target, OA.hasSource))
        for s, p, o in graphs[body]:
            rows.append((str(s), str(p), str(o), quote, start, end, source, str(annotation)))
    rows.sort(key=lambda r: (r[6], int(r[4]), int(r[5]), r[0], r[1], r[2], r[7]))
    columns = (
        ("subject", IRI, "The fact's subject (an IRI)."),
        ("predicate", IRI, "The fact's property (an IRI)."),
        ("object", "string", "Its value: an IRI, or a literal's text."),
        ("quote", "string", "The exact words of the page that state it."),
        ("start", "integer", "Where the quote starts in the source text (Unicode code points)."),
        ("end", "integer", "Where the quote ends (exclusive)."),
        ("source", IRI, "The source revision the offsets refer to."),
        ("evidence", IRI, "The Web Annotation in the graph that records this quote."),
    )
    key = ("subject", "predicate", "object", "evidence")
    return Table("facts", "Every fact with its quote and offsets", columns, key, rows)


def csv_text(table: Table) -> str:
    """Return the table as CSV: a header, then its rows (UTF-8 text, ``\\n`` line ends)."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(name for name, _, _ in table.columns)
    writer.writerows(table.rows)
    return stream.getvalue()


def _field(column: Column) -> dict[str, str]:
    name, kind, description = column
    if kind == IRI:
        return {"name": name, "type": "string", "format": "uri", "description": description}
    return {"name": name, "type": kind, "description": description}


def package_json(
    tables: Iterable[tuple[Table, bytes]], release: Release, revisions: Iterable[SourceRevision]
) -> str:
    """Return ``datapackage.json``: the package, then one resource and Table Schema per CSV."""
    resources = [
        {
            "name": table.name,
            "title": table.title,
            "path": f"{table.name}.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(data),
            "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
            "schema": {
                "fields": [_field(column) for column in table.columns],
                "primaryKey": list(table.key),
            },
        }
        for table, data in tables
    ]
    package = {
        "profile": "data-package",
        "name": "nato-iraq-kg",
        "title": "NATO–Iraq relations knowledge graph, as tables",
        "description": (
            "Every fact of NATO's topic page 'Relations with Iraq' with the quote it comes from, "
            "and the events, actors, programmes, cooperation areas and quantities, as CSV."
        ),
        "homepage": BASE,
        "version": release.version,
        "created": f"{release.issued.isoformat()}T00:00:00Z",
        "licenses": [{"name": DATA_LICENSE[0], "path": DATA_LICENSE[1]}],
        "contributors": [{"title": "nato-iraq-kg contributors", "role": "author"}],
        "sources": [{"title": r.title, "path": r.url} for r in revisions],
        "resources": resources,
    }
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"


PRODUCERS: tuple[Callable[[Graph, Graph], Table], ...] = (
    events_table,
    actors_table,
    programmes_table,
    areas_table,
    quantities_table,
)


def render_tables(
    facts: Graph,
    graphs: dict[URIRef, Graph],
    ontology: Graph,
    release: Release,
    revisions: Iterable[SourceRevision],
) -> dict[str, str]:
    """Return every file of the data package by its name under ``data/``."""
    tables = [produce(facts, ontology) for produce in PRODUCERS] + [facts_table(graphs)]
    files: dict[str, str] = {}
    encoded: list[tuple[Table, bytes]] = []
    for table in tables:
        text = csv_text(table)
        files[f"{TABLES_FOLDER}/{table.name}.csv"] = text
        encoded.append((table, text.encode("utf-8")))
    files[PACKAGE_FILE] = package_json(encoded, release, list(revisions))
    return files
